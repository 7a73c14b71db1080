"""Reports per second, end to end on one core, each as a multiple of the floor measured in the
same run (reading the files and finding the numbers on each line): the floor is what any reader
pays, so the multiple is the engine's own cost, independent of the machine's speed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bench.workload import SEED_004, clear_engine_caches, floor, recording_solver
from tablerecon import extract_file

CORPORA = ("real", "generated", "seed004_like", "seed004_repeated")


@pytest.fixture(scope="session")
def corpora(real_paths: list[Path], generated_paths: list[Path], short: bool) -> dict[str, list[Path]]:
    """real: corpus/seeds + corpus/dev; generated: all styles in turn; seed004_like: the
    generated one-cell-a-line reports; seed004_repeated: seed 004 itself, 50 times (short: 5)."""
    return {
        "real": real_paths,
        "generated": generated_paths,
        "seed004_like": [p for p in generated_paths if "cell_per_line" in p.name],
        "seed004_repeated": [SEED_004] * (5 if short else 50),
    }


def _floor_seconds(paths: list[Path], repeat: int = 5) -> float:
    """The floor's best time over a few runs: its noise-free cost."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        floor(paths)
        best = min(best, time.perf_counter() - started)
    return best


def run_engine(
    paths: list[Path], per_doc: list[float], tables: list[int], calls: list[dict[str, Any]]
) -> None:
    """Extract every file; per-document seconds, table counts and each solve_table call's time
    go to the given lists (the recorder costs about a microsecond a table)."""
    per_doc.clear()
    tables.clear()
    with recording_solver(keep_problem=False) as recorder:
        for path in paths:
            recorder.source = path.name
            started = time.perf_counter()
            report = extract_file(path)
            per_doc.append(time.perf_counter() - started)
            tables.append(len(report.tables))
    calls[:] = recorder.calls


def latency(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Percentiles of the solver's time per table (target: p99 <= 5 ms) and the slowest tables."""
    ms: list[float] = sorted(1000 * float(c["seconds"]) for c in calls)

    def pct(q: float) -> float:
        return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]

    slowest = sorted(calls, key=lambda c: -c["seconds"])[:5]
    return {
        "tables": len(ms),
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "max_ms": ms[-1],
        "over_5ms": sum(m > 5 for m in ms),
        "slowest": [{"ms": 1000 * c["seconds"], "table": c["name"]} for c in slowest],
    }


@pytest.mark.parametrize("corpus", CORPORA)
def test_floor(benchmark: Any, corpora: dict[str, list[Path]], corpus: str, short: bool) -> None:
    paths = corpora[corpus]
    found = benchmark.pedantic(floor, args=(paths,), rounds=3 if short else 10, warmup_rounds=1)
    benchmark.extra_info.update(docs=len(paths), numbers_found=found)
    assert found > 0


@pytest.mark.parametrize("corpus", CORPORA)
def test_end_to_end(
    benchmark: Any, corpora: dict[str, list[Path]], corpus: str, short: bool, summary: dict[str, Any]
) -> None:
    paths = corpora[corpus]
    per_doc: list[float] = []
    tables: list[int] = []
    calls: list[dict[str, Any]] = []
    # Caches cleared before each round: a round over the same files must not find every row
    # already solved. Within a round they warm up as they would over a real batch.
    big = len(paths) > 100
    benchmark.pedantic(
        run_engine,
        args=(paths, per_doc, tables, calls),
        setup=clear_engine_caches,
        rounds=1 if (short or big) else 3,
        warmup_rounds=0 if big else 1,
    )
    engine = float(benchmark.stats.stats.median)
    floor_s = _floor_seconds(paths)
    info = {
        "docs": len(paths),
        "tables": sum(tables),
        "engine_seconds": engine,
        "reports_per_second": len(paths) / engine,
        "floor_seconds": floor_s,
        "floor_reports_per_second": len(paths) / floor_s if floor_s else float("nan"),
        "floor_multiple": engine / floor_s if floor_s else float("nan"),
        "doc_ms_p50": 1000 * sorted(per_doc)[len(per_doc) // 2],
        "doc_ms_max": 1000 * max(per_doc),
    }
    benchmark.extra_info.update(info)
    summary.setdefault("end_to_end", {})[corpus] = info
    if corpus == "generated":
        summary["table_latency"] = latency(calls)
        benchmark.extra_info["table_latency"] = summary["table_latency"]
        # Per flattening style, from the same round.
        for style in ("cell_per_line", "row_per_line", "glued"):
            idx = [i for i, p in enumerate(paths) if style in p.name]
            if not idx:
                continue
            seconds = sum(per_doc[i] for i in idx)
            floor_style = _floor_seconds([paths[i] for i in idx])
            summary["end_to_end"][f"generated:{style}"] = {
                "docs": len(idx),
                "tables": sum(tables[i] for i in idx),
                "engine_seconds": seconds,
                "reports_per_second": len(idx) / seconds,
                "floor_seconds": floor_style,
                "floor_reports_per_second": len(idx) / floor_style if floor_style else float("nan"),
                "floor_multiple": seconds / floor_style if floor_style else float("nan"),
            }
            style_calls = [c for c in calls if style in c["name"]]
            if style_calls:
                summary.setdefault("table_latency_by_style", {})[style] = {
                    k: v for k, v in latency(style_calls).items() if k != "slowest"
                }
    assert sum(tables) > 0
