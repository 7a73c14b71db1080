"""The engine's solver against an exact CP-SAT model of the same problem: same answers on every
table (the test fails on any disagreement), and how much faster the engine is (target >= 100x;
reported, never asserted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.agreement import Agreement, check, generated_problems, timed_engine
from bench.workload import TableProblem, clear_engine_caches, read_text, table_problems


@pytest.fixture(scope="session")
def agreement(real_paths: list[Path], short: bool) -> Agreement:
    problems: list[tuple[TableProblem, str]] = []
    for path in real_paths:
        problems += [(p, f"corpus file {path.name}") for p in table_problems(read_text(path), path.name)]
    problems += generated_problems(("cell_per_line", "glued"), 3 if short else 60, seed=500)
    return check(problems)


def test_engine_agrees_with_cpsat(agreement: Agreement, summary: dict[str, Any]) -> None:
    summary["cpsat"] = agreement.as_dict()
    assert agreement.compared > 0
    assert not agreement.disagreements, "engine and CP-SAT disagree:\n" + "\n".join(
        str(d) for d in agreement.disagreements
    )


def test_solver_speed_vs_cpsat(
    benchmark: Any, agreement: Agreement, summary: dict[str, Any], short: bool
) -> None:
    """The compared tables solved again by the engine (caches cleared each round), against the
    CP-SAT time on the same tables."""
    problems = agreement.compared_problems
    benchmark.pedantic(
        timed_engine, args=(problems,), setup=clear_engine_caches, rounds=1 if short else 3, warmup_rounds=0
    )
    engine = benchmark.stats.stats.median
    cpsat = sum(agreement.cpsat_seconds)
    info = {
        "tables": len(problems),
        "engine_seconds": engine,
        "engine_seconds_in_extraction": sum(agreement.engine_seconds),
        "cpsat_seconds": cpsat,
        "cpsat_solves": agreement.cpsat_solves,
        "ratio": cpsat / engine,
        "ratio_in_extraction": agreement.ratio,
    }
    benchmark.extra_info.update(info)
    summary.setdefault("cpsat", agreement.as_dict()).update(
        engine_seconds_resolved=engine, ratio_resolved=cpsat / engine
    )
