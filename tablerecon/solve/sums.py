"""Which candidates can still be part of a reading where a column identity holds exactly.

The search's bounds compare each candidate with the least and the most the other rows can add
up to. With thousands of candidates a row (a glued row whose blank cells were dropped), that
range holds almost every sum, and proving that no reading fits took the search to its bound.
Here each identity is taken alone but exactly: the distinct sums the rows can reach are listed,
forwards and backwards over the rows (a row's candidates hold few distinct values in one
column, however many they are), and a candidate is kept only where some choice of the other
rows brings its identity to zero.
"""

from __future__ import annotations

import numpy as np

from tablerecon.solve.costs import TOL

#: Most sums the forward listing of one identity may form (each row's values added to each sum
#: so far); an identity needing more is left to the bounds. A glued requests table's identities
#: take up to a few thousand; 65,536 keeps one listing within a few milliseconds.
MAX_WORK = 1 << 16
#: Largest contribution listed exactly (sums of a table's rows stay far inside int64).
MAX_VALUE = 10**15


def exactly_supported(
    by_equation: np.ndarray, row_of: np.ndarray, alive: np.ndarray, max_rounds: int = 8
) -> tuple[np.ndarray, int]:
    """Which candidates of ``alive`` (sorted indices into the columns of ``by_equation``, one
    identity a row, each candidate's contribution) can take part in a choice of one candidate a
    row under which an identity holds, for every identity taken alone; repeated until none
    drops (at most ``max_rounds`` passes). Also returns the sums formed, for the search's work
    bound. An identity whose contributions are not whole numbers, or which would take more than
    MAX_WORK sums, prunes nothing."""
    keep = np.ones(alive.shape[0], dtype=bool)
    work = 0
    for _ in range(max_rounds):
        changed = False
        for e in range(by_equation.shape[0]):
            live = alive[keep]
            ok, formed = _supported_in(by_equation[e, live], row_of[live])
            work += formed
            if ok is None or ok.all():
                continue
            keep[np.nonzero(keep)[0][~ok]] = False
            changed = True
            if not keep.any():
                return keep, work
        if not changed:
            break
    return keep, work


def _supported_in(values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray | None, int]:
    """For one identity: whether each candidate's contribution (``values``, candidates grouped
    by row in ``rows``' order) can be brought to zero by one candidate of every other row (None
    when the identity is skipped), and the sums formed."""
    whole = np.round(values)
    if values.size == 0 or (np.abs(values - whole) > TOL).any() or np.abs(whole).max() > MAX_VALUE:
        return None, values.size
    ints = whole.astype(np.int64)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], rows.size]
    distinct = [np.unique(ints[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    moving = [i for i, d in enumerate(distinct) if d.size > 1]
    if not moving:
        return None, values.size  # every row has one value: the bounds settle it already
    target = -sum(int(d[0]) for d in distinct if d.size == 1)  # what the moving rows must make
    # forward[j]: the sums the first j moving rows can make that the rest can still bring to
    # the target (the least and the most the rest can add, ``least`` and ``most``).
    least = np.cumsum([0] + [int(distinct[i][0]) for i in reversed(moving)])[::-1]
    most = np.cumsum([0] + [int(distinct[i][-1]) for i in reversed(moving)])[::-1]
    forward = [np.zeros(1, dtype=np.int64)]
    formed = 0
    for j, i in enumerate(moving):
        formed += forward[-1].size * distinct[i].size
        if formed > MAX_WORK:
            return None, values.size + formed
        sums = np.unique((forward[-1][:, None] + distinct[i][None, :]).ravel())
        forward.append(sums[(sums >= target - most[j + 1]) & (sums <= target - least[j + 1])])
    work = values.size + formed
    # need[j]: the sums of the first j moving rows from which the rest can make the target.
    need = [np.zeros(0, dtype=np.int64)] * (len(moving) + 1)
    need[-1] = np.array([target], dtype=np.int64)
    for j in range(len(moving) - 1, -1, -1):
        work += need[j + 1].size * distinct[moving[j]].size
        wanted = np.unique((need[j + 1][:, None] - distinct[moving[j]][None, :]).ravel())
        need[j] = wanted[np.isin(wanted, forward[j])]
        if not need[j].size:
            return np.zeros(values.size, dtype=bool), work  # no choice of the rows holds it
    ok = np.ones(values.size, dtype=bool)
    for j, i in enumerate(moving):
        work += forward[j].size * distinct[i].size
        reached = np.isin(forward[j][:, None] + distinct[i][None, :], need[j + 1]).any(axis=0)
        if not reached.all():
            block = slice(int(starts[i]), int(ends[i]))
            ok[block] = np.isin(ints[block], distinct[i][reached])
    return ok, work
