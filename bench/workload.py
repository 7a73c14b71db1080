"""The inputs every benchmark shares: the real corpus, a generated corpus, the floor, and each
table's solver problem as the pipeline poses it.

Problems are captured by wrapping ``pipeline.solve_table`` during a normal extraction, so the
solver benchmarks and the CP-SAT check see exactly what the pipeline passes, without copying its
find/match/variant logic here.
"""

from __future__ import annotations

import inspect
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tablerecon.pipeline as pipeline
from tablerecon import clear_caches, extract_text
from tablerecon.evidence import RowEvidence
from tablerecon.solve import Solution, SolveLimits, solve_table
from tablerecon.synth import STYLES, Deformations, Style, generate
from tablerecon.templates import Equation

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED_004 = CORPUS / "seeds" / "004_cee6ea4c640e5fe0.txt"
RESULTS = ROOT / "bench" / "results"

#: What the floor looks for on each line: the numbers, as any reader of these files must.
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def is_short(config: Any) -> bool:
    """CI's short mode: ``--short`` on the command line or ``BENCH_SHORT=1``."""
    return bool(config.getoption("--short", default=False)) or os.environ.get("BENCH_SHORT", "") not in (
        "",
        "0",
    )


def real_corpus() -> list[Path]:
    """Every real document shipped in corpus/ (seeds and dev; text and HTML pages)."""
    return sorted(
        p for d in ("seeds", "dev") for p in (CORPUS / d).iterdir() if p.suffix in (".txt", ".html")
    )


def write_generated(
    directory: Path, count: int, seed: int = 0, styles: tuple[Style, ...] = STYLES
) -> list[Path]:
    """``count`` generated reports, styles in turn, written as files (the floor reads files);
    the style is in the file name."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        style = styles[k % len(styles)]
        doc = generate(seed + k, Deformations(style=style))
        path = directory / f"synth-{seed + k:05d}-{style}.txt"
        path.write_text(doc.text, encoding="utf-8")
        paths.append(path)
    return paths


def floor(paths: list[Path]) -> int:
    """The least any reader must do: read each file, decode it, split it into lines and find
    the numbers on each. Returns the count of numbers so the work cannot be optimized away."""
    found = 0
    for path in paths:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        for line in text.splitlines():
            found += len(_NUMBER.findall(line))
    return found


@dataclass(slots=True)
class TableProblem:
    """One table's placement problem as the pipeline posed it, and the engine's answer."""

    source: str
    table: str
    row_keys: list[str]
    rows: list[RowEvidence]
    n_cols: int
    equations: list[Equation]
    positive_only: bool
    limits: SolveLimits
    solution: Solution
    seconds: float  # the engine's solve time during extraction
    options: dict[str, Any]  # further keyword arguments the pipeline passed (fills_every_cell, ...)

    @property
    def name(self) -> str:
        return f"{self.source}:{self.table}"

    def solve(self) -> Solution:
        return solve_table(
            self.rows, self.n_cols, self.equations, self.positive_only, self.limits, **self.options
        )


class Recorder:
    """Every ``solve_table`` call the pipeline made; set ``source`` to tag the calls that follow."""

    def __init__(self, keep_problem: bool) -> None:
        self.keep_problem = keep_problem
        self.source = ""
        self.calls: list[dict[str, Any]] = []


@contextmanager
def recording_solver(keep_problem: bool = True) -> Iterator[Recorder]:
    """Record every ``solve_table`` call the pipeline makes: its time, and with ``keep_problem``
    its arguments and result."""
    recorder = Recorder(keep_problem)
    # Looked up and replaced in the module's namespace, where the pipeline finds it.
    namespace = vars(pipeline)
    original = namespace["solve_table"]

    def recording(
        rows: list[RowEvidence],
        n_cols: int,
        equations: list[Equation],
        positive_only: bool,
        limits: SolveLimits | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Solution:
        started = time.perf_counter()
        solution: Solution = original(rows, n_cols, equations, positive_only, limits, *args, **kwargs)
        seconds = time.perf_counter() - started
        call: dict[str, Any] = {
            "seconds": seconds,
            "name": f"{recorder.source}:{rows[0].key if rows else '?'}.. ({len(rows)}x{n_cols})",
        }
        if recorder.keep_problem:
            call.update(
                rows=rows,
                n_cols=n_cols,
                equations=equations,
                positive_only=positive_only,
                limits=limits or SolveLimits(),
                solution=solution,
                options=_named(original, args, kwargs),
            )
        recorder.calls.append(call)
        return solution

    namespace["solve_table"] = recording
    try:
        yield recorder
    finally:
        namespace["solve_table"] = original


def _named(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Arguments beyond the first five (``explain``, ``fills_every_cell``, ...) by name, however
    the pipeline passed them."""
    params = list(inspect.signature(function).parameters)[5:]
    return {**dict(zip(params, args, strict=False)), **kwargs}


def clear_engine_caches() -> None:
    """Forget what the engine remembers across reports (rows solved, labels matched, lines read),
    so a benchmark round over the same files starts cold."""
    clear_caches()


def table_problems(text: str, source: str) -> list[TableProblem]:
    """Every table of one document as a solver problem, with the engine's solution."""
    with recording_solver() as recorder:
        recorder.source = source
        report = extract_text(text, source=source)
    calls = recorder.calls
    # Statistics read from prose (tablerecon.prose) are stated, not solved: no solver problem.
    solved = [t for t in report.tables if t.style != "prose"]
    if len(calls) != len(solved):
        raise RuntimeError(
            f"{source}: {len(calls)} solver calls for {len(solved)} tables; "
            "the pipeline no longer calls pipeline.solve_table once per table"
        )
    return [
        TableProblem(
            source=source,
            table=table.table,
            row_keys=list(table.rows),
            rows=call["rows"],
            n_cols=call["n_cols"],
            equations=call["equations"],
            positive_only=call["positive_only"],
            limits=call["limits"],
            solution=call["solution"],
            seconds=call["seconds"],
            options=call["options"],
        )
        for table, call in zip(solved, calls, strict=True)
    ]


def read_text(path: Path) -> str:
    """A corpus file as text (the real corpus is UTF-8)."""
    return path.read_text(encoding="utf-8")
