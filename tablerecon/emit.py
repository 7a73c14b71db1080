"""Step 4: turn matched evidence and the solver's verdict into the public ``Table`` model,
with every identity checked on the values that are emitted."""

from __future__ import annotations

import math

import numpy as np

from tablerecon.caches import register
from tablerecon.evidence import TableEvidence
from tablerecon.models import CellStatus, Check, RowPlacement, Style, Table
from tablerecon.solve import Solution
from tablerecon.templates import Equation

#: The check of an identity that holds exactly is the same in every report, so it is built once
#: per equation (equations are themselves cached, see ``expand_identities``). Keyed by id, with
#: the equation kept, so an id reused by another equation is no false hit.
_HOLDING: dict[int, tuple[Equation, Check]] = {}
#: Entries kept (each keeps its equation alive): the equations of ``expand_identities``' cache.
_HOLDING_SIZE = 8192
register(_HOLDING.clear)


def check_identities(
    values: np.ndarray,
    status: list[list[CellStatus]],
    equations: list[Equation],
    source_violations: dict[str, float] | None = None,
) -> list[Check]:
    """Evaluate each identity whose cells are all known (blank counts as 0). An identity the
    solver found broken in the source is reported even where it left cells unknown."""
    checks: list[Check] = []
    broken = source_violations or {}
    # Rows without an unknown cell are passed over whole: most tables have none.
    unknown = {
        (r, c)
        for r, row in enumerate(status)
        if "unknown" in row
        for c, s in enumerate(row)
        if s == "unknown"
    }
    # Python floats, summed term by term in the equation's order.
    known: list[list[float]] = np.where(np.isnan(values), 0.0, values).astype(np.float64).tolist()
    for eq in equations:
        if unknown and not unknown.isdisjoint(eq.cells):
            if eq.name in broken:
                checks.append(Check(identity=eq.name, holds=False, residual=broken[eq.name], cells=eq.cells))
            continue
        residual = 0.0
        for r, c, a in eq.terms:
            residual += a * known[r][c]
        residual = round(residual, 9)
        if residual == 0.0 and math.copysign(1.0, residual) > 0:
            checks.append(_holding(eq))
        else:
            checks.append(
                Check(identity=eq.name, holds=abs(residual) < 1e-6, residual=residual, cells=eq.cells)
            )
    return checks


def _holding(eq: Equation) -> Check:
    hit = _HOLDING.get(id(eq))
    if hit is None or hit[0] is not eq:
        if len(_HOLDING) >= _HOLDING_SIZE:
            _HOLDING.clear()
        hit = _HOLDING[id(eq)] = (eq, Check(identity=eq.name, holds=True, residual=0.0, cells=eq.cells))
    return hit[1]


def build_table(ev: TableEvidence, solution: Solution, equations: list[Equation], style: Style) -> Table:
    """Assemble the public model for one table. ``style``: how the text flattened it (the
    pipeline has read it already, from every cell of the table)."""
    # One array of the rows' arrays: ``np.array`` stacks them several times faster than ``vstack``.
    values = np.array([r.values for r in solution.rows]) if solution.rows else np.zeros((0, len(ev.columns)))
    status = [list(r.status) for r in solution.rows]
    lines = [list(r.lines) for r in solution.rows]
    placements = [
        RowPlacement(
            row=row.key,
            values=tuple([c.value for c in row.cells]),
            lines=tuple([c.line for c in row.cells]),
            gaps=tuple(row.gaps),
            candidates=sol.candidates,
            chosen=sol.chosen,
            options=tuple(sol.options),
            note=sol.note,
        )
        for row, sol in zip(ev.rows, solution.rows, strict=True)
    ]
    notes = list(ev.notes) + list(solution.notes)
    units: list[str | None]
    if ev.spec.units:
        template_units = {r.key: r.unit for r in ev.spec.rows}
        units = [r.unit or template_units.get(r.key) for r in ev.rows]
        for r in ev.rows:
            if r.unit and template_units.get(r.key) and r.unit != template_units[r.key]:
                notes.append(
                    f"row {r.key}: unit {r.unit} in the text, {template_units[r.key]} in the template"
                )
    else:  # most templates give no units: none to fill in or compare
        units = [r.unit for r in ev.rows]
    if solution.hints_trusted:
        notes.append("blank-line gaps were consistent and used as soft evidence")
    return Table(
        table=ev.spec.table,
        template=ev.template.template,
        title=ev.title,
        rows=[r.key for r in ev.rows],
        row_labels=[r.label for r in ev.rows],
        columns=list(ev.columns),
        column_labels=list(ev.column_labels),
        values=values,
        status=status,
        lines=lines,
        checks=check_identities(values, status, equations, solution.source_violations),
        ambiguous=solution.ambiguous,
        alternatives=solution.alternatives,
        placements=placements,
        notes=notes,
        graph=solution.graph,
        hints_trusted=solution.hints_trusted,
        search_complete=not solution.stopped,
        style=style,
        units=units if any(units) else [],
    )
