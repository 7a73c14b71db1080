"""How a glued run of digits can be cut into cells.

Some pages lose the separators between a row's cells ("640020470" for 64 0 0 2 0 4 70). Every
cut into numbers without leading zeros is a possible reading of the run; the solver places each
and lets the table's identities choose. Spaces, signs, units and placeholders are certain cell
boundaries, and a cell holds at most MAX_NUMBER_DIGITS digits.
"""

from __future__ import annotations

import math
import re
from functools import cache

from tablerecon.match import RowEvidence
from tablerecon.normalize import MAX_NUMBER_DIGITS, Kind

_PLACEHOLDER_CHUNKS = frozenset({"—", "－", "–", "/", "-"})
_PIECE = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$")


def run_splits(
    text: str, max_cells: int, max_splits: int, signed: bool = True
) -> list[tuple[float, ...]] | None:
    """Every way to cut a run of glued digits into numbers (no leading zeros), or None when
    there are more than ``max_splits``. Spaces, signs, units and placeholders are certain cell
    boundaries; a placeholder (/, —, or a dash that is no sign) is a blank cell, NaN here. In
    tables of counts (``signed`` False) every dash is a placeholder.

    The splits are counted first (memoized on position and cells used, so the count costs
    O(length x cells x digits) however many splits there are): a run with too many is refused
    at once, and the enumeration never walks into a dead end."""
    text = _separate_placeholders(re.sub(r"(万元|元)", " ", text), signed)
    chunks = [c for c in re.split(r"\s+|(?=[+-]\d)", text) if c and c not in "+-"]
    if not chunks:
        return None
    remaining = [0] * (len(chunks) + 1)  # characters left from each chunk on (suffix sums)
    for i in range(len(chunks) - 1, -1, -1):
        remaining[i] = remaining[i + 1] + len(chunks[i])

    @cache
    def moves(ci: int, start: int) -> list[tuple[int, int, float]]:
        """The cells that can start at (chunk, offset): where the next one starts, and its value.
        A cell holds at most MAX_NUMBER_DIGITS digits (one more character for a sign or point)."""
        chunk = chunks[ci]
        if chunk in _PLACEHOLDER_CHUNKS:
            return [(ci + 1, 0, math.nan)]
        out = []
        # In a signed table a dash before digits is a minus sign or a blank cell's dash: both.
        if start == 0 and chunk[0] == "-":
            out.append((ci, 1, math.nan))
        for end in range(start + 1, min(len(chunk), start + MAX_NUMBER_DIGITS + 1) + 1):
            piece = chunk[start:end]
            if _PIECE.match(piece):
                out.append((ci, end, float(piece)))
        return out

    @cache
    def ways(ci: int, start: int, used: int) -> int:
        """Completions from (chunk, offset) with ``used`` cells cut, capped at max_splits + 1."""
        if ci < len(chunks) and start == len(chunks[ci]):
            return ways(ci + 1, 0, used)
        # Each cell holds at most MAX_NUMBER_DIGITS characters: too much text left is a dead end.
        if ci < len(chunks) and remaining[ci] - start > (max_cells - used) * (MAX_NUMBER_DIGITS + 1):
            return 0
        if ci == len(chunks):
            return 1
        if used >= max_cells:
            return 0
        total = 0
        for nci, nstart, _ in moves(ci, start):
            total += ways(nci, nstart, used + 1)
            if total > max_splits:
                break
        return min(total, max_splits + 1)

    if ways(0, 0, 0) > max_splits:
        return None
    out: list[tuple[float, ...]] = []

    def walk(ci: int, start: int, acc: tuple[float, ...]) -> None:
        if ci < len(chunks) and start == len(chunks[ci]):
            walk(ci + 1, 0, acc)
        elif ci == len(chunks):
            out.append(acc)
        else:
            for nci, nstart, value in moves(ci, start):
                if ways(nci, nstart, len(acc) + 1):
                    walk(nci, nstart, (*acc, value))

    walk(0, 0, ())
    return out


def _separate_placeholders(text: str, signed: bool) -> str:
    """Surround each placeholder with spaces so it stands as a chunk of its own."""
    return re.sub(r"(—|－|–|/|-(?!\d))" if signed else r"(—|－|–|/|-)", r" \1 ", text)


def min_cells(run: str) -> int:
    """The fewest cells a glued run can be cut into: a 0 can only start a cell of its own."""
    text = _separate_placeholders(re.sub(r"(万元|元)", " ", run), signed=True)
    count = 0
    for chunk in (c for c in re.split(r"\s+|(?=[+-]\d)", text) if c and c not in "+-"):
        if chunk in _PLACEHOLDER_CHUNKS:
            count += 1
            continue
        body = chunk.lstrip("+-")
        zeros = len(body) - len(body.lstrip("0"))
        count += zeros + (1 if body.lstrip("0") else 0)
    return count


def writes_every_cell(tables: list[tuple[list[RowEvidence], int]]) -> bool:
    """Whether a document's glued rows show that it writes blank cells (as 0 or /) rather than
    dropping them: some row can only be cut into as many cells as its table has columns, and no
    row is too short to fill its columns. Only then is a split that fills every column preferred."""
    glued = [
        (row, n_cols)
        for rows, n_cols in tables
        if n_cols > 1 and any(c.kind is Kind.RUN for r in rows for c in r.cells)
        for row in rows
        if row.found
    ]
    runs = [(r.cells[0].text, n) for r, n in glued if len(r.cells) == 1 and r.cells[0].kind is Kind.RUN]
    if not runs or len(runs) < len(glued):
        return False
    too_short = any(sum(ch.isdigit() or ch in "/—－–-" for ch in text) < n for text, n in runs)
    return not too_short and any(min_cells(text) == n for text, n in runs)
