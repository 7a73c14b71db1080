"""A table solved: each component searched (consistent readings first, then the values-as-read
rival), and the answer read out per cell with its status, source line and ambiguity."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from tablerecon.cells import Kind
from tablerecon.evidence import RowEvidence
from tablerecon.models import CellStatus, PlacementOption, Verdict
from tablerecon.solve.candidates import (
    Placed,
    RowCandidates,
    reads_column,
    row_candidates,
    row_key,
    total_tied,
)
from tablerecon.solve.costs import MARGIN, TOL, W_GAP, W_LOST, W_VIOLATION
from tablerecon.solve.hints import HintCounts, hints_trusted
from tablerecon.solve.limits import SolveLimits
from tablerecon.solve.search import Search
from tablerecon.solve.shape import table_shape
from tablerecon.templates import Equation

#: Share of SolveLimits.max_seconds the searches may use, so the whole table keeps to the bound.
SEARCH_SHARE = 0.95


@dataclass(slots=True)
class RowSolution:
    """The solver's verdict on one row."""

    values: np.ndarray  # (C,) NaN where unknown
    status: list[CellStatus]
    lines: list[int | None]
    chosen: tuple[int | None, ...]
    candidates: int
    note: str = ""
    options: list[PlacementOption] = field(default_factory=list)

    def forget(self, column: int) -> None:
        """Mark one cell unknown: no value, no source line."""
        self.status[column], self.values[column], self.lines[column] = "unknown", np.nan, None


#: Placements recorded per row for ``explain`` (the search itself is not limited by this).
MAX_OPTIONS = 24


@dataclass(slots=True)
class Solution:
    rows: list[RowSolution]
    ambiguous: bool
    alternatives: int
    notes: list[str] = field(default_factory=list)
    graph: dict[str, int] = field(default_factory=dict)
    hints_trusted: bool = False
    #: Identities the chosen reading breaks (name -> residual), for a source found inconsistent;
    #: reported even where cells the error makes doubtful are left unknown.
    source_violations: dict[str, float] = field(default_factory=dict)
    #: Whether a bound (nodes, placements, seconds) cut some search short: the answer is then
    #: what could be settled within it, the rest unknown, and a note names the bound.
    stopped: bool = False


def solve_table(
    rows: list[RowEvidence],
    n_cols: int,
    equations: list[Equation],
    positive_only: bool,
    limits: SolveLimits | None = None,
    explain: bool = False,
    fills_every_cell: bool = False,
    document_hints: HintCounts | None = None,
    never_negative: tuple[int, ...] = (),
) -> Solution:
    """Place every row's numbers into columns; see the module docstring for the rules.
    ``explain`` records each row's placements and their verdicts. ``never_negative``: columns
    no negative value can stand in, in a table of numbers where some column may hold one."""
    limits = limits or SolveLimits()
    n_rows = len(rows)
    notes: list[str] = []
    usable = [r.found and len(r.cells) <= n_cols for r in rows]
    for row in rows:
        if row.found and len(row.cells) > n_cols:
            notes.append(f"row {row.key}: {len(row.cells)} values for {n_cols} columns; cells left unknown")
    shape = table_shape(equations, usable, n_cols)
    local, local_eqs = shape.local, shape.local_eqs
    glued = any(c.kind is Kind.RUN for r in rows for c in r.cells)
    use_hints = fills_every_cell if glued else hints_trusted(rows, n_cols, document_hints)
    results: list[RowSolution | None] = [None] * n_rows
    alternatives_product = 1
    ambiguous = False
    # The searches stop a little before the table's bound: reading out the answer takes the rest.
    deadline = time.perf_counter() + limits.max_seconds * SEARCH_SHARE
    source_violations: dict[str, float] = {}
    stopped = False
    blank_totals = 0
    for comp_rows, comp_eqs, coefs in shape.components:
        outcome = _solve_component(
            rows,
            comp_rows,
            comp_eqs,
            coefs,
            local,
            local_eqs,
            n_cols,
            use_hints,
            positive_only,
            limits,
            deadline,
            explain,
            never_negative,
        )
        for r, sol in outcome.rows.items():
            results[r] = sol
        notes.extend(outcome.notes)
        blank_totals += outcome.blank_totals
        source_violations.update(outcome.violations)
        stopped |= outcome.stopped
        alternatives_product *= max(outcome.count, 1)
        ambiguous |= outcome.count > 1 or outcome.gave_up
    if blank_totals:
        notes.append(
            f"{blank_totals} total cell(s) the report left blank, inferred from the identities "
            "that sum into them"
        )
    final: list[RowSolution] = []
    for r, row in enumerate(rows):
        res = results[r]
        if res is None:
            res = RowSolution(
                values=np.full(n_cols, np.nan),
                status=["unknown"] * n_cols,
                lines=[None] * n_cols,
                chosen=tuple(None for _ in row.cells),
                candidates=0,
                note="row not found in the text" if not row.found else "row could not be placed",
            )
        final.append(res)
    return Solution(
        rows=final,
        ambiguous=ambiguous,
        alternatives=min(alternatives_product - 1, 10**6),
        notes=notes,
        graph=dict(shape.graph),
        hints_trusted=use_hints,
        source_violations=source_violations,
        stopped=stopped,
    )


@dataclass(slots=True)
class _ComponentOutcome:
    rows: dict[int, RowSolution]
    count: int
    gave_up: bool
    notes: list[str]
    violations: dict[str, float] = field(default_factory=dict)
    stopped: bool = False  # a bound (nodes, placements, seconds) cut a search short
    blank_totals: int = 0  # totals the report left blank, inferred (one note for the table)


def _solve_component(
    rows: list[RowEvidence],
    comp_rows: list[int],
    global_eqs: list[Equation],
    contrib_coef: list[np.ndarray],
    local: list[list[tuple[np.ndarray, np.ndarray]]],
    local_eqs: dict[int, list[Equation]],
    n_cols: int,
    use_hints: bool,
    positive_only: bool,
    limits: SolveLimits,
    deadline: float,
    explain: bool,
    never_negative: tuple[int, ...],
) -> _ComponentOutcome:
    notes: list[str] = []

    row_keys = {r: row_key(rows[r], local[r]) for r in comp_rows}
    placed: dict[tuple[object, ...], Placed | None] = {}  # rows' raw placements, see row_candidates

    def attempt(hard: bool, allow_lost: bool, bound: int = -1) -> tuple[Search, list[RowCandidates]] | None:
        cands: list[RowCandidates] = []
        every: list[RowCandidates] = []
        for r in comp_rows:
            if time.perf_counter() > deadline:
                out_of_time.append(rows[r].key)
                return None
            rc = row_candidates(
                rows[r],
                row_keys[r],
                n_cols,
                local[r],
                use_hints,
                allow_lost,
                positive_only,
                limits,
                placed,
                never_negative,
            )
            if rc is None:
                too_many.append(rows[r].key)
                return None
            every.append(rc)
            if hard:
                rc = rc.consistent()
                if not rc.cost.size:
                    return Search([], [], hard, limits, deadline), []
            else:
                # The source breaks its identities, so they cannot place the values: keep the
                # placements the text's own evidence (blank-line hints) likes best.
                rc = rc.least_gap()
            cands.append(rc)
        contrib = [rc.vec @ contrib_coef[i] for i, rc in enumerate(cands)]
        search = Search(cands, contrib, hard, limits, deadline)
        search.best = bound  # a reading must be at least as cheap as the one already found
        search.start()
        generated[id(search)] = every
        return search, cands

    generated: dict[int, list[RowCandidates]] = {}  # every placement generated, per search
    too_many: list[str] = []  # rows whose placements (or glued splits) exceed the bound
    out_of_time: list[str] = []  # rows reached after the table's time bound

    def lost_cells_forced(search: Search, cands: list[RowCandidates]) -> bool:
        """Whether every value the reading infers makes all the identities through it hold."""
        choice = search.solutions[0]
        reading = {r: cands[i].vec[choice[i]] for i, r in enumerate(comp_rows)}
        for i, r in enumerate(comp_rows):
            q = int(cands[i].lost_col[choice[i]])
            if q < 0:
                continue
            for eq in [*global_eqs, *local_eqs.get(r, [])]:
                if (r, q) in {(t[0], t[1]) for t in eq.terms} and abs(
                    sum(a * reading[rr][c] for rr, c, a in eq.terms)
                ) > TOL:
                    return False
        return True

    # Most tables read consistently with nothing inferred: that search is settled without the
    # placements that force a cell (often more than the rest), which could only cost more.
    result = attempt(hard=True, allow_lost=False)
    settled = result is not None and _settled_without_forcing(result[0])
    if result is not None and not settled:
        # A reading it found is a bound for the search with forced cells: prune from the root.
        result = attempt(hard=True, allow_lost=True, bound=result[0].best)
    if result is None:
        if out_of_time:
            notes.append(
                f"time bound of {limits.max_seconds:g} s reached before row {out_of_time[0]}; "
                "the rows tied to it are unknown"
            )
        else:
            notes.append(
                f"row {', '.join(too_many)} has more ways to place or split its values than the bound "
                f"({limits.max_placements} placements, {limits.max_glued_placements} when glued); "
                "the rows tied to it are unknown"
            )
        return _ComponentOutcome({}, 0, True, notes, stopped=True)
    search, cands = result
    rival: tuple[Search, list[RowCandidates]] | None = None
    mixed_rival: tuple[Search, list[RowCandidates]] | None = None
    rival_unfinished = False
    if not search.solutions and (
        search.gave_up or any(rc.bounded for rc in generated.get(id(search), cands))
    ):
        # Nothing consistent among what was tried, but not all was tried: no verdict either way.
        notes.append(
            f"no consistent reading found within the search bounds ({search.nodes} nodes); cells left unknown"
        )
        return _ComponentOutcome({}, 0, True, notes, stopped=True)
    if not search.solutions:
        # No reading holds every identity: the source is inconsistent. Values the identities
        # force are still inferred, but only where every identity through them holds.
        soft = attempt(hard=False, allow_lost=True)
        if soft is not None and soft[0].solutions and not lost_cells_forced(*soft):
            soft = attempt(hard=False, allow_lost=False)
        if soft is None or not soft[0].solutions:
            return _ComponentOutcome({}, 0, True, notes, stopped=True)
        search, cands = soft
    elif search.best >= W_LOST:
        # The consistent reading infers values or overrides hints: the reading that keeps the
        # values as read and reports a source error may explain the text as well or better.
        soft = attempt(hard=False, allow_lost=False, bound=search.best + MARGIN - 1)
        if soft is None or (soft[0].gave_up and not soft[0].solutions):
            # The comparison did not finish: what the consistent reading infers is not settled.
            rival_unfinished = True
        if soft is not None and soft[0].solutions:
            if soft[0].best < search.best:
                (search, cands), rival = soft, (search, cands)
            else:
                rival = soft
        if search.hard and search.best >= W_LOST + W_VIOLATION:
            # A source error beside values the text lost elsewhere: the reading that infers
            # those and reports the error may cost about as much as the consistent one, which
            # infers one value more against the text's own evidence (a 0 moved against its
            # row's empty fields), and the values-as-read rival, unable to infer any, never
            # meets it. Such readings within MARGIN, as that rival is, are compared too (the
            # cells they read otherwise are unknown), never taken. One infers a value and breaks
            # an identity, so it costs at least W_LOST + W_VIOLATION: below that, nothing to ask.
            mixed = attempt(hard=False, allow_lost=True, bound=search.best + MARGIN - 1)
            if mixed is None or (mixed[0].gave_up and not mixed[0].solutions):
                rival_unfinished = True
            elif mixed[0].solutions:
                mixed_rival = mixed
    # A bound on a row's candidates matters only if what it left out could have been as cheap.
    floor = sum(int(rc.cost.min()) for rc in cands) if all(rc.cost.size for rc in cands) else 0
    bounded = [
        rows[r].key
        for r, rc in zip(comp_rows, cands, strict=True)
        if rc.bounded
        and (not search.solutions or search.best >= floor - int(rc.cost.min()) + rc.omitted_cost)
    ]
    if bounded:
        search.gave_up = True
        notes.append("only the splits filling the most columns were tried for rows " + ", ".join(bounded))
    if search.gave_up:
        notes.append(
            f"search stopped after {search.nodes} nodes, {search.checks:,} checks (bounds "
            f"{limits.max_nodes} nodes, {limits.max_checks:,} checks, {limits.max_seconds:g} s); "
            "cells it could not settle are unknown"
        )
    if search.capped:
        notes.append(
            f"more than {limits.max_solutions} assignments fit equally well; every cell they could "
            "differ on is unknown"
        )
    if not search.solutions:
        return _ComponentOutcome({}, 0, True, notes, stopped=True)
    incomplete = search.gave_up or search.capped
    violations: dict[str, float] = {}
    # A source error is reported only when the reading that shows it is the one clear answer.
    if not search.hard and not incomplete and rival is None and len(search.solutions) == 1:
        reading = {r: cands[i].vec[search.solutions[0][i]] for i, r in enumerate(comp_rows)}
        for eq in global_eqs:
            residual = sum(a * reading[r][c] for r, c, a in eq.terms)
            if abs(residual) > TOL:
                violations[eq.name] = float(residual)
        for r in comp_rows:
            for eq in local_eqs.get(r, []):
                residual = sum(a * reading[r][c] for _, c, a in eq.terms)
                if abs(residual) > TOL:
                    violations[eq.name] = float(residual)
    out: dict[int, RowSolution] = {}
    possible = search.possible() if incomplete else []
    for i, r in enumerate(comp_rows):
        rc = cands[i]
        picks = [sol[i] for sol in search.solutions]
        if incomplete:
            found = set(picks)
            picks += [k for k in possible[i].tolist() if k not in found]
        sol = _row_solution(rows[r], rc, picks, n_cols)
        if rows[r].key in bounded:
            # Placements the bound left out could read this row otherwise: nothing here is settled.
            sol.status, sol.values, sol.lines = ["unknown"] * n_cols, np.full(n_cols, np.nan), [None] * n_cols
        if explain:
            every = generated.get(id(search), cands)[i]
            if settled:  # the placements with a forced cell were never needed: list them too
                every = (
                    row_candidates(
                        rows[r],
                        row_keys[r],
                        n_cols,
                        local[r],
                        use_hints,
                        True,
                        positive_only,
                        limits,
                        placed,
                        never_negative,
                    )
                    or every
                )
            sol.options = _options(every, rc, search, i, use_hints, unsearched_costlier=settled)
        if not search.hard and rc.violations[picks[0]] > 0:
            # The row breaks its own identity: a blank or 0 in it may stand for a value the text
            # lost, so only the numbers actually read keep their status; in the identities
            # that hold (the review row's other groups) nothing is in doubt.
            broken = _broken_identities(rc.vec[picks[0]], local_eqs.get(r, []))
            for j in sorted({c for eq in broken for _, c, _ in eq.terms}):
                if sol.status[j] != "unknown" and (math.isnan(sol.values[j]) or sol.values[j] == 0):
                    sol.forget(j)
            notes.append(
                f"row {rows[r].key} breaks its own identity ({', '.join(eq.name for eq in broken)}): "
                "its blank and 0 cells there are unknown"
            )
        out[r] = sol
    count = len(search.solutions)
    if rival_unfinished:
        doubted = 0
        for sol in out.values():
            for j in range(n_cols):
                if sol.status[j] == "inferred":
                    sol.forget(j)
                    doubted += 1
        if doubted:
            count += 1
            notes.append(
                "the search for a rival reading (values as read, or one reporting a source error) "
                "stopped at its bound (search stopped); "
                f"the {doubted} value(s) it would have inferred are unknown"
            )
    rivals = [r for r in (rival, mixed_rival) if r is not None]
    blank_totals: set[tuple[int, int]] = set()
    if rivals:
        # A total the report left blank, with the cells summing into it there, is forced by
        # them (a blank total), where a value the text shows can only be wrong (a source error):
        # a rival that keeps it blank is no other explanation of the text.
        totals = {cell for eq in global_eqs for cell in eq.totals}
        totals.update(cell for r in comp_rows for eq in local_eqs.get(r, []) for cell in eq.totals)
        differ, blank_totals = _settle_against_rivals(
            rivals, search, cands, out, rows, comp_rows, totals, n_cols, use_hints, positive_only, limits
        )
        if differ:
            count += 1
            notes.append(
                "a value the text lost and a source error explain it about equally well; "
                f"the {differ} cell(s) the two readings disagree on are unknown"
            )
    stopped = search.gave_up or rival_unfinished or any(r[0].gave_up for r in rivals)
    return _ComponentOutcome(out, count, incomplete, notes, violations, stopped, len(blank_totals))


def _broken_identities(values: np.ndarray, equations: list[Equation]) -> list[Equation]:
    """The row identities (all terms in one row) that ``values`` break."""
    return [eq for eq in equations if abs(sum(a * values[c] for _, c, a in eq.terms)) > TOL]


def _settle_against_rivals(
    rivals: list[tuple[Search, list[RowCandidates]]],
    search: Search,
    cands: list[RowCandidates],
    out: dict[int, RowSolution],
    rows: list[RowEvidence],
    comp_rows: list[int],
    totals: set[tuple[int, int]],
    n_cols: int,
    use_hints: bool,
    positive_only: bool,
    limits: SolveLimits,
) -> tuple[int, set[tuple[int, int]]]:
    """Forget every cell of ``out`` that a rival reading (values as read, or one reporting a
    source error) explains otherwise about as well; returns how many, and the totals kept as
    blank totals instead.

    Every reading of a rival counts, not just the first found: which cells are unknown must not
    depend on the search order. A rival search cut short adds every placement it could not rule
    out. A total (one of ``totals``) the consistent reading infers is a blank total when the
    rival reads it blank: no lost cell in that row and no placement as good reading a number
    there; unless the consistent reading's own choice was tied (``total_tied``)."""
    first = search.solutions[0]
    tied: dict[int, bool] = {}  # rows whose inferred total a reading as good reads instead

    def total_is_tied(i: int, r: int) -> bool:
        if i not in tied:
            k = first[i]
            tied[i] = total_tied(
                rows[r],
                n_cols,
                use_hints,
                positive_only,
                limits,
                cands[i].vec[k],
                int(cands[i].lost_col[k]),
                int(cands[i].cost[k]) - W_LOST,
            )
        return tied[i]

    def rival_reads_blank(row: RowEvidence, theirs: RowCandidates, picks: np.ndarray, j: int) -> bool:
        return not any(
            theirs.lost_col[k] >= 0
            or reads_column(row, n_cols, use_hints, positive_only, limits, theirs.vec[k], j)
            for k in picks.tolist()
        )

    differ = 0
    blank_totals: set[tuple[int, int]] = set()
    for other, other_cands in rivals:
        other_possible = other.possible() if other.gave_up or other.capped else []
        for i, r in enumerate(comp_rows):
            alt_picks = [s[i] for s in other.solutions]
            if other_possible:
                alt_picks += other_possible[i].tolist()
            alts = other_cands[i].vec[alt_picks]
            sol = out[r]
            mine = np.nan_to_num(sol.values, nan=0.0)
            for j in np.nonzero((np.abs(alts - mine) > TOL).any(axis=0))[0].tolist():
                if (r, j) in totals and sol.status[j] == "inferred" and not total_is_tied(i, r):
                    apart = np.asarray(alt_picks)[np.abs(alts[:, j] - mine[j]) > TOL]
                    if rival_reads_blank(rows[r], other_cands[i], apart, j):
                        blank_totals.add((r, j))
                        continue
                if sol.status[j] != "unknown":
                    sol.forget(j)
                    differ += 1
    return differ, blank_totals


def _settled_without_forcing(search: Search) -> bool:
    """Whether a search without forced cells settled the table: it found a reading inferring
    nothing, and a forced cell costs W_LOST more than that, so the placements with one could
    change no optimal reading. Were that search stopped or capped, every reading as cheap as its
    best still lies among its placements, so the cells it leaves unknown are as sound."""
    return bool(search.solutions) and search.best < W_LOST


def _options(
    every: RowCandidates,
    used: RowCandidates,
    search: Search,
    index: int,
    use_hints: bool,
    unsearched_costlier: bool = False,
) -> list[PlacementOption]:
    """What became of the row's placements, for ``explain``: the chosen one, those tied with
    it, those costlier, those the column identities excluded and those breaking a row identity.
    ``unsearched_costlier``: the search ran without the placements that force a cell, as a
    reading cheaper than any of them was found (_settled_without_forcing): they are costlier."""
    in_solutions = {int(sol[index]) for sol in search.solutions}
    root = {int(k) for k in search.root[index]} if search.root is not None else set(range(used.cost.size))
    chosen = search.solutions[0][index]
    keys = {used.vec[k].round(6).tobytes(): k for k in range(used.cost.size)}
    chosen_cost = used.cost[chosen]
    ranked: list[tuple[int, int, Verdict]] = []
    for k in range(every.cost.size):
        verdict: Verdict
        if every.violations[k] > 0 and search.hard:
            verdict = "violates a row identity"
        else:
            mine = keys.get(every.vec[k].round(6).tobytes())
            if mine == chosen:
                verdict = "chosen"
            elif mine in in_solutions:
                verdict = "tied"
            elif (mine is not None and mine in root and used.cost[mine] > chosen_cost) or (
                mine is None and unsearched_costlier and every.lost_col[k] >= 0
            ):
                verdict = "costlier"
            else:
                verdict = "excluded by column identities" if search.hard else "costlier"
        ranked.append((_VERDICT_ORDER[verdict], k, verdict))
    ranked.sort()
    out: list[PlacementOption] = []
    for _, k, verdict in ranked[:MAX_OPTIONS]:
        lost = int(every.lost_col[k])
        soft = int(every.cost[k] - every.violations[k] * W_VIOLATION - (lost >= 0) * W_LOST)
        # Built without re-validation: every field comes from the solver's own arrays.
        out.append(
            PlacementOption.model_construct(
                columns=tuple(int(c) for c in every.pos[k] if c >= 0),
                lost_column=lost if lost >= 0 else None,
                lost_value=float(every.vec[k][lost]) if lost >= 0 else None,
                gap_cost=soft // W_GAP if use_hints else soft,
                verdict=verdict,
            )
        )
    return out


_VERDICT_ORDER: dict[Verdict, int] = {
    "chosen": 0,
    "tied": 1,
    "costlier": 2,
    "excluded by column identities": 3,
    "violates a row identity": 4,
}


def _row_solution(row: RowEvidence, rc: RowCandidates, picks: list[int], n_cols: int) -> RowSolution:
    """Cell values and statuses of one row over all optimal solutions: cells on which they
    disagree are unknown."""
    first = picks[0]
    vec = rc.vec[first]
    values = np.full(n_cols, np.nan)  # blank until a number read or inferred fills it
    status: list[CellStatus] = ["blank"] * n_cols
    lines: list[int | None] = [None] * n_cols
    pos, src = rc.pos[first].tolist(), rc.source[first].tolist()
    cells = row.cells
    filled = []
    for col, source in zip(pos, src, strict=True):
        if col < 0:
            continue
        if source < -1:  # a placeholder inside a glued run: a blank with a line
            lines[col] = cells[-(source + 2)].line
            continue
        cell = cells[source]
        lines[col] = cell.line
        if cell.kind is not Kind.PLACEHOLDER:
            status[col] = "read"
            filled.append(col)
    lost = int(rc.lost_col[first])
    if lost >= 0:
        status[lost] = "inferred"
        lines[lost] = None
        filled.append(lost)
    if filled:
        values[filled] = vec[filled]
    if len(picks) == 1:  # most rows: one reading, every value where it was placed
        chosen: tuple[int | None, ...] = tuple([c for c in pos if c >= 0])
        return RowSolution(values=values, status=status, lines=lines, chosen=chosen, candidates=rc.generated)
    others = rc.vec[picks[1:]]
    for j in np.nonzero((np.abs(others - vec) > TOL).any(axis=0))[0].tolist():
        status[j] = "unknown"
        values[j] = np.nan
        lines[j] = None
    same = (rc.pos[picks] == rc.pos[first]).all(axis=0).tolist()
    chosen = tuple(c if same[j] else None for j, c in enumerate(pos) if c >= 0)
    return RowSolution(values=values, status=status, lines=lines, chosen=chosen, candidates=rc.generated)
