"""How a glued run of digits can be cut into cells.

Some pages lose the separators between a row's cells ("640020470" for 64 0 0 2 0 4 70). Every
cut into numbers without leading zeros is a possible reading of the run; the solver places each
and lets the table's identities choose. Spaces, signs, units and placeholders are certain cell
boundaries, and a cell holds at most MAX_NUMBER_DIGITS digits.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from tablerecon.cells import MAX_NUMBER_DIGITS, Kind
from tablerecon.evidence import RowEvidence

_PLACEHOLDER_CHUNKS = frozenset({"—", "－", "–", "/", "-"})
_PIECE = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$")


def run_splits(
    text: str, max_cells: int, max_splits: int, signed: bool = True
) -> list[tuple[float, ...]] | None:
    """Every way to cut a run of glued digits into numbers (no leading zeros), or None when
    there are more than ``max_splits``. Spaces, signs, units and placeholders are certain cell
    boundaries; a placeholder (/, —, or a dash that is no sign) is a blank cell, NaN here. In
    tables of counts (``signed`` False) every dash is a placeholder."""
    graph = split_graph(text, max_cells, max_splits, signed)
    if graph is None or sum(graph.counts[0]) > max_splits:
        return None
    return splits_with(graph, 0, max_cells, max_splits)


class SplitGraph(NamedTuple):
    """A run's possible cuts: from each character position, the cells that can start there
    (where the next begins, and the value), and how many ways the rest of the run can be cut
    into each number of cells. Counting costs O(length x cells x digits) however many splits
    there are, so a run with too many is refused at once and a listing never walks into a
    dead end."""

    moves: list[list[tuple[int, float]]]
    #: counts[p][j]: cuts of the text from position p on into exactly j cells (capped).
    counts: list[list[int]]


def split_graph(text: str, max_cells: int, max_splits: int, signed: bool = True) -> SplitGraph | None:
    """The cuts of a run into at most ``max_cells`` cells, counted by cells (counts capped just
    above ``max_splits``); None when the run has no cell at all."""
    chunks = run_chunks(text, signed)
    if not chunks:
        return None
    size = sum(len(c) for c in chunks)
    cap = max_splits + 1
    nothing = [0] * (max_cells + 1)
    if size > max_cells * (MAX_NUMBER_DIGITS + 1):  # a cell holds at most this many characters
        return SplitGraph([[], []], [nothing, [1, *nothing[1:]]])
    moves: list[list[tuple[int, float]]] = []
    offset = 0
    for chunk in chunks:
        for start in range(len(chunk)):
            moves.append(_cells_from(chunk, start, offset))
        offset += len(chunk)
    moves.append([])
    counts: list[list[int]] = [nothing] * size + [[1, *nothing[1:]]]
    for p in range(size - 1, -1, -1):
        total = nothing
        for after, _ in moves[p]:
            rest = counts[after]
            # One more cell than each completion from where this cell ends.
            total = [min(t + r, cap) for t, r in zip(total, [0, *rest[:-1]], strict=True)]
        counts[p] = total
    return SplitGraph(moves, counts)


def _cells_from(chunk: str, start: int, offset: int) -> list[tuple[int, float]]:
    """The cells that can start at ``start`` of a chunk beginning at ``offset``: where the next
    starts, and its value (NaN for a placeholder). A cell holds at most MAX_NUMBER_DIGITS digits
    (one more character for a sign or point)."""
    if chunk in _PLACEHOLDER_CHUNKS:
        return [(offset + len(chunk), math.nan)] if start == 0 else []
    out = []
    # In a signed table a dash before digits is a minus sign or a blank cell's dash: both.
    if start == 0 and chunk[0] == "-":
        out.append((offset + 1, math.nan))
    for end in range(start + 1, min(len(chunk), start + MAX_NUMBER_DIGITS + 1) + 1):
        piece = chunk[start:end]
        if _PIECE.match(piece):
            out.append((offset + end, float(piece)))
    return out


def splits_with(graph: SplitGraph, fewest: int, most: int, limit: int) -> list[tuple[float, ...]]:
    """The first ``limit`` cuts into ``fewest`` to ``most`` cells, in the order of a walk that
    tries shorter first cells first (the order every caller sees)."""
    if fewest == most:
        return _splits_into(graph, most, limit)
    out: list[tuple[float, ...]] = []
    counts, moves, end = graph.counts, graph.moves, len(graph.counts) - 1

    def walk(p: int, acc: tuple[float, ...]) -> None:
        if p == end:
            out.append(acc)
            return
        used = len(acc) + 1
        for after, value in moves[p]:
            if len(out) >= limit:
                return
            if any(counts[after][max(fewest - used, 0) : most - used + 1]):
                walk(after, (*acc, value))

    if any(counts[0][fewest : most + 1]) and limit > 0:
        walk(0, ())
    return out


def _splits_into(graph: SplitGraph, k: int, limit: int) -> list[tuple[float, ...]]:
    """``splits_with`` for exactly ``k`` cells, in the same order: a move is taken when the rest
    of the run can be cut into exactly the cells left, one lookup where the general walk tests a
    range (the glued solver asks for one length at a time)."""
    out: list[tuple[float, ...]] = []
    counts, moves = graph.counts, graph.moves
    if k >= len(counts[0]) or not counts[0][k] or limit <= 0:
        return out
    acc = [0.0] * k

    def walk(p: int, i: int) -> None:
        if i == k:
            out.append(tuple(acc))
            return
        left = k - i - 1
        for after, value in moves[p]:
            if counts[after][left]:
                acc[i] = value
                walk(after, i + 1)
                if len(out) >= limit:
                    return

    walk(0, 0)
    return out


def run_chunks(text: str, signed: bool = True) -> list[str]:
    """A glued run cut at its certain boundaries (spaces, units, signs, placeholders). Each
    placeholder is a chunk of its own, a blank cell ("--1" under 本年增/减: a blank, then -1);
    only a bare plus sign says nothing."""
    text = _separate_placeholders(re.sub(r"(万元|元)", " ", text), signed)
    return [c for c in re.split(r"\s+|(?=[+-]\d)", text) if c and c != "+"]


def _separate_placeholders(text: str, signed: bool) -> str:
    """Surround each placeholder with spaces so it stands as a chunk of its own."""
    return re.sub(r"(—|－|–|/|-(?!\d))" if signed else r"(—|－|–|/|-)", r" \1 ", text)


def min_cells(run: str) -> int:
    """The fewest cells a glued run can be cut into: a 0 can only start a cell of its own."""
    count = 0
    for chunk in run_chunks(run, signed=True):
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


class Total(NamedTuple):
    """A row identity of the shape a glued row's splits can be filtered by: the cells ``parts``
    add up to the cell ``total``, which stands after them all (总计 after its columns)."""

    parts: tuple[int, ...]
    total: int


def balanced_splits(
    text: str, n_cols: int, totals: list[Total], limit: int, max_steps: int
) -> list[tuple[float, ...]] | None:
    """The cuts of a run of counts into exactly ``n_cols`` cells, cell ``j`` in column ``j``,
    under which every identity of ``totals`` holds (a placeholder counts 0); None when there
    are more than ``limit`` or the walk takes more than ``max_steps`` steps.

    A long run of a busy body's row (``136122520451283214069``) has too many cuts to list (38,760
    into 7 cells), but few that add up. The walk goes from the run's end, so each total is cut
    before its parts, and a branch ends as soon as its parts exceed their total or can no longer
    reach it: the most and the least the cells left to cut can add up to are known for each
    place and count of cells, worked out once from the start of the run."""
    graph = split_graph(text, n_cols, limit, signed=False)
    if graph is None:
        return []
    size = len(graph.counts) - 1
    ends: list[list[tuple[int, float]]] = [[] for _ in range(size + 1)]
    for p, moves in enumerate(graph.moves):
        for after, value in moves:
            ends[after].append((p, value))
    # most[p][j], least[p][j]: the most and the least j cells cut from the first p characters
    # add up to (a placeholder counts 0); -inf and inf where they cannot be cut into j cells,
    # so the walk never enters a prefix that no count of cells left can fill.
    most = [[-math.inf] * (n_cols + 1) for _ in range(size + 1)]
    least = [[math.inf] * (n_cols + 1) for _ in range(size + 1)]
    most[0][0] = least[0][0] = 0.0
    for q in range(1, size + 1):
        for p, value in ends[q]:
            v = 0.0 if math.isnan(value) else value
            for j in range(1, n_cols + 1):
                most[q][j] = max(most[q][j], most[p][j - 1] + v)
                least[q][j] = min(least[q][j], least[p][j - 1] + v)
    # Whether the columns before j are all parts of identity i: then they add up to what it owes.
    only_parts = [[set(range(j)) <= set(t.parts) for t in totals] for j in range(n_cols)]
    # Per column: the identities it closes as their total, those it is a part of (their parts
    # so far must stay within the total and within reach of it), and those it is the first part
    # of (cut last, when the identity must hold).
    closes = [[i for i, t in enumerate(totals) if t.total == j] for j in range(n_cols)]
    checked = [[i for i, t in enumerate(totals) if t.total == j or j in t.parts] for j in range(n_cols)]
    first_part = [[i for i, t in enumerate(totals) if t.parts and min(t.parts) == j] for j in range(n_cols)]
    owed = [0.0] * len(totals)  # each total less its parts cut so far
    acc = [0.0] * n_cols
    out: list[tuple[float, ...]] = []
    steps = 0

    def walk(q: int, j: int) -> bool:
        """Cut column j as a cell ending at q, and the columns before it; False at a bound."""
        nonlocal steps
        if j < 0:
            out.append(tuple(acc))
            return len(out) <= limit
        for p, value in ends[q]:
            steps += 1
            if steps > max_steps:
                return False
            if most[p][j] == -math.inf:
                continue
            v = 0.0 if math.isnan(value) else value
            saved = [owed[i] for i in checked[j]]  # restored as saved: a float sum may round
            for i in checked[j]:
                owed[i] += v if i in closes[j] else -v
            if all(
                -_EXACT <= owed[i] <= most[p][j] + _EXACT
                and (not only_parts[j][i] or owed[i] >= least[p][j] - _EXACT)
                for i in checked[j]
            ) and all(abs(owed[i]) <= _EXACT for i in first_part[j]):
                acc[j] = value
                if not walk(p, j - 1):
                    return False
            for i, was in zip(checked[j], saved, strict=True):
                owed[i] = was
        return True

    if not walk(size, n_cols - 1):
        return None
    return out


#: How far apart two sums of counts may be and still be equal (floats of whole numbers).
_EXACT = 1e-6
