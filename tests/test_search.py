"""The solver on hand-built inputs: what the search promises whatever order it explores its
candidates in, and the shortcuts that must give what the general path gives."""

from __future__ import annotations

import itertools
import time
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tablerecon.cells import Cell, Kind
from tablerecon.evidence import RowEvidence
from tablerecon.solve import W_VIOLATION, HintCounts, RowCandidates, SolveLimits, candidates, solve_table
from tablerecon.solve import search as search_module
from tablerecon.solve.search import Search


def _row(costs: list[int], contributions: list[float]) -> tuple[RowCandidates, np.ndarray]:
    """A row whose k-th candidate has its own value vector, cost and contribution to one identity."""
    k = len(costs)
    vec = np.arange(k, dtype=float)[:, None]  # distinct readings
    idx = np.zeros((k, 1), dtype=np.int64)
    zeros = np.zeros(k, dtype=np.int64)
    rc = RowCandidates(vec, idx, idx, np.full(k, -1), np.array(costs, dtype=np.int64), zeros, k)
    return rc, np.array(contributions, dtype=float)[:, None]


def test_a_cap_reached_on_readings_that_are_not_optimal_is_lifted() -> None:
    """Twenty readings of cost 5 are met first (row b's dear candidate is explored first); the
    one reading of cost 0 comes later. The search must not stop at the cap of 16 on the dear
    ones and report "more than 16 readings fit equally well": it goes on, finds the cheaper
    one, and that is the single answer."""
    a, a_contrib = _row([0] * 21, [0.0] * 20 + [1.0])
    b, b_contrib = _row([5, 0], [0.0, -1.0])
    limits = SolveLimits()
    search = Search([a, b], [a_contrib, b_contrib], True, limits, time.perf_counter() + 10)
    search.start()
    assert not search.gave_up and not search.capped
    assert search.best == 0
    assert search.solutions == [(20, 1)]


def test_a_cap_stands_when_more_optimal_readings_exist_than_kept() -> None:
    a, a_contrib = _row([0] * 20, [0.0] * 20)
    b, b_contrib = _row([0], [0.0])
    search = Search([a, b], [a_contrib, b_contrib], True, SolveLimits(), time.perf_counter() + 10)
    search.start()
    assert search.capped and search.best == 0
    assert len(search.solutions) == SolveLimits().max_solutions


def test_a_cap_on_readings_that_cost_nothing_ends_the_search() -> None:
    """Once more than 16 readings of cost 0 are known, nothing cheaper can exist: the search ends
    there instead of enumerating every other free reading (it once went on with no cost bound at
    all, since "cheaper than 0" read as "no bound yet": 19,275 nodes on a glued table, now 43)."""
    rows = [_row([0] * 12, [0.0] * 12) for _ in range(4)]  # 12**4 readings, all free
    cands, contrib = [r for r, _ in rows], [c for _, c in rows]
    search = Search(cands, contrib, True, SolveLimits(), time.perf_counter() + 10)
    search.start()
    assert search.capped and search.best == 0 and not search.gave_up
    assert len(search.solutions) == SolveLimits().max_solutions
    assert search.nodes < 100


def test_a_row_of_zeros_reads_where_its_blank_lines_say() -> None:
    """Six zeros in a 15-column row, blank lines marking the nine cells dropped: every placement
    reads the same zeros, and the one kept is the placement the hints give, counted among all
    C(15, 6) = 5,005."""
    gaps = [0, 2, 0, 3, 0, 1, 3]  # blank slots before each value and after the last
    cells = [Cell(Kind.NUMBER, "0", 10 + k, gaps[k], value=0.0) for k in range(6)]
    row = RowEvidence(key="count", label="案件数", found=True, cells=cells, gaps=gaps)
    trusted = HintCounts(short=5, consistent=5, full=1, stray=0)
    solution = solve_table([row], 15, [], True, document_hints=trusted)
    placed = [0, 3, 4, 8, 9, 11]
    assert solution.hints_trusted
    assert solution.rows[0].status == ["read" if j in placed else "blank" for j in range(15)]
    assert solution.rows[0].lines == [10 + placed.index(j) if j in placed else None for j in range(15)]
    assert solution.rows[0].candidates == 5005


@st.composite
def _problems(draw: st.DrawFn) -> tuple[list[tuple[RowCandidates, np.ndarray]], bool, int]:
    """A few rows of a few candidates, each with a cost and integer contributions to 1-3
    identities; hard or values-as-read; with or without a bound found beforehand."""
    n_eqs = draw(st.integers(1, 3))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(1, 6))
        costs = draw(st.lists(st.sampled_from([0, 5_000, 10_000, 20_000]), min_size=k, max_size=k))
        contrib = draw(st.lists(st.integers(-3, 3), min_size=k * n_eqs, max_size=k * n_eqs))
        vec = np.arange(k, dtype=float)[:, None]  # distinct readings
        idx = np.zeros((k, 1), dtype=np.int64)
        zeros = np.zeros(k, dtype=np.int64)
        rc = RowCandidates(vec, idx, idx, np.full(k, -1), np.array(costs, dtype=np.int64), zeros, k)
        rows.append((rc, np.array(contrib, dtype=float).reshape(k, n_eqs)))
    return rows, draw(st.booleans()), draw(st.sampled_from([-1, 0, 10_000, 30_000]))


@settings(max_examples=300, deadline=None)
@given(_problems())
def test_the_search_finds_exactly_the_optimal_readings(
    problem: tuple[list[tuple[RowCandidates, np.ndarray]], bool, int],
) -> None:
    """Against every assignment enumerated: the same best cost and, unless capped, the same
    readings. Guards every pruning rule of narrow() (ranges, costs, what a dear candidate
    leaves the other rows), each of which must only drop what cannot be optimal."""
    _assert_optimal(problem)


@settings(max_examples=300, deadline=None)
@given(_problems())
def test_the_hard_search_started_again_on_exact_sums_finds_the_same_readings(
    problem: tuple[list[tuple[RowCandidates, np.ndarray]], bool, int],
) -> None:
    """The same, with the hard search's first try cut after its root, so that every search
    needing a second node starts again from the candidates exactly_supported keeps: that
    pruning, and the restart's reset of what the first try found, must change no answer."""
    with mock.patch.object(search_module, "EXACT_SUMS_AFTER", 0):
        _assert_optimal(problem)


def _assert_optimal(problem: tuple[list[tuple[RowCandidates, np.ndarray]], bool, int]) -> None:
    rows, hard, bound = problem
    scored = {}
    for choice in itertools.product(*(range(rc.cost.size) for rc, _ in rows)):
        sums = sum(contrib[k] for (_, contrib), k in zip(rows, choice, strict=True))
        broken = int((np.abs(sums) > 1e-6).sum())
        if hard and broken:
            continue
        cost = sum(int(rc.cost[k]) for (rc, _), k in zip(rows, choice, strict=True)) + broken * W_VIOLATION
        if bound < 0 or cost <= bound:
            scored[choice] = cost
    cands, contrib = [rc for rc, _ in rows], [c for _, c in rows]
    search = Search(cands, contrib, hard, SolveLimits(), time.perf_counter() + 60)
    search.best = bound
    search.start()
    assert not search.gave_up
    if not scored:
        assert not search.solutions
        return
    best = min(scored.values())
    optimal = {c for c, v in scored.items() if v == best}
    assert search.best == best
    if search.capped:
        assert len(optimal) > SolveLimits().max_solutions and set(search.solutions) <= optimal
    else:
        assert set(search.solutions) == optimal


@st.composite
def _plain_rows(draw: st.DrawFn) -> tuple[RowEvidence, int, list[tuple[np.ndarray, np.ndarray]], bool]:
    """A plain row (numbers, zeros and placeholders, with or without blank-line gaps) in 2-9
    columns, the last a total of the others when it has a row identity."""
    n_cols = draw(st.integers(2, 9))
    n = draw(st.integers(1, n_cols))
    cells = []
    for k in range(n):
        if draw(st.integers(0, 5)) == 0:
            cells.append(Cell(Kind.PLACEHOLDER, "-", 10 + k, 0))
        else:
            value = float(draw(st.sampled_from([0, 0, 1, 2, 3, 5, 8, 13])))
            cells.append(Cell(Kind.NUMBER, str(int(value)), 10 + k, 0, value=value))
    gaps: list[int | None] = draw(
        st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=n + 1, max_size=n + 1)
    )
    row = RowEvidence(key="r", label="r", found=True, cells=cells, gaps=gaps)
    coef = np.ones(n_cols)
    coef[-1] = -1.0
    local = [(coef, np.nonzero(coef)[0])] if draw(st.booleans()) else []
    return row, n_cols, local, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(_plain_rows(), st.booleans())
def test_a_rows_candidates_are_the_cheapest_of_each_vector(
    case: tuple[RowEvidence, int, list[tuple[np.ndarray, np.ndarray]], bool], positive_only: bool
) -> None:
    """The candidates built by the shortcuts (deduplicating by the columns the non-zero values
    take, forced cells built on the cached placements and merged in) equal, array for array,
    the general rule applied to every placement and every forced variant at once: the
    cheapest of each distinct vector, in cost order."""
    row, n_cols, local, use_hints = case
    limits = SolveLimits()
    candidates._CANDIDATE_CACHE.clear()
    key = candidates.row_key(row, local)
    got = candidates.row_candidates(row, key, n_cols, local, use_hints, True, positive_only, limits)
    assert got is not None
    fixed = candidates._fixed_row(row, n_cols, local, use_hints)
    if fixed is not None:  # one candidate by construction: nothing to deduplicate
        assert got.cost.size == 1
        return
    placed = candidates._plain_placed(row, n_cols, use_hints)
    k = placed.vec.shape[0]
    parts = [(placed.vec, placed.pos, np.full(k, -1), candidates._violations(placed.vec, local), placed.soft)]
    if local:
        f = candidates._plain_forced(row, placed, local, use_hints, positive_only)
        parts.append((f.vec, f.pos, f.lost, np.zeros(f.lost.size, dtype=np.int64), f.soft))
    vec, pos, lost, viol, soft = (np.concatenate(x) for x in zip(*parts, strict=True))
    want = candidates._finish(
        vec, pos, np.broadcast_to(np.arange(pos.shape[1]), pos.shape), lost, viol, soft, k
    )
    for name in ("vec", "pos", "lost_col", "cost", "violations"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
