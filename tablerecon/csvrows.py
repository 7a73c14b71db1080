"""Tables written as comma-separated values (``规章,,0,97``, as a spreadsheet export gives
them): whether a document writes its rows so, and the fields of such a row.

A comma is also text (a label's own, a number's thousands separator, prose), so a line is cut at
its commas only when its fields read as a row: labels, then values. Kept apart from the cutting
of other lines (``lineshapes``) because the test runs on the raw line, before widening (a
full-width comma separates no cells), and once per document (``writes_csv``).
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache

from tablerecon.caches import bounded, register
from tablerecon.cells import (
    CACHED_LINE_CHARS,
    NOTE,
    Kind,
    normalize_label,
    parse_number,
    piece_entry,
    to_ascii_width,
)

#: A digit: past an item's number, a sign that a field of labels only is no header cell.
_DIGIT = re.compile(r"\d")
#: Marks that end a sentence: a line holding one outside quotes is prose, not a CSV row.
_SENTENCE_END = re.compile(r"[。；;！!？?]")
#: A comma between two digits, as thousands separators put it (``75,394,432.52``).
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d)")
#: A comma with exactly three digits after it, as a thousands separator has (``4,742``).
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
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
    (``75,394,432.52``) is that number, a line of cells apart by spaces whose every comma is a
    thousands separator (``规章 4,742 1,161``) is cut at its spaces, and a line with a sentence's
    end is prose."""
    if "|" in line or "\t" in line or "｜" in line or _SENTENCE_END.search(line):
        return None  # no field a sentence's end is in can be a label (nor a value)
    stripped = line.strip()
    commas = stripped.count(",")
    if len(_DIGIT_COMMA.findall(stripped)) == commas and parse_number(to_ascii_width(stripped)) is not None:
        return None
    if " " in stripped and len(_THOUSANDS_COMMA.findall(stripped)) == commas:
        return None  # cells apart by spaces, numbers with thousands separators (``规章 4,742 13``)
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
    core = NOTE.sub("", normalize_label(field))
    return len(core) <= _CSV_HEADER_FIELD_CHARS and not _DIGIT.search(_ENUMERATION.sub("", core))


def line_csv_fields(line: str, headers: bool) -> tuple[str, ...] | None:
    """``_csv_fields``, through a cache for lines short enough to be table lines."""
    if "," not in line and line.strip() != '""':  # a record of one empty field, as csv writes it
        return None
    if len(line) <= CACHED_LINE_CHARS:
        return _cached_csv_fields(line, headers)
    return _remembered_csv_fields(line, headers)  # asked twice a line: for its cells, and its ends


_cached_csv_fields = bounded(16384)(cache(_csv_fields))
_remembered_csv_fields = lru_cache(maxsize=2)(_csv_fields)
register(_remembered_csv_fields.cache_clear)


#: A comma a value, a quote or an empty field follows: every CSV value row holds one, prose seldom
#: does (``writes_csv`` looks at the lines these are in, not at every line).
_COMMA_BEFORE_VALUE = re.compile(r',[ ]*(?:[\d/\-—–－―,"]|$)', re.MULTILINE)

#: Lines read as CSV value rows before a document is taken to write its table so (and its lines
#: of labels only are read as CSV headers too).
_CSV_ROWS_FOR_HEADERS = 2


def writes_csv(text: str) -> bool:
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
        if end - start <= CACHED_LINE_CHARS and line_csv_fields(text[start:end], False) is not None:
            found += 1
            if found >= _CSV_ROWS_FOR_HEADERS:
                return True
    return False


def _csv_kind(field: str) -> str:
    """``empty``, ``value`` (a cell the solver places: number, blank mark, glued digits) or
    ``label``."""
    entry = piece_entry(to_ascii_width(field), field)
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
