"""What one piece of text is as a table cell: a label, a number, a blank's mark, or glued digits.

The bottom of the reading: the width map, label normalization (simplified characters, no pinyin,
NFKC) and the grammar of values (signs, units, blank marks) that every way of cutting text into
cells (``lineshapes``, ``csvrows``, ``segment``, ``readers/html``) shares. It imports no other
reading module, so each of them can import it and none has to import the document level
(``normalize``) for a cell's rules.

Numbers and labels are normalized differently on purpose: NFKC is applied to label text
only, because on numbers it invents digits (``①`` becomes ``1``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache

import opencc

from tablerecon.caches import bounded, register

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic space and nbsp to space; NUL (which
# broken scrapes leave after cells, and which no text means) dropped like the zero-width marks.
WIDTH_MAP: dict[int, int | None] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
WIDTH_MAP.update({0x3000: 0x20, 0xA0: 0x20, 0x2007: 0x20, 0x202F: 0x20, 0xFEFF: None, 0x200B: None, 0: None})
# The characters of the map, found by a regex: ``str.translate`` looks every character of a
# Chinese text up in the map (some 90 ns each), while most texts hold few characters to map.
_WIDE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(WIDTH_MAP)) + "]+")

# Dashes and other marks that stand for an empty cell; ``nan``/``NaN`` is how pandas writes one
# it read empty (read_html, then to_markdown or to_string).
PLACEHOLDERS = frozenset({"/", "-", "—", "——", "－", "–", "―", "无", "\\", "--", "—-", "/ ", "nan", "NaN"})

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
#: Marks that stand alone for a blank cell in a row of values, longest first; pandas writes an
#: empty cell as ``NaN`` (to_string) or ``nan`` (to_markdown).
_BLANK_MARKS = ("--", "——", "NaN", "nan", "-", "—", "/", "－", "–", "―", "无")
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

# One value of a row written on one line: a number with the unit some cells carry (``5.3万元``,
# ``2(笔)``), or a mark standing for a blank (``/``, ``-``, ``—``); and the same read backwards.
VALUE = rf"(?:(?:{_SIGN})?\d[\d.,]*(?: ?(?:{_UNIT}|\((?:{_UNIT})\)))?|{'|'.join(_BLANK_MARKS)})"
_REVERSED_SIGN = "|".join(re.escape(sign[::-1]) for sign in sorted(_SIGNS, key=len, reverse=True))
_REVERSED_UNIT = "|".join(u[::-1] for u in _UNITS)
REVERSED_VALUE = (
    rf"(?:(?:(?:{_REVERSED_UNIT}|\)(?:{_REVERSED_UNIT})\() ?)?[\d.,]*\d(?:{_REVERSED_SIGN})?"
    rf"|{'|'.join(m[::-1] for m in _BLANK_MARKS)})"
)
#: A bracketed note inside a label (innermost first): ``规范性文件(行政机关制定发布的…)``.
NOTE = re.compile(r"\([^()]*\)")
#: A cell of digits no count is written as: a leading zero (``000023``), too many digits, or
#: spaces inside (``230 000023``). It holds glued values, whatever the document's style.
_GLUED_DIGITS = re.compile(r"\d[\d\s]*")
#: Longest run of glued values kept as one ``RUN`` cell. Real rows run to about 30 characters
#: (15 columns of small counts); a longer run is no table row, and the ways to split it grow
#: with its length, so it is read as text (and ``normalize`` reports it).
MAX_RUN_CHARS = 256
#: Lines up to this length are read through a cache: table lines (numbers, labels) repeat from
#: report to report; longer lines are prose, which does not. (Used where lines are read:
#: ``normalize``'s cells of a line, ``csvrows``' fields of one.)
CACHED_LINE_CHARS = 256

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
    #: and end in characters, then in display columns (a CJK character two); where a label of a
    #: line of labels stands too (a header over its columns). None elsewhere.
    span: tuple[int, int, int, int] | None = None
    #: On a line of cells apart by spaces, some runs of them longer than one, the spaces before
    #: a value (from the cell before it) and after it (to the next cell or the line's end): a
    #: row's cells joined by one space each, empty ones too, leave an empty cell one more.
    spaced: tuple[int, int] | None = None
    #: Of the empty lines ``gap`` counts, those holding only the spaces a page writes into an
    #: empty cell (nbsp, ideographic space): ``get_text("\n")`` of ``<td>&nbsp;</td>`` gives
    #: one such line a blank cell, while the empty lines around are the markup's line breaks.
    written: int = 0


def to_ascii_width(text: str) -> str:
    """Map full-width ASCII forms, ideographic space and nbsp to plain ASCII."""
    return _WIDE.sub(_widen, text)


def _widen(m: re.Match[str]) -> str:
    return m.group().translate(WIDTH_MAP)


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
    joined = "".join(text.split()).replace("“", '"').replace("”", '"')
    # A Markdown heading's marks (``### 行政复议``) are no part of the label.
    return (joined.lstrip("#") or joined) if joined[:1] == "#" else joined


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
    entry = piece_entry(piece if widened else to_ascii_width(piece), piece)
    if entry is None:
        return None
    kind, text, value, raw = entry
    return Cell(kind, text, line, gap, same_line, value, raw)


#: What pads a cell without being any of its text: underscores, spaces, replacement characters.
_PADDING = "_ \ufffd"


def piece_entry(ascii_piece: str, raw: str, widened: bool = False) -> Entry:
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


def is_label(text: str) -> bool:
    """Whether a field's text is a label: words, not a blank mark, not a value with its unit."""
    return (
        bool(_WORD.search(text)) and text not in PLACEHOLDERS and parse_number(to_ascii_width(text)) is None
    )


#: A letter or a CJK character: what a label has and a value (``5``, ``5万元`` aside) mostly not.
_WORD = re.compile(r"[^\W\d_]{2}")
