"""Empty slots around a row's values, as evidence of its blank cells: empty lines beyond the
table's usual spacing, empty fields on a line, or where values stand in fixed-width columns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tablerecon.cells import Cell
from tablerecon.evidence import RowEvidence
from tablerecon.layout import UNIT_NAMES, column_gaps, header_gaps


def _usual_gap(gaps: list[int]) -> int:
    """The most common gap, the first seen among equals (0 when there is none)."""
    if not gaps:
        return 0
    # Most tables space their cells evenly: a gap held by most cells is the answer, without a count.
    first = gaps[0]
    if gaps.count(first) * 2 > len(gaps):
        return first
    counts = Counter(gaps)
    return max(counts, key=counts.__getitem__)


def assign_gaps(
    rows: list[RowEvidence],
    cells: list[Cell],
    last_index: dict[int, int],
    n_cols: int,
    written_blanks: bool = False,
    header: tuple[Sequence[Cell], Sequence[str]] = ((), ()),
    place_unit: int | None = None,
) -> str | None:
    """Turn raw gaps into extra empty slots, relative to the table's usual spacing; on lines of
    fixed-width columns, count them from where the values stand (``layout.column_gaps``), or
    else from where they stand under the header (``layout.header_gaps``).
    ``last_index``: by ``id`` of a row, the index in ``cells`` of the row's last value;
    ``written_blanks``: empty lines of a written space may be blank cells (``Cell.written``);
    ``header``: the table's header cells and its columns' labels; ``place_unit``: how the
    document counts places (``Document.place_unit``). Returns a note saying so where the blank
    cells were told by where values stand, for whoever debugs the table."""
    # Empty lines count beyond the table's usual spacing; empty fields on a line, whole.
    base = _usual_gap([c.gap - (c.lead or 0) for r in rows for c in r.cells if not c.same_line])
    gaps = _row_gaps(rows, cells, last_index, base, 1)
    extra = {max(c.gap - (c.lead or 0) - base, 0) for r in rows for c in r.cells if not c.same_line}
    if extra - {0} and not any(e % 2 for e in extra):
        # Every run of empty lines is even: a text whose cells were joined with an empty line
        # between them (``"\n\n".join``) marks a blank cell with two. Taken so only where that
        # reading explains the short rows better than one line a cell.
        paired = _row_gaps(rows, cells, last_index, base, 2)
        if _consistent_rows(rows, paired, n_cols) > _consistent_rows(rows, gaps, n_cols):
            gaps = paired
    if written_blanks and any(c.written for r in rows for c in r.cells):
        # Some empty lines hold the space a page writes into an empty cell (``&nbsp;``): those
        # may be the blank cells and the rest the markup's line breaks. Taken so only where that
        # reading explains the short rows better than every empty line.
        usual = _usual_gap([c.written for r in rows for c in r.cells if not c.same_line])
        written = _row_gaps(rows, cells, last_index, usual, 1, written_only=True)
        if _consistent_rows(rows, written, n_cols) > _consistent_rows(rows, gaps, n_cols):
            gaps = written
    # Cells joined by one space each, empty ones too: the spaces count the empty cells. Where
    # they cannot (more spaces than cells to fill), the line may be laid out in fixed-width
    # columns, where the values stand says which cells are blank.
    joined = _joined_fields(rows, n_cols)
    laid_out = None
    note = None
    if not joined:
        values = [r.cells if r.found else [] for r in rows]
        laid_out = column_gaps(values, n_cols)
        if laid_out is not None:
            note = "blank cells told by where the values stand in fixed-width columns"
        else:
            laid_out = header_gaps(values, *header, place_unit)
            if laid_out is not None:
                note = "blank cells told by where the values stand under the header's labels" + (
                    f" (places counted in {UNIT_NAMES[place_unit]}, the document's way)"
                    if place_unit is not None
                    else ""
                )
    for row, row_gaps, placed in zip(rows, gaps, joined or laid_out or [None] * len(rows), strict=True):
        if row.found:
            row.gaps = row_gaps if placed is None else list(placed)
            row.placed = placed is not None and laid_out is not None
    return note


def _joined_fields(rows: list[RowEvidence], n_cols: int) -> list[list[int | None] | None] | None:
    """For a table whose rows' cells were joined by one space each, empty cells too (``" ".join``
    of each row's cell texts: ``规章   6`` is two empty cells, then 6), the empty cells each
    row's spaces show before each value and after the last (the last None where the spaces fall
    short of the row: the line's end may have been trimmed); None for a row not on one line
    after its label, and for the table where no row shows an empty cell, or a row shows more
    cells than the table has (its spaces are a layout's, not one a cell)."""
    # Most tables have no such row (one cell a line, pipes): told by each row's first value.
    if not any(row.cells and row.cells[0].spaced is not None for row in rows):
        return None
    out: list[list[int | None] | None] = []
    shown = False
    for row in rows:
        cells = row.cells if row.found else []
        spaced = [c.spaced for c in cells if c.same_line and c.spaced is not None]
        if not cells or len(spaced) != len(cells):
            out.append(None)
            continue
        fields: list[int | None] = [before - 1 for before, _ in spaced]
        fields.append(spaced[-1][1])
        filled = len(cells) + sum(f or 0 for f in fields)
        if filled > n_cols:
            return None
        if filled < n_cols:
            fields[-1] = None
        shown |= any(fields)
        out.append(fields)
    return out if shown else None


def _row_gaps(
    rows: list[RowEvidence],
    cells: list[Cell],
    last_index: dict[int, int],
    base: int,
    lines_per_cell: int,
    written_only: bool = False,
) -> list[list[int | None]]:
    """Each found row's empty slots before each value and after the last (empty for a row not
    found), counting ``lines_per_cell`` empty lines beyond ``base`` as one slot; with
    ``written_only``, only the empty lines holding a written space (``Cell.written``)."""

    def slots(c: Cell) -> int:
        if c.same_line:
            return c.gap
        lead = c.lead or 0
        if written_only:
            return lead + max(c.written - base, 0)
        return lead + max(c.gap - lead - base, 0) // lines_per_cell

    out: list[list[int | None]] = []
    for row in rows:
        if not row.found:
            out.append([])
            continue
        values = row.cells
        # A row on one line without separators (``规章 5 97``, fixed-width columns) marks no
        # blank cell between its values: their gaps are no evidence (layout.column_gaps may
        # still tell them from where the values stand).
        unmarked = bool(values) and values[-1].same_line and values[-1].after is None
        gaps: list[int | None] = [None if unmarked and c.same_line else slots(c) for c in values]
        out.append(gaps)
        # After the last value: on a line it shares, the empty fields after it there (None where
        # its cells are not separated); on a line of its own, the gap before the cell that
        # follows it (None after the last cell of the text).
        if values and values[-1].same_line:
            gaps.append(values[-1].after)
            continue
        nxt_index = last_index[id(row)] + 1 if values else len(cells)
        gaps.append(slots(cells[nxt_index]) if nxt_index < len(cells) else None)
    return out


def _consistent_rows(rows: list[RowEvidence], gaps: list[list[int | None]], n_cols: int) -> int:
    """Short rows whose empty slots number exactly the cells they miss."""
    consistent = 0
    for row, row_gaps in zip(rows, gaps, strict=True):
        n = len(row.cells)
        if row.found and 0 < n < n_cols and None not in row_gaps:
            consistent += sum(g or 0 for g in row_gaps) == n_cols - n
    return consistent


def drop_row_end_padding(tables: list[tuple[list[RowEvidence], int]]) -> None:
    """Empty slots that end every full row of a document's tables alike are padding, not blank
    cells: a page whose table grid has a column more than the template (a merged cell's, a
    trailing ``|`` written after every row) leaves one after each row's last value. Where two
    full rows or more all end with the same number of them, and none otherwise, that many are
    taken off every row's end; a short row's blank cells at its end then show as they are
    (``行政许可 |`` / ``0 |`` / ``|`` / ``0 |`` / ``|``: the blank is the middle one). ``tables``:
    each table's rows and its column count."""
    last = next((row for rows, _ in reversed(tables) for row in reversed(rows) if row.found), None)
    ends = [
        row.gaps[-1]
        for rows, n_cols in tables
        for row in rows
        # The document's last row ends where the text does: nothing after it to count.
        if row.found
        and row is not last
        and len(row.cells) == n_cols
        and row.gaps
        and row.gaps[-1] is not None
    ]
    if len(ends) < 2 or len(set(ends)) != 1 or not ends[0]:
        return
    padding = ends[0]
    for rows, _ in tables:
        for row in rows:
            if row.found and row.gaps and row.gaps[-1] is not None:
                row.gaps[-1] = max(row.gaps[-1] - padding, 0)
