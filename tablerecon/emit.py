"""Step 4: turn matched evidence and the solver's verdict into the public ``Table`` model,
with every identity checked on the values that are emitted."""

from __future__ import annotations

import math

import numpy as np

from tablerecon.match import TableEvidence
from tablerecon.models import CellStatus, Check, RowPlacement, Table
from tablerecon.solve import Solution
from tablerecon.templates import Equation


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
    for eq in equations:
        if any(status[r][c] == "unknown" for r, c, _ in eq.terms):
            if eq.name in broken:
                cells = tuple((r, c) for r, c, _ in eq.terms)
                checks.append(Check(identity=eq.name, holds=False, residual=broken[eq.name], cells=cells))
            continue
        residual = 0.0
        for r, c, a in eq.terms:
            v = values[r, c]
            residual += a * (0.0 if math.isnan(v) else float(v))
        residual = round(residual, 9)
        checks.append(
            Check(
                identity=eq.name,
                holds=abs(residual) < 1e-6,
                residual=residual,
                cells=tuple((r, c) for r, c, _ in eq.terms),
            )
        )
    return checks


def build_table(
    ev: TableEvidence, solution: Solution, equations: list[Equation], html: bool = False
) -> Table:
    """Assemble the public model for one table."""
    values = np.vstack([r.values for r in solution.rows]) if solution.rows else np.zeros((0, len(ev.columns)))
    status = [list(r.status) for r in solution.rows]
    lines = [list(r.lines) for r in solution.rows]
    placements = [
        RowPlacement(
            row=row.key,
            values=tuple(c.value for c in row.cells),
            lines=tuple(c.line for c in row.cells),
            gaps=tuple(row.gaps),
            candidates=sol.candidates,
            chosen=sol.chosen,
            options=tuple(sol.options),
            note=sol.note,
        )
        for row, sol in zip(ev.rows, solution.rows, strict=True)
    ]
    notes = list(ev.notes) + list(solution.notes)
    template_units = {r.key: r.unit for r in ev.spec.rows}
    units = [r.unit or template_units.get(r.key) for r in ev.rows]
    for r in ev.rows:
        if r.unit and template_units.get(r.key) and r.unit != template_units[r.key]:
            notes.append(f"row {r.key}: unit {r.unit} in the text, {template_units[r.key]} in the template")
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
        style="html" if html else ev.style,
        units=units if any(units) else [],
    )
