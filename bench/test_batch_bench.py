"""Batch throughput: documents per second through ``run_batch`` into DuckDB with one worker
process and with every core, and the speed-up between them.

Each round writes a fresh dataset, so nothing is skipped; the time includes starting the worker
processes, hashing and writing, as a user's ``tablerecon batch`` run does. The documents are
typical ones (~15 ms each on one core): reports that run the solver into its time bound would
make the ratio measure the slowest document rather than the batch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tablerecon.batch import default_jobs, run_batch
from tablerecon.synth import Deformations, generate

RESULTS: dict[int, float] = {}


def _write_corpus(directory: Path, count: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        if i % 2:
            deform = Deformations.none(style="row_per_line")
        else:
            deform = Deformations(style="cell_per_line", blanks_unhinted=0)
        (directory / f"b{i:05d}.txt").write_text(generate(50_000 + i, deform).text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def batch_corpus(tmp_path_factory: pytest.TempPathFactory, short: bool) -> tuple[Path, int]:
    count = 40 if short else 200
    return _write_corpus(tmp_path_factory.mktemp("batch-bench") / "in", count), count


@pytest.mark.parametrize("jobs", [1, default_jobs()], ids=["1-job", "all-cores"])
def test_batch_throughput(
    benchmark: Any,
    batch_corpus: tuple[Path, int],
    tmp_path: Path,
    jobs: int,
    short: bool,
    summary: dict[str, Any],
) -> None:
    src, count = batch_corpus
    runs = iter(range(1_000))

    def fresh() -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (src, tmp_path / f"run{next(runs)}.duckdb"), {"jobs": jobs}

    result = benchmark.pedantic(run_batch, setup=fresh, rounds=1 if short else 3, iterations=1)
    assert result.processed == count and result.errors == 0
    docs_per_second = count / benchmark.stats.stats.median
    RESULTS[jobs] = docs_per_second
    benchmark.extra_info.update(docs=count, jobs=jobs, docs_per_second=round(docs_per_second, 1))
    if 1 in RESULTS and jobs != 1:
        ratio = docs_per_second / RESULTS[1]
        benchmark.extra_info["ratio_vs_1_job"] = round(ratio, 2)
        summary["batch"] = {
            "docs": count,
            "jobs": jobs,
            "cpus_allowed": len(os.sched_getaffinity(0)),
            "docs_per_second_1_job": round(RESULTS[1], 1),
            "docs_per_second_all_cores": round(docs_per_second, 1),
            "ratio": round(ratio, 2),
        }
