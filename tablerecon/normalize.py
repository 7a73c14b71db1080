"""Step 1: bytes to a stream of table cells, each tied to its 1-based source line.

Scrapers flatten tables in several ways; this module reduces them to one shape, a list of
``Cell`` objects (label, number, placeholder) with the count of empty slots seen before each
one, which the solver later reads as soft evidence of dropped blank cells.

Numbers and labels are normalized differently on purpose: NFKC is applied to label text
only, because on numbers it invents digits (``①`` becomes ``1``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

import opencc

from tablerecon.errors import DecodeError

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic space and nbsp to space.
_WIDTH_MAP: dict[int, int | None] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH_MAP.update({0x3000: 0x20, 0xA0: 0x20, 0x2007: 0x20, 0x202F: 0x20, 0xFEFF: None, 0x200B: None})

# Dashes and other marks that stand for an empty cell.
PLACEHOLDERS = frozenset({"/", "-", "—", "——", "－", "–", "―", "无", "\\", "--", "—-", "/ "})

_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<num>\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?)\s*"
    r"(?P<unit>[万萬]元|元|件|[条條]|[个個]|次|人|[项項]|人次|篇|家|份)?$"
)
#: Longest digit string taken as a number; longer runs are not counts (and overflow floats).
MAX_NUMBER_DIGITS = 15

PINYIN = re.compile(r"(?<=[\u3400-\u9fff])\((?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[1-5]?)\)")
_WS = re.compile(r"\s+")
_TRAILING_NUMBERS = re.compile(r"^(?P<label>.*?[^\s\d.+-])\s+(?P<nums>[+-]?\d[\d.,]*(?:\s+[+-]?\d[\d.,]*)*)$")

_T2S = opencc.OpenCC("t2s")
# Words that Taiwan-vocabulary mirrors substitute; applied only to text that was traditional.
_MIRROR_VOCABULARY = {"档案": "文件", "资讯": "信息", "程式": "程序"}


class Kind(Enum):
    LABEL = "label"
    NUMBER = "number"
    PLACEHOLDER = "placeholder"
    RUN = "run"  # glued digits of several cells, split by the solver


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


@dataclass(slots=True)
class Document:
    """Normalized text of one input: its cells and how it was decoded."""

    cells: list[Cell]
    encoding: str
    line_count: int
    html: bool = False
    lines: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8, UTF-16 (with BOM) or GB18030; return the text and the codec used."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"invalid UTF-16 at byte {exc.start}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8, UTF-16 or GB18030 (bad byte at offset {exc.start})") from exc


def to_ascii_width(text: str) -> str:
    """Map full-width ASCII forms, ideographic space and nbsp to plain ASCII."""
    return text.translate(_WIDTH_MAP)


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    """Canonical label text: simplified characters, no pinyin, NFKC, no whitespace."""
    text = PINYIN.sub("", to_ascii_width(text))
    simplified = _T2S.convert(text)
    if simplified != text:
        for old, new in _MIRROR_VOCABULARY.items():
            simplified = simplified.replace(old, new)
    text = unicodedata.normalize("NFKC", simplified)
    return _WS.sub("", text).replace("“", '"').replace("”", '"')


def parse_number(text: str) -> float | None:
    """The value of a numeric cell, or None when the cell is not a number.

    Units written into the cell (``950125.6165万元``) are dropped; signs are kept.
    """
    m = _NUMBER.match(text)
    if m is None:
        return None
    digits = m.group("num").replace(",", "")
    if len(digits.replace(".", "")) > MAX_NUMBER_DIGITS:
        return None
    value = float(digits)
    return -value if m.group("sign") == "-" else value


def classify(piece: str, line: int, gap: int, same_line: bool, widened: bool = False) -> Cell | None:
    """Turn one stripped piece of text into a cell (None for an empty piece). ``widened``: the
    piece is already in ASCII widths (``to_ascii_width``)."""
    ascii_piece = (piece if widened else to_ascii_width(piece)).strip()
    if not ascii_piece:
        return None
    if ascii_piece in PLACEHOLDERS:
        return Cell(Kind.PLACEHOLDER, ascii_piece, line, gap, same_line, None, piece)
    value = parse_number(ascii_piece)
    if value is not None:
        return Cell(Kind.NUMBER, ascii_piece, line, gap, same_line, value, piece)
    return Cell(Kind.LABEL, normalize_label(piece), line, gap, same_line, None, piece)


def _split_line(line: str) -> list[str]:
    """Split a physical line into cell texts: pipes and tabs separate cells, and a label
    followed by whitespace-separated numbers (``规章 0 0 0``) is a row on one line."""
    if "|" in line or "\t" in line:
        pieces = re.split(r"[|\t]", line)
        if any(p.strip() for p in pieces):
            # Empty cells after the last filled one are padding of merged cells, not evidence.
            while pieces and not pieces[-1].strip():
                pieces.pop()
            return pieces
        return [""]
    m = _TRAILING_NUMBERS.match(line.strip())  # the line is already in ASCII widths
    if m and len(m.group("label")) <= 80:
        return [m.group("label"), *m.group("nums").split()]
    return [line]


def tokenize(text: str) -> tuple[list[Cell], int]:
    """Cells of a decoded text, with gaps counted in empty lines and empty pipe cells."""
    # Widths are normalized once for the whole text: numbers need it, labels get NFKC later.
    text = to_ascii_width(text.replace("\r\n", "\n").replace("\r", "\n"))
    # Imported here: segmenting glued lines needs the template vocabulary, which itself
    # is normalized with this module's label rules.
    from tablerecon.segment import segment_line

    cells: list[Cell] = []
    gap = 0
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        glued = segment_line(line, number, gap)
        if glued:
            cells.extend(glued)
            gap = 0
            continue
        pieces = _split_line(line)
        produced = False
        for piece in pieces:
            cell = classify(piece, number, gap, produced, widened=True)
            if cell is None:
                gap += 1
                continue
            cells.append(cell)
            produced = True
            gap = 0
    return cells, len(lines)


def normalize(data: bytes | str) -> Document:
    """Decode (when given bytes) and tokenize one document."""
    if isinstance(data, bytes):
        text, encoding = decode(data)
    else:
        text, encoding = data, "str"
    from tablerecon.readers.html import html_cells, looks_like_html  # needs Cell from here

    if looks_like_html(text):
        return Document(cells=html_cells(text), encoding=encoding, line_count=text.count("\n") + 1, html=True)
    cells, count = tokenize(text)
    return Document(cells=cells, encoding=encoding, line_count=count)
