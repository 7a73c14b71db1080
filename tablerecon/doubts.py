"""Doubts the text's order casts on a matched table: values astray (before the first row's
label, outside any row, several rows' worth in one) leave rows unknown, and a header naming
another layout's columns leaves the table unknown. Never a guess where the order is lost."""

from __future__ import annotations

from tablerecon.evidence import RowEvidence, TableEvidence


def doubt_misplaced_values(rows: list[RowEvidence], stray: int, lead: int, width: int) -> list[str]:
    """Rows whose reading the text's order puts in doubt, set not found (their cells unknown),
    and the notes saying why. PDF extractors' reading orders put a table's labels before its
    values, its values before its labels, or its values under another table's caption.

    A row holding two rows' worth of values or more is the values of several rows standing
    together; values before the first row's label (two or more, or a row's worth: a row's
    values, cut by its label or not) are the first row's, each label then followed by the next
    row's: either way no row's values are known. A row with no value of its own is blank only
    if no values went astray: beside numbers no row took, values before the first label, or a
    row of more values than columns, its own may be among them; nor are a short row's blank
    cells, unless empty fields mark every one of them."""
    overfull = [r for r in rows if r.found and len(r.cells) > width]
    blocks = [r for r in overfull if len(r.cells) >= 2 * max(width, 1)]
    if blocks or lead >= min(_LEADING_VALUES, max(width, 1)):
        for evidence in rows:
            evidence.found = False
        block = blocks[0] if blocks else None
        why = (
            f"row {block.key} holds the values of several rows ({len(block.cells)} for {width} columns)"
            if block is not None
            else f"{lead} values stand before the first row's label"
        )
        return [f"{why}: the text lost which row each value is in; every cell is unknown"]
    if not (stray or lead or overfull):
        return []
    if stray:
        astray = f"{stray} number(s) outside any row"
    elif lead:
        astray = f"{lead} value(s) before the first row's label"
    else:
        astray = "rows of more values than columns"
    notes = doubt_empty_rows(rows, astray, width)
    if stray:
        notes.extend(_doubt_rows_below_their_label(rows, astray))
    return notes


def _doubt_rows_below_their_label(rows: list[RowEvidence], astray: str) -> list[str]:
    """Rows of a table laid out in columns whose values all stand on lines below their label,
    set not found, beside values no row took: a grid writes a row's label below its values where
    the label's cell opens with an empty paragraph, so the values after a label alone on its
    line may be the next row's (theirs the numbers no row took)."""
    doubtful = [
        r
        for r in rows
        if r.found
        and r.cells
        and r.label_line is not None
        and all(c.span is not None and c.line > r.label_line for c in r.cells)
    ]
    for evidence in doubtful:
        evidence.found = False
    if not doubtful:
        return []
    keys = ", ".join(r.key for r in doubtful)
    return [
        f"rows laid out with their values below their label beside {astray}: {keys}; their cells are unknown"
    ]


#: Values before a table's first row label that show the text puts values before labels.
_LEADING_VALUES = 1


def doubt_empty_rows(rows: list[RowEvidence], astray: str, width: int | None = None) -> list[str]:
    """Set the rows with no value of their own not found (their cells unknown), as values went
    astray (``astray`` says how): theirs may be among them. Given the table's ``width``, so too
    the rows with fewer values than columns whose blank cells no empty fields mark (a PDF's
    reading order put 规章's last value after the next row's). The note saying so, if any."""
    doubtful = [
        r
        for r in rows
        if r.found and not r.key.startswith("extra_row_") and (not r.cells or _blanks_unmarked(r, width))
    ]
    for evidence in doubtful:
        evidence.found = False
    if not doubtful:
        return []
    keys = ", ".join(r.key for r in doubtful)
    what = "no value of their own" if width is None else "no value of their own or blanks unmarked"
    return [f"rows with {what} beside {astray}: {keys}; their cells are unknown"]


def _blanks_unmarked(row: RowEvidence, width: int | None) -> bool:
    """Whether a row has fewer values than the table's ``width`` columns and its empty slots do
    not account for every missing one (None: not asked)."""
    if width is None or len(row.cells) >= width:
        return False
    return None in row.gaps or len(row.cells) + sum(g or 0 for g in row.gaps) < width


#: A header naming another variant's columns better than this (in matched-column units) puts
#: the chosen layout in doubt (see ``layout_in_doubt``).
HEADER_FIT_MARGIN = 0.05


def layout_in_doubt(chosen: TableEvidence, variants: list[TableEvidence]) -> TableEvidence | None:
    """The variant whose columns the table's own header names, every one and better, where it
    names only some of the chosen one's (or more): the values fit one layout and the header
    names another (本年处理决定数量 over rows of three values), so which column holds each value
    is not known. Captioned tables only: the requests and review tables are told apart by their
    rows."""
    if chosen.spec.caption is None or chosen.header_complete:
        return None
    rivals = [
        v
        for v in variants
        if v is not chosen
        and v.header_complete
        and v.columns != chosen.columns
        and v.header_fit > chosen.header_fit + HEADER_FIT_MARGIN
    ]
    return max(rivals, key=lambda v: v.header_fit, default=None)
