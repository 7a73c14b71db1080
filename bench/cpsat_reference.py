"""The engine's placement problem stated exactly to a generic solver (OR-Tools CP-SAT).

The solver (tablerecon.solve) enumerates candidate placements and prunes them with its own
bounds; a wrong bound or an over-eager prune would silently change answers. Here nothing is
enumerated by hand: every placement of a row (the column of each value, the split of each glued
run, one optional lost cell) is an assignment of CP-SAT variables, so the engine and this model
agree only if both are right. They share only the rules: the cost constants, ``hints_trusted``,
the phase logic of ``solve.table._solve_component`` (phase A: identities hard, lost values
allowed; when it has no solution, or costs at least ``W_LOST``, the values-as-read phase and
its ``MARGIN`` rival), and the outputs derived from all optimal readings.

Distinct optimal *value matrices* are enumerated with no-good cuts (solve, forbid that matrix,
solve again) rather than ``enumerate_all_solutions``: equal matrices have many placements (a 0
can sit in any blank column of its slot), and raw assignments multiply across rows.

Where the engine's output depends on which optimal reading its search met first (the
representative behind read/inferred statuses and ``lost_cells_forced``; the rival comparison
uses every reading of the rival), every representative is tried and the engine must match
one; such components are counted. So are provenance ties: one value matrix read with
different cells inferred at the same cost.

Where the solver's code and its stated rules part, the reference follows the rules; a known
such deviation is listed in KNOWN_DEVIATIONS, with an ``as_coded`` switch that models the code,
so that the disagreements it explains are told apart from new ones.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
from ortools.sat.python import cp_model

from tablerecon.cells import MAX_NUMBER_DIGITS, Kind
from tablerecon.evidence import RowEvidence
from tablerecon.solve import (
    MARGIN,
    W_GAP,
    W_LOST,
    W_VIOLATION,
    HintCounts,
    Solution,
    SolveLimits,
    hints_trusted,
)
from tablerecon.splits import run_chunks
from tablerecon.templates import Equation

Mode = Literal["hard", "soft_lost", "soft"]
#: A CP-SAT linear expression (ortools' own union type makes mypy reject valid arithmetic on it).
Expr: TypeAlias = Any
#: A glued piece: a number with no leading zero (as in splits.run_splits).
_PIECE = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$")
#: Chunks of a glued run that stand for a blank cell.
_PLACEHOLDER_CHUNKS = frozenset({"—", "－", "–", "/", "-"})
#: Notes by which the engine says its search stopped at a bound: no exact answer to compare.
ENGINE_STOPPED = re.compile(
    r"search stopped|more than \d+ assignments|search bound|too many ways|ways to place|time bound"
)
MAX_DECIMALS = 6


def _dash_may_be_blank() -> bool:
    """Whether the engine reads a dash before digits in a signed table's run as either a minus
    sign or a blank cell's dash (a rule being introduced while this was written): asked of
    run_splits itself, so the reference follows the engine in either state."""
    from tablerecon.splits import run_splits

    return any(math.isnan(v) for s in run_splits("-5", 2, 100, True) or [] for v in s)


DASH_MAY_BE_BLANK = _dash_may_be_blank()


#: Rules where the solver's code and its stated intent differ, reported to the solver's owner. The
#: reference follows the intent; a disagreement that disappears when it follows the code
#: instead is tallied under the deviation's name rather than failing as an unexplained one.
KNOWN_DEVIATIONS: dict[str, str] = {}


class ReferenceSkip(Exception):
    """The reference cannot state this table exactly (values out of range, time limit)."""


@dataclass(frozen=True, slots=True)
class RowReading:
    """One row of one optimal reading."""

    values: tuple[int, ...]  # scaled integers, blank = 0
    read: frozenset[int]  # columns holding a value read from the text
    lost: int  # column of the inferred value, -1 when none
    #: Columns of the row identities the reading breaks: a blank or 0 there may be a lost value.
    doubted: frozenset[int]
    #: Columns that equally good readings of the same values infer instead (read here, or
    #: inferred here and read there): their status may be inferred or read.
    either: frozenset[int] = frozenset()


Reading = tuple[RowReading, ...]


@dataclass(slots=True)
class Outcome:
    """What the engine should emit for one component, for one choice of representatives."""

    values: list[np.ndarray]
    status: list[list[str]]
    count: int
    either: list[frozenset[int]]  # per row: cells that may be inferred or read


@dataclass(slots=True)
class ComponentResult:
    rows: list[int]
    path: str  # which phases decided it, e.g. "hard", "hard+rival", "soft_lost"
    outcomes: list[Outcome]
    capped: bool  # more optimal readings than the engine keeps


@dataclass(slots=True)
class Reference:
    """The reference's verdict on one table."""

    n_rows: int
    n_cols: int
    components: list[ComponentResult]
    seconds: float
    solves: int
    use_hints: bool
    order_dependent: int = 0  # components whose expected output depends on the representative


def engine_stopped(solution: Solution) -> str | None:
    """The engine's note saying its search stopped early, if any: no exact answer to compare.
    A solution flagged ``stopped`` is never taken as exact, note or not."""
    note = next((n for n in solution.notes if ENGINE_STOPPED.search(n)), None)
    return note if note is not None or not solution.stopped else "stopped at a bound (no note)"


# --------------------------------------------------------------------------------------------
# Scaling: CP-SAT is integer; amounts carry decimals.


def _decimals(value: float) -> int:
    text = f"{abs(value):.{MAX_DECIMALS + 1}f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _chunks(text: str, signed: bool = True) -> list[str]:
    """A glued run's chunks, as splits.run_splits cuts them: spaces, signs, units and placeholders
    are certain boundaries; in count tables (``signed`` False) every dash is a placeholder."""
    return run_chunks(text, signed)


def _table_scale(rows: list[RowEvidence]) -> int:
    decimals = 0
    for row in rows:
        for cell in row.cells:
            if cell.kind is Kind.NUMBER and cell.value is not None:
                decimals = max(decimals, _decimals(cell.value))
            elif cell.kind is Kind.RUN:
                for chunk in _chunks(cell.text):
                    if "." in chunk:
                        decimals = max(decimals, len(chunk) - chunk.index(".") - 1)
    if decimals > MAX_DECIMALS:
        raise ReferenceSkip(f"{decimals} decimals")
    return int(10**decimals)


# --------------------------------------------------------------------------------------------
# One row as CP-SAT variables.


@dataclass(slots=True)
class _RowVars:
    y: list[Expr]  # scaled value of each column
    soft: Expr  # hint disagreement (W_GAP each) or glued cells dropped (1 each)
    lost: dict[int, cp_model.IntVar]  # column -> inferred here
    lost_any: Expr
    read_of: list[tuple[cp_model.IntVar, int]]  # (indicator, column) of each value read


def _local_coefs(local: list[Equation], n_cols: int) -> list[list[int]]:
    out = []
    for eq in local:
        coef = [0] * n_cols
        for _, c, a in eq.terms:
            coef[c] += a
        out.append(coef)
    return out


def _lost_cells(
    m: cp_model.CpModel,
    n_cols: int,
    scale: int,
    local: list[list[int]],
    positive_only: bool,
    magnitude: float,
    numbers_at: list[list[cp_model.IntVar]],
) -> tuple[dict[int, cp_model.IntVar], dict[int, cp_model.IntVar]]:
    """At most one lost cell per row, in a column a row identity covers and no number read
    occupies: its value a non-zero integer (positive in count tables). ``magnitude`` bounds
    what the row's other values can sum to."""
    lostable = [c for c in range(n_cols) if any(coef[c] != 0 for coef in local)]
    if not lostable:
        return {}, {}
    coefs = [abs(a) for coef in local for a in coef if a]
    bound = math.ceil(magnitude / scale * max(coefs) / min(coefs)) + 1
    lost: dict[int, cp_model.IntVar] = {}
    w: dict[int, cp_model.IntVar] = {}
    for c in lostable:
        lost[c] = m.new_bool_var("")
        w[c] = m.new_int_var(-bound, bound, "")
        m.add(w[c] == 0).only_enforce_if(~lost[c])
        if positive_only:
            m.add(w[c] >= 1).only_enforce_if(lost[c])
        else:
            m.add(w[c] != 0).only_enforce_if(lost[c])
        if numbers_at[c]:
            m.add(lost[c] + sum(numbers_at[c]) <= 1)
    m.add_at_most_one(lost.values())
    return lost, w


def _normal_row(
    m: cp_model.CpModel,
    row: RowEvidence,
    n_cols: int,
    scale: int,
    local: list[list[int]],
    allow_lost: bool,
    positive_only: bool,
    use_hints: bool,
) -> _RowVars:
    """Values keep their order; each sits in one column; one empty cell may be lost."""
    cells = row.cells
    n = len(cells)
    vals = [round(c.value * scale) if c.kind is Kind.NUMBER and c.value is not None else 0 for c in cells]
    numeric = [c.kind is Kind.NUMBER for c in cells]
    x: list[dict[int, cp_model.IntVar]] = []
    for i in range(n):
        x.append({c: m.new_bool_var("") for c in range(i, n_cols - n + i + 1)})
        m.add_exactly_one(x[i].values())
    pos = [sum(c * v for c, v in xi.items()) for xi in x]
    for i in range(n - 1):
        m.add(pos[i + 1] >= pos[i] + 1)
    occ: list[Expr] = []
    for c in range(n_cols):
        here = [x[i][c] for i in range(n) if c in x[i]]
        if len(here) > 1:
            m.add_at_most_one(here)
        occ.append(sum(here))
    lost: dict[int, cp_model.IntVar] = {}
    w: dict[int, cp_model.IntVar] = {}
    if allow_lost and local:
        # A number read occupies its cell for good; a placeholder (/, -) may stand for a lost value.
        numbers_at = [[x[i][c] for i in range(n) if numeric[i] and c in x[i]] for c in range(n_cols)]
        lost, w = _lost_cells(m, n_cols, scale, local, positive_only, sum(abs(v) for v in vals), numbers_at)
    y = [
        sum(vals[i] * x[i][c] for i in range(n) if c in x[i]) + (scale * w[c] if c in w else 0)
        for c in range(n_cols)
    ]
    soft: Expr = 0
    gaps = [g if g is not None else -1 for g in row.gaps]
    if len(gaps) != n + 1:
        gaps = [-1] * (n + 1)
    if use_hints and any(g >= 0 for g in gaps):
        # A lost cell the text dropped takes one of the blank slots the hints count, unless the
        # hints account for every column: then it fills a blank the text marked.
        accounted = all(g >= 0 for g in gaps) and n + sum(gaps) == n_cols
        dropped: dict[int, cp_model.IntVar] = {}
        for c, lc in {} if accounted else lost.items():
            d = dropped[c] = m.new_bool_var("")
            m.add(d <= lc)
            m.add(d + occ[c] <= 1)
            m.add(d >= lc - occ[c])
        q = sum(c * d for c, d in dropped.items())
        h = [m.new_bool_var("") for _ in range(n + 1)] if dropped else []
        if h:
            m.add(sum(h) == sum(dropped.values()))
        terms = []
        for s in range(n + 1):
            prev = pos[s - 1] if s > 0 else -1
            nxt = pos[s] if s < n else n_cols
            if h:
                m.add(q > prev).only_enforce_if(h[s])
                m.add(q < nxt).only_enforce_if(h[s])
            if gaps[s] < 0:
                continue
            skipped = nxt - prev - 1 - (h[s] if h else 0)
            dev = m.new_int_var(0, n_cols + gaps[s], "")
            m.add_abs_equality(dev, skipped - gaps[s])
            terms.append(dev)
        soft = W_GAP * sum(terms)
    read_of = [(x[i][c], c) for i in range(n) if numeric[i] for c in x[i]]
    return _RowVars(y=y, soft=soft, lost=lost, lost_any=sum(lost.values()), read_of=read_of)


def _lost_and(m: cp_model.CpModel, lost: cp_model.IntVar, skipped: Expr) -> cp_model.IntVar:
    """A literal: the lost value sits in a column the split left blank (not on a placeholder)."""
    both = m.new_bool_var("")
    m.add(both <= lost)
    m.add(both <= skipped)
    m.add(both >= lost + skipped - 1)
    return both


def _glued_row(
    m: cp_model.CpModel,
    row: RowEvidence,
    n_cols: int,
    scale: int,
    local: list[list[int]],
    allow_lost: bool,
    positive_only: bool,
    use_hints: bool,
) -> _RowVars:
    """A row with glued runs as a path: nodes (characters consumed, columns filled); each edge
    puts one piece (a substring that is a number, or a placeholder) in the next column or
    leaves that column blank. One empty cell may be lost, as in other rows."""
    # Edges over character positions: (start, end, scaled value, read, occupies).
    edges: list[tuple[int, int, int, bool, bool]] = []
    t = 0
    for cell in row.cells:
        if cell.kind is Kind.RUN:
            chunks = _chunks(cell.text, signed=not positive_only)
            if not chunks:
                raise ReferenceSkip("glued run without digits")
            for chunk in chunks:
                if chunk in _PLACEHOLDER_CHUNKS:
                    # A placeholder in a run is a blank cell that a row identity may fill.
                    edges.append((t, t + len(chunk), 0, False, False))
                elif DASH_MAY_BE_BLANK and not positive_only and chunk[0] == "-":
                    edges.append((t, t + 1, 0, False, False))  # or the dash of a blank cell
                for a in range(len(chunk)):
                    for b in range(a + 1, len(chunk) + 1):
                        piece = chunk[a:b]
                        digits = len(piece.lstrip("+-").replace(".", ""))
                        if _PIECE.match(piece) and digits <= MAX_NUMBER_DIGITS:
                            edges.append((t + a, t + b, round(float(piece) * scale), True, True))
                t += len(chunk)
        else:
            # A cell of its own (solve.candidates._glued_placed): it occupies its column for good.
            value = cell.value if cell.kind is Kind.NUMBER and cell.value is not None else 0.0
            edges.append((t, t + 1, round(value * scale), cell.kind is not Kind.PLACEHOLDER, True))
            t += 1
    end = t
    inf = n_cols + 1
    fwd = [0] + [inf] * end  # fewest pieces from the start to each position
    for a, b, *_ in sorted(edges):
        fwd[b] = min(fwd[b], fwd[a] + 1)
    bwd = [inf] * end + [0]  # fewest pieces from each position to the end
    for a, b, *_ in sorted(edges, key=lambda e: -e[0]):
        bwd[a] = min(bwd[a], bwd[b] + 1)

    def ok(p: int, c: int) -> bool:
        return fwd[p] <= c and c + bwd[p] <= n_cols

    flow: dict[tuple[int, int], list[Expr]] = {}  # node -> +in / -out
    big = max((abs(e[2]) for e in edges), default=0)
    base = [m.new_int_var(-big, big, "") for _ in range(n_cols)]
    skip_at: list[list[cp_model.IntVar]] = [[] for _ in range(n_cols)]
    numbers_at: list[list[cp_model.IntVar]] = [[] for _ in range(n_cols)]
    read_of = []
    for c in range(n_cols):
        for a, b, v, read, occupies in edges:
            if ok(a, c) and ok(b, c + 1):
                z = m.new_bool_var("")
                flow.setdefault((a, c), []).append(-z)
                flow.setdefault((b, c + 1), []).append(z)
                m.add(base[c] == v).only_enforce_if(z)
                if read:
                    read_of.append((z, c))
                if occupies:
                    numbers_at[c].append(z)
        for p in range(end + 1):
            if ok(p, c) and ok(p, c + 1):
                s = m.new_bool_var("")
                flow.setdefault((p, c), []).append(-s)
                flow.setdefault((p, c + 1), []).append(s)
                m.add(base[c] == 0).only_enforce_if(s)
                skip_at[c].append(s)
    if not ok(0, 0) or not ok(end, n_cols):
        m.add_bool_or([])  # no split fits the columns
    for node, terms in flow.items():
        balance = -1 if node == (0, 0) else 1 if node == (end, n_cols) else 0
        m.add(sum(terms) == balance)
    lost: dict[int, cp_model.IntVar] = {}
    w: dict[int, cp_model.IntVar] = {}
    if allow_lost and local:
        lost, w = _lost_cells(m, n_cols, scale, local, positive_only, n_cols * big, numbers_at)
    y = [base[c] + (scale * w[c] if c in w else 0) for c in range(n_cols)]
    soft: Expr = 0
    if use_hints:
        # Where the document writes every cell, each column left blank costs one; a lost value
        # fills its column.
        blank: list[Expr] = []
        for c in range(n_cols):
            skipped: Expr = sum(skip_at[c])
            if c in lost:
                blank.append(skipped - _lost_and(m, lost[c], skipped))
            else:
                blank.append(skipped)
        soft = sum(blank)
    return _RowVars(y=y, soft=soft, lost=lost, lost_any=sum(lost.values()), read_of=read_of)


# --------------------------------------------------------------------------------------------
# One component: its models, optima and optimal readings.


@dataclass(slots=True)
class _Built:
    model: cp_model.CpModel
    rows: list[_RowVars]
    objective: Expr


class _Component:
    def __init__(
        self,
        rows: list[RowEvidence],
        comp_rows: list[int],
        global_eqs: list[Equation],
        local_eqs: dict[int, list[Equation]],
        n_cols: int,
        scale: int,
        use_hints: bool,
        positive_only: bool,
        seconds: float,
        as_coded: frozenset[str] = frozenset(),
        never_negative: tuple[int, ...] = (),
    ) -> None:
        self.rows = rows
        self.comp_rows = comp_rows
        self.global_eqs = global_eqs
        self.local_eqs = local_eqs
        self.local = {r: _local_coefs(local_eqs.get(r, []), n_cols) for r in comp_rows}
        self.n_cols = n_cols
        self.scale = scale
        self.use_hints = use_hints
        self.positive_only = positive_only
        self.seconds = seconds
        self.as_coded = as_coded
        self.never_negative = never_negative
        self.solves = 0
        self._min_soft: dict[tuple[int, bool], int] = {}

    def _solver(self) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = self.seconds
        return solver

    def _row(self, m: cp_model.CpModel, r: int, allow_lost: bool) -> _RowVars:
        row = self.rows[r]
        args = (
            m,
            row,
            self.n_cols,
            self.scale,
            self.local[r],
            allow_lost,
            self.positive_only,
            self.use_hints,
        )
        # Rows consult self.as_coded for the rule a KNOWN_DEVIATIONS entry names (none listed now).
        made = (_glued_row if any(c.kind is Kind.RUN for c in row.cells) else _normal_row)(*args)
        for c in self.never_negative:  # only the columns that may be negative hold a negative value
            m.add(made.y[c] >= 0)
        return made

    def _eq_expr(self, eq: Equation, vars_of: dict[int, _RowVars]) -> Expr:
        return sum(a * vars_of[r].y[c] for r, c, a in eq.terms)

    def min_soft(self, r: int, allow_lost: bool) -> int:
        """The row's least hint disagreement over all its placements (lost ones being valid)."""
        key = (r, allow_lost)
        if key not in self._min_soft:
            m = cp_model.CpModel()
            rv = self._row(m, r, allow_lost)
            self._lost_needs_local(m, r, rv)
            m.minimize(rv.soft)
            solver = self._solver()
            self.solves += 1
            status = solver.solve(m)
            if status != cp_model.OPTIMAL:
                raise ReferenceSkip(f"row {self.rows[r].key}: no placement ({solver.status_name(status)})")
            self._min_soft[key] = round(solver.objective_value)
        return self._min_soft[key]

    def _lost_needs_local(self, m: cp_model.CpModel, r: int, rv: _RowVars) -> None:
        """A lost value is only ever inferred where the row's own identities then hold."""
        if not rv.lost:
            return
        lost_any = m.new_bool_var("")
        m.add(rv.lost_any == lost_any)
        for eq in self.local_eqs.get(r, []):
            m.add(sum(a * rv.y[c] for _, c, a in eq.terms) == 0).only_enforce_if(lost_any)

    def reads_column(self, r: int, values: tuple[int, ...], column: int) -> bool:
        """solve.candidates.reads_column: a placement of row ``r``'s values at its least hint
        disagreement gives ``values`` (scaled) with a value read in ``column``."""
        m = cp_model.CpModel()
        rv = self._row(m, r, False)
        m.add(rv.soft == self.min_soft(r, False))
        for c, value in enumerate(values):
            m.add(rv.y[c] == value)
        m.add(sum(ind for ind, c in rv.read_of if c == column) >= 1)
        solver = self._solver()
        self.solves += 1
        status = solver.solve(m)
        if status == cp_model.UNKNOWN:
            raise ReferenceSkip(f"row {self.rows[r].key}: {solver.status_name(status)}")
        return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def build(self, mode: Mode) -> _Built:
        m = cp_model.CpModel()
        allow_lost = mode != "soft"
        vars_of = {r: self._row(m, r, allow_lost) for r in self.comp_rows}
        eqs = [*self.global_eqs, *(eq for r in self.comp_rows for eq in self.local_eqs.get(r, []))]
        lost_total = sum(rv.lost_any for rv in vars_of.values())
        soft_total = sum(rv.soft for rv in vars_of.values())
        if mode == "hard":
            for eq in eqs:
                m.add(self._eq_expr(eq, vars_of) == 0)
            objective = W_LOST * lost_total + soft_total
        else:
            violated = []
            for eq in eqs:
                v = m.new_bool_var("")
                m.add(self._eq_expr(eq, vars_of) == 0).only_enforce_if(~v)
                violated.append(v)
            for r, rv in vars_of.items():
                self._lost_needs_local(m, r, rv)
                # The source breaks its identities, so only the hints' favourite placements remain.
                m.add(rv.soft == self.min_soft(r, allow_lost))
            objective = W_VIOLATION * sum(violated) + W_LOST * lost_total + soft_total
        return _Built(m, [vars_of[r] for r in self.comp_rows], objective)

    def optimum(self, mode: Mode) -> int | None:
        built = self.build(mode)
        built.model.minimize(built.objective)
        solver = self._solver()
        self.solves += 1
        status = solver.solve(built.model)
        if status == cp_model.INFEASIBLE:
            return None
        if status != cp_model.OPTIMAL:
            raise ReferenceSkip(f"{mode}: {solver.status_name(status)}")
        return round(solver.objective_value)

    def readings(self, mode: Mode, cost: int, limit: int) -> tuple[list[Reading], bool]:
        """Distinct optimal value matrices (at most ``limit``) and whether there are more."""
        built = self.build(mode)
        m = built.model
        m.add(built.objective == cost)
        found: list[Reading] = []
        while True:
            solver = self._solver()
            self.solves += 1
            status = solver.solve(m)
            if status == cp_model.INFEASIBLE:
                return found, False
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                raise ReferenceSkip(f"{mode} enumeration: {solver.status_name(status)}")
            if len(found) == limit:
                return found, True
            pairs = zip(self.comp_rows, built.rows, strict=True)
            reading = tuple(self._reading(solver, r, rv) for r, rv in pairs)
            found.append(self._provenance(m, built.rows, reading))
            differs = []
            for rv, rr in zip(built.rows, reading, strict=True):
                for c in range(self.n_cols):
                    b = m.new_bool_var("")
                    m.add(rv.y[c] != rr.values[c]).only_enforce_if(b)
                    differs.append(b)
            m.add_bool_or(differs)

    def _provenance(self, m: cp_model.CpModel, rows: list[_RowVars], reading: Reading) -> Reading:
        """The reading with, per row, the cells whose value may equally be read or inferred: one
        value matrix can come from readings that infer different cells at the same cost (a 1
        read in one column and inferred in the next), and the engine keeps whichever it met
        first. Found by fixing the values and excluding the lost cells seen so far."""
        if not any(rv.lost for rv in rows):
            return reading
        fix = m.new_bool_var("")
        for rv, rr in zip(rows, reading, strict=True):
            for c in range(self.n_cols):
                m.add(rv.y[c] == rr.values[c]).only_enforce_if(fix)
        any_lost = []
        for rv in rows:
            la = m.new_bool_var("")
            m.add(rv.lost_any == la)
            any_lost.append(la)
        options = [{rr.lost} for rr in reading]
        seen = [tuple(rr.lost for rr in reading)]
        for _ in range(8):
            clause = []
            for i, rv in enumerate(rows):
                # Some row infers elsewhere than in the last vector seen (earlier ones are
                # already excluded).
                lost_now = seen[-1][i]
                clause.append(~rv.lost[lost_now] if lost_now >= 0 else any_lost[i])
            m.add_bool_or(clause).only_enforce_if(fix)
            solver = self._solver()
            self.solves += 1
            m.add_assumptions([fix])
            status = solver.solve(m)
            m.clear_assumptions()
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
            vector = tuple(next((c for c, v in rv.lost.items() if solver.value(v)), -1) for rv in rows)
            seen.append(vector)
            for i, q in enumerate(vector):
                options[i].add(q)
        return tuple(
            RowReading(rr.values, rr.read, rr.lost, rr.doubted, frozenset(q for q in opts if q >= 0))
            if len(opts) > 1
            else rr
            for rr, opts in zip(reading, options, strict=True)
        )

    def _reading(self, solver: cp_model.CpSolver, r: int, rv: _RowVars) -> RowReading:
        values = tuple(int(solver.value(e)) for e in rv.y)
        read = frozenset(c for ind, c in rv.read_of if solver.value(ind))
        lost = next((c for c, v in rv.lost.items() if solver.value(v)), -1)
        doubted = frozenset(
            c
            for eq in self.local_eqs.get(r, [])
            if sum(a * values[c] for _, c, a in eq.terms) != 0
            for _, c, _ in eq.terms
        )
        return RowReading(values, read, lost, doubted)

    def lost_forced(self, reading: Reading) -> bool:
        """solve.lost_cells_forced: every identity through an inferred cell holds."""
        by_row = dict(zip(self.comp_rows, reading, strict=True))
        for r, rr in by_row.items():
            if rr.lost < 0:
                continue
            for eq in [*self.global_eqs, *self.local_eqs.get(r, [])]:
                through = (r, rr.lost) in {(t[0], t[1]) for t in eq.terms}
                if through and sum(a * by_row[rx].values[c] for rx, c, a in eq.terms) != 0:
                    return False
        return True


# --------------------------------------------------------------------------------------------
# From optimal readings to the engine's outputs.


def _derive(
    readings: Sequence[Reading],
    first: int,
    soft: bool,
    rivals: Sequence[Reading] | None,
    n_cols: int,
    scale: int,
    totals: frozenset[tuple[int, int]] = frozenset(),
    reads_column: Callable[[int, tuple[int, ...], int], bool] | None = None,
) -> Outcome:
    """The cells as the engine states them, with ``readings[first]`` as its representative.
    ``totals``: the (component row, column) cells that are an identity's total; one the
    representative infers and a rival reads blank, inferring nothing in the row and with no
    placement as good reading a value there (``reads_column``), is a blank total, not a
    disagreement."""
    rep = readings[first]
    values_out: list[np.ndarray] = []
    status_out: list[list[str]] = []
    differ = 0
    for i, rr in enumerate(rep):
        values = np.array(rr.values, dtype=float) / scale
        status = ["read" if c in rr.read else "blank" for c in range(n_cols)]
        if rr.lost >= 0:
            status[rr.lost] = "inferred"
        for c in range(n_cols):
            if status[c] == "blank":
                values[c] = np.nan
        for other in readings:
            for c in range(n_cols):
                if other[i].values[c] != rr.values[c]:
                    status[c], values[c] = "unknown", np.nan
        if soft:
            for c in sorted(rr.doubted):
                if status[c] != "unknown" and (math.isnan(values[c]) or values[c] == 0):
                    status[c], values[c] = "unknown", np.nan
        for rival in rivals or ():
            alt = rival[i].values
            for c in range(n_cols):
                mine = 0 if math.isnan(values[c]) else round(values[c] * scale)
                blank_total = (
                    (i, c) in totals
                    and status[c] == "inferred"
                    and c not in rr.either  # read as well as inferred: the search's order chose
                    and rival[i].lost < 0
                    and reads_column is not None
                    and not reads_column(i, rival[i].values, c)
                )
                if status[c] != "unknown" and mine != alt[c] and not blank_total:
                    status[c], values[c] = "unknown", np.nan
                    differ += 1
        values_out.append(values)
        status_out.append(status)
    either = [rr.either for rr in rep]
    return Outcome(values_out, status_out, len(readings) + (1 if differ else 0), either)


def _outcomes(
    readings: list[Reading],
    soft: bool,
    rivals: list[Reading] | None,
    n_cols: int,
    scale: int,
    firsts: Sequence[int] | None = None,
    totals: frozenset[tuple[int, int]] = frozenset(),
    reads_column: Callable[[int, tuple[int, ...], int], bool] | None = None,
) -> list[Outcome]:
    return [
        _derive(readings, k, soft, rivals, n_cols, scale, totals, reads_column)
        for k in (firsts if firsts is not None else range(len(readings)))
    ]


def solve_reference(
    rows: list[RowEvidence],
    n_cols: int,
    equations: list[Equation],
    positive_only: bool,
    limits: SolveLimits | None = None,
    fills_every_cell: bool = False,
    seconds_per_solve: float = 60.0,
    as_coded: frozenset[str] = frozenset(),
    document_hints: HintCounts | None = None,
    never_negative: tuple[int, ...] = (),
) -> Reference:
    """The reference's verdict on one table; raises ``ReferenceSkip`` when it cannot decide.
    ``as_coded`` names KNOWN_DEVIATIONS to take as the engine codes them, not as intended."""
    limits = limits or SolveLimits()
    started = time.perf_counter()
    usable = [r.found and len(r.cells) <= n_cols for r in rows]
    equations = [eq for eq in equations if all(usable[t[0]] for t in eq.terms)]
    local_eqs: dict[int, list[Equation]] = {}
    global_eqs: list[Equation] = []
    for eq in equations:
        touched = {t[0] for t in eq.terms}
        if len(touched) == 1:
            local_eqs.setdefault(next(iter(touched)), []).append(eq)
        else:
            global_eqs.append(eq)
    # Glued tables count dropped cells only where the document writes every cell.
    glued = any(c.kind is Kind.RUN for r in rows for c in r.cells)
    use_hints = fills_every_cell if glued else hints_trusted(rows, n_cols, document_hints)
    scale = _table_scale(rows)
    # Rows tied by a global identity form one component (union-find).
    parent = list(range(len(rows)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for eq in global_eqs:
        tied = sorted({t[0] for t in eq.terms})
        for r in tied[1:]:
            parent[find(r)] = find(tied[0])
    groups: dict[int, list[int]] = {}
    for r in range(len(rows)):
        if usable[r]:
            groups.setdefault(find(r), []).append(r)
    ref = Reference(len(rows), n_cols, [], 0.0, 0, use_hints)
    limit = limits.max_solutions
    for comp_rows in groups.values():
        members = set(comp_rows)
        comp_global = [eq for eq in global_eqs if eq.terms[0][0] in members]
        comp = _Component(
            rows,
            comp_rows,
            comp_global,
            local_eqs,
            n_cols,
            scale,
            use_hints,
            positive_only,
            seconds_per_solve,
            as_coded,
            never_negative,
        )
        result = _solve_one(comp, limit, n_cols, scale)
        ref.solves += comp.solves
        ref.components.append(result)
        if len({_key(o) for o in result.outcomes}) > 1:
            ref.order_dependent += 1
    ref.seconds = time.perf_counter() - started
    return ref


def _solve_one(comp: _Component, limit: int, n_cols: int, scale: int) -> ComponentResult:
    """solve.table._solve_component's phase logic, each phase solved exactly."""
    hard = comp.optimum("hard")
    if hard is None:
        # No reading holds every identity: the source is inconsistent. Inferences are kept only
        # when the engine's representative infers nothing the identities do not force; a path
        # with more optimal readings than the engine keeps would be noted by it, so is left out.
        cost = comp.optimum("soft_lost")
        assert cost is not None, "a values-as-read reading always exists"
        with_lost, capped = comp.readings("soft_lost", cost, limit)
        forced = [k for k, rd in enumerate(with_lost) if comp.lost_forced(rd)]
        outcomes = [] if capped else _outcomes(with_lost, True, None, n_cols, scale, firsts=forced)
        path = "soft_lost"
        if capped or len(forced) < len(with_lost):
            cost = comp.optimum("soft")
            assert cost is not None
            as_read, capped_b = comp.readings("soft", cost, limit)
            if not capped_b:
                outcomes += _outcomes(as_read, True, None, n_cols, scale)
            path = "soft_lost|soft" if forced else "soft"
        return ComponentResult(comp.comp_rows, path, outcomes, not outcomes)
    readings, capped = comp.readings("hard", hard, limit)
    if hard < W_LOST:
        return ComponentResult(
            comp.comp_rows, "hard", _outcomes(readings, False, None, n_cols, scale), capped
        )
    # The consistent reading infers values or overrides hints: the values-as-read reading may
    # explain the text as well, within MARGIN.
    soft = comp.optimum("soft")
    if soft is not None and soft < hard:
        as_read, capped_b = comp.readings("soft", soft, limit)
        tag = " (rival capped)" if capped else ""
        outcomes = _outcomes(as_read, True, readings, n_cols, scale)
        return ComponentResult(comp.comp_rows, "soft+rival" + tag, outcomes, capped_b)
    rivals: list[Reading] = []
    tag, path = "", "hard"
    if soft is not None and soft <= hard + MARGIN - 1:
        as_read, capped_b = comp.readings("soft", soft, limit)
        rivals += as_read
        tag, path = (" (rival capped)" if capped_b else ""), "hard+rival"
    # And, still holding the consistent reading, those that infer what else the text lost and
    # report a source error, within MARGIN: compared, never taken.
    mixed = comp.optimum("soft_lost") if hard >= W_LOST + W_VIOLATION else None
    if mixed is not None and mixed <= hard + MARGIN - 1:
        with_lost, capped_m = comp.readings("soft_lost", mixed, limit)
        rivals += with_lost
        path += "+mixed"
        tag = " (rival capped)" if capped_m else tag
    where = {r: i for i, r in enumerate(comp.comp_rows)}
    eqs = [*comp.global_eqs, *(eq for r in comp.comp_rows for eq in comp.local_eqs.get(r, []))]
    totals = frozenset((where[r], c) for eq in eqs for r, c in eq.totals if r in where)
    outcomes = _outcomes(
        readings,
        False,
        rivals or None,
        n_cols,
        scale,
        totals=totals,
        reads_column=lambda i, values, c: comp.reads_column(comp.comp_rows[i], values, c),
    )
    return ComponentResult(comp.comp_rows, path + tag, outcomes, capped)


# --------------------------------------------------------------------------------------------
# Comparison with the engine.


def _cls(status: str) -> str:
    """read and blank are one class: a 0 read and a blank are the same data."""
    return "known" if status in ("read", "blank") else status


def _key(o: Outcome) -> tuple[object, ...]:
    return (
        o.count,
        tuple(
            (_cls(s), 0.0 if math.isnan(v) else round(float(v), 6))
            for vals, st in zip(o.values, o.status, strict=True)
            for v, s in zip(vals, st, strict=True)
        ),
    )


def _row_matches(
    values: np.ndarray,
    status: Sequence[str],
    o_values: np.ndarray,
    o_status: Sequence[str],
    either: frozenset[int] = frozenset(),
    doubt: bool = False,
) -> bool:
    """Whether the engine's row states what the reference's does: the same class per cell (read
    and blank alike), the same values where known; with ``doubt``, an unknown cell also fits."""
    for j, (s, os_) in enumerate(zip(status, o_status, strict=True)):
        if doubt and _cls(s) == "unknown":
            continue
        if _cls(s) != _cls(os_) and not (j in either and {_cls(s), _cls(os_)} == {"known", "inferred"}):
            return False
        if _cls(s) == "unknown":
            continue
        a = 0.0 if math.isnan(values[j]) else float(values[j])
        b = 0.0 if math.isnan(o_values[j]) else float(o_values[j])
        if abs(a - b) > 1e-6 * max(1.0, abs(b)):
            return False
    return True


def _fmt_row(values: np.ndarray, status: Sequence[str]) -> str:
    return " ".join(
        "?" if s == "unknown" else ("." if math.isnan(v) else f"{v:g}") + ("*" if s == "inferred" else "")
        for v, s in zip(values, status, strict=True)
    )


def compare(engine: Solution, ref: Reference, row_keys: Sequence[str] | None = None) -> list[str]:
    """Disagreements between the engine's solution and the reference (empty when they agree)."""
    problems: list[str] = []
    keys = list(row_keys) if row_keys is not None else [str(r) for r in range(ref.n_rows)]
    placed: set[int] = set()
    products = {1}
    for comp in ref.components:
        placed.update(comp.rows)
        if comp.capped:
            problems.append(
                f"rows {[keys[r] for r in comp.rows]}: more optimal readings than the engine keeps, "
                "but the engine did not say so"
            )
            continue
        # With more rival readings than either keeps, the engine also doubts every placement
        # its rival search could not rule out: it may leave more unknown, never state otherwise.
        doubt = "(rival capped)" in comp.path
        matching = [
            o
            for o in comp.outcomes
            if all(
                _row_matches(
                    engine.rows[r].values, engine.rows[r].status, o.values[i], o.status[i], o.either[i], doubt
                )
                for i, r in enumerate(comp.rows)
            )
        ]
        if not matching:
            expected = comp.outcomes[0]
            for i, r in enumerate(comp.rows):
                e = engine.rows[r]
                if not _row_matches(e.values, e.status, expected.values[i], expected.status[i], doubt=doubt):
                    problems.append(
                        f"row {keys[r]} ({comp.path}): engine [{_fmt_row(e.values, e.status)}] "
                        f"cp-sat [{_fmt_row(expected.values[i], expected.status[i])}]"
                    )
            products = {p * max(o.count, 1) for p in products for o in comp.outcomes[:1]}
            continue
        products = {p * c for p in products for c in {max(o.count, 1) for o in matching}}
    for r in range(ref.n_rows):
        if r not in placed and any(s != "unknown" for s in engine.rows[r].status):
            problems.append(f"row {keys[r]}: not placeable, but the engine states cells")
    if not problems:
        fits = [
            p for p in products if min(p - 1, 10**6) == engine.alternatives and (p > 1) == engine.ambiguous
        ]
        if not fits:
            problems.append(
                f"engine ambiguous={engine.ambiguous} alternatives={engine.alternatives}; "
                f"cp-sat alternatives {sorted(p - 1 for p in products)}"
            )
    return problems


__all__ = [
    "ENGINE_STOPPED",
    "Reference",
    "ReferenceSkip",
    "compare",
    "engine_stopped",
    "solve_reference",
]
