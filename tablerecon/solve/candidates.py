"""Every way a row's numbers can sit in its columns: its candidates.

Within a row the numbers keep their order but not their columns (blank cells were dropped), and
a glued run of digits may be cut into cells several ways. Each placement is a candidate, scored
by the row's own identities and the text's evidence (blank-line hints, cells dropped); a
candidate may also mark one empty cell as forced by a row identity (a value the text lost, or a
总计 the report left blank). Rows repeat from report to report, so candidates are cached.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from itertools import combinations
from typing import Any, NamedTuple, cast

import numpy as np

from tablerecon.caches import register
from tablerecon.cells import Kind
from tablerecon.evidence import RowEvidence
from tablerecon.solve.costs import TOL, W_GAP, W_LOST, W_VIOLATION
from tablerecon.solve.limits import SolveLimits
from tablerecon.splits import Total, balanced_splits, run_splits, split_graph, splits_with


class RowCandidates(NamedTuple):
    """All placements of one row that survive its own (row-local) identities.

    A tuple of arrays and numbers, never mutated: thousands are cached across documents, and a
    tuple of untracked objects drops out of the garbage collector's walk (a class instance would
    not)."""

    vec: np.ndarray  # (K, C) float values, blank = 0
    pos: np.ndarray  # (K, m) column of each value placed, -1 padding
    source: np.ndarray  # (K, m) index in the row's cells each value came from, -1 padding
    lost_col: np.ndarray  # (K,) column of the inferred cell, -1 when none
    cost: np.ndarray  # (K,) int64 scalar cost
    violations: np.ndarray  # (K,) local identities violated
    generated: int  # placements before filtering
    bounded: bool = False  # True when the enumeration stopped at its bound
    omitted_cost: int = 0  # least cost of any candidate the bound left out
    #: The candidates breaking no row identity, computed once when cached (every search needs them).
    consistent_part: RowCandidates | None = None

    def consistent(self) -> RowCandidates:
        """The candidates that break no row identity."""
        if self.consistent_part is not None:
            return self.consistent_part
        return self.subset(self.violations == 0)

    def least_gap(self) -> RowCandidates:
        """The placements the blank-line hints like best, nothing inferred (none for a row with
        no placement at all: a value no column takes, such as a count below zero)."""
        if not self.cost.size:
            return self
        gap = self.cost - self.violations * W_VIOLATION - (self.lost_col >= 0) * W_LOST
        return self.subset(gap <= gap.min())

    def subset(self, mask: np.ndarray) -> RowCandidates:
        """The candidates selected by a boolean mask, bound information kept."""
        return RowCandidates(
            self.vec[mask],
            self.pos[mask],
            self.source[mask],
            self.lost_col[mask],
            self.cost[mask],
            self.violations[mask],
            self.generated,
            self.bounded,
            self.omitted_cost,
        )


@cache
def _combos(c: int, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros((1, 0), dtype=np.int64)
    return np.array(list(combinations(range(c), n)), dtype=np.int64).reshape(-1, n)


@cache
def _layout(c: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every placement of n values in c columns, and the blank cells each skips before every
    value and after the last (read-only: shared by all rows of that shape)."""
    pos = _combos(c, n)
    k = pos.shape[0]
    edges = np.concatenate([np.full((k, 1), -1), pos, np.full((k, 1), c)], axis=1)
    skipped = np.diff(edges, axis=1) - 1  # (K, n+1)
    pos.flags.writeable = False
    skipped.flags.writeable = False
    return pos, skipped


class _Sequences(NamedTuple):
    """A glued row's readings as sequences of values, longest first, as many as the placements'
    bound allows (each is placed every way, so a sequence of k values costs C(n_cols, k))."""

    #: Per length: values (S, k), 0 for a placeholder, and sources (S, k), the cell each value
    #: came from, -(index + 2) for a placeholder inside a run; in the order of the splits.
    groups: list[tuple[np.ndarray, np.ndarray]]
    width: int  # the most values any sequence has
    left_out: int  # values of the longest sequences the bound left out, -1 when none was


def _within_budget(sizes: list[tuple[int, int]], n_cols: int, budget: int) -> tuple[list[int], int]:
    """How many sequences of each length (longest first) fit ``budget`` placements, taken in
    order until one does not fit; and the length where the bound cut, -1 when it did not."""
    taken = []
    for k, count in sizes:
        per_sequence = math.comb(n_cols, k)
        fits = min(count, budget // per_sequence)  # known before any placement is built
        budget -= fits * per_sequence
        taken.append(fits)
        if fits < count:
            return taken, k
    return taken, -1


def _glued_sequences(
    row: RowEvidence,
    n_cols: int,
    positive_only: bool,
    limits: SolveLimits,
    local: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> _Sequences | None:
    """The readings of a glued row's cells (see _Sequences); None when there are more than
    ``max_placements``. A row of one run lists only the splits that will be placed: the count
    of each length is known before any is listed.

    A run with more splits filling every column than the bound allows (a busy body's row, 21
    digits) is read only by those that fill every column and hold the row's identities
    (``local``, where they are sums of parts into a total after them): the bound's cut left
    the row unknown, and the sums leave a handful. The shorter splits count as left out."""
    if len(row.cells) == 1 and row.cells[0].kind is Kind.RUN:
        text = row.cells[0].text
        graph = split_graph(text, n_cols, limits.max_placements, signed=not positive_only)
        if graph is None:
            return None
        full = graph.counts[0][n_cols]
        if full > limits.max_glued_placements and positive_only and local:
            totals = _totals(local)
            if totals:
                splits = balanced_splits(
                    text, n_cols, totals, limits.max_glued_placements, _BALANCED_STEPS * limits.max_placements
                )
                # None (the walk's bound) or none that adds up: the first cuts, as any long run.
                if splits:
                    return _Sequences([_as_sequences(splits, n_cols, 0)], n_cols, n_cols - 1)
        if sum(graph.counts[0]) > limits.max_placements:
            return None
        sizes = [(k, graph.counts[0][k]) for k in range(n_cols, -1, -1) if graph.counts[0][k]]
        taken, left_out = _within_budget(sizes, n_cols, limits.max_glued_placements)
        # taken stops where the bound cut: the shorter lengths after it are not placed.
        groups = [
            _as_sequences(splits_with(graph, k, k, count), k, 0)
            for (k, _), count in zip(sizes, taken, strict=False)
            if count
        ]
        return _Sequences(groups, sizes[0][0] if sizes else 0, left_out)
    options: list[list[tuple[tuple[float, ...], tuple[int, ...]]]] = []
    for index, cell in enumerate(row.cells):
        if cell.kind is Kind.RUN:
            splits = run_splits(cell.text, n_cols, limits.max_placements, signed=not positive_only)
            if splits is None:
                return None
            # A placeholder in the run is a blank cell: value 0, source marked -(index + 2).
            options.append(
                [
                    (
                        tuple(0.0 if math.isnan(v) else v for v in s),
                        tuple(-(index + 2) if math.isnan(v) else index for v in s),
                    )
                    for s in splits
                ]
            )
        else:
            value = cell.value if cell.kind is Kind.NUMBER and cell.value is not None else 0.0
            options.append([((value,), (index,))])
    sequences: list[tuple[tuple[float, ...], tuple[int, ...]]] = [((), ())]
    for opts in options:
        sequences = [(a + b, sa + sb) for a, sa in sequences for b, sb in opts if len(a) + len(b) <= n_cols]
        if len(sequences) > limits.max_placements:
            return None
    by_length: dict[int, tuple[list[tuple[float, ...]], list[tuple[int, ...]]]] = {}
    for values, source in sequences:
        group = by_length.setdefault(len(values), ([], []))
        group[0].append(values)
        group[1].append(source)
    sizes = [(k, len(v)) for k, (v, _) in sorted(by_length.items(), reverse=True)]
    taken, left_out = _within_budget(sizes, n_cols, limits.max_glued_placements)
    groups = [
        (
            np.array(by_length[k][0][:count], dtype=float).reshape(count, k),
            np.array(by_length[k][1][:count], dtype=np.int64).reshape(count, k),
        )
        for (k, _), count in zip(sizes, taken, strict=False)
        if count
    ]
    return _Sequences(groups, sizes[0][0] if sizes else 0, left_out)


#: Steps the walk for a long run's splits that add up may take, per placement of the bound.
_BALANCED_STEPS = 10


def _totals(local: list[tuple[np.ndarray, np.ndarray]]) -> list[Total] | None:
    """The row identities as sums of parts into a total that stands after them all (a
    requests row's 总计, each group of the review row); None when one is of another shape."""
    out = []
    for coef, _ in local:
        nonzero = np.nonzero(coef)[0]
        signs = np.sign(coef[nonzero])
        if nonzero.size < 2 or not (np.abs(coef[nonzero]) == 1).all():
            return None
        last = int(nonzero[-1])
        # The total is the one column of its sign, and the last column of the identity.
        if (signs == signs[-1]).sum() != 1:
            return None
        out.append(Total(tuple(int(c) for c in nonzero[:-1]), last))
    return out


def _as_sequences(splits: list[tuple[float, ...]], k: int, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Splits of one run (cell ``index``) into k values as (values, sources): see _Sequences."""
    values = np.array(splits, dtype=float).reshape(len(splits), k)
    blank = np.isnan(values)
    return np.where(blank, 0.0, values), np.where(blank, -(index + 2), index).astype(np.int64)


class Placed(NamedTuple):
    """A row's placements as generated, nothing inferred, before scoring and deduplication:
    what the placements with a forced cell are built from."""

    vec: np.ndarray  # (K, C) float values, blank = 0
    pos: np.ndarray  # (K, m) column of each value placed, -1 padding
    source: np.ndarray  # (K, m) the cell each value came from (see _Sequences for glued rows)
    soft: np.ndarray  # (K,) int64 cost of the text's own evidence (blank-line hints, cells dropped)
    skipped: np.ndarray  # (K, m+1) blank cells before every value and after the last (plain rows)
    bounded: bool = False  # the glued splits were cut by the placements' bound
    omitted_cost: int = 0  # least soft cost of any placement the bound left out


def _glued_placed(
    row: RowEvidence,
    n_cols: int,
    positive_only: bool,
    limits: SolveLimits,
    fills_every_cell: bool,
    local: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> Placed | None:
    """Placements of a row whose values came glued: each split of its runs, placed every way.

    Where the document writes every cell (``fills_every_cell``), cells dropped cost one each, so a
    split that fills every column is preferred when the identities accept several; elsewhere all
    splits are equally likely.
    """
    sequences = _glued_sequences(row, n_cols, positive_only, limits, local)
    if sequences is None:
        return None
    vecs, poss, srcs, costs = [], [], [], []
    for values, source in sequences.groups:
        count, k = values.shape
        combos = _combos(n_cols, k)
        # Every placement of each sequence in turn: sequence i in placement m is row i * M + m.
        m = combos.shape[0]
        vec = np.zeros((count, m, n_cols))
        if k:
            vec[:, np.arange(m)[:, None], combos] = values[:, None, :]
        pos = np.full((count * m, sequences.width), -1)
        pos[:, :k] = np.broadcast_to(combos, (count, m, k)).reshape(count * m, k)
        src = np.full((count * m, sequences.width), -1)
        src[:, :k] = np.repeat(source, m, axis=0)
        vecs.append(vec.reshape(count * m, n_cols))
        poss.append(pos)
        srcs.append(src)
        costs.append(np.full(count * m, n_cols - k if fills_every_cell else 0, dtype=np.int64))
    if not vecs:
        return None
    bounded = sequences.left_out >= 0
    return Placed(
        np.concatenate(vecs),
        np.concatenate(poss),
        np.concatenate(srcs),
        np.concatenate(costs),
        np.zeros((0, 0), dtype=np.int64),
        bounded,
        n_cols - sequences.left_out if bounded and fills_every_cell else 0,
    )


def _glued_forced(
    placed: Placed, local: list[tuple[np.ndarray, np.ndarray]], positive_only: bool, fills_every_cell: bool
) -> _Forced:
    """The glued placements with one cell a row identity forces. Numbers occupy their cell for
    good; a placeholder is a blank a row identity may fill."""
    vec, pos, src = placed.vec, placed.pos, placed.source
    occupied = np.zeros(vec.shape, dtype=bool)
    rows_idx = np.repeat(np.arange(vec.shape[0]), pos.shape[1])
    keep = (pos.ravel() >= 0) & (src.ravel() >= 0)
    occupied[rows_idx[keep], pos.ravel()[keep]] = True
    idx, q, v = _lost_variants(vec, occupied, local, positive_only)
    filled = (pos[idx] == q[:, None]).any(axis=1)  # the forced cell held a placeholder
    # The forced cell is no dropped cell: it only had a cost where drops do.
    return _Forced(v, pos[idx], src[idx], q, placed.soft[idx] - (~filled) * int(fills_every_cell))


def _full_row(
    row: RowEvidence, n_cols: int, local: list[tuple[np.ndarray, np.ndarray]], use_hints: bool
) -> RowCandidates:
    """A row with a number in every column: one placement, nothing to infer (no cell is free),
    built directly; the general path gives the same candidate with many more array calls."""
    vec = np.array([[c.value for c in row.cells]], dtype=float)
    known = [g for g in row.gaps if g is not None] if len(row.gaps) == n_cols + 1 else []
    gap = sum(known) * W_GAP if use_hints else 0  # every skipped count is 0 in the one placement
    viol = _violations(vec, local)
    cost = viol * W_VIOLATION + gap
    columns = np.arange(n_cols, dtype=np.int64)[None, :]
    return RowCandidates(vec, columns, columns, np.full(1, -1), cost.astype(np.int64), viol, 1)


def _lost_variants(
    vec: np.ndarray, occupied: np.ndarray, local: list[tuple[np.ndarray, np.ndarray]], positive_only: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each column q a row identity covers: the candidates in which q is free and the
    identity forces a value there that satisfies every row identity. The forced value must be a
    non-zero integer (positive in count tables): a zero is a blank. All columns and candidates
    at once (the first identity through q gives its value); returns, per variant, the candidate
    it comes from, the column forced and the new vector, ordered by column, then candidate."""
    none = np.zeros(0, dtype=np.int64)
    if not local or not vec.shape[0]:
        return none, none, np.zeros((0, vec.shape[1]))
    coefs, qs, first_eq, most_through = _identity_shape(local)
    if not qs.size:
        return none, none, np.zeros((0, vec.shape[1]))
    base = vec @ coefs  # (K, E): each identity's sum with q still empty
    # Filling one cell mends only the identities through it, and a placement breaking none
    # forces 0 (a blank): only placements breaking at least one identity, and no more than
    # pass through a single cell, can have a variant. Most of a wide row's placements break
    # several, so they are set aside before the (K, Q) work.
    broken = (np.abs(base) > TOL).sum(axis=1)
    fixable = np.nonzero((broken >= 1) & (broken <= most_through))[0]
    base = base[fixable]
    val = -base[:, first_eq] / coefs[qs, first_eq]  # (K', Q)
    ok = ~occupied[fixable][:, qs] & ((val > TOL) if positive_only else (np.abs(val) > TOL))
    ok &= np.abs(val - np.round(val)) < TOL
    jj, kk = np.nonzero(ok.T)  # column-major: the variants of each column together
    # Every row identity must hold with the forced value (the one it came from does).
    forced = val[kk, jj]
    if coefs.shape[1] > 1:
        holds = (np.abs(base[kk] + forced[:, None] * coefs[qs[jj]]) <= TOL).all(axis=1)
        kk, jj, forced = kk[holds], jj[holds], forced[holds]
    kk = fixable[kk]
    v = vec[kk]
    v[np.arange(kk.size), qs[jj]] = forced
    return kk, qs[jj], v


def _violations(v: np.ndarray, local: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    if not local:
        return np.zeros(v.shape[0], dtype=np.int64)
    out: np.ndarray = (np.abs(v @ _identity_shape(local).coefs) > TOL).sum(axis=1)
    return out


class _IdentityShape(NamedTuple):
    """A row's identities as the placement code uses them, the same for every row of a table."""

    coefs: np.ndarray  # (C, E) each identity's coefficients, one column each
    qs: np.ndarray  # the columns some identity passes through
    first_eq: np.ndarray  # for each of qs, the first identity through it
    most_through: int  # the most identities through one column


# Every row of a table has the same identities, in arrays of its own: worked out once per
# distinct set (a handful per template), not once per row.
_IDENTITY_SHAPES: dict[tuple[bytes, ...], _IdentityShape] = {}
_IDENTITY_SHAPES_SIZE = 1024
register(_IDENTITY_SHAPES.clear)


def _identity_shape(local: list[tuple[np.ndarray, np.ndarray]]) -> _IdentityShape:
    key = tuple(coef.tobytes() for coef, _ in local)
    shape = _IDENTITY_SHAPES.get(key)
    if shape is None:
        coefs = np.stack([c for c, _ in local], axis=1)
        through = coefs != 0
        qs = np.nonzero(through.any(axis=1))[0]
        shape = _IdentityShape(coefs, qs, through[qs].argmax(axis=1), int(through.sum(axis=1).max()))
        if len(_IDENTITY_SHAPES) >= _IDENTITY_SHAPES_SIZE:
            _IDENTITY_SHAPES.clear()
        _IDENTITY_SHAPES[key] = shape
    return shape


def _finish(
    vec: np.ndarray,
    pos: np.ndarray,
    source: np.ndarray,
    lost: np.ndarray,
    viol: np.ndarray,
    soft_cost: np.ndarray,
    generated: int,
    same_vector: np.ndarray | None = None,
) -> RowCandidates:
    """Score candidates and keep the cheapest of each distinct value vector: placing a 0 or a
    blank in one column or another gives the same data. ``same_vector``, when given, is an
    integer per candidate, equal exactly where the vectors are (cheaper to compare)."""
    cost = viol * W_VIOLATION + (lost >= 0) * W_LOST + soft_cost
    order = np.lexsort((np.arange(cost.shape[0]), cost))
    if same_vector is not None:
        _, first = np.unique(same_vector[order], return_index=True)
    elif vec.shape[1]:
        # Rows compared as raw bytes (one void scalar each): several times faster than axis=0.
        # Adding 0.0 turns -0.0 into 0.0, which value comparison treats as equal.
        rounded = np.ascontiguousarray(np.round(vec[order], 6) + 0.0)
        as_bytes = rounded.view(np.dtype((np.void, rounded.dtype.itemsize * rounded.shape[1])))
        _, first = np.unique(as_bytes.ravel(), return_index=True)
    else:
        first = np.arange(min(vec.shape[0], 1))
    keep = order[np.sort(first)]  # the first of each vector in (cost, index) order: cost order
    return RowCandidates(vec[keep], pos[keep], source[keep], lost[keep], cost[keep], viol[keep], generated)


# Rows repeat from report to report (seven zeros, one number and its total): their candidates
# depend only on the values, gaps and rules, so they are computed once. Never mutated.
# Entries are plain tuples (fields, then the consistent part's fields): the garbage collector
# stops tracking an exact tuple of arrays and numbers, not a NamedTuple, and walking tens of
# thousands of cached rows made each full collection cost tens of milliseconds.
_CANDIDATE_CACHE: dict[tuple[object, ...], tuple[object, ...] | None] = {}
_CANDIDATE_CACHE_SIZE = 20_000
register(_CANDIDATE_CACHE.clear)
_KIND_CODE = {kind: kind.value for kind in Kind}


def row_key(row: RowEvidence, local: list[tuple[np.ndarray, np.ndarray]]) -> tuple[object, ...]:
    """What a row's candidates depend on besides the table's settings: its values, blank-line
    gaps and row identities. Built of strings and numbers only, so the garbage collector stops
    tracking it (a Kind member inside would keep each cached key tracked, and walked); built
    once per row of a component, however many searches look the row up."""
    return (
        tuple((_KIND_CODE[c.kind], c.value, c.text if c.kind is Kind.RUN else "") for c in row.cells),
        tuple(row.gaps),
        tuple(coef.tobytes() for coef, _ in local),
    )


_ABSENT: tuple[object, ...] = ("absent",)


def row_candidates(
    row: RowEvidence,
    row_key: tuple[object, ...],
    n_cols: int,
    local: list[tuple[np.ndarray, np.ndarray]],
    use_hints: bool,
    allow_lost: bool,
    positive_only: bool,
    limits: SolveLimits,
    memo: dict[tuple[object, ...], Placed | None] | None = None,
    never_negative: tuple[int, ...] = (),
) -> RowCandidates | None:
    """Every placement of the row's cells, with optional one lost cell; None when too many.
    ``row_key`` is the row's row_key. A placement putting a negative value in a column of
    ``never_negative`` is no reading (a glued ``2648-18538`` puts its minus sign before the
    本年增/减 cell, never inside 上一年项目数量 or 处理决定数量).

    The placements with a lost cell are built on those without (cached separately), so a search
    that needs no inferred value never pays for them. Both start from the row's raw placements;
    ``memo`` (one per component, whose settings are the same for every row) keeps a row's from the
    search without forced cells for the one with them, so its runs are split and its values
    placed once."""
    allow_lost = allow_lost and bool(local)  # no row identity: nothing to infer
    # Every bound the generation reads (placements, glued placements), not just one.
    key = (
        row_key,
        n_cols,
        use_hints,
        allow_lost,
        positive_only,
        limits.max_placements,
        limits.max_glued_placements,
        never_negative,
    )
    stored = _CANDIDATE_CACHE.get(key, _ABSENT)
    if stored is not _ABSENT:
        if stored is None:
            return None
        vec, pos, src, lost, cost, viol, made, bounded, omitted, part = cast(tuple[Any, ...], stored)
        return RowCandidates(vec, pos, src, lost, cost, viol, made, bounded, omitted, RowCandidates(*part))

    def placed() -> Placed | None:
        if memo is not None and row_key in memo:
            return memo[row_key]
        if _is_glued(row):
            made = _glued_placed(row, n_cols, positive_only, limits, use_hints, local)
        else:
            made = _plain_placed(row, n_cols, use_hints)
        if memo is not None:
            memo[row_key] = made
        return made

    if allow_lost:
        base = row_candidates(
            row, row_key, n_cols, local, use_hints, False, positive_only, limits, memo, never_negative
        )
        rc = None
        if base is not None:
            rc = _with_forced(row, n_cols, local, use_hints, positive_only, base, placed)
    else:
        rc = _placements(row, n_cols, local, use_hints, limits, placed)
    if rc is not None and never_negative and rc.vec.size and rc.vec.min() < -TOL:
        rc = rc.subset(np.logical_not((rc.vec[:, list(never_negative)] < -TOL).any(axis=1)))
    if len(_CANDIDATE_CACHE) >= _CANDIDATE_CACHE_SIZE:
        _CANDIDATE_CACHE.clear()
    if rc is None:
        _CANDIDATE_CACHE[key] = None
        return None
    part = rc.subset(rc.violations == 0)
    _CANDIDATE_CACHE[key] = (*rc[:-1], tuple(part[:-1]))
    return rc._replace(consistent_part=part)


def _placements(
    row: RowEvidence,
    n_cols: int,
    local: list[tuple[np.ndarray, np.ndarray]],
    use_hints: bool,
    limits: SolveLimits,
    raw: Callable[[], Placed | None],
) -> RowCandidates | None:
    """The row's placements with nothing inferred, cheapest of each value vector; None when
    there are more than the bounds allow. ``raw`` gives them as generated (_glued_placed or
    _plain_placed; for glued rows the evidence about dropped cells is whether the document
    writes them)."""
    glued = _is_glued(row)
    if not glued:
        n = len(row.cells)
        if n > n_cols or math.comb(n_cols, n) > limits.max_placements:
            return None
        fixed = _fixed_row(row, n_cols, local, use_hints)
        if fixed is not None:
            return fixed
    placed = raw()
    if placed is None:
        return None
    k = placed.vec.shape[0]
    rc = _finish(
        placed.vec,
        placed.pos,
        placed.source,
        np.full(k, -1),
        _violations(placed.vec, local),
        placed.soft,
        k,
        None if glued else _nonzero_columns(row, placed.pos, n_cols),
    )
    return rc._replace(bounded=True, omitted_cost=placed.omitted_cost) if placed.bounded else rc


def _with_forced(
    row: RowEvidence,
    n_cols: int,
    local: list[tuple[np.ndarray, np.ndarray]],
    use_hints: bool,
    positive_only: bool,
    base: RowCandidates,
    raw: Callable[[], Placed | None],
) -> RowCandidates | None:
    """``base`` (the row's placements, nothing inferred) and the placements with one cell a row
    identity forces: a value the text lost, or a total the report left blank. ``raw`` gives the
    placements as generated.

    The forced ones are built from the placements again. Kept, as everywhere, is the cheapest
    of each vector, in cost order: base already is that among the placements, and comes first
    at equal cost; a glued row's forced ones are scored together with it (another split can
    read the same vector), a plain row's are deduplicated alone and merged in."""
    glued = _is_glued(row)
    if not glued and _reads_alike(row, n_cols):
        return base  # every column filled, or only zeros: no cell is free, or none is forced
    placed = raw()
    if placed is None:
        return None
    if glued:
        forced = _glued_forced(placed, local, positive_only, use_hints)
    else:
        forced = _plain_forced(row, placed, local, use_hints, positive_only)
    if not forced.lost.size:
        return base
    no_violation = np.zeros(forced.lost.size, dtype=np.int64)
    if not glued:
        # A plain row's forced vector has one non-zero value more than any of its placements
        # (the same numbers, plus the forced one), so the two sets share no vector: only the
        # forced ones need deduplicating, then both are merged in cost order, base first.
        extra = _finish(forced.vec, forced.pos, forced.source, forced.lost, no_violation, forced.soft, 0)
        # Each forced one goes after every placement as cheap as it (both are in cost order): a
        # stable sort of the two laid end to end, applied to each field (one np.insert a field
        # cost several times more).
        order = np.argsort(np.concatenate([base.cost, extra.cost]), kind="stable")
        vec, pos, src, lost, cost, viol = (
            np.concatenate([a, b])[order] for a, b in zip(base[:6], extra[:6], strict=True)
        )
        return RowCandidates(vec, pos, src, lost, cost, viol, base.generated)
    rc = _finish(
        np.concatenate([base.vec, forced.vec]),
        np.concatenate([base.pos, forced.pos]),
        np.concatenate([base.source, forced.source]),
        np.concatenate([base.lost_col, forced.lost]),
        np.concatenate([base.violations, no_violation]),
        np.concatenate([base.cost - base.violations * W_VIOLATION, forced.soft]),
        base.generated,
    )
    return rc._replace(bounded=base.bounded, omitted_cost=base.omitted_cost)


def _nonzero_columns(row: RowEvidence, pos: np.ndarray, n_cols: int) -> np.ndarray | None:
    """For each placement of a plain row, the set of columns its non-zero values land in, as a
    bit mask: the values keep their order, so two placements read the same vector exactly when
    these sets are equal. None where a mask would not fit in 63 bits."""
    if n_cols > 62:
        return None
    nonzero = np.round(_values(row), 6) != 0
    mask: np.ndarray = np.left_shift(np.int64(1), pos[:, nonzero]).sum(axis=1)
    return mask


def _is_glued(row: RowEvidence) -> bool:
    return any(c.kind is Kind.RUN for c in row.cells)


class _Forced(NamedTuple):
    """Placements with one cell a row identity forces (see _lost_variants)."""

    vec: np.ndarray
    pos: np.ndarray
    source: np.ndarray
    lost: np.ndarray  # (V,) the column forced
    soft: np.ndarray  # (V,) cost of the text's own evidence


def _gap_cost(skipped: np.ndarray, gaps: np.ndarray, use_hints: bool) -> np.ndarray:
    """Blank slots each placement puts where trusted blank-line hints say otherwise, costed."""
    if not use_hints:
        return np.zeros(skipped.shape[0], dtype=np.int64)
    known = gaps >= 0
    cost: np.ndarray = np.abs(skipped - gaps)[:, known].sum(axis=1).astype(np.int64) * W_GAP
    return cost


def _row_gaps(row: RowEvidence) -> np.ndarray:
    """The extra empty slots seen before each value and after the last, -1 where unknown."""
    n = len(row.cells)
    gaps = np.array([g if g is not None else -1 for g in row.gaps], dtype=np.int64)
    return gaps if gaps.shape[0] == n + 1 else np.full(n + 1, -1)


def _values(row: RowEvidence) -> np.ndarray:
    return np.array([c.value if c.kind is Kind.NUMBER and c.value is not None else 0.0 for c in row.cells])


def _fills_every_column(row: RowEvidence, n_cols: int) -> bool:
    return len(row.cells) == n_cols and all(c.kind is Kind.NUMBER and c.value is not None for c in row.cells)


def _reads_alike(row: RowEvidence, n_cols: int) -> bool:
    """Whether every placement of a plain row reads the same vector: a number in every column,
    or zeros only (see _fixed_row)."""
    return _fills_every_column(row, n_cols) or (bool(row.cells) and not _values(row).any())


def _fixed_row(
    row: RowEvidence, n_cols: int, local: list[tuple[np.ndarray, np.ndarray]], use_hints: bool
) -> RowCandidates | None:
    """The one candidate of a row whose placements all read alike, built without listing them;
    None for any other row. A row with a number in every column has one placement and no free
    cell. In a row of zeros every placement reads the same zeros, which break no identity and
    force no value (a forced value is never 0): its candidate is the first placement the hints
    like best, as the general path finds after building thousands (15 columns, 6 zeros: 5,005)."""
    if _fills_every_column(row, n_cols):
        return _full_row(row, n_cols, local, use_hints)
    if not _reads_alike(row, n_cols):
        return None
    n = len(row.cells)
    pos, skipped = _layout(n_cols, n)
    cost = _gap_cost(skipped, _row_gaps(row), use_hints)
    first = int(np.argmin(cost))
    return RowCandidates(
        np.zeros((1, n_cols)),
        pos[first : first + 1].copy(),
        np.arange(n, dtype=np.int64)[None, :],
        np.full(1, -1),
        cost[first : first + 1],
        np.zeros(1, dtype=np.int64),
        pos.shape[0],
    )


def _plain_placed(row: RowEvidence, n_cols: int, use_hints: bool) -> Placed:
    """Every placement of a row's values in order, blanks dropped anywhere, costed by the hints."""
    n = len(row.cells)
    pos, skipped = _layout(n_cols, n)
    k = pos.shape[0]
    vec = np.zeros((k, n_cols))
    if n:
        vec[np.arange(k)[:, None], pos] = _values(row)
    source = np.broadcast_to(np.arange(n, dtype=np.int64), pos.shape)
    return Placed(vec, pos, source, _gap_cost(skipped, _row_gaps(row), use_hints), skipped)


def _reading_numbers(
    row: RowEvidence, n_cols: int, use_hints: bool, positive_only: bool, limits: SolveLimits, column: int
) -> tuple[Placed, np.ndarray] | None:
    """The row's placements again (candidates keep one of each value vector), and for each
    whether it puts a number read from the text in ``column``: a blank mark (``-``, ``/``, or
    one inside a glued run, whose source is ``-(index + 2)``) is no number. None when a glued
    row has too many placements to list."""
    if _is_glued(row):
        made = _glued_placed(row, n_cols, positive_only, limits, use_hints)
        if made is None:
            return None
    else:
        made = _plain_placed(row, n_cols, use_hints)
    source = made.source
    marks = np.array([cell.kind is Kind.PLACEHOLDER for cell in row.cells] + [False])
    mark = (source <= -2) | marks[np.where(source >= 0, source, len(row.cells))]
    return made, ((made.pos == column) & ~mark).any(axis=1)


def reads_column(
    row: RowEvidence,
    n_cols: int,
    use_hints: bool,
    positive_only: bool,
    limits: SolveLimits,
    values: np.ndarray,
    column: int,
) -> bool:
    """Whether a placement of the row's values that the text's evidence likes best gives the
    cells ``values`` with a number read in ``column`` (a 0 there, where other placements as good
    leave it blank). Asked only of a rival reading a total blank. True when the row has too
    many placements to tell."""
    found = _reading_numbers(row, n_cols, use_hints, positive_only, limits, column)
    if found is None:
        return True
    made, reads = found
    if not made.soft.size:
        return False
    same = (made.soft == made.soft.min()) & (np.abs(made.vec - values) <= TOL).all(axis=1)
    return bool((same & reads).any())


def total_tied(
    row: RowEvidence,
    n_cols: int,
    use_hints: bool,
    positive_only: bool,
    limits: SolveLimits,
    values: np.ndarray,
    column: int,
    soft: int,
) -> bool:
    """Whether a reading as good as one inferring ``column`` (its evidence cost ``soft``, an
    inferred cell's W_LOST aside) gives the same cells ``values`` with a number read in
    ``column``: nothing inferred at a cost W_LOST higher, or another cell inferred at the same
    cost. Which of the two a search keeps is its own order's choice, so a total so tied is not
    known to be blank. True when the row has too many placements to tell."""
    found = _reading_numbers(row, n_cols, use_hints, positive_only, limits, column)
    if found is None:
        return True
    made, reads = found
    differ = np.abs(made.vec - values) > TOL
    alike = ~differ.any(axis=1) & (made.soft == soft + W_LOST)
    # Another cell inferred: the placement leaves it blank where ``values`` holds its value.
    blank_there = (np.abs(made.vec) <= TOL) & differ
    one_off = (differ.sum(axis=1) == 1) & blank_there.any(axis=1) & (made.soft == soft)
    return bool((reads & (alike | one_off)).any())


def _plain_forced(
    row: RowEvidence,
    placed: Placed,
    local: list[tuple[np.ndarray, np.ndarray]],
    use_hints: bool,
    positive_only: bool,
) -> _Forced:
    """The placements with one cell a row identity forces. A placeholder (/, -) is an explicit
    blank: a row identity may still force its value (a 总计 written as '-'), so only numbers
    occupy their cell for good."""
    vec, pos = placed.vec, placed.pos
    n = pos.shape[1]
    k, n_cols = vec.shape
    numeric = np.array([c.kind is Kind.NUMBER for c in row.cells], dtype=bool)
    occupied = np.zeros((k, n_cols), dtype=bool)
    if n:
        occupied[np.arange(k)[:, None], pos] = numeric  # a plain row's values are all placed
    idx, q, v = _lost_variants(vec, occupied, local, positive_only)
    gaps = _row_gaps(row)
    sk = placed.skipped[idx].copy()
    placed_at = pos[idx]
    # Where trusted hints account for every column (values read plus blanks marked), no cell is
    # missing from the text: a forced value can only fill a blank the text marked (a 总计 left
    # blank), never a value that vanished without its line.
    accounted = use_hints and bool((gaps >= 0).all()) and n + int(gaps.sum()) == n_cols
    if not accounted:
        # A dropped cell left no line; a placeholder or a marked blank did, and fills its slot.
        slots = (placed_at < q[:, None]).sum(axis=1)
        dropped = ~(placed_at == q[:, None]).any(axis=1)
        sk[np.nonzero(dropped)[0], slots[dropped]] -= 1
    return _Forced(v, placed_at, placed.source[idx], q, _gap_cost(sk, gaps, use_hints))
