"""The branch-and-bound search inside solve.py, on hand-built candidates: what it promises
whatever order it explores them in."""

from __future__ import annotations

import time

import numpy as np

from tablerecon.solve import RowCandidates, SolveLimits, _Search


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
    search = _Search([a, b], [a_contrib, b_contrib], True, limits, time.perf_counter() + 10)
    search.start()
    assert not search.gave_up and not search.capped
    assert search.best == 0
    assert search.solutions == [(20, 1)]


def test_a_cap_stands_when_more_optimal_readings_exist_than_kept() -> None:
    a, a_contrib = _row([0] * 20, [0.0] * 20)
    b, b_contrib = _row([0], [0.0])
    search = _Search([a, b], [a_contrib, b_contrib], True, SolveLimits(), time.perf_counter() + 10)
    search.start()
    assert search.capped and search.best == 0
    assert len(search.solutions) == SolveLimits().max_solutions
