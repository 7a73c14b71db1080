"""Which candidates each column identity alone allows exactly (solve/sums.py): against every
choice of one candidate a row, enumerated; and on the glued table whose search it settles."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tablerecon import extract_text
from tablerecon.solve.sums import MAX_WORK, exactly_supported
from tablerecon.synth import Deformations, generate


def _problem(rows: list[list[list[float]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(by_equation, row_of, alive) for rows given as their candidates' contributions."""
    flat = np.array([c for row in rows for c in row], dtype=float)
    row_of = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    return np.ascontiguousarray(flat.T), row_of, np.arange(flat.shape[0])


def test_a_value_no_choice_of_the_other_rows_completes_is_dropped() -> None:
    """a + b + c = 0 with a, b in {0, 10} and c in {-5, -10, -20}: a + b makes 0, 10 or 20,
    so c = -5 can never hold, though it lies within the range the other rows span (0 to 20),
    which is all the search's bounds compare it with. Every other candidate takes part in
    some choice that holds."""
    by_equation, row_of, alive = _problem([[[0], [10]], [[0], [10]], [[-5], [-10], [-20]]])
    keep, work = exactly_supported(by_equation, row_of, alive)
    assert keep.tolist() == [True, True, True, True, False, True, True]
    assert work > 0


def test_what_one_identity_drops_no_other_counts_on() -> None:
    """a + b = 0 for two identities. Row a: (0, 0) and (1, 3); row b: (0, 0) and (0, -3). Taken
    alone, the second identity keeps b's (0, -3), completed by a's (1, 3); but the first drops
    a's (1, 3), as no b has -1 there, and then nothing completes b's (0, -3) either."""
    by_equation, row_of, alive = _problem([[[0, 0], [1, 3]], [[0, 0], [0, -3]]])
    keep, _ = exactly_supported(by_equation, row_of, alive)
    assert keep.tolist() == [True, False, True, False]
    alone, _ = exactly_supported(by_equation[1:], row_of, alive)
    assert alone.all()


def test_decimal_contributions_are_left_to_the_bounds() -> None:
    by_equation, row_of, alive = _problem([[[0.5], [1.0]], [[-0.5], [-7.25]]])
    keep, _ = exactly_supported(by_equation, row_of, alive)
    assert keep.all()


def test_an_identity_too_wide_to_list_is_left_to_the_bounds() -> None:
    """Three rows of 300 distinct values: listing their sums takes more than MAX_WORK, so the
    identity prunes nothing, though -1 can never be made from sums of non-negative values."""
    wide = [[[float(v)] for v in range(300)] for _ in range(2)]
    assert MAX_WORK < 300 * 300
    by_equation, row_of, alive = _problem([*wide, [[-1.0e9], [0.0]]])
    keep, _ = exactly_supported(by_equation, row_of, alive)
    assert keep.all()


@st.composite
def _rows(draw: st.DrawFn) -> list[list[list[float]]]:
    """1-4 rows of 1-5 candidates, each with small integer contributions to 1-3 identities."""
    n_eqs = draw(st.integers(1, 3))
    return [
        [
            [float(x) for x in draw(st.lists(st.integers(-4, 4), min_size=n_eqs, max_size=n_eqs))]
            for _ in range(draw(st.integers(1, 5)))
        ]
        for _ in range(draw(st.integers(1, 4)))
    ]


@settings(max_examples=400, deadline=None)
@given(_rows())
def test_every_candidate_of_a_reading_that_holds_is_kept(rows: list[list[list[float]]]) -> None:
    """Against every choice enumerated: a candidate that is part of a choice holding every
    identity is never dropped (the search would lose that reading); one that completes no
    choice for some identity alone is, unless an identity was skipped."""
    by_equation, row_of, alive = _problem(rows)
    keep, _ = exactly_supported(by_equation, row_of, alive)
    starts = np.r_[0, np.cumsum([len(r) for r in rows])]
    holding: set[int] = set()
    for choice in itertools.product(*(range(len(r)) for r in rows)):
        flat = [int(starts[i] + k) for i, k in enumerate(choice)]
        if np.all(np.abs(by_equation[:, flat].sum(axis=1)) < 1e-9):
            holding.update(flat)
    assert all(keep[k] for k in holding)
    # A single identity taken alone: kept exactly where some choice makes it hold.
    if by_equation.shape[0] == 1:
        alone = set()
        for choice in itertools.product(*(range(len(r)) for r in rows)):
            flat = [int(starts[i] + k) for i, k in enumerate(choice)]
            if abs(by_equation[0, flat].sum()) < 1e-9:
                alone.update(flat)
        moving = any(len({c[0] for c in r}) > 1 for r in rows)
        if moving:
            assert {k for k in range(keep.size) if keep[k]} == alone


def test_a_glued_table_the_bounds_could_not_settle_is_read() -> None:
    """A generated requests table glued one row a line with its blank cells dropped: its
    search used to stop at the checks bound (100M) with the whole table unknown. Started
    again from the candidates the identities allow exactly, it finishes; the cells it reads
    are right, and what it leaves unknown it says why."""
    doc = generate(10563, Deformations(style="glued"))
    table = extract_text(doc.text).table("requests")
    want = next(t for t in doc.truth["tables"] if t["table"] == "requests")
    assert table.search_complete
    read = 0
    for i, row in enumerate(want["rows"]):
        for j, col in enumerate(want["columns"]):
            gi, gj = table.rows.index(row), table.columns.index(col)
            if table.status[gi][gj] == "unknown":
                continue
            read += 1
            got = 0.0 if np.isnan(table.values[gi, gj]) else float(table.values[gi, gj])
            assert got == float(want["cells"][i][j] or 0), (row, col)
    assert read > 100
    assert table.ambiguous and table.notes
