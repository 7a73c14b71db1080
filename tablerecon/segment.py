"""Split glued text (every table cell concatenated with no separator) into cells.

Some crawlers write a whole table as one string: ``规章000规范性文件898989第二十条第(五)项…``.
Labels are recovered with the template vocabulary (longest known label first, so an item
ordinal such as ``2.`` that sticks to the previous row's digits goes back to its label);
what lies between labels is either a run of digits, kept whole as a ``RUN`` cell for the
solver to split jointly with the identities, or unknown text.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from opencc import OpenCC

from tablerecon.normalize import Cell, Kind, normalize_label, to_ascii_width
from tablerecon.templates import all_tables

_T2S = OpenCC("t2s")
# Digits, separators, signs, decimal points and the units cells carry: a run of glued values.
_RUN = re.compile(r"^[\d\s.+\-,]*\d[\d\s.+\-,]*(?:万元|元)?[\d\s.+\-]*$")
#: A line is glued when this many known labels touch a digit or another known label.
GLUED_MIN_JOINS = 3


@cache
def vocabulary() -> tuple[str, ...]:
    """Every label the templates know, normalized, longest first."""
    words: set[str] = set()
    for _, spec in all_tables():
        words.update(a for a in spec.anchors)
        words.update(spec.header_words)
        words.add(spec.title)
        words.update(c.label for c in spec.columns if c.label)
        for row in spec.rows:
            words.update(x for x in (row.label, *row.aliases) if x)
    report = json.loads(resources.files("tablerecon.templates").joinpath("report.json").read_text("utf-8"))
    words.update(report["sections"])
    words.update(report["section_variants"])
    normal = {normalize_label(w) for w in words if w}
    return tuple(sorted((w for w in normal if len(w) >= 2), key=len, reverse=True))


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in vocabulary()))


def _compact(line: str) -> tuple[str, list[int]]:
    """Label-normalized characters of the line without whitespace, and where each came from."""
    text = _T2S.convert(to_ascii_width(line)).replace("“", '"').replace("”", '"')
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            where.append(i)
    return "".join(chars), where


def segment_line(line: str, number: int, gap: int) -> list[Cell] | None:
    """Cells of a glued line, or None when the line is not glued table text."""
    if len(line) < 24 or not any(ch.isdigit() for ch in line):
        return None
    # Cheap test first: prose rarely holds three known labels, glued tables always do.
    if len(_pattern().findall(_T2S.convert(to_ascii_width(line)))) < GLUED_MIN_JOINS:
        return None
    compact, where = _compact(line)
    matches = list(_pattern().finditer(compact))
    joins = sum(
        1
        for k, m in enumerate(matches)
        if m.end() < len(compact)
        and (compact[m.end()].isdigit() or (k + 1 < len(matches) and matches[k + 1].start() == m.end()))
    )
    if joins < GLUED_MIN_JOINS:
        return None
    spaced = _T2S.convert(to_ascii_width(line))
    cells: list[Cell] = []
    pos = 0

    def emit_between(start: int, end: int) -> None:
        if start >= end:
            return
        # Use the original text (with its spaces, which are cell boundaries) for the piece.
        lo = where[start]
        hi = where[end - 1] + 1
        piece = spaced[lo:hi].strip()
        if not piece:
            return
        if _RUN.match(piece):
            cells.append(Cell(Kind.RUN, piece, number, gap if not cells else 0, bool(cells), None, piece))
        else:
            cells.append(
                Cell(Kind.LABEL, normalize_label(piece), number, gap if not cells else 0, bool(cells))
            )

    for m in matches:
        emit_between(pos, m.start())
        cells.append(Cell(Kind.LABEL, m.group(0), number, gap if not cells else 0, bool(cells)))
        pos = m.end()
    emit_between(pos, len(compact))
    return cells
