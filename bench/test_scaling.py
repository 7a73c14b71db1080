"""Time per table as tables grow, up to where ``SolveLimits`` takes over.

Sweeps: more rows (one component tied by a total row), more columns (up to 60), more dropped
blanks per row, longer glued digit runs. Each point is a benchmark; the closing summary prints
each sweep with the fitted polynomial degree before the bound, and the full run saves the plot
as bench/results/scaling.png.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from bench.synthetic_tables import SyntheticTable, dropped_blanks, glued_runs
from bench.workload import clear_engine_caches, is_short
from tablerecon.solve import Solution, solve_table

Sweep = tuple[str, str, str, list[tuple[int, Callable[[], SyntheticTable]]]]


def _sweeps() -> list[Sweep]:
    """(id, name, x-axis label, [(size, table factory)]) per sweep."""
    return [
        (
            "rows",
            "rows: 8 columns, 2 blanks dropped a row, hinted, total row",
            "data rows",
            [(r, partial(dropped_blanks, r, 8, 2)) for r in (1, 2, 4, 8, 16, 32, 64, 128)],
        ),
        (
            "rows_unhinted",
            "rows: as above, no blank-line hints",
            "data rows",
            [(r, partial(dropped_blanks, r, 8, 2, hinted=False)) for r in (1, 2, 4, 8, 16, 32)],
        ),
        (
            "columns",
            "columns: 4 rows, 2 blanks dropped a row, hinted",
            "columns",
            [(c, partial(dropped_blanks, 4, c, 2)) for c in (4, 8, 15, 22, 30, 45, 60)],
        ),
        (
            "dropped15",
            "dropped blanks a row: 15 columns, 4 rows, hinted",
            "blanks dropped per row",
            [(k, partial(dropped_blanks, 4, 15, k)) for k in range(1, 11)],
        ),
        (
            "dropped30",
            "dropped blanks a row: 30 columns, 4 rows, hinted",
            "blanks dropped per row",
            [(k, partial(dropped_blanks, 4, 30, k)) for k in range(1, 7)],
        ),
        (
            "glued",
            "glued runs: 2 rows, values 1-999, one run a row",
            "digits per run",
            [(n, partial(glued_runs, 2, n)) for n in (2, 3, 4, 5, 6, 7, 8, 10, 12, 15)],
        ),
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "point" not in metafunc.fixturenames:
        return
    keep = 3 if is_short(metafunc.config) else None
    params = []
    for key, name, axis, points in _sweeps():
        for size, make in points[:keep]:
            params.append(pytest.param((name, axis, size, make), id=f"{key}-{size}"))
    metafunc.parametrize("point", params)


def _bound(solution: Solution, seconds: float, max_seconds: float) -> str:
    """Which bound of SolveLimits the solve reached, from its notes ('' when none)."""
    text = " ".join(solution.notes)
    if "ways to place" in text or "splits" in text:
        return "placements"
    if "search stopped" in text or "within the search bounds" in text:
        return "nodes/checks"
    if "assignments fit equally well" in text:
        return "solutions"
    if seconds >= 0.98 * max_seconds:
        return "time (no note)"
    return ""


def test_scaling(
    benchmark: Any,
    point: tuple[str, str, int, Callable[[], SyntheticTable]],
    summary: dict[str, Any],
    short: bool,
) -> None:
    name, axis, size, make = point
    table = make()
    solution = benchmark.pedantic(
        solve_table,
        args=(table.rows, table.n_cols, table.equations, table.positive_only, table.limits),
        setup=clear_engine_caches,
        rounds=1 if short else 3,
        warmup_rounds=1,
    )
    seconds = float(benchmark.stats.stats.median)
    unknown = sum(s == "unknown" for r in solution.rows for s in r.status)
    # A cell the engine states must be the truth: a wrong one would be a silent error.
    wrong = sum(
        1
        for i, r in enumerate(solution.rows)
        for j, s in enumerate(r.status)
        if s != "unknown"
        and abs((0.0 if math.isnan(r.values[j]) else r.values[j]) - table.truth[i][j]) > 1e-6
    )
    x = size if not name.startswith("glued") else len(table.rows[0].cells[0].text)
    info = {
        "sweep": name,
        "axis": axis,
        "size": x,
        "seconds": seconds,
        "rows": len(table.rows),
        "columns": table.n_cols,
        "candidates": sum(r.candidates for r in solution.rows),
        "unknown": unknown,
        "wrong": wrong,
        "ambiguous": solution.ambiguous,
        "bound": _bound(solution, seconds, table.limits.max_seconds),
        "max_seconds": table.limits.max_seconds,
        "notes": solution.notes[:3],
    }
    benchmark.extra_info.update(info)
    points = summary.setdefault("scaling", {}).setdefault(name, [])
    points.append(info)
    points.sort(key=lambda p: p["size"])
