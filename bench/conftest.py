"""Benchmark session: one core, the corpora built once, and a summary printed and saved at the end.

Run everything: ``.venv/bin/python -m pytest bench``; CI's short mode: add ``--short`` (or set
``BENCH_SHORT=1``): small corpora and sweeps, same code paths, still failing on any engine/CP-SAT
disagreement, never on a timing.
"""

from __future__ import annotations

import os

# One core: numerical libraries must not spread work over threads (set before numpy loads).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from bench.report import render_summary, write_plot  # noqa: E402
from bench.workload import RESULTS, is_short, real_corpus, write_generated  # noqa: E402

SUMMARY = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--short", action="store_true", help="CI's short mode: small corpora and sweeps")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # The full run keeps pytest-benchmark's JSON under bench/results/ unless told otherwise.
    if not is_short(config) and not config.getoption("benchmark_json", default=None):
        RESULTS.mkdir(parents=True, exist_ok=True)
        config.option.benchmark_json = str(RESULTS / "benchmarks.json")
    config.stash[SUMMARY] = {}


@pytest.fixture(scope="session")
def short(pytestconfig: pytest.Config) -> bool:
    return is_short(pytestconfig)


@pytest.fixture(scope="session")
def summary(pytestconfig: pytest.Config) -> dict[str, Any]:
    """Numbers the tests leave for the closing summary table and summary.json."""
    return pytestconfig.stash[SUMMARY]


@pytest.fixture(scope="session")
def real_paths() -> list[Path]:
    return real_corpus()


@pytest.fixture(scope="session")
def generated_paths(tmp_path_factory: pytest.TempPathFactory, short: bool) -> list[Path]:
    """The generated corpus, written once per session: 1,002 reports (short: 6), styles in turn."""
    return write_generated(tmp_path_factory.mktemp("generated"), 6 if short else 1002, seed=10_000)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    data = config.stash.get(SUMMARY, {})
    if not data:
        return
    data["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus_allowed": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "short": is_short(config),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    terminalreporter.write_sep("=", "tablerecon benchmark summary")
    terminalreporter.write_line(render_summary(data))
    if not is_short(config):
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "summary.json").write_text(
            json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8"
        )
        plot = write_plot(data, RESULTS / "scaling.png")
        terminalreporter.write_line(
            f"summary: {RESULTS / 'summary.json'}" + (f"; plot: {plot}" if plot else "")
        )
