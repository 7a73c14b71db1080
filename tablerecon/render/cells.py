"""What every view needs to know about a cell, computed once from the public models.

The terminal grid and the HTML page must agree on which cells are violated or ambiguous and
on the short labels that keep a 15-column table readable; they both read them from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tablerecon.models import CellStatus, PlacementOption, RowPlacement, Table
from tablerecon.templates import TableSpec, load_template

#: Short column headers: the grids must fit 80 terminal columns.
SHORT_COLUMNS: dict[str, str] = {
    "natural_person": "person",
    "commercial": "business",
    "research": "research",
    "public_interest": "public",
    "legal_service": "legal",
    "other_org": "other",
    "total": "total",
    "new_made": "made",
    "new_published": "published",
    "total_published": "all pub",
    "issued": "issued",
    "repealed": "repealed",
    "in_force": "in force",
    "prev_items": "prev",
    "change": "change",
    "decisions": "decisions",
    "items": "items",
    "amount": "amount",
}

#: Prefixes of the grouped columns of review_litigation (行政复议 / 行政诉讼).
SHORT_GROUPS: dict[str, str] = {"after_review_": "arv.", "review_": "rv.", "direct_": "dir."}
SHORT_LEAVES: dict[str, str] = {
    "upheld": "upheld",
    "corrected": "corr",
    "other": "other",
    "pending": "pend",
    "total": "total",
}

#: Short row labels: the label column must leave room for seven number columns.
SHORT_ROWS: dict[str, str] = {
    "new_received": "new received",
    "carried_over": "carried over",
    "granted": "granted",
    "partially_granted": "partly granted",
    "denied_state_secret": "deny: secret",
    "denied_prohibited_by_law": "deny: by law",
    "denied_security_stability": "deny: security",
    "denied_third_party": "deny: 3rd party",
    "denied_internal_affairs": "deny: internal",
    "denied_process_info": "deny: process",
    "denied_enforcement_file": "deny: enforcement",
    "denied_admin_query": "deny: query",
    "unable_not_held": "unable: not held",
    "unable_needs_creation": "unable: create",
    "unable_still_unclear": "unable: unclear",
    "not_processed_complaint": "skip: complaint",
    "not_processed_repeat": "skip: repeat",
    "not_processed_publication": "skip: publication",
    "not_processed_massive": "skip: massive",
    "not_processed_confirm": "skip: confirm",
    "other": "other",
    "other_overdue_correction": "other: no fix",
    "other_overdue_fee": "other: no fee",
    "other_other": "other: other",
    "total": "total",
    "carried_forward": "carried forward",
    "normative_documents": "normative docs",
    "other_services": "other services",
    "central_procurement": "procurement",
}


@dataclass(frozen=True, slots=True)
class CellView:
    """One cell as a view shows it."""

    row: int
    column: int
    status: CellStatus
    value: float | None
    line: int | None
    violated: bool
    """The cell takes part in at least one identity that does not hold."""
    ambiguous: bool
    """Another equally good assignment gives this cell a different value."""

    @property
    def text(self) -> str:
        """The value, or a mark for a blank (·) or undetermined (?) cell."""
        if self.value is not None:
            return format_number(self.value)
        return "·" if self.status == "blank" else "?"


def format_number(value: float) -> str:
    """Integers without a decimal point, other numbers without float noise."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return format(value, ".12g")


def short_column(key: str) -> str:
    """A header short enough for a narrow grid; unknown keys are kept as they are."""
    if key in SHORT_COLUMNS:
        return SHORT_COLUMNS[key]
    for prefix, short in SHORT_GROUPS.items():
        if key.startswith(prefix):
            leaf = key[len(prefix) :]
            return short + SHORT_LEAVES.get(leaf, leaf)
    return key


def short_row(key: str) -> str:
    """A row label short enough for a narrow grid; unknown keys are kept as they are."""
    return SHORT_ROWS.get(key, key)


def template_spec(table: Table) -> TableSpec | None:
    """The template table this table matched, for the labels and groups the text mangled."""
    try:
        template = load_template(table.template)
    except (KeyError, ValueError, OSError):
        return None
    return next((s for s in template.tables if s.table == table.table), None)


def column_groups(table: Table) -> list[str]:
    """The header group of each column (``行政复议``, ``行政诉讼/复议后起诉``), '' when none."""
    spec = template_spec(table)
    paths = {c.key: c.path for c in spec.columns} if spec else {}
    groups = []
    for key in table.columns:
        path = paths.get(key) or ""
        groups.append(path.rpartition("/")[0])
    return groups


def row_label(table: Table, row: int) -> str:
    """The template's label of a row (the text's own label can carry neighbouring words)."""
    spec = template_spec(table)
    key = table.rows[row]
    if spec is not None:
        for r in spec.rows:
            if r.key == key and r.label:
                return r.label
    return table.row_labels[row] if row < len(table.row_labels) else key


def column_label(table: Table, column: int) -> str:
    """The label of a column, with its header group when it has one."""
    label = table.column_labels[column] if column < len(table.column_labels) else table.columns[column]
    group = column_groups(table)[column]
    return f"{group}/{label}" if group else label


def placement(table: Table, row: int) -> RowPlacement | None:
    """The solver's record for a row, matched by key (extra rows may have none)."""
    key = table.rows[row]
    return next((p for p in table.placements if p.row == key), None)


def violated_cells(table: Table) -> set[tuple[int, int]]:
    """Cells that take part in an identity that does not hold."""
    return {cell for check in table.checks if not check.holds for cell in check.cells}


def option_cells(option: PlacementOption, values: tuple[float | None, ...]) -> dict[int, float | None]:
    """Column -> value that one placement option puts in the row."""
    out: dict[int, float | None] = {c: v for c, v in zip(option.columns, values, strict=False)}
    if option.lost_column is not None:
        out[option.lost_column] = option.lost_value
    return out


def ambiguous_cells(table: Table) -> set[tuple[int, int]]:
    """Cells on which equally good assignments disagree.

    With the solver's options recorded, these are the columns where a tied option differs
    from the chosen one; without them, the undetermined cells of rows the solver could not
    settle (a value with no chosen column).
    """
    if not table.ambiguous:
        return set()
    out: set[tuple[int, int]] = set()
    for r in range(len(table.rows)):
        p = placement(table, r)
        if p is None:
            continue
        best = [o for o in p.options if o.verdict in ("chosen", "tied")]
        if len(best) > 1:
            layouts = [option_cells(o, p.values) for o in best]
            columns = set().union(*layouts)
            for c in columns:
                if len({layout.get(c) for layout in layouts}) > 1:
                    out.add((r, c))
        elif None in p.chosen:
            out.update((r, c) for c, s in enumerate(table.status[r]) if s == "unknown")
    return out


def cell_views(table: Table) -> list[list[CellView]]:
    """Every cell of the table, row by row."""
    violated = violated_cells(table)
    ambiguous = ambiguous_cells(table)
    grid: list[list[CellView]] = []
    for r, statuses in enumerate(table.status):
        row: list[CellView] = []
        for c, status in enumerate(statuses):
            v = float(table.values[r, c])
            row.append(
                CellView(
                    row=r,
                    column=c,
                    status=status,
                    value=None if math.isnan(v) else v,
                    line=table.lines[r][c],
                    violated=(r, c) in violated,
                    ambiguous=(r, c) in ambiguous,
                )
            )
        grid.append(row)
    return grid
