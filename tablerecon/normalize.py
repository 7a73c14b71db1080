"""Step 1: bytes to a stream of table cells, each tied to its 1-based source line.

Scrapers flatten tables in several ways; this module reduces them to one shape, a list of
``Cell`` objects (label, number, placeholder) with the count of empty slots seen before each
one, which the solver later reads as soft evidence of dropped blank cells.

Numbers and labels are normalized differently on purpose: NFKC is applied to label text
only, because on numbers it invents digits (``①`` becomes ``1``).
"""

from __future__ import annotations

import csv
import itertools
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache

import opencc

from tablerecon.borders import is_rule, read_borders
from tablerecon.caches import bounded, register
from tablerecon.errors import DecodeError, InputTooLargeError, TimeBudgetError
from tablerecon.pages import page_furniture

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic space and nbsp to space; NUL (which
# broken scrapes leave after cells, and which no text means) dropped like the zero-width marks.
_WIDTH_MAP: dict[int, int | None] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH_MAP.update({0x3000: 0x20, 0xA0: 0x20, 0x2007: 0x20, 0x202F: 0x20, 0xFEFF: None, 0x200B: None, 0: None})
# The characters of the map, found by a regex: ``str.translate`` looks every character of a
# Chinese text up in the map (some 90 ns each), while most texts hold few characters to map.
_WIDE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_WIDTH_MAP)) + "]+")

# Dashes and other marks that stand for an empty cell.
PLACEHOLDERS = frozenset({"/", "-", "—", "——", "－", "–", "―", "无", "\\", "--", "—-", "/ "})

#: Units written into a value cell (``950125.6165万元``, ``12件``), longest first.
_UNITS = (
    "万元",
    "萬元",
    "人次",
    "元",
    "件",
    "条",
    "條",
    "个",
    "個",
    "次",
    "人",
    "项",
    "項",
    "篇",
    "家",
    "份",
    "笔",
    "筆",
    "宗",
    "起",
)
#: Marks that stand alone for a blank cell in a row of values, longest first.
_BLANK_MARKS = ("--", "——", "-", "—", "/", "－", "–", "―")
#: How a change (the 本年增/减 column) is written before its number: a sign, a word (增加5,
#: 减少5, traditional 減少5), or a dash (—5, --253); each with its direction.
_SIGNS = {
    "+": 1,
    "增加": 1,
    "增长": 1,
    "增": 1,
    "-": -1,
    "--": -1,
    "—": -1,
    "–": -1,
    "−": -1,
    "减少": -1,
    "減少": -1,
    "减": -1,
    "減": -1,
}
_SIGN = "|".join(re.escape(sign) for sign in sorted(_SIGNS, key=len, reverse=True))
_UNIT = "|".join(_UNITS)
#: A value cell: its sign, its number, and a unit after it, in brackets or not (``5(个)``). A
#: ``?`` before or after it is a space a page's conversion to GBK could not write (a no-break
#: space in a table cell, ``&nbsp;0``), as mirror sites show it.
_NUMBER = re.compile(
    rf"^\?*\s*(?P<sign>{_SIGN})?\s*(?P<num>\d+(?:\.\d+)?|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?)\s*"
    rf"(?:(?P<unit>{_UNIT})|\((?:{_UNIT})\))?\s*\?*$"
)
#: Longest digit string taken as a number; longer runs are not counts (and overflow floats).
MAX_NUMBER_DIGITS = 15

# The lookbehind (a CJK character before the bracket) comes after the bracket, so the regex
# engine looks only at brackets instead of trying the lookbehind at every character.
PINYIN = re.compile(r"\((?<=[\u3400-\u9fff]\()(?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[1-5]?)\)")
_WS = re.compile(r"\s+")
_CELL_SEPARATOR = re.compile(r"[|\t]")
# One value of a row written on one line: a number with the unit some cells carry (``5.3万元``,
# ``2(笔)``), or a mark standing for a blank (``/``, ``-``, ``—``); and the same read backwards.
_VALUE = rf"(?:(?:{_SIGN})?\d[\d.,]*(?: ?(?:{_UNIT}|\((?:{_UNIT})\)))?|{'|'.join(_BLANK_MARKS)})"
_REVERSED_SIGN = "|".join(re.escape(sign[::-1]) for sign in sorted(_SIGNS, key=len, reverse=True))
_REVERSED_UNIT = "|".join(u[::-1] for u in _UNITS)
_REVERSED_VALUE = (
    rf"(?:(?:(?:{_REVERSED_UNIT}|\)(?:{_REVERSED_UNIT})\() ?)?[\d.,]*\d(?:{_REVERSED_SIGN})?"
    rf"|{'|'.join(m[::-1] for m in _BLANK_MARKS)})"
)
# A row on one line, ``label 1 2 3``, matched on the reversed line: the longest run of values
# and the whitespace before it, then the label's last character. Matching forwards with a lazy
# label backtracks quadratically on long lines of numbers.
_REVERSED_TRAILING_NUMBERS = re.compile(rf"{_REVERSED_VALUE}(?:\s+{_REVERSED_VALUE})*\s+(?=[^\s\d.+-])")
#: The values of such a run, each with the unit after it (``75394432.52 元``, as pypdf spaces it).
_VALUES = re.compile(_VALUE)
#: A line of two or more values and nothing else, whitespace between them.
_SEPARATE_NUMBERS = re.compile(rf"{_VALUE}(?:\s+{_VALUE})+")
#: A number of several digits that starts with 0 (not 0.5): a sign of digits glued together.
_LEADING_ZERO = re.compile(r"(?<![\d.,])0\d")
#: A bracketed note inside a label (innermost first): ``规范性文件(行政机关制定发布的…)``.
_NOTE = re.compile(r"\([^()]*\)")
#: Most characters of a one-line row's label outside its bracketed notes: longer is prose that
#: happens to end in numbers. Notes do not count, as some reports print the template's
#: instructions in the label (``规范性文件(行政机关制定发布的决定、公告…)``, 100+ characters).
_ROW_LABEL_CHARS = 80
_SURROGATE = re.compile("[\ud800-\udfff]")
#: How many lines ``tokenize`` reads between two looks at the clock.
_CLOCK_EVERY = 4096
_DIGITS_ONLY = re.compile(r"[\d.,+\-]*")
_DIGIT = re.compile(r"\d")
#: A cell of digits no count is written as: a leading zero (``000023``), too many digits, or
#: spaces inside (``230 000023``). It holds glued values, whatever the document's style.
_GLUED_DIGITS = re.compile(r"\d[\d\s]*")
#: Longest run of glued values kept as one ``RUN`` cell. Real rows run to about 30 characters
#: (15 columns of small counts); a longer run is no table row, and the ways to split it grow
#: with its length, so it is read as text (and ``normalize`` reports it).
MAX_RUN_CHARS = 256
#: Most problems of one kind named one by one; the rest are counted.
_MAX_LISTED = 5

_T2S = opencc.OpenCC("t2s")
# Words that Taiwan-vocabulary mirrors substitute; applied only to text that was traditional.
_MIRROR_VOCABULARY = {"档案": "文件", "资讯": "信息", "程式": "程序"}


class Kind(Enum):
    LABEL = "label"
    NUMBER = "number"
    PLACEHOLDER = "placeholder"
    RUN = "run"  # glued digits of several cells, split by the solver

    # Members are singletons, so identity hashing is exact; Enum's own hashes the name in Python,
    # and kinds are hashed in every row's cache key.
    __hash__ = object.__hash__


@dataclass(slots=True)
class Cell:
    """One table cell as read from the text."""

    kind: Kind
    text: str  # normalized text (labels: NFKC, simplified, no whitespace)
    line: int  # 1-based source line
    gap: int  # empty slots (blank lines, empty pipe cells) between this cell and the previous one
    same_line: bool = False  # shares its line with the previous cell (row-per-line styles)
    value: float | None = None
    raw: str = ""
    #: On a line whose cells are separated (pipes, tabs), the empty fields that open the line
    #: before its first cell (``gap`` counts them with the empty lines before the line; not set
    #: for tabs before a lone cell, indentation) and those after its last cell to the line's
    #: end: blank cells a row-per-line text marks at a row's start and end. None where the text
    #: cannot tell (no separators, or another cell).
    lead: int | None = None
    after: int | None = None
    #: On a line laid out in fixed-width columns (cells apart by runs of spaces, as
    #: ``pdftotext -layout`` or a console table prints them), where a value stands: its start
    #: and end in characters, then in display columns (a CJK character two). None elsewhere.
    span: tuple[int, int, int, int] | None = None
    #: On a line of cells apart by spaces, some runs of them longer than one, the spaces before
    #: a value (from the cell before it) and after it (to the next cell or the line's end): a
    #: row's cells joined by one space each, empty ones too, leave an empty cell one more.
    spaced: tuple[int, int] | None = None


@dataclass(slots=True)
class Document:
    """Normalized text of one input: its cells and how it was decoded."""

    cells: list[Cell]
    encoding: str
    line_count: int
    html: bool = False
    lines: list[str] = field(default_factory=list)
    #: What the reading could not make sense of, one line each, for ``Report.errors``.
    problems: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8, UTF-16 (with BOM) or GB18030; return the text and the codec used.

    A ``DecodeError`` names the line and byte offset of the first bad byte for each codec tried,
    so that a file mixing encodings can be found and fixed.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"invalid UTF-16 (the file starts with its BOM) at {_where(data, exc)}"
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            # A UTF-8 BOM on GB18030 text happens (editors add it); the BOM is then not text.
            try:
                return data[3:].decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                raise DecodeError(
                    f"invalid UTF-8 (the file starts with its BOM) at {_where(data, exc, skip=3)}"
                ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8 = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"neither UTF-8 (bad byte at {_where(data, utf8)}) nor GB18030 "
            f"(bad byte at {_where(data, exc)}); UTF-16 needs a BOM, and one file cannot mix encodings"
        ) from exc


def _where(data: bytes, exc: UnicodeDecodeError, skip: int = 0) -> str:
    """``line N, byte offset M`` of a decoding error, for messages a user can act on."""
    offset = exc.start + skip
    if exc.encoding.startswith("utf-16"):
        line = data[skip : offset - (offset - skip) % 2].decode(exc.encoding, "replace").count("\n") + 1
    else:
        line = data.count(b"\n", 0, offset) + 1
    return (
        f"line {line}, byte offset {offset} (0x{data[offset]:02x})" if offset < len(data) else f"line {line}"
    )


def to_ascii_width(text: str) -> str:
    """Map full-width ASCII forms, ideographic space and nbsp to plain ASCII."""
    return _WIDE.sub(_widen, text)


def _widen(m: re.Match[str]) -> str:
    return m.group().translate(_WIDTH_MAP)


#: Labels longer than this are normalized without the cache: real labels are short and repeat,
#: long text (prose, junk) does not, and a cache of it would keep megabytes alive across documents.
_CACHED_LABEL_CHARS = 256


def normalize_label(text: str) -> str:
    """Canonical label text: simplified characters, no pinyin, NFKC, no whitespace."""
    return _normalize_label(text) if len(text) > _CACHED_LABEL_CHARS else _cached_label(text)


def _normalize_label(text: str) -> str:
    return _widened_label(to_ascii_width(text))


def _widened_label(text: str) -> str:
    """``normalize_label`` of a text already in ASCII widths."""
    simplified = simplify(text)
    if simplified != PINYIN.sub("", text):
        for old, new in _MIRROR_VOCABULARY.items():
            simplified = simplified.replace(old, new)
    text = unicodedata.normalize("NFKC", simplified)
    # Whitespace removed by splitting on it: the same characters as ``\s``, several times faster.
    return "".join(text.split()).replace("“", '"').replace("”", '"')


_cached_label = bounded(65536)(cache(_normalize_label))

#: Longest text whose simplified form ``simplify`` remembers.
_REMEMBERED_CHARS = 8192


def simplify(text: str) -> str:
    """``text`` (in ASCII widths) without pinyin notes, in simplified characters. A long line
    is simplified twice, to test whether it is glued and as a label: the last few are remembered."""
    return _remembered_simplify(text) if len(text) <= _REMEMBERED_CHARS else _simplify(text)


def _simplify(text: str) -> str:
    converted: str = _T2S.convert(PINYIN.sub("", text))
    return converted


_remembered_simplify = lru_cache(maxsize=4)(_simplify)
register(_remembered_simplify.cache_clear)


def parse_number(text: str) -> float | None:
    """The value of a numeric cell, or None when the cell is not a number.

    Units written into the cell (``950125.6165万元``) are dropped; signs are kept.
    """
    if text.isascii() and text.isdigit():  # most cells: digits alone, read without the regex
        return float(text) if len(text) <= MAX_NUMBER_DIGITS else None
    m = _NUMBER.match(text)
    if m is None:
        return None
    digits = m.group("num").replace(",", "")
    if len(digits.replace(".", "")) > MAX_NUMBER_DIGITS:
        return None
    value = float(digits)
    sign = m.group("sign")
    return -value if sign is not None and _SIGNS[sign] < 0 else value


#: One cell of a line before it is placed in the stream: kind, text, value and raw text; None
#: stands for an empty piece (one more empty slot).
Entry = tuple[Kind, str, float | None, str] | None


def classify(piece: str, line: int, gap: int, same_line: bool, widened: bool = False) -> Cell | None:
    """Turn one stripped piece of text into a cell (None for an empty piece). ``widened``: the
    piece is already in ASCII widths (``to_ascii_width``)."""
    entry = _piece_entry(piece if widened else to_ascii_width(piece), piece)
    if entry is None:
        return None
    kind, text, value, raw = entry
    return Cell(kind, text, line, gap, same_line, value, raw)


#: What pads a cell without being any of its text: underscores, spaces, replacement characters.
_PADDING = "_ \ufffd"


def _piece_entry(ascii_piece: str, raw: str, widened: bool = False) -> Entry:
    """What ``classify`` makes of a piece (given in ASCII widths and as read), not yet placed.
    ``widened``: ``raw`` is itself in ASCII widths."""
    ascii_piece = ascii_piece.strip()
    if "_" in ascii_piece or "\ufffd" in ascii_piece:
        # A cell padded with underscores (``396____``, html2text's tables) or with a character
        # cut in half (``20\ufffd``): the padding is no part of its text.
        ascii_piece = ascii_piece.strip(_PADDING)
        raw = raw.strip().strip(_PADDING + "＿")
    if not ascii_piece:
        return None
    if ascii_piece in PLACEHOLDERS:
        return (Kind.PLACEHOLDER, ascii_piece, None, raw)
    value = parse_number(ascii_piece)
    if value is not None:
        return (Kind.NUMBER, ascii_piece, value, raw)
    if len(ascii_piece) <= MAX_RUN_CHARS and _GLUED_DIGITS.fullmatch(ascii_piece):
        # Left as a label, the row's values vanished and its cells read as blank: as a run, the
        # solver splits it with the identities, or says it cannot.
        return (Kind.RUN, ascii_piece, None, raw)
    if widened and len(raw) > _CACHED_LABEL_CHARS:
        return (Kind.LABEL, _widened_label(raw), None, raw)  # long: not cached, and not widened twice
    return (Kind.LABEL, normalize_label(raw), None, raw)


def _split_line(line: str) -> list[str]:
    """Split a physical line into cell texts: pipes and tabs separate cells, and a label
    followed by whitespace-separated numbers (``规章 0 0 0``) is a row on one line."""
    if "|" in line or "\t" in line:
        pieces = _CELL_SEPARATOR.split(line)
        if any(p.strip() for p in pieces):
            # Empty fields are kept, at the ends too (tokenize reads them as the row's blanks);
            # what follows a closing pipe is no field, nor what precedes an opening one (a pipe
            # that starts the line, as in ``| 规章 | 0 |``; `` |  | 7 |`` opens with an empty field).
            if not pieces[-1].strip() and line.rstrip(" ").endswith("|"):
                pieces.pop()
            if line.startswith("|") and not pieces[0]:
                pieces.pop(0)
            # A rule drawn across the row's other cells (a spanning cell's text on a rule line)
            # is no field of it.
            return _merged_once([p for p in pieces if not is_rule(p)])
        return [""]
    stripped = line.strip()  # the line is already in ASCII widths
    words = stripped.split()
    if len(words) >= _MERGED_COPIES and words.count(words[0]) == len(words) and _is_label(words[0]):
        return [words[0]]  # a merged cell written into each column it spans, spaces between
    if _SEPARATE_NUMBERS.fullmatch(stripped):
        # A row of values with no label (the review row: ``0 9 0 2 11 …``). A count written
        # with a leading zero (``230 000023``) is digits glued together, not cells: kept whole.
        return [line] if _LEADING_ZERO.search(stripped) else _VALUES.findall(stripped)
    row = _trailing_numbers(stripped)
    if row is not None:
        lead, label = _leading_values(row[0])
        label = _once_each(label)
        if _label_core_chars(label) <= _ROW_LABEL_CHARS:
            first = _known_label_then_value(label)
            if first is not None:
                return [*lead, *first, *_VALUES.findall(row[1])]
            parts = _known_label_parts(label)
            if len(parts) == 1:
                parts = _spanning_pieces(label) or parts
            # A cell spanning columns written into each (pandas' to_string): one label, read once.
            parts = [part for k, part in enumerate(parts) if not k or part != parts[k - 1]]
            return [*lead, *parts, *_VALUES.findall(row[1])]
    if not stripped[:1].isdigit() and " " not in stripped:
        # Most lines: one label, with no value before or inside it.
        return _known_label_then_value(stripped) or [line]
    lead, rest = _leading_values(stripped)
    if lead:
        return [*lead, rest]
    head, _, after = stripped.partition(" ")
    glued = _known_label_then_value(head)
    if glued is not None and (_SEPARATE_NUMBERS.fullmatch(after.strip()) or _VALUES.fullmatch(after.strip())):
        return [*glued, *_VALUES.findall(after)]  # ``行政规范性文件88 55 698``
    spanning = _spanning_pieces(stripped)
    if spanning is not None:
        return spanning
    tail = _TRAILING_WORDS.fullmatch(stripped) if " " in stripped else None
    if tail is not None and _is_label(tail.group(2)):
        # A row's line that ends with a few words of another cell (``2.没有现成信息… 3 0 0 0 0 0 3
        # 提供``: the end of the group's label 无法提供, laid out beside it): the row, then those.
        row_cells = _split_line(tail.group(1))
        if len(row_cells) > 2:  # a label and two values at least: a row, not a sentence's number
            return [*row_cells, tail.group(2)]
    return [line]


#: A line that ends with a digit, then spaces and a few words with no digit.
_TRAILING_WORDS = re.compile(r"(.*\d)\s+([^\d\s]{2,8})")


#: A label's text, then a number glued to its end: ``行政规范性文件88``, ``行政事业性收费9116.36``.
_LABEL_THEN_NUMBER = re.compile(r"(.*[^\d\s.,+\-])(\d+(?:\.\d+)?)")


def _known_label_then_value(text: str) -> list[str] | None:
    """``[label, value]`` where ``text`` is a label the templates know with a number glued to its
    end, as a PDF's text writes a row's first value against its label (``行政规范性文件88 55
    698``): the label was read with the digits, and the row lost its values. None otherwise."""
    if not text[-1:].isdigit():
        return None
    m = _LABEL_THEN_NUMBER.fullmatch(text)
    if m is None or normalize_label(m.group(1)) not in _known_labels():
        return None
    return [m.group(1), m.group(2)]


def _once_each(label: str) -> str:
    """A row label with each run of copies of one word kept once: a merged cell that pandas'
    to_string writes into each column it spans, spaces between (``一、本年新收… 一、本年新收…
    一、本年新收… 80 1 0``). The copies made the label too long for a row's, and it was prose."""
    words = label.split()
    if len(words) < 2 or all(a != b for a, b in itertools.pairwise(words)):
        return label
    return " ".join(w for k, w in enumerate(words) if not k or w != words[k - 1] or not _is_label(w))


#: Values opening a line before a label (``1 0 0 0 0 0 1 2.申请人逾期…``): two or more, each
#: followed by spaces; the label opens with no digit, or with an ordinal (``2.``) before words.
_LEADING_VALUES = re.compile(rf"(?:{_VALUE}\s+){{2,}}(?=\D|\d+\.\D)")


def _leading_values(text: str) -> tuple[list[str], str]:
    """The values that open a stripped line, and the label after them: how a text that puts a
    row's values on the line of the next row's label (``get_text(" ")`` of a page whose cells
    hold line breaks) writes them. Without the cut, the values were read into that label, and
    their row was blank. No values, and the whole text, where the line does not open so."""
    m = _LEADING_VALUES.match(text)
    if m is None or not _is_label(text[m.end() :]):
        return [], text
    return _VALUES.findall(m.group()), text[m.end() :]


#: Copies of one text on a line of spaced words that make it a merged cell written into each
#: column it spans (pandas' to_string: a caption over four columns); two may be the first line of
#: two wrapped header cells (本年新 over 制作数量, 本年新 over 公开数量).
_MERGED_COPIES = 3


def _merged_once(pieces: list[str]) -> list[str]:
    """A row's fields with its label kept once where a merged cell was written into each column
    it spans (python-docx, pandas' read_html): ``一、本年新收…`` three times, then the values.
    Only the labels before a row's first value: a header's repeated cell may stand over values
    repeated as well (a merged value cell), and the two must keep lining up. A row number before
    the label (a data frame's index, a 序号 column: ``| 3 | 规范性文件 | 89 |``) is no value."""
    if len(pieces) > 2 and _ROW_NUMBER.fullmatch(pieces[0].strip()) and _is_label(pieces[1].strip()):
        pieces = pieces[1:]
    kept = pieces[:1]
    for k, piece in enumerate(pieces[1:], start=1):
        text = piece.strip()
        if parse_number(to_ascii_width(text)) is not None:
            return [*kept, *pieces[k:]] if len(kept) < k else pieces
        if text == kept[-1].strip() and _is_label(text):
            continue
        kept.append(piece)
    return pieces  # no value: a header or a caption, left as it is


def _is_label(text: str) -> bool:
    """Whether a field's text is a label: words, not a blank mark, not a value with its unit."""
    return (
        bool(_WORD.search(text)) and text not in PLACEHOLDERS and parse_number(to_ascii_width(text)) is None
    )


#: A row number: a few digits alone.
_ROW_NUMBER = re.compile(r"\d{1,4}")


#: A letter or a CJK character: what a label has and a value (``5``, ``5万元`` aside) mostly not.
_WORD = re.compile(r"[^\W\d_]{2}")


#: Marks that end a sentence: a line holding one outside quotes is prose, not a CSV row.
_SENTENCE_END = re.compile(r"[。；;！!？?]")
#: A comma between two digits, as thousands separators put it (``75,394,432.52``).
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
#: Most characters of a field (normalized, outside its bracketed notes) in a CSV line of labels
#: only (a header, a group's row): longer is prose.
_CSV_HEADER_FIELD_CHARS = 40
#: The number that opens an item's label (``1.属于国家秘密``): the one digit a label may hold.
_ENUMERATION = re.compile(r"^\d{1,2}[.、．]")


def _csv_fields(line: str, headers: bool) -> tuple[str, ...] | None:
    """The fields of a table row written as comma-separated values (``规章,,0,97``, as a
    spreadsheet export gives it), or None when the line is no such row. ``line`` is as read:
    only ASCII commas separate (a label's own are full-width, or quoted by the export).

    Empty fields are kept, as a piped row's are: they are the row's blank cells. A line is a CSV
    row when its fields (two or more) are labels, then values (a number, a blank mark, glued
    digits), at least one value. With ``headers`` (the document writes its rows so), a line of
    labels only is one too when each is short, without digits past an item's number and with
    its brackets closed: a header, a group's row, not a label wrapped onto several lines. A
    line whose every comma sits between digits and which reads as one number
    (``75,394,432.52``) is that number; a line with a sentence's end is prose."""
    if "|" in line or "\t" in line or "｜" in line or _SENTENCE_END.search(line):
        return None  # no field a sentence's end is in can be a label (nor a value)
    stripped = line.strip()
    if (
        len(_DIGIT_COMMA.findall(stripped)) == stripped.count(",")
        and parse_number(to_ascii_width(stripped)) is not None
    ):
        return None
    try:
        fields = [f.strip() for f in next(csv.reader([stripped], skipinitialspace=True))]
    except csv.Error:
        return None
    fields, kinds = _rejoin_bracketed(fields, [_csv_kind(f) for f in fields])
    if len(fields) < 2 and not (stripped.startswith('"') and (headers or not fields[0])):
        # One field is a CSV line only when quoted: empty (``""``, an empty record), or in a
        # document written so.
        return None
    first_value = next((k for k, kind in enumerate(kinds) if kind == "value"), None)
    if first_value is not None:
        if "label" in kinds[first_value:]:
            return None
    elif fields != [""] and (not headers or not all(_header_like(f) for f in fields)):
        return None
    return tuple(fields)


def _header_like(field: str) -> bool:
    """Whether a field of a CSV line of labels only may be a cell: its brackets closed, and
    outside its bracketed notes (``上一年项目数量(指2019年事项数)``) short and without digits past
    an item's number."""
    if _bracket_depth(field) != 0:
        return False
    core = _NOTE.sub("", normalize_label(field))
    return len(core) <= _CSV_HEADER_FIELD_CHARS and not _DIGIT.search(_ENUMERATION.sub("", core))


def _line_csv_fields(line: str, headers: bool) -> tuple[str, ...] | None:
    """``_csv_fields``, through a cache for lines short enough to be table lines."""
    if "," not in line and line.strip() != '""':  # a record of one empty field, as csv writes it
        return None
    if len(line) <= _CACHED_LINE_CHARS:
        return _cached_csv_fields(line, headers)
    return _remembered_csv_fields(line, headers)  # asked twice a line: for its cells, and its ends


_cached_csv_fields = bounded(16384)(cache(_csv_fields))
_remembered_csv_fields = lru_cache(maxsize=2)(_csv_fields)
register(_remembered_csv_fields.cache_clear)


#: A comma a value, a quote or an empty field follows: every CSV value row holds one, prose seldom
#: does (``_writes_csv`` looks at the lines these are in, not at every line).
_COMMA_BEFORE_VALUE = re.compile(r',[ ]*(?:[\d/\-—–－―,"]|$)', re.MULTILINE)

#: Lines read as CSV value rows before a document is taken to write its table so (and its lines
#: of labels only are read as CSV headers too).
_CSV_ROWS_FOR_HEADERS = 2


def _writes_csv(text: str) -> bool:
    """Whether the document writes table rows as comma-separated values: only then is a line
    of labels with commas (``信息内容,本年处理决``) cut into cells, as a label wrapped onto
    several lines may hold commas of its own."""
    if "," not in text:
        return False
    found = 0
    end = -1
    for m in _COMMA_BEFORE_VALUE.finditer(text):
        if m.start() < end:
            continue  # a line already looked at
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        end = len(text) if end < 0 else end
        if end - start <= _CACHED_LINE_CHARS and _line_csv_fields(text[start:end], False) is not None:
            found += 1
            if found >= _CSV_ROWS_FOR_HEADERS:
                return True
    return False


def _csv_kind(field: str) -> str:
    """``empty``, ``value`` (a cell the solver places: number, blank mark, glued digits) or
    ``label``."""
    entry = _piece_entry(to_ascii_width(field), field)
    if entry is None:
        return "empty"
    return "label" if entry[0] is Kind.LABEL else "value"


def _rejoin_bracketed(fields: list[str], kinds: list[str]) -> tuple[list[str], list[str]]:
    """Labels an unquoted comma inside brackets cut apart, put back together (with their
    kinds): ``(二)部分公开(区分处理的,只计这一情形,不计其他情形)`` is one label. Only labels are
    joined, so a label cut short inside its brackets keeps its values."""
    groups: list[list[str]] = []  # joined at the end: a hostile line may hold thousands
    out_kinds: list[str] = []
    depth = 0
    for f, kind in zip(fields, kinds, strict=True):
        if depth > 0 and kind == "label" and out_kinds[-1] == "label":
            groups[-1].append(f)
        else:
            groups.append([f])
            out_kinds.append(kind)
            depth = 0
        if kind == "label":
            depth = max(0, depth + _bracket_depth(f))
    return [",".join(g) for g in groups], out_kinds


def _bracket_depth(text: str) -> int:
    """Brackets ``text`` opens and leaves open (negative: closes more than it opens)."""
    return text.count("(") + text.count("（") - text.count(")") - text.count("）")


#: Spaces in a row label tried as the boundaries between labels (_known_label_parts); a label
#: with more is left whole (real ones hold one or two: a group's label, then the row's).
_MAX_LABEL_SPACES = 8


def _known_label_parts(label: str) -> list[str]:
    """A row label that is known labels joined by spaces, cut into them: a table cell each
    before the text was flattened (``三、本年度办理结果 (一)予以公开``: the group, then the row, as a
    pipe-separated row gives them). Only a cut that leaves every part a known label is made, so
    a label with spaces inside (``商业 企业``), or any part unknown, stays whole."""
    spaces = list(_WS.finditer(label))
    if not spaces or len(spaces) > _MAX_LABEL_SPACES:
        return [label]
    starts = [0, *(m.end() for m in spaces)]
    ends = [*(m.start() for m in spaces), len(label)]
    known = _known_labels()
    # parts[i]: parts that cut label[starts[i]:] into known labels, the first as short as it can
    # be; None where it cannot be cut so. Worked from the right, each start trying every end.
    parts: list[list[str] | None] = [None] * len(starts) + [[]]
    for i in range(len(starts) - 1, -1, -1):
        for j in range(i, len(starts)):
            rest = parts[j + 1]
            piece = label[starts[i] : ends[j]]
            if rest is not None and normalize_label(piece) in known:
                parts[i] = [piece, *rest]
                break
    found = parts[0]
    return found if found is not None and len(found) > 1 else [label]


#: Most pieces a line of cells spanning rows is cut into (``_spanning_pieces``).
_MAX_SPANNING_PIECES = 4


def _spanning_pieces(stripped: str) -> list[str] | None:
    """The pieces of a line that prints, side by side, a few characters of each of several cells
    spanning rows: a group's label, a sub-group's, the row's (``三、本年度 (四)无法
    1.本机关不掌握相关政``, a PDF's wrapped cells), each on its way down its column; None where
    the line is not so. Read as one label, it opened with 三、 and ended the table as a section
    heading would. Only a line that opens with a piece of a group's label, and whose every part
    is a piece of a label the templates know, is cut."""
    words = stripped.split()
    if not 2 <= len(words) <= _MAX_SPANNING_PIECES:
        return None
    first, known = normalize_label(words[0]), _known_labels()
    if first in known or normalize_label(stripped) in known or not any(first in g for g in _group_labels()):
        return None  # a known label with a space inside (（三）不予 公开) is one
    if all(len(w) >= 2 and any(normalize_label(w) in label for label in known) for w in words[1:]):
        return words
    return None


@cache
def _group_labels() -> tuple[str, ...]:
    """The labels of the templates' group rows (三、本年度办理结果, (四)无法提供), normalized."""
    from tablerecon.templates import all_tables

    return tuple(
        {normalize_label(r.label) for _, spec in all_tables() for r in spec.rows if r.group and r.label}
    )


@cache
def _known_labels() -> frozenset[str]:
    """The templates' labels, normalized (``segment.vocabulary``; imported on first use, as
    ``_segmenter`` is)."""
    from tablerecon.segment import vocabulary

    return frozenset(vocabulary())


def _trailing_numbers(text: str) -> tuple[str, str] | None:
    """``(label, numbers)`` of a stripped line ``label 1 2 3``: the label ends with a character
    that is no digit, sign or point, and takes as little as it can. None when not such a row."""
    m = _REVERSED_TRAILING_NUMBERS.match(text[::-1])
    if m is None:
        return None
    cut = len(text) - m.end()
    return text[:cut], text[cut:].strip()


def _label_core_chars(label: str) -> int:
    """Characters of ``label`` outside its bracketed notes, to three levels of nesting (a pass
    each: the work stays linear in the line, however deep a hostile one nests), and outside the
    spaces between its parts (a group's label and a row's, padded to their columns)."""
    if len(label) <= _ROW_LABEL_CHARS:
        return len(label)
    label = _WS.sub("", label)
    for _ in range(3):
        label = _NOTE.sub("", label)
    return len(label)


def _pieces_bound(line: str) -> int:
    """Most pieces ``_split_line`` can cut a line into, counted without cutting it."""
    if "|" in line or "\t" in line:
        return line.count("|") + line.count("\t") + 1
    return sum(1 for _ in _WS.finditer(line)) + 1


#: Characters of text split into lines at a time by ``_lines``.
_BLOCK_CHARS = 1 << 16


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, split a block of about ``_BLOCK_CHARS`` at a time: ``str.split`` is
    fast, and a huge input is never copied into one list of lines."""
    start = 0
    while start + _BLOCK_CHARS < len(text) and (end := text.find("\n", start + _BLOCK_CHARS)) >= 0:
        yield from text[start:end].split("\n")
        start = end + 1
    yield from text[start:].split("\n")


#: Lines up to this length are read through a cache: table lines (numbers, labels) repeat from
#: report to report; longer lines are prose, which does not.
_CACHED_LINE_CHARS = 256


def tokenize(
    text: str, max_cells: int | None = None, deadline: float | None = None
) -> tuple[list[Cell], int]:
    """Cells of a decoded text, with gaps counted in empty lines and empty pipe cells.

    ``max_cells`` bounds the memory and the later stages' work: past it the document is refused
    (``InputTooLargeError``). ``deadline`` (a ``time.perf_counter()`` value) bounds the time:
    past it ``TimeBudgetError`` names the line reached.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    origin = None
    if "\f" in text and _MIDLINE_FORM_FEED.search(text):
        text, origin = _break_at_form_feeds(text)
    # A table drawn with box characters or rules: its bars separate cells, its rules are no lines;
    # nor are the headers, footers and page numbers at a PDF's page breaks.
    text, rules = read_borders(text)
    furniture = page_furniture(text)
    if furniture:
        rules = rules | furniture
    cells: list[Cell] = []
    gap = 0
    number = 0
    csv_headers = _writes_csv(text)
    # A row cut into lines before each pipe (``规章`` / ``| 0`` / ``|`` / ``| 97`` / ``|``): the
    # lone pipes since its last cell (empty fields, the last one closing the row); -1 when no
    # such row is open.
    row_pipes = -1
    previous_blank = True
    cut_rows = len(_CONTINUED_CELL.findall(text, 0, _BLOCK_CHARS)) >= _CONTINUED_CELLS_FOR_ROWS
    # A report's text is split at once: the generator of ``_lines`` costs a resumption a line.
    lines = text.split("\n") if len(text) <= _BLOCK_CHARS else _lines(text)
    for number, line in enumerate(lines, start=1):
        if number % _CLOCK_EVERY == 0:
            if deadline is not None and time.perf_counter() > deadline:
                raise TimeBudgetError(f"line {number}: the time budget ran out while reading the text")
            if max_cells is not None and len(cells) > max_cells:
                raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
        if rules and number in rules:
            continue  # a table's drawn rule: neither a cell nor an empty line (a blank's mark)
        blank = not line or line.isspace()
        continued = None if blank or not cut_rows or line.lstrip()[:1] not in "|｜" else _continued_cell(line)
        if continued is not None:
            if row_pipes < 0:
                # The row's first field is the line before: its label, or when that line is
                # empty, an empty field (a row with no label).
                row_pipes, gap = (1, max(gap - 1, 0)) if previous_blank else (0, gap)
            if not continued:
                row_pipes += 1
                continue
            for entry in _entries(continued, csv_headers, number, max_cells, len(cells)):
                if entry is None:
                    row_pipes += 1
                    continue
                kind, cell_text, value, raw = entry
                cells.append(Cell(kind, cell_text, number, row_pipes, True, value, raw))
                row_pipes = 0
            continue
        if row_pipes >= 0 and cells:
            cells[-1].after = max(row_pipes - 1, 0)  # the last lone pipe closes the row
        row_pipes = -1
        previous_blank = blank
        if blank:
            gap += 1  # what classify makes of an empty piece, without the work
            continue
        entries = _entries(line, csv_headers, number, max_cells, len(cells))
        empty_lines = gap
        first = len(cells)  # where the line's first cell goes
        for entry in entries:
            if entry is None:
                gap += 1
                continue
            kind, cell_text, value, raw = entry
            cells.append(Cell(kind, cell_text, number, gap, len(cells) > first, value, raw))
            gap = 0
        # Pipes and CSV commas mark every field, at a row's ends too; tabs may only indent.
        piped = (
            "|" in line
            or "｜" in line
            or (("," in line or '"' in line) and _line_csv_fields(line, csv_headers) is not None)
        )
        if len(cells) - first > 1 and not piped and "\t" not in line and "  " in line:
            _mark_spans(line, cells[first:], laid_out="  " in line.strip())
        if len(cells) > first and (piped or "\t" in line):
            # The empty fields after the line's last cell belong to its row (blanks at its end),
            # not to the spacing before the next line's first cell.
            cells[-1].after = gap
            gap = 0
            if len(cells) - first > 1 or piped:
                # Those that open a row are its blanks too; only tabs before a lone cell are
                # taken for indentation, its gap judged with the empty lines as before.
                cells[first].lead = cells[first].gap - empty_lines
    if row_pipes >= 0 and cells:
        cells[-1].after = max(row_pipes - 1, 0)
    if max_cells is not None and len(cells) > max_cells:
        raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
    if origin is not None:
        for cell in cells:
            cell.line = origin[cell.line]
        number = origin[number]
    return cells, number


#: A form feed that does not open a line: pages joined by ``"\f"`` with no line break between
#: them (``"\f".join`` of pdfplumber's or pypdf's pages, whose text ends without one).
_MIDLINE_FORM_FEED = re.compile(r"[^\n]\f")


def _break_at_form_feeds(text: str) -> tuple[str, list[int]]:
    """``text`` with a line break before every form feed inside a line, so that a page's last
    line and the next page's first are two lines, as pdftotext writes them; and, by line number
    in the new text, the line of the original it comes from (cells keep their source lines)."""
    broken: list[str] = []
    origin = [0]
    for number, line in enumerate(text.split("\n"), start=1):
        head, *rest = line.split("\f")
        if not head and rest:  # a form feed opening the line stays where it is
            head, rest = "\f" + rest[0], rest[1:]
        broken.append(head)
        broken.extend("\f" + piece for piece in rest)
        origin.extend([number] * (len(rest) + 1))
    return "\n".join(broken), origin


#: A line ``| cell``: a pipe, then a cell's text and no other pipe.
_CONTINUED_CELL = re.compile(r"^[ \t]*[|｜][ \t]*[^|｜\s][^|｜\n]*$", re.MULTILINE)
#: Lines ``| cell`` a text must hold (in its first block) for its rows to be read as cut at
#: their pipes, so that a lone ``|`` after a row's label is one of its empty fields.
_CONTINUED_CELLS_FOR_ROWS = 3


def _entries(
    line: str, csv_headers: bool, number: int, max_cells: int | None, made: int
) -> tuple[Entry, ...]:
    """The cells of one line, ``made`` cells into the document (see ``_line_entries``)."""
    # A line no longer than the room left cannot hold more cells than that: cached, it cannot raise.
    if len(line) <= _CACHED_LINE_CHARS and (max_cells is None or len(line) <= max_cells - made):
        return _cached_line_entries(line, csv_headers)
    room = None if max_cells is None else max_cells - made
    return _line_entries(line, csv_headers, number, room, max_cells)


def _continued_cell(line: str) -> str | None:
    """The cell text of a line ``| cell`` (``''`` for a lone ``|``): how a scraper that ends each
    cell with a line break and joins cells with pipes cuts a row into lines. None for a line with
    more pipes (a piped row of its own) or none at its start."""
    stripped = line.strip()
    rest = stripped[1:]
    if stripped[:1] not in ("|", "｜") or "|" in rest or "｜" in rest or "\t" in rest:
        return None
    return rest.strip()


def _line_entries(
    line: str,
    csv_headers: bool = False,
    number: int = 0,
    room: int | None = None,
    max_cells: int | None = None,
) -> tuple[Entry, ...]:
    """The cells of one line as read, glued or separated, before they are placed in the stream.
    More than ``room`` cells on the line raise ``InputTooLargeError`` (naming line ``number``
    and the document's ``max_cells``)."""
    fields = _line_csv_fields(line, csv_headers)  # before widening: a full-width comma separates no cells
    if fields is not None:
        if room is not None and len(fields) > room:
            raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
        wide_fields = _merged_once([to_ascii_width(field) for field in fields])
        return _unless_index(tuple(_piece_entry(wide, wide, widened=True) for wide in wide_fields))
    # Widths are normalized line by line, so a line read from the cache costs no widening; no
    # character the map changes is a line break.
    line = to_ascii_width(line)
    if not line or line.isspace():
        return (None,)
    if room is not None and len(line) > room and _pieces_bound(line) > room:
        raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
    # Cells a tab separates are not glued, however many known labels stand side by side (a
    # group's, a sub-group's and the row's, as python-docx writes a row's merged cells).
    glued = None if "\t" in line.strip() else _segmenter()(line, number, room)
    if glued:
        return tuple(glued)
    return _unless_index(tuple(_piece_entry(piece, piece, widened=True) for piece in _split_line(line)))


#: Fewest numbers in a row of column numbers (see ``_unless_index``): more than the three
#: columns of the smallest tables, whose one row of values may count up (0 1 2).
_INDEX_ROW_CELLS = 4


def _unless_index(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """A line's cells, or none where they are only the column numbers a data frame writes over
    its columns (``0,1,2,…,14`` from pandas' to_csv): no row's values (they break every identity),
    and, read as the review table's one row, they took its place."""
    filled = [entry for entry in entries if entry is not None]  # to_markdown leaves the index's corner empty
    if len(filled) < _INDEX_ROW_CELLS:
        return entries
    values = [entry[2] if entry[0] is Kind.NUMBER else None for entry in filled]
    first = values[0]
    if first not in (0.0, 1.0) or any(value != first + k for k, value in enumerate(values)):
        return entries
    return ()


@cache
def _segmenter() -> Callable[[str, int, int | None], list[Entry] | None]:
    """``segment.segment_line``, imported on first use: segmenting glued lines needs the template
    vocabulary, which is itself normalized with this module's label rules. Imported once, not
    per line: an import statement costs about a microsecond even when the module is loaded."""
    from tablerecon.segment import segment_line

    return segment_line


@bounded(16384)
@cache
def _cached_line_entries(line: str, csv_headers: bool) -> tuple[Entry, ...]:
    return _line_entries(line, csv_headers)


def _mark_spans(line: str, cells: list[Cell], laid_out: bool = True) -> None:
    """Record the spaces around each value of a line of cells apart by spaces (``Cell.spaced``)
    and, where runs of them stand between cells (``laid_out``: fixed-width columns, perhaps),
    where each value stands (``Cell.span``): the cells are found in the line in order, by the
    text each was read from. Nothing is recorded where one is not found (a glued line's labels
    have no text of their own)."""
    wide = to_ascii_width(line)
    # Display columns before each character of ``wide``, counted on the line as laid out: a
    # full-width digit took two columns there, though it is one ASCII digit here.
    width = [0]
    for ch in line:
        if _WIDTH_MAP.get(ord(ch), 0) is not None:  # not a mark the widening drops
            width.append(width[-1] + (2 if unicodedata.east_asian_width(ch) in "WF" else 1))
    if len(width) != len(wide) + 1:
        return
    found: list[tuple[int, int]] = []
    cursor = 0
    for cell in cells:
        start = wide.find(cell.raw, cursor) if cell.raw else -1
        if start < 0:
            return
        cursor = start + len(cell.raw)
        found.append((start, cursor))
    line_end = len(wide.rstrip("\r\n"))
    for k, (cell, (start, end)) in enumerate(zip(cells, found, strict=True)):
        if cell.kind is Kind.NUMBER or cell.kind is Kind.PLACEHOLDER:
            if laid_out:
                cell.span = (start, end, width[start], width[end])
            after = found[k + 1][0] if k + 1 < len(found) else line_end
            if k and wide[found[k - 1][1] : start].isspace() and (after == end or wide[end:after].isspace()):
                cell.spaced = (start - found[k - 1][1], after - end)


def normalize(data: bytes | str, max_cells: int | None = None, deadline: float | None = None) -> Document:
    """Decode (when given bytes) and tokenize one document; see ``tokenize`` for the bounds."""
    if isinstance(data, bytes):
        text, encoding = decode(data)
    else:
        # Lone surrogates cannot come from decoding bytes, and OpenCC cannot encode them.
        text, encoding = _without_surrogates(data), "str"
    from tablerecon.readers.html import html_cells, looks_like_html  # needs Cell from here

    if looks_like_html(text):
        cells = html_cells(text, max_cells, deadline)
        doc = Document(cells=cells, encoding=encoding, line_count=text.count("\n") + 1, html=True)
    else:
        from tablerecon.readers.mixed import has_markup, mixed_cells, raw_tables  # uses both readers

        if has_markup(text):  # Markdown holding tables or markup as HTML
            cells, count = mixed_cells(text, raw_tables(text), max_cells, deadline)
        else:
            cells, count = tokenize(text, max_cells, deadline)
        doc = Document(cells=cells, encoding=encoding, line_count=count)
    doc.problems.extend(_overlong_numbers(doc.cells))
    return doc


def _without_surrogates(text: str) -> str:
    """``text`` with lone surrogates replaced. The strict UTF-16 encoder fails exactly on them,
    and tells so several times faster than a regex scan of a Chinese text finds none."""
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _overlong_numbers(cells: list[Cell]) -> list[str]:
    """Cells of digits too long to be counts (``MAX_NUMBER_DIGITS``, or a glued run longer than
    ``MAX_RUN_CHARS``): read as text, they leave their row short, so the user is told."""
    label = Kind.LABEL
    # Labels that start like a number, picked out in one comprehension: the test runs on every cell.
    numeric = [c for c in cells if c.kind is label and c.text[:1] in "0123456789+-.,"]
    found: list[str] = []
    for cell in numeric:
        if _DIGITS_ONLY.fullmatch(cell.text):
            digits = sum(1 for _ in _DIGIT.finditer(cell.text))
            if digits > MAX_NUMBER_DIGITS:
                found.append(
                    f"line {cell.line}: {digits} digits in one cell, too many for a count; read as text"
                )
    if len(found) > _MAX_LISTED:
        found[_MAX_LISTED:] = [f"{len(found) - _MAX_LISTED} more cells with too many digits"]
    return found
