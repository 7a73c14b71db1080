"""Fixed-width text: where a value stands on its line says which column it is in.

Text laid out in columns (``pdftotext -layout``, a console table) drops a blank cell as spaces,
not as a field or a line, so the row itself says nothing of which cells are missing. But every
value of one column stands at the same place, line after line: gathered over a table's rows,
the places a value stands at fall into one tight cluster per column. Where they fall into
exactly as many clusters as the table has columns, each value's cluster is its column, and a
row's blank cells are the clusters it has no value in: the same evidence a piped row's empty
fields give, for the solver to weigh like them.

Columns may be aligned by their right edge, their left edge or their middle, and the layout
may have counted a CJK character one column or two: each way is tried, and the one that puts the
values in the fewest clusters is the layout's (values of different lengths meet only at their
aligned edge). Evidence is given only where those clusters are exactly the table's columns, each
holds the values of two rows or more, and every way with as few agrees on every row; nothing is
given otherwise.

A row may stand on several lines (a value a spacing paragraph pushed below its cell's top, a
label wrapped over lines): its values are in the order of where they stand, whatever line holds
each, where every way of reading places agrees on that order (``order_by_place``).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import cast

import numpy as np

from tablerecon.cells import Cell, Kind
from tablerecon.evidence import RowEvidence
from tablerecon.labels import MATCH_THRESHOLD, score

#: How far (in characters or display columns) a value may stand from its column's others:
#: numbers of different length centred in one column stand half a character apart.
ALIGNMENT_SLACK = 1.0

#: Least rows of values the clusters must come from: one row alone clusters into its own values.
MIN_ROWS = 2


#: How many times more of a text's neighbouring values one way of counting places must align
#: than the other for it to be taken as the text's way (``reading_unit``).
UNIT_MARGIN = 2

#: The two ways of counting places, by the index of their start in ``Cell.span``.
UNIT_NAMES = {0: "characters", 2: "display columns"}


def _edge(span: tuple[int, int, int, int], unit: int, kind: int) -> float:
    """Where a cell stands, read in characters (``unit`` 0) or display columns (2): its right
    edge, left edge or middle (``kind`` 0-2)."""
    start, end = span[unit], span[unit + 1]
    return float(end if kind == 0 else start if kind == 1 else (start + end) / 2)


def _places(cells: Sequence[Cell], way: int) -> list[float] | None:
    """Where each value of a row stands, read one way (0-5: right edge, left edge, middle; in
    characters, then in display columns); None where a value has no recorded place."""
    out: list[float] = []
    unit, kind = (0 if way < 3 else 2), way % 3
    for cell in cells:
        if cell.span is None:
            return None
        out.append(_edge(cell.span, unit, kind))
    return out


def reading_unit(cells: Sequence[Cell]) -> int | None:
    """How a text laid out in fixed-width columns counted its places: in characters (0) or in
    display columns, a CJK character two (2); None where its values do not say.

    One layout counts one way throughout a text (pdftotext, html-to-text, inscriptis and lynx
    count characters, w3m display columns). Where two rows' labels differ in CJK characters, the
    values of one column stand aligned (by an edge or the middle) counted the layout's way and
    apart counted the other: each pair of values on neighbouring lines (empty lines apart at
    most) aligned one way only speaks for it. A table whose values leave the way open (one row,
    or rows whose labels are as long either way) is then read the way its document's other rows
    show."""
    # Each line's placed values, for every line holding a cell: a line of labels between two
    # lines of values (a header) parts two tables, whose columns need not line up.
    by_line: dict[int, list[tuple[int, int, int, int]]] = {}
    for cell in cells:
        spans = by_line.setdefault(cell.line, [])
        if cell.span is not None and cell.kind is Kind.NUMBER:
            spans.append(cell.span)
    votes = [0, 0]  # characters, display columns
    for upper, lower in itertools.pairwise(by_line.values()):
        if upper and lower:
            for kind in range(3):
                chars = _aligned_pairs(upper, lower, 0, kind)
                display = _aligned_pairs(upper, lower, 2, kind)
                votes[0] += len(chars - display)
                votes[1] += len(display - chars)
    for unit, (mine, other) in ((0, votes), (2, votes[::-1])):
        if mine >= MIN_ROWS and mine > UNIT_MARGIN * other:
            return unit
    return None


def _aligned_pairs(
    upper: list[tuple[int, int, int, int]], lower: list[tuple[int, int, int, int]], unit: int, kind: int
) -> set[tuple[int, int]]:
    """The pairs of a line's values and the next line's that stand aligned, read in characters
    (``unit`` 0) or display columns (2) by one edge or the middle (``kind``). A line's values
    stand left to right, so each is looked up among the next line's by bisection: the work grows
    with the values, not with their pairs (two lines of thousands of numbers)."""
    edges = [_edge(span, unit, kind) for span in lower]
    pairs = set()
    for i, span in enumerate(upper):
        at = _edge(span, unit, kind)
        for j in range(bisect_left(edges, at - ALIGNMENT_SLACK), bisect_right(edges, at + ALIGNMENT_SLACK)):
            pairs.add((i, j))
    return pairs


def order_by_place(
    rows: Sequence[RowEvidence], width: int, cells: Sequence[Cell], start: int, end: int
) -> list[str]:
    """Put the values of each row standing on several lines of fixed-width columns (two of its
    cells on one line at least, its label and a value or two values, and no other label between
    them: the table's cells are ``cells[start:end]``) in the order they stand in, left to right,
    where every way of reading places agrees on it, in a table whose values some way puts in no
    more clusters than its ``width`` columns (cells merely apart by runs of spaces are no grid:
    their rows keep the text's order). Where the ways disagree, which column each value is in is
    not known: the row is set not found (its cells unknown). Where two of its values stand in
    one place, the row holds another's values too: the text lost which row each value is in, and
    every row is set not found. Returns the notes saying so."""
    notes: list[str] = []
    crowded: list[str] = []
    labelled: set[int] | None = None  # lines holding a label, looked up for the first such row
    grid: bool | None = None  # whether the table is laid out on a grid, asked as ``labelled``
    for row in rows:
        values = row.cells
        # Most rows have no places (a text not laid out), or stand on one line.
        if len(values) < 2 or values[-1].span is None or values[0].line == values[-1].line:
            continue
        if not row.found or any(c.span is None for c in values):
            continue
        lines = [c.line for c in values]
        if len(set(lines)) == len(lines) and lines[0] != row.label_line:
            continue  # one cell a line: a column of text, not a row laid out on a grid
        if labelled is None:
            labelled = {c.line for c in itertools.islice(cells, start, end) if c.kind is Kind.LABEL}
        if any(line in labelled for line in range(lines[0] + 1, lines[-1])):
            continue  # parts of the row apart, each under its own header (the review table's)
        if grid is None:
            grid = _on_a_grid(rows, width)
        if not grid:
            break
        orders = set()
        for way in range(6):
            places = cast(list[float], _places(values, way))
            order = tuple(sorted(range(len(values)), key=places.__getitem__))
            if any(places[a] == places[b] for a, b in itertools.pairwise(order)):
                crowded.append(row.key)
                break
            orders.add(order)
        if crowded and crowded[-1] == row.key:
            row.found = False
        elif len(orders) == 1:
            (order,) = orders
            row.cells = [values[k] for k in order]
        else:
            row.found = False
            notes.append(
                f"row {row.key}: its values stand on several lines, and where they stand does not "
                "say which column each is in; its cells are unknown"
            )
    if crowded:
        # As a row holding two rows' worth of values (``doubts.doubt_misplaced_values``).
        for row in rows:
            row.found = False
        notes.append(
            f"row {', '.join(crowded)}: two values stand in one column on its lines: the text lost "
            "which row each value is in; every cell is unknown"
        )
    return notes


def _on_a_grid(rows: Sequence[RowEvidence], width: int) -> bool:
    """Whether some way of reading places (see ``_places``) puts the table's values in no more
    clusters than its ``width`` columns: values laid out in columns, not merely apart by runs of
    spaces (html2text's rows, each label's length moving its values)."""
    placed = [row for row in rows if row.found and row.cells and all(c.span is not None for c in row.cells)]
    for way in range(6):
        every = sorted(x for row in placed for x in cast(list[float], _places(row.cells, way)))
        if every and 1 + sum(1 for a, b in itertools.pairwise(every) if b - a > ALIGNMENT_SLACK) <= width:
            return True
    return False


def _columns_one_way(rows: Sequence[Sequence[Cell]], way: int) -> tuple[int, list[list[int] | None]] | None:
    """The tight clusters the rows' value places fall into, read one way: how many, and each
    row's clusters (None for a row without places); None when a cluster is not tight (a chain
    of near neighbours), no row has places, or a row has two values in one cluster."""
    places = [_places(cells, way) if cells else None for cells in rows]
    every = np.array(sorted(x for p in places if p is not None for x in p))
    if every.size == 0:
        return None
    # Clusters are split where two places stand further apart than the slack allows; each
    # cluster must then be tight as a whole.
    breaks = np.nonzero(np.diff(every) > ALIGNMENT_SLACK)[0]
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [every.size - 1]])
    if np.any(every[ends] - every[starts] > ALIGNMENT_SLACK):
        return None
    lows = every[starts]
    out: list[list[int] | None] = []
    for p in places:
        if p is None:
            out.append(None)
            continue
        cols = (np.searchsorted(lows, np.array(p), side="right") - 1).tolist()
        if any(b <= a for a, b in itertools.pairwise(cols)):
            return None
        out.append(cols)
    # A column's place is known where rows agree on it: a value standing alone may stand there
    # only because its row's label is shorter or longer than the others' (cells joined by a
    # space each, empty ones too: ``规章   6`` under ``行政规范性文件 1  1``), not on a grid.
    if np.any(ends - starts + 1 < MIN_ROWS):
        return None
    return int(starts.size), out


def column_gaps(rows: Sequence[Sequence[Cell]], n_cols: int) -> list[list[int] | None] | None:
    """For the value cells of a table's rows, the blank cells each row's places show before each
    value and after the last (None for a row whose values have no places: not on one line of
    fixed-width columns); None for the table when the places do not tell its columns apart.

    The way of reading places that puts values in the fewest clusters is the table's alignment
    (values of different lengths in one column meet at its aligned edge, and fall apart read
    any other way). It tells the columns only when those clusters are exactly the columns and
    every way with that few agrees: fewer clusters leave some column without a value to say
    where it stands, and a value may then sit in any of them."""
    placed = sum(1 for cells in rows if cells and all(c.span is not None for c in cells))
    if n_cols < 2 or placed < MIN_ROWS:
        return None
    found = [c for c in (_columns_one_way(rows, way) for way in range(6)) if c is not None]
    if not found:
        return None
    fewest = min(count for count, _ in found)
    best = [cols for count, cols in found if count == fewest]
    if fewest != n_cols or any(cols != best[0] for cols in best[1:]):
        return None
    return _blanks_around(best[0], n_cols)


def _blanks_around(columns: list[list[int] | None], n_cols: int) -> list[list[int] | None]:
    """From each row's columns (None for a row without places), the blank cells it shows before
    each value and after the last."""
    gaps: list[list[int] | None] = []
    for cols in columns:
        if cols is None:
            gaps.append(None)
            continue
        edges = [-1, *cols, n_cols]
        gaps.append([b - a - 1 for a, b in itertools.pairwise(edges)])
    return gaps


def header_gaps(
    rows: Sequence[Sequence[Cell]],
    headers: Sequence[Cell],
    labels: Sequence[str],
    unit: int | None = None,
) -> list[list[int] | None] | None:
    """For the value cells of a table's rows, the blank cells each row's places show (as
    ``column_gaps``), told by where the header's labels stand rather than by the values alone:
    a value stands under the header of its column. This tells the columns where the values
    leave some without a value to say where it stands (a table whose values are all 自然人's and
    总计's). ``headers``: the table's header cells; ``labels``: its columns' labels.

    Given only where every column's label is found over its own column, left to right in the
    columns' order, each of a row's values under exactly one, the row's columns in order, and the
    values of every column aligned alike (one edge or the middle). Read the way the document
    counts places (``unit``, see ``reading_unit``); where it does not say, the same read in
    characters and in display columns, where both can be read. None otherwise: a header printed
    over other places than its values (cells written one after the other, a merged cell's text
    shifting the rest) gives nothing."""
    n_cols = len(labels)
    placed = [h for h in headers if h.span is not None]
    if n_cols < 2 or len(placed) < n_cols:
        return None
    named = _named_columns(placed, labels)
    if named is None:
        return None
    answers = {}
    for way in (0, 2) if unit is None else (unit,):  # characters, display columns
        columns = _header_columns(named, way)
        if columns is not None and (answer := _under_headers(rows, columns, way)) is not None:
            answers[way] = (answer, columns)
    if unit is not None:
        return _blanks_around(answers[unit][0], n_cols) if answers else None
    if len(answers) == 2 and answers[0][0] != answers[2][0]:
        return None
    if len(answers) == 1:
        # Read one way only: that way must be the layout's, shown by the values themselves: a
        # column's values aligned this way and not the other (rows whose labels differ in
        # length counted the two ways). Where they stand aligned either way, or no column has
        # two, the text does not say which way it was laid out, and a header read the wrong way
        # names wrong columns (a value right-aligned beside the next column's label).
        ((way, (answer, _)),) = answers.items()
        if not _misaligned(rows, answer, 2 - way):
            return None
    if not answers:
        return None
    return _blanks_around(next(iter(answers.values()))[0], n_cols)


def _named_columns(headers: Sequence[Cell], labels: Sequence[str]) -> list[list[Cell]] | None:
    """For each column, the header cells naming it: those whose label is this column's best,
    no other's as good; a label several columns share (行政复议's and 行政诉讼's 结果维持) names
    them left to right. None where some column is named by no cell or the cells of a shared label
    are not one a column."""
    distinct = list(dict.fromkeys(labels))
    by_label: dict[str, list[Cell]] = {}
    for cell in headers:
        scores = [score(cell.text, label) for label in distinct]
        best = max(scores)
        if best >= MATCH_THRESHOLD and scores.count(best) == 1:
            by_label.setdefault(distinct[scores.index(best)], []).append(cell)
    named: list[list[Cell]] = [[] for _ in labels]
    for label in distinct:
        columns = [j for j, text in enumerate(labels) if text == label]
        cells = by_label.get(label, [])
        if len(cells) != len(columns):
            return None
        for j, cell in zip(columns, sorted(cells, key=lambda c: cast(tuple[int, ...], c.span)), strict=True):
            named[j].append(cell)
    return named


def _header_columns(named: list[list[Cell]], unit: int) -> list[tuple[int, int]] | None:
    """Where each column's header stands, read in characters (``unit`` 0) or display columns
    (2); None where they do not stand apart, left to right in the columns' order."""
    columns = []
    for cells in named:
        span = cast(tuple[int, int, int, int], cells[0].span)
        columns.append((span[unit], span[unit + 1]))
    if any(a[1] > b[0] for a, b in itertools.pairwise(columns)):
        return None
    return columns


def _under_headers(
    rows: Sequence[Sequence[Cell]], columns: list[tuple[int, int]], unit: int
) -> list[list[int] | None] | None:
    """Each row's columns, by the header each value stands under (None for a row without
    places); None where a value stands under no header or several, a row's columns are out of
    order, or a column's values are not aligned alike."""
    out: list[list[int] | None] = []
    for cells in rows:
        if not cells or any(c.span is None for c in cells):
            out.append(None)
            continue
        cols = []
        for cell in cells:
            span = cast(tuple[int, int, int, int], cell.span)
            start, end = span[unit], span[unit + 1]
            # A value touching a header counts as near it: near two, it is under neither. Under
            # one, at least half of it stands under the label (a value right-aligned in its
            # column may reach into the next column's centred label by a character).
            under = [j for j, (left, right) in enumerate(columns) if start <= right and left <= end]
            if len(under) != 1:
                return None
            left, right = columns[under[0]]
            if 2 * (min(end, right) - max(start, left)) < end - start:
                return None
            cols.append(under[0])
        if any(b <= a for a, b in itertools.pairwise(cols)):
            return None
        out.append(cols)
    if all(cols is None for cols in out) or not _aligned(rows, out, unit):
        return None
    return out


def _misaligned(rows: Sequence[Sequence[Cell]], columns: list[list[int] | None], unit: int) -> bool:
    """Whether some column holds two values or more (each row's ``columns``) that stand aligned
    no way, read in characters (``unit`` 0) or display columns (2)."""
    counts: dict[int, int] = {}
    for cols in columns:
        for j in cols or ():
            counts[j] = counts.get(j, 0) + 1
    return max(counts.values(), default=0) >= 2 and not _aligned(rows, columns, unit)


def _aligned(rows: Sequence[Sequence[Cell]], columns: list[list[int] | None], unit: int) -> bool:
    """Whether the values of every column (each row's ``columns``) stand aligned alike, read in
    characters (``unit`` 0) or display columns (2): by their left edges, right edges or middles."""
    edges: dict[int, list[tuple[float, float, float]]] = {}
    for cells, cols in zip(rows, columns, strict=True):
        for cell, j in zip(cells, cols or (), strict=False):
            span = cast(tuple[int, int, int, int], cell.span)
            start, end = span[unit], span[unit + 1]
            edges.setdefault(j, []).append((start, end, (start + end) / 2))
    return any(
        all(
            max(e[kind] for e in column) - min(e[kind] for e in column) <= ALIGNMENT_SLACK
            for column in edges.values()
        )
        for kind in range(3)
    )
