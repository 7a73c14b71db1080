"""Solver problems of any size, built in memory: how the engine's cost grows with the table.

Real templates stop at 15 columns and 26 rows; the scaling sweeps need more. A table here is a
``TableSpec`` made on the fly (parts columns plus a 总计-like total, row_sum identities, and
optionally a total row with column_sum identities that ties every row into one component),
filled with consistent counts, then flattened like the text would be: zeros dropped (with or
without blank-line hints) or every value glued into one run of digits.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from tablerecon.cells import Cell, Kind
from tablerecon.evidence import RowEvidence
from tablerecon.solve import SolveLimits
from tablerecon.templates import ColumnSpec, Equation, IdentitySpec, RowSpec, TableSpec, expand_identities


@dataclass(slots=True)
class SyntheticTable:
    rows: list[RowEvidence]
    n_cols: int
    equations: list[Equation]
    truth: list[list[int]]
    positive_only: bool = True
    limits: SolveLimits = field(default_factory=SolveLimits)


def table_spec(n_rows: int, n_cols: int, total_row: bool) -> TableSpec:
    """``n_cols`` columns (the last the row total), ``n_rows`` data rows (+ a total row)."""
    parts = [f"c{j}" for j in range(n_cols - 1)]
    rows = [f"r{i}" for i in range(n_rows)]
    identities = [
        IdentitySpec(
            id="RS", kind="row_sum", name="row {row}: parts = total", total="total", parts=tuple(parts)
        )
    ]
    if total_row:
        identities.append(
            IdentitySpec(
                id="CS",
                kind="column_sum",
                name="column {col}: rows = total row",
                total="all",
                parts=tuple(rows),
            )
        )
        rows.append("all")
    return TableSpec(
        table="synthetic",
        title="synthetic",
        value_kind="count",
        columns=tuple(ColumnSpec(key=k, label=k) for k in [*parts, "total"]),
        rows=tuple(RowSpec(key=k, label=k) for k in rows),
        identities=tuple(identities),
    )


def _values(rng: random.Random, n_rows: int, n_cols: int, zeros: int, total_row: bool) -> list[list[int]]:
    """Consistent counts with exactly ``zeros`` zero parts per data row (the cells to drop)."""
    parts = n_cols - 1
    grid = []
    for _ in range(n_rows):
        zero_at = set(rng.sample(range(parts), min(zeros, parts)))
        row = [0 if j in zero_at else round(math.exp(rng.uniform(0, math.log(5000)))) for j in range(parts)]
        grid.append([*row, sum(row)])
    if total_row:
        grid.append([sum(r[j] for r in grid) for j in range(n_cols)])
    return grid


def _cell(value: int, line: int, gap: int) -> Cell:
    return Cell(Kind.NUMBER, str(value), line, gap, False, float(value), str(value))


def dropped_blanks(
    n_rows: int, n_cols: int, dropped: int, hinted: bool = True, total_row: bool = True, seed: int = 0
) -> SyntheticTable:
    """Every row loses ``dropped`` zero cells; with hints each leaves an extra blank line."""
    rng = random.Random(f"bench-synthetic:{seed}:{n_rows}:{n_cols}:{dropped}")
    spec = table_spec(n_rows, n_cols, total_row)
    grid = _values(rng, n_rows, n_cols, dropped, total_row)
    evidence = []
    line = 1
    for key, values in zip([r.key for r in spec.rows], grid, strict=True):
        cells: list[Cell] = []
        gaps: list[int | None] = []
        pending = 0
        for v in values:
            if v == 0:
                pending += 1
                continue
            cells.append(_cell(v, line, pending if hinted else 0))
            gaps.append(pending if hinted else None)
            pending = 0
            line += 1
        gaps.append(pending if hinted else None)
        evidence.append(RowEvidence(key=key, label=key, found=True, label_line=line, cells=cells, gaps=gaps))
        line += 1
    keys = [r.key for r in spec.rows]
    return SyntheticTable(evidence, n_cols, expand_identities(spec, keys, list(spec.column_keys)), grid)


def glued_runs(n_rows: int, n_cols: int, seed: int = 0, max_value: int = 999) -> SyntheticTable:
    """Every row's values glued into one run of digits (``n_cols`` numbers per run)."""
    rng = random.Random(f"bench-glued:{seed}:{n_rows}:{n_cols}:{max_value}")
    spec = table_spec(n_rows, n_cols, total_row=False)
    grid = []
    for _ in range(n_rows):
        parts = [rng.randint(1, max_value) for _ in range(n_cols - 1)]
        grid.append([*parts, sum(parts)])
    evidence = []
    for i, (key, values) in enumerate(zip([r.key for r in spec.rows], grid, strict=True)):
        text = "".join(str(v) for v in values)
        cell = Cell(Kind.RUN, text, i + 1, 0, True, None, text)
        evidence.append(
            RowEvidence(key=key, label=key, found=True, label_line=i + 1, cells=[cell], gaps=[0, None])
        )
    keys = [r.key for r in spec.rows]
    return SyntheticTable(evidence, n_cols, expand_identities(spec, keys, list(spec.column_keys)), grid)
