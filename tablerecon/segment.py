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

from tablerecon.normalize import PINYIN, Cell, Kind, normalize_label
from tablerecon.templates import all_tables

_T2S = OpenCC("t2s")
# Digits, separators, signs, decimal points and the units cells carry: a run of glued values.
# Placeholders (/ - —) stand for blank cells inside a run.
_RUN = re.compile(r"^(?:[\d\s.+\-,/—－–]|万元|元)*[\d/—－–](?:[\d\s.+\-,/—－–]|万元|元)*$")
# Unknown text followed by its row's values: 其他主动公开文件(…)1010158.
_TRAILING_RUN = re.compile(r"^(.*?[^\d\s.+\-,/—－–])((?:[\d\s.+\-,/—－–]|万元|元)*\d(?:[\d\s.,]|万元|元)*)$")
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


def _prepare(line: str) -> str:
    """The line in label form, spaces kept: ASCII widths, no pinyin, simplified characters."""
    text: str = _T2S.convert(PINYIN.sub("", line))  # tokenize already normalized widths
    return text.replace("“", '"').replace("”", '"')


def _compact(text: str) -> tuple[str, list[int]]:
    """Characters of the prepared line without whitespace, and where each came from."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            where.append(i)
    return "".join(chars), where


def _outside_notes(compact: str, matches: list[re.Match[str]]) -> list[re.Match[str]]:
    """Known labels quoted inside an unknown label's bracketed note (…除规范性文件以外…) are part
    of that label, not cells of their own."""
    inside = [False] * (len(compact) + 1)
    opened: list[int] = []
    for i, ch in enumerate(compact):
        if ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            start = opened.pop()
            if not opened:  # only closed brackets hold a note; a cut-off one (单位: …) does not
                inside[start + 1 : i] = [True] * (i - start - 1)
    return [m for m in matches if not inside[m.start()]]


def segment_line(line: str, number: int, gap: int) -> list[Cell] | None:
    """Cells of a glued line, or None when the line is not glued table text."""
    if len(line) < 24:
        return None
    # Cheap test first: prose rarely holds three known labels, glued tables always do.
    spaced = _prepare(line)
    if len(_pattern().findall(spaced)) < GLUED_MIN_JOINS:
        return None
    compact, where = _compact(spaced)
    matches = _outside_notes(compact, list(_pattern().finditer(compact)))
    joins = sum(
        1
        for k, m in enumerate(matches)
        if m.end() < len(compact)
        and (
            compact[m.end()].isdigit()
            or compact[m.end()] in "/—－–"
            or (k + 1 < len(matches) and matches[k + 1].start() == m.end())
        )
    )
    if joins < GLUED_MIN_JOINS:
        return None
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
        tail = _TRAILING_RUN.match(piece)
        label, run = (tail.group(1), tail.group(2)) if tail else (piece, "")
        if _RUN.match(piece):
            label, run = "", piece
        if label:
            cells.append(
                Cell(Kind.LABEL, normalize_label(label), number, gap if not cells else 0, bool(cells))
            )
        if run:
            cells.append(Cell(Kind.RUN, run, number, gap if not cells else 0, bool(cells), None, run))

    for m in matches:
        emit_between(pos, m.start())
        cells.append(Cell(Kind.LABEL, m.group(0), number, gap if not cells else 0, bool(cells)))
        pos = m.end()
    emit_between(pos, len(compact))
    return cells
