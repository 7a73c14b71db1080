"""Branch and bound over the rows of one component: the cheapest choice of one candidate per
row that the identities allow, every such choice kept (up to a bound) so ambiguity is stated."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from tablerecon.solve.candidates import RowCandidates
from tablerecon.solve.costs import TOL, W_VIOLATION
from tablerecon.solve.limits import SolveLimits
from tablerecon.solve.sums import exactly_supported

#: Checks after which the hard search starts again from the candidates each identity alone
#: allows exactly (solve/sums.py): tables the bounds settle take far fewer.
EXACT_SUMS_AFTER = 2_000_000

#: Cost levels the search checks separately for what a dearer candidate leaves the other rows.
AFFORDABLE_LEVELS = 3


@dataclass(slots=True)
class Search:
    """Branch and bound over the rows of one component; all state lives here, one search each.

    A node's live candidates are one sorted array of indices into every row's candidates stacked
    (``flat``), so its bounds, propagation and pruning are a few numpy calls whatever the number
    of rows. Candidates dearer than the best assignment found allows are pruned at every node,
    and in the values-as-read search the identities become hard once no violation is to spare."""

    cands: list[RowCandidates]
    contrib: list[np.ndarray]  # per row (K, G) contribution to each global equation
    hard: bool  # True: equations must hold; False: violations are counted
    limits: SolveLimits
    deadline: float
    nodes: int = 0
    checks: int = 0  # candidate x identity checks done, for the max_checks bound
    check_bound: int = 0  # the checks this search may reach: max_checks, or a first try's
    gave_up: bool = False  # ran out of nodes, checks or time
    #: Found more optimal assignments than it keeps. The search goes on for cheaper ones only,
    #: so a cap reached on readings that turn out not to be optimal is lifted again.
    capped: bool = False
    root: list[np.ndarray] | None = None  # candidates alive after the first propagation
    #: No reading costs less (the root's lower bound, or a bound a deeper search found empty):
    #: a cap reached at this cost ends the search, as nothing cheaper is left to look for.
    floor: int = 0
    best: int = -1
    solutions: list[tuple[int, ...]] = field(default_factory=list)
    seen: set[bytes] = field(default_factory=set)
    flat: np.ndarray = field(init=False)  # (N, G) every candidate's contributions, rows stacked
    #: The same, one equation a row (G, N): a node gathers its live candidates with one take along
    #: the rows and reduces across equations along contiguous memory, several times faster.
    by_equation: np.ndarray = field(init=False)
    cost: np.ndarray = field(init=False)  # (N,) every candidate's own cost
    row_of: np.ndarray = field(init=False)  # (N,) the row of each candidate
    starts: np.ndarray = field(init=False)  # (R,) where each row's candidates start in ``flat``
    moves: np.ndarray = field(init=False)  # (R, G) equations each row's choice can move

    def __post_init__(self) -> None:
        self.check_bound = self.limits.max_checks
        if len(self.contrib) == 1:  # most components: one row, set up without concatenating
            self.flat, self.cost = self.contrib[0], self.cands[0].cost
            self.starts = np.zeros(1, dtype=np.int64)
            self.row_of = np.zeros(self.flat.shape[0], dtype=np.int64)
        else:
            sizes = [c.shape[0] for c in self.contrib]
            self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
            self.row_of = np.repeat(np.arange(len(sizes)), sizes)
            self.flat = np.concatenate(self.contrib) if self.contrib else np.zeros((0, 0))
            self.cost = np.concatenate([c.cost for c in self.cands]) if self.cands else np.zeros(0, np.int64)
        self.by_equation = np.ascontiguousarray(self.flat.T)
        # Equations whose range a row's choice can move (its candidates do not all agree there).
        # One pass over every candidate against its row's first, reduced per row.
        self.moves = (
            np.logical_or.reduceat(self.flat != self.flat[self.starts][self.row_of], self.starts, axis=0)
            if self.contrib and self.flat.shape[1]
            else np.zeros((len(self.contrib), self.flat.shape[1]), dtype=bool)
        )

    def start(self) -> None:
        """Search from every candidate of every row. The values-as-read search first records a
        good reading found by descent, so that it prunes against it from the first node."""
        if not self.cands or not all(c.cost.size for c in self.cands):
            return
        if len(self.cands) == 1 and self.flat.shape[1] == 0:
            self.lone_row()
            return
        every = np.arange(self.flat.shape[0])
        if self.hard and self.flat.shape[1]:
            self.hard_search(every)
            return
        if self.hard or sum(c.cost.size > 1 for c in self.cands) <= 1:
            self.run(every)
            return
        self.descend()
        self.deepen(every)

    def hard_search(self, every: np.ndarray) -> None:
        """The search where every identity must hold. The bounds settle most tables in a few
        nodes; one they have not settled within EXACT_SUMS_AFTER checks is searched again from
        only the candidates each identity alone allows exactly (solve/sums.py), which costs
        more than a node but can rule out most of a glued table's candidates at once."""
        upper = self.best
        self.check_bound = min(self.limits.max_checks, EXACT_SUMS_AFTER)
        self.run(every)
        self.check_bound = self.limits.max_checks
        if not self.gave_up or self.checks > self.limits.max_checks or self.nodes > self.limits.max_nodes:
            return
        if time.perf_counter() > self.deadline:
            return
        keep, work = exactly_supported(self.by_equation, self.row_of, every)
        self.checks += work
        self.best, self.solutions, self.seen, self.capped, self.root = upper, [], set(), False, None
        self.gave_up, self.floor = False, 0
        every = every[keep]
        if np.unique(self.row_of[every]).size < len(self.cands):
            return  # a row has no candidate left: no reading holds every identity
        self.run(every)

    def deepen(self, every: np.ndarray) -> None:
        """The values-as-read search, under bounds just above the root's lower bound first (one,
        two, four violations more), then under the best bound known (descent's reading or the
        caller's). A reading within a tight bound is found with the strong pruning that bound
        gives; one descent found is often several violations dearer than the optimum, and
        proving the optimum from it took hundreds of nodes. Every bound is a complete search of
        the readings within it, so the first that holds any holds the optimal ones."""
        upper, known, seen = self.best, self.solutions, self.seen
        self.nodes += 1
        narrowed = self.narrow(every)
        if narrowed is None:
            return
        for extra in (1, 2, 4):
            bound = narrowed[2] + extra * W_VIOLATION - 1
            if 0 <= upper <= bound:
                break
            self.best, self.solutions, self.seen, self.capped, self.root = bound, [], set(), False, None
            self.run(every)
            if self.solutions:
                return
            if self.gave_up:
                break
            self.floor = bound + 1  # the search within it was complete and found nothing
        # Nothing within the tight bounds (or the work bound hit): search under the known one.
        self.best, self.solutions, self.seen, self.capped, self.root = upper, known, seen, False, None
        if not self.gave_up:
            self.run(every)

    def lone_row(self) -> None:
        """A row no global identity ties to others: its cheapest candidates (distinct vectors
        already) are the optimal readings, as the search would enumerate them."""
        cost = self.cost
        self.nodes = 1
        self.root = [np.arange(cost.size)]
        least = int(cost.min())
        if self.best >= 0 and least > self.best:
            return
        ties = np.nonzero(cost == least)[0]
        self.nodes += min(ties.size, self.limits.max_solutions + 1)
        self.best = least
        self.solutions = [(int(k),) for k in ties[: self.limits.max_solutions]]
        self.capped = ties.size > self.limits.max_solutions

    def descend(self, passes: int = 3) -> None:
        """Coordinate descent: each row in turn takes its cheapest candidate given the others'
        choices (own cost plus identities violated), for a few passes; the reading reached is
        recorded as a first solution. Only an upper bound: the search still finds the optimum."""
        sizes = [c.cost.size for c in self.cands]
        choice = self.starts.copy()  # each row's cheapest candidate
        sums = self.flat[choice].sum(axis=0)
        for _ in range(passes):
            moved = False
            for r, start in enumerate(self.starts.tolist()):
                if sizes[r] == 1:
                    continue
                block = slice(start, start + sizes[r])
                totals = (sums - self.flat[choice[r]]) + self.flat[block]
                score = self.cost[block] + (np.abs(totals) > TOL).sum(axis=1) * W_VIOLATION
                k = start + int(np.argmin(score))
                if score[k - start] < score[choice[r] - start]:
                    sums = totals[k - start]
                    choice[r] = k
                    moved = True
            if not moved:
                break
        cost = int(self.cost[choice].sum()) + int((np.abs(sums) > TOL).sum()) * W_VIOLATION
        self.record(tuple(int(k) for k in choice - self.starts), cost)

    def split(self, alive: np.ndarray, seg: np.ndarray) -> list[np.ndarray]:
        """Each row's live candidates (``seg``: where each row starts in ``alive``), as indices
        into that row's own candidates."""
        bounds = np.append(seg, alive.shape[0])
        return [alive[bounds[r] : bounds[r + 1]] - self.starts[r] for r in range(len(self.cands))]

    def narrow(
        self, alive: np.ndarray, focus: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, int] | None:
        """Drop every candidate that cannot be part of an assignment within the bound, until
        none drops; returns what is left, where each row starts in it, and the node's lower
        bound, or None when nothing fits.

        Bounds consistency on the global equations, all rows at once: given the other rows'
        ranges, a candidate makes some equations certainly fail. In the hard search it must
        make none; in the soft one each costs a violation, and the candidate's own cost plus its
        violations plus the other rows' cheapest must stay within the best assignment found.

        ``focus`` (hard search only) names the equations whose ranges moved since ``alive`` was
        last consistent (those of the row just branched on); the rest cannot prune anything, so
        only these are checked, and then only those of the rows that lost candidates."""
        hard, best, n_eqs = self.hard, self.best, self.flat.shape[1]
        if self.capped:  # enough readings of this cost are known: only a cheaper one matters now
            if best <= self.floor:
                return None  # and none can be cheaper
            best -= 1
        cols = np.nonzero(focus)[0] if focus is not None and hard else None
        every_row = np.arange(len(self.cands))
        while True:
            rows = self.row_of[alive]
            seg = np.searchsorted(rows, every_row)
            own = self.cost[alive]
            mins = np.minimum.reduceat(own, seg)
            base = int(mins.sum())
            lb = base
            keep: np.ndarray | None = None
            fails_per_candidate: np.ndarray | None = None
            if n_eqs and (cols is None or cols.size):
                # (equations, live candidates), each row's candidates a contiguous segment.
                block = self.by_equation if cols is None else self.by_equation[cols]
                sub = np.take(block, alive, axis=1)
                self.checks += sub.size
                lo = np.minimum.reduceat(sub, seg, axis=1)
                hi = np.maximum.reduceat(sub, seg, axis=1)
                total_lo, total_hi = lo.sum(axis=1), hi.sum(axis=1)
                broken = int(((total_lo > TOL) | (total_hi < -TOL)).sum())
                if hard and broken:
                    return None
                lb += broken * W_VIOLATION
                # A candidate fails an equation when, with the other rows' ranges, the sum cannot
                # reach zero: per-row thresholds, taken for each candidate by its row.
                above = np.take(TOL - (total_lo[:, None] - lo), rows, axis=1)
                below = np.take(-TOL - (total_hi[:, None] - hi), rows, axis=1)
                fails = (sub > above) | (sub < below)
                if hard:
                    keep = ~np.logical_or.reduce(fails, axis=0)
                else:
                    fails_per_candidate = fails.sum(axis=0)
            if best >= 0:
                if lb > best:
                    return None
                gain = own - mins[rows]  # what choosing each candidate adds to the cheapest rows
                excess = gain if fails_per_candidate is None else gain + fails_per_candidate * W_VIOLATION
                within = excess <= best - base
                keep = within if keep is None else keep & within
                if n_eqs and keep.all():
                    # The cheap checks have settled: now the costlier one, per level of cost.
                    keep = self.affordable(alive, seg, rows, gain, best - base)
            if keep is None or keep.all():
                return alive, seg, lb
            if not np.logical_or.reduceat(keep, seg).all():
                return None  # a row has no candidate left
            if cols is not None:
                cols = np.nonzero(self.moves[np.unique(rows[~keep])].any(axis=0))[0]
            alive = alive[keep]

    def affordable(
        self, alive: np.ndarray, seg: np.ndarray, rows: np.ndarray, gain: np.ndarray, budget: int
    ) -> np.ndarray:
        """Which candidates still fit once their own cost is paid: a candidate that costs
        ``level`` more than its row's cheapest leaves the other rows only candidates within
        ``budget - level``, and with those rows' narrower ranges the identities may then fail
        (or, in the values-as-read search, fail often enough to exceed the budget).

        Without this, a row of one free reading and hundreds costing one violation more had
        each dear one tried as a branch, though any two dear choices exceed the budget. One pass
        over the equations per level; past AFFORDABLE_LEVELS levels, candidates are checked
        against the allowance of a lower level (looser, so still sound)."""
        ok = np.ones(alive.shape[0], dtype=bool)
        levels = np.unique(gain[gain > 0])
        if not levels.size:
            return ok
        if levels.size > AFFORDABLE_LEVELS:
            levels = levels[np.linspace(0, levels.size - 1, AFFORDABLE_LEVELS).round().astype(np.int64)]
        bucket = np.searchsorted(levels, gain, side="right") - 1  # -1: cheapest of its row
        sub = np.take(self.by_equation, alive, axis=1)
        self.checks += sub.size * levels.size
        for b, level in enumerate(levels.tolist()):
            allowed = gain <= budget - level  # what the other rows may still choose
            has = np.logical_or.reduceat(allowed, seg)
            lo = np.minimum.reduceat(np.where(allowed, sub, np.inf), seg, axis=1)
            hi = np.maximum.reduceat(np.where(allowed, sub, -np.inf), seg, axis=1)
            lo[:, ~has] = 0.0
            hi[:, ~has] = 0.0
            mine = np.nonzero(bucket == b)[0]
            r = rows[mine]
            # Each candidate's value against the range of the rows other than its own.
            value = sub[:, mine]
            fails = (value + (lo.sum(axis=1)[:, None] - lo[:, r]) > TOL) | (
                value + (hi.sum(axis=1)[:, None] - hi[:, r]) < -TOL
            )
            stranded = int((~has).sum()) - (~has[r]) > 0  # another row has nothing left
            if self.hard:
                bad = stranded | fails.any(axis=0)
            else:
                bad = stranded | (gain[mine] + fails.sum(axis=0) * W_VIOLATION > budget)
            ok[mine[bad]] = False
        return ok

    def run(self, alive: np.ndarray, focus: np.ndarray | None = None) -> None:
        # Every node counts, pruned or not, so the node bound stops a search before the clock.
        self.nodes += 1
        if (
            self.nodes > self.limits.max_nodes
            or self.checks > self.check_bound
            or time.perf_counter() > self.deadline
        ):
            self.gave_up = True
            return
        narrowed = self.narrow(alive, focus)
        if narrowed is None:
            return
        alive, seg, lb = narrowed
        if self.root is None:
            self.root = self.split(alive, seg)
            # Readings within the bound are all still alive, so cost at least lb; others more.
            self.floor = max(self.floor, lb if self.best < 0 else min(lb, self.best + 1))
        counts = _segment_sizes(seg, alive.shape[0])
        if (counts == 1).all():
            self.record(tuple(int(k) for k in alive - self.starts), lb)
            return
        r = self.branch_row(alive, seg, counts)
        first, last = int(seg[r]), int(seg[r] + counts[r])
        for j in range(first, last):
            if self.gave_up:
                return
            self.run(np.concatenate([alive[:first], alive[j : j + 1], alive[last:]]), self.moves[r])

    def branch_row(self, alive: np.ndarray, seg: np.ndarray, counts: np.ndarray) -> int:
        """The row to branch on, of those with a choice left: the one whose live candidates span
        the widest range over the equations for their number (range over candidates squared).
        Fixing a wide row narrows the others' bounds the most, so dead ends show early; a row of
        few candidates keeps the branching cheap. Fewest candidates alone left tables of glued
        rows with dropped blanks searching to the work bound (2-5 s) for a proof that this
        finds in well under a second, at about the same cost elsewhere."""
        if not self.flat.shape[1]:
            return int(np.argmax(counts))
        sub = np.take(self.by_equation, alive, axis=1)
        self.checks += sub.size
        width = (np.maximum.reduceat(sub, seg, axis=1) - np.minimum.reduceat(sub, seg, axis=1)).sum(axis=0)
        return int(np.argmax(np.where(counts > 1, width / counts.astype(float) ** 2, -1.0)))

    def record(self, choice: tuple[int, ...], cost: int) -> None:
        if self.best >= 0 and cost > self.best:
            return
        if cost < self.best or self.best < 0:
            # A cheaper reading: those kept so far (and a cap reached on them) no longer count.
            self.best = cost
            self.solutions = []
            self.seen = set()
            self.capped = False
        key = np.round(np.concatenate([self.cands[r].vec[k] for r, k in enumerate(choice)]), 6).tobytes()
        if key in self.seen:
            return
        self.seen.add(key)
        if len(self.solutions) < self.limits.max_solutions:
            self.solutions.append(choice)
        else:
            self.capped = True

    def possible(self) -> list[np.ndarray]:
        """Each row's candidates that could still be part of an optimal assignment: used when the
        search stopped early, so that every cell it did not settle is reported unknown. All rows
        at once: each row's allowance depends on the others' cheapest."""
        alive = self.root if self.root is not None else [np.arange(c.cost.shape[0]) for c in self.cands]
        cheapest = [int(self.cands[r].cost[a].min()) if a.size else 0 for r, a in enumerate(alive)]
        floor = sum(cheapest)
        return [
            a[self.cands[r].cost[a] + (floor - cheapest[r]) <= self.best] if a.size else a
            for r, a in enumerate(alive)
        ]


def _segment_sizes(starts: np.ndarray, total: int) -> np.ndarray:
    """How many entries each segment holds, from where each starts (as np.diff with append,
    without its wrappers: the search asks at every node)."""
    sizes = np.empty_like(starts)
    sizes[:-1] = starts[1:] - starts[:-1]
    sizes[-1] = total - starts[-1]
    return sizes
