"""Table borders drawn in text, as text browsers and converters draw them (w3m and elinks with
box-drawing characters, links and pandoc's grid tables with ``+---+``, Markdown's ``|---|``).

Their vertical bars separate cells as pipes do, so they are read as pipes. Their rule lines
(``├──┼──┤``, ``+----+``, ``| :--- | ---: |``, pandoc's ``------ ------``) separate rows and hold
no cell: such a line is no content and no empty line either, as an empty line would stand for a
blank cell. A rule drawn inside a row (a cell spanning several rows keeps its text on the
rule line between them, ``| （三）不予公开 |-----+-----|``) is dropped from that row likewise.

Where rules separate every row, the lines between two rules are one row, however many lines
its wrapped cells take: its cells are joined column by column onto one line (``fold_rows``).
A browser that centres cells vertically (elinks) prints a wrapped row's values on its middle
line, between lines of label and empty fields, which read alone as rows of blanks.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

#: Vertical bars of box drawing (light, heavy, double, dashed), the broken bar, and the
#: junctions a bar runs through (``├──┼──┤``): each stands where a pipe would, so each is read as
#: one, and a label a spanning cell prints on a rule line (``│（三）不予公开├────┤``) is cut off it.
_BARS = "│┃║╎╏┆┇┊┋¦├┤┼╋┣┫╠╣╬╞╡╪╟╢╫┝┥┠┨┿╂"
_BAR = re.compile(f"[{_BARS}]")

#: Horizontal strokes a rule is drawn with: ASCII, and box drawing's.
_ASCII_STROKES = "\\-=_~"
_BOX_STROKES = "─━═┄┅┈┉╌╍"
#: Corners and junctions where rules meet bars, and the colons of Markdown's alignment row.
_JUNCTIONS = "+:├┤┬┴┼┌┐└┘╋┣┫┳┻┏┓┗┛╔╗╚╝╠╣╦╩╬╞╡╪╟╢╫╤╧╥╨╒╓╕╖╘╙╛╜╭╮╯╰"
_RULE_CHARS = re.compile(f"[\\s|{_ASCII_STROKES}{_BOX_STROKES}{_JUNCTIONS}]*")
#: What makes such characters a rule: a box-drawing stroke, or one ASCII stroke three times in a
#: row (``--`` and ``-`` alone stand for a blank cell). ``read_borders`` looks for these with
#: ``str.find`` (several times faster than a regex scan of a Chinese text).
_ASCII_RULES = ("---", "===", "___", "~~~")
_RULE_MARK = re.compile("|".join([f"[{_BOX_STROKES}]", *map(re.escape, _ASCII_RULES)]))
#: Any character of box drawing a table is drawn with: bars, junctions, strokes.
_HAS_BOX_DRAWING = re.compile(f"[{_BARS}{_BOX_STROKES}]")


def read_borders(text: str) -> tuple[str, set[int]]:
    """``text`` with its box-drawing bars written as pipes and the rows of its fully ruled tables
    folded onto one line each (``fold_rows``), and the numbers of its lines that are no line of
    content: those only a drawn rule (``rule_lines``) and those folded into another. A text of
    neither bars nor rules costs two quick scans."""
    if _HAS_BOX_DRAWING.search(text):
        text = _BAR.sub("|", text)  # five times faster than str.translate on Chinese text
    elif not any(text.find(strokes) >= 0 for strokes in _ASCII_RULES):
        return text, set()
    rules = rule_lines(text)
    return fold_rows(text, rules) if len(rules) >= _RULES_OF_A_GRID else (text, rules)


def is_rule(text: str) -> bool:
    """Whether ``text`` (a line, or one field of a piped line) is only a drawn rule: strokes,
    junctions, bars and spaces, with a box-drawing stroke or one ASCII stroke three times in a row."""
    return _RULE_CHARS.fullmatch(text) is not None and _RULE_MARK.search(text) is not None


#: A line of rule characters only (not yet known to hold a rule's strokes): found in the whole
#: text by one scan, as a look at every line from Python cost a report more than the rest of
#: reading its rules.
_DRAWN = f"|{_ASCII_STROKES}{_BOX_STROKES}{_JUNCTIONS}"
_RULE_LINE_CANDIDATE = re.compile(f"^[ \\t]*[{_DRAWN}][ \\t{_DRAWN}]*$", re.MULTILINE)


def rule_lines(text: str) -> set[int]:
    """The 1-based numbers of the lines of ``text`` that are only a drawn rule (``is_rule``)."""
    found: set[int] = set()
    line, at = 1, 0
    for candidate in _RULE_LINE_CANDIDATE.finditer(text):
        if _RULE_MARK.search(candidate.group()) is None:
            continue
        line += text.count("\n", at, candidate.start())
        at = candidate.start()
        found.add(line)
    return found


#: Rules a drawn table needs before each row is taken to lie between two of them: a top, a
#: bottom and at least two between rows. A table ruled under its header only (Markdown, some
#: box styles) has fewer, and the lines between its rules are many rows.
_RULES_OF_A_GRID = 4
#: A fragment of a cell that is a value: digits, with the marks a number is written with.
_VALUE_FRAGMENT = re.compile(r"[\s+\-.,%]*\d[\d\s+\-.,%]*")


def fold_rows(text: str, rules: set[int]) -> tuple[str, set[int]]:
    """``text`` with the rows of each fully ruled table folded onto one line, and ``rules``
    with the lines folded away added (see ``read_borders``).

    A drawn table is a run of lines each holding a pipe, from rule to rule; a row, the lines
    between two rules (or a spanning cell's text drawn on a rule: ``|（三）不予公开|----|``).
    A table is taken as ruled between every row when it has ``_RULES_OF_A_GRID`` rules and no
    row of several lines would need two values, or a value and text, in one of its columns:
    such a row is several rows under one rule, as in tables ruled under their header only.

    Each folded row is written on the line of its first value, its own cells (those the rules
    above and below it close) joined column by column. A cell spanning several rows (a section
    label such as （三）不予公开) runs through the rules: its pieces stay on their own lines."""
    lines = text.split("\n")
    skipped = set(rules)
    folds: list[_Row] = []
    table_rules = 0
    table_folds: list[_Row] = []
    foldable = True
    ordered = sorted(rules)
    for above, below in zip(ordered, [*ordered[1:], 0], strict=True):
        table_rules += 1
        between = range(above + 1, below)  # 1-based numbers of the lines between two rules
        if below and all("|" in lines[n - 1] for n in between):
            for numbers in _rows_between(lines, between):
                folded = _row(lines, numbers)
                if folded is None:
                    foldable = False
                else:
                    table_folds.append(folded)
            continue
        # The table ends at this rule: fold its rows if it is ruled between every one.
        if foldable and table_rules >= _RULES_OF_A_GRID:
            folds.extend(table_folds)
        table_rules, table_folds, foldable = 0, [], True
    if not folds:
        return text, rules
    for row in folds:
        _write_folded(lines, row, skipped)
    return "\n".join(lines), skipped


class _Row(NamedTuple):
    """A row of a drawn table over several lines: their numbers, each line's fields, and which
    fields are the row's own (closed by the rules above and below it)."""

    numbers: list[int]
    fields: list[list[str]]
    own: list[bool]


def _rows_between(lines: list[str], between: range) -> list[list[int]]:
    """The rows of several lines among lines that lie between two rules, cut where a line holds
    a rule beside a spanning cell's text."""
    rows: list[list[int]] = [[]]
    for n in between:
        line = lines[n - 1]
        if _RULE_MARK.search(line) is not None and any(is_rule(field) for field in _fields(line)):
            rows.append([])
        else:
            rows[-1].append(n)
    return [row for row in rows if len(row) > 1]


def _row(lines: list[str], numbers: list[int]) -> _Row | None:
    """A row's lines read as one row; None when they do not split into the same fields or one of
    the row's own columns holds two values, or a value and text, on different lines (the lines
    are then several rows, not one)."""
    fields = [_fields(lines[n - 1]) for n in numbers]
    if len({len(f) for f in fields}) != 1:
        return None
    spans = _field_spans(lines[numbers[0] - 1])
    if len(spans) != len(fields[0]):
        return None
    above, below = _strokes(lines[numbers[0] - 2]), _strokes(lines[numbers[-1]])
    own = [_closed(above, span) and _closed(below, span) for span in spans]
    for column, mine in zip(zip(*fields, strict=True), own, strict=True):
        filled = [cell for cell in column if cell]
        if mine and len(filled) > 1 and any(map(_is_value, filled)):
            return None
    return _Row(numbers, fields, own)


def _write_folded(lines: list[str], row: _Row, skipped: set[int]) -> None:
    """Write a row's own cells, joined, on the line of its first value (its first line when it
    has none); its other lines keep only the pieces of spanning cells, or are skipped."""
    numbers, fields, own = row
    at = next(
        (n for n, cells in zip(numbers, fields, strict=True) if any(map(_is_value, _mine(cells, own)))),
        numbers[0],
    )
    for n, cells in zip(numbers, fields, strict=True):
        if n == at:
            joined = [_join([line[k] for line in fields]) if own[k] else cell for k, cell in enumerate(cells)]
            lines[n - 1] = "|" + "|".join(joined) + "|"
            continue
        spanning = [cell for cell, mine in zip(cells, own, strict=True) if cell and not mine]
        if spanning:
            lines[n - 1] = "|" + "|".join(spanning) + "|"
        else:
            skipped.add(n)


def _mine(cells: list[str], own: list[bool]) -> list[str]:
    return [cell for cell, mine in zip(cells, own, strict=True) if mine]


def _fields(line: str) -> list[str]:
    """A drawn row's cells between its pipes, stripped (the pipes that open and close it are
    no cells' borders inside it)."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [field.strip() for field in inner.split("|")]


@cache
def _width(char: str) -> int:
    """Columns a character takes on a terminal: two for wide (CJK) characters."""
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _field_spans(line: str) -> list[tuple[int, int]]:
    """Where each of ``_fields(line)`` lies, in display columns: from after the pipe before it
    to the pipe after it."""
    bars: list[int] = []
    column = 0
    for char in line:
        if char == "|":
            bars.append(column)
        column += 1 if char < "\u1100" else _width(char)
    stripped = line.strip()
    if not stripped.startswith("|"):
        bars.insert(0, -1)
    if not stripped.endswith("|"):
        bars.append(column)
    return [(left + 1, right) for left, right in pairwise(bars)]


@lru_cache(maxsize=64)
def _strokes(line: str) -> tuple[bool, ...]:
    """Per display column of a rule line, whether a stroke or junction is drawn there. Cached:
    a table repeats the same rule between most of its rows."""
    marks: list[bool] = []
    for char in line:
        drawn = char in _DRAWN and char != "|"
        if char < "\u1100":
            marks.append(drawn)
        else:
            marks.extend([drawn] * _width(char))
    return tuple(marks)


def _closed(strokes: tuple[bool, ...], span: tuple[int, int]) -> bool:
    """Whether a rule closes a cell over ``span``: drawn across its middle."""
    middle = (span[0] + span[1]) // 2
    return middle < len(strokes) and strokes[middle]


def _is_value(cell: str) -> bool:
    return _VALUE_FRAGMENT.fullmatch(cell) is not None


def _join(fragments: list[str]) -> str:
    """A cell's text from its wrapped lines: Chinese text and digits join as they were written,
    words of letters with a space."""
    out = ""
    for fragment in filter(None, fragments):
        words = out[-1:].isascii() and out[-1:].isalpha() and fragment[0].isascii() and fragment[0].isalpha()
        out += " " + fragment if words else fragment
    return out
