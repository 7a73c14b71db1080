"""Engine against the CP-SAT reference over many tables: one tally for the test and the benchmark."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from bench.cpsat_reference import (
    KNOWN_DEVIATIONS,
    Reference,
    ReferenceSkip,
    compare,
    engine_stopped,
    solve_reference,
)
from bench.workload import TableProblem, table_problems
from tablerecon.synth import Deformations, Style, generate


@dataclass(slots=True)
class Disagreement:
    problem: TableProblem
    details: list[str]
    reproduce: str

    def __str__(self) -> str:
        return f"{self.problem.name} [{self.reproduce}]\n    " + "\n    ".join(self.details)


@dataclass(slots=True)
class Agreement:
    """How the engine and CP-SAT compared, and how long each took on the tables compared."""

    compared: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    disagreements: list[Disagreement] = field(default_factory=list)
    engine_seconds: list[float] = field(default_factory=list)  # per compared table, during extraction
    cpsat_seconds: list[float] = field(default_factory=list)
    cpsat_solves: int = 0
    order_dependent: int = 0  # components whose expected output depends on the search order
    provenance_ties: int = 0  # components where equally good readings infer different cells
    paths: Counter[str] = field(default_factory=Counter)  # which phase decided each component
    compared_problems: list[TableProblem] = field(default_factory=list)
    silent_timeouts: list[str] = field(default_factory=list)  # engine bug: bound reached, no note
    #: Disagreements explained by a known deviation of the engine's code from its rules.
    known: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """CP-SAT time over engine time, summed over the tables compared."""
        return sum(self.cpsat_seconds) / max(sum(self.engine_seconds), 1e-9)

    def as_dict(self) -> dict[str, object]:
        ratios = sorted(
            c / max(e, 1e-9) for c, e in zip(self.cpsat_seconds, self.engine_seconds, strict=True)
        )
        return {
            "tables_compared": self.compared,
            "tables_skipped": dict(self.skipped),
            "disagreements": [str(d) for d in self.disagreements],
            "engine_seconds": sum(self.engine_seconds),
            "cpsat_seconds": sum(self.cpsat_seconds),
            "cpsat_solves": self.cpsat_solves,
            "ratio_total": self.ratio,
            "ratio_median_table": ratios[len(ratios) // 2] if ratios else None,
            "order_dependent_components": self.order_dependent,
            "provenance_tie_components": self.provenance_ties,
            "component_paths": dict(self.paths),
            "engine_time_bound_without_note": self.silent_timeouts,
            "known_deviations": self.known,
        }


def generated_problems(
    styles: tuple[Style, ...], count: int, seed: int = 0
) -> list[tuple[TableProblem, str]]:
    """Tables of ``count`` generated documents per style, with how to regenerate each."""
    out = []
    for style in styles:
        for s in range(seed, seed + count):
            how = f"tablerecon.synth.generate({s}, Deformations(style={style!r}))"
            text = generate(s, Deformations(style=style)).text
            out += [(p, how) for p in table_problems(text, f"synth-{s}-{style}")]
    return out


def check(problems: list[tuple[TableProblem, str]], seconds_per_solve: float = 60.0) -> Agreement:
    """Compare every table the engine solved exactly; skip (and count) those it did not."""
    tally = Agreement()
    for problem, how in problems:
        stopped = engine_stopped(problem.solution)
        if stopped is not None:
            tally.skipped["engine search stopped at a bound"] += 1
            continue
        if problem.seconds >= 0.95 * problem.limits.max_seconds:
            # Its deadline passed: the answer is whatever the search had, though no note says so.
            tally.skipped["engine reached its time bound WITHOUT a note"] += 1
            tally.silent_timeouts.append(f"{problem.name} [{how}]")
            continue
        try:
            ref = _reference(problem, seconds_per_solve)
        except ReferenceSkip as exc:
            tally.skipped[f"reference: {exc}"] += 1
            continue
        tally.compared += 1
        tally.compared_problems.append(problem)
        tally.engine_seconds.append(problem.seconds)
        tally.cpsat_seconds.append(ref.seconds)
        tally.cpsat_solves += ref.solves
        tally.order_dependent += ref.order_dependent
        tally.provenance_ties += sum(
            1 for c in ref.components if any(e for o in c.outcomes for e in o.either)
        )
        tally.paths.update(c.path for c in ref.components)
        details = compare(problem.solution, ref, problem.row_keys)
        if details:
            deviation = _explained(problem, seconds_per_solve)
            if deviation is not None:
                tally.known.setdefault(deviation, []).append(f"{problem.name} [{how}]")
            else:
                tally.disagreements.append(Disagreement(problem, details, how))
    return tally


def _reference(
    problem: TableProblem, seconds_per_solve: float, as_coded: frozenset[str] = frozenset()
) -> Reference:
    """The reference's verdict on a problem, posed with every option the pipeline passed the
    engine (one place, so the two never see different problems)."""
    return solve_reference(
        problem.rows,
        problem.n_cols,
        problem.equations,
        problem.positive_only,
        problem.limits,
        fills_every_cell=bool(problem.options.get("fills_every_cell", False)),
        document_hints=problem.options.get("document_hints"),
        never_negative=tuple(problem.options.get("never_negative", ())),
        seconds_per_solve=seconds_per_solve,
        as_coded=as_coded,
    )


def _explained(problem: TableProblem, seconds_per_solve: float) -> str | None:
    """The known deviation that accounts for a disagreement: the reference, told to follow the
    engine's code on that one rule, agrees."""
    for name in KNOWN_DEVIATIONS:
        try:
            ref = _reference(problem, seconds_per_solve, frozenset({name}))
        except ReferenceSkip:
            continue
        if not compare(problem.solution, ref, problem.row_keys):
            return name
    return None


def timed_engine(problems: list[TableProblem]) -> float:
    """Seconds the engine takes to solve these tables again (its caches as they are)."""
    started = time.perf_counter()
    for p in problems:
        p.solve()
    return time.perf_counter() - started
