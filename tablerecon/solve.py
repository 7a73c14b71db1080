"""Step 3: decide which column each number belongs to.

Within a row the numbers keep their order but not their columns (blank cells were dropped).
Every way of placing a row's numbers is a *candidate*; a candidate may also mark one empty
cell as *lost* when a row identity forces its value (a value the text dropped, or a 总计 the
report left blank). Rows are tied together by the column identities; the constraint graph
(networkx) splits a table into independent components, and each component is searched with
bounds propagation and branch and bound for the cheapest candidates that satisfy every
identity. Cost, compared lexicographically: identities violated, then values inferred, then
disagreement with the blank-line hints (only when the table's hints are consistent enough to
trust). Every optimal assignment is kept (up to a bound) so that ambiguity is stated, never
resolved by a silent guess. Candidates with a lost cell are built and searched only when the
search without them finds no reading cheaper than one inference.

When no assignment satisfies the identities the source itself is inconsistent: values are
kept as read, nothing is inferred, and the violated identities are reported.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from typing import Any, NamedTuple, cast

import networkx as nx
import numpy as np

from tablerecon.caches import register
from tablerecon.match import RowEvidence
from tablerecon.models import CellStatus, PlacementOption, Verdict
from tablerecon.normalize import Kind
from tablerecon.splits import run_splits, split_graph, splits_with
from tablerecon.templates import Equation

# Costs. An inferred value and a violated identity weigh the same: one wrong number in a source
# usually breaks two or three identities (its row's and its columns'), so a reading that keeps
# the values as read beats one needing several inferences, and loses to one needing a single
# inference that every identity confirms. Trusted blank-line hints weigh half as much per slot.
W_LOST = 10_000
W_VIOLATION = 10_000
W_GAP = 5_000  # per blank slot the reading puts where trusted blank-line hints say otherwise
#: Readings whose costs differ by less than this are both plausible: the cells they disagree on
#: are unknown (a value lost and a total wrong can explain the same text).
MARGIN = 2 * W_LOST
TOL = 1e-6
#: Cost levels the search checks separately for what a dearer candidate leaves the other rows.
AFFORDABLE_LEVELS = 3
#: Share of SolveLimits.max_seconds the searches may use, so the whole table keeps to the bound.
SEARCH_SHARE = 0.95


@dataclass(frozen=True, slots=True)
class SolveLimits:
    """Bounds on every search: placements per row, search nodes and checks, seconds per table.

    The counts are what normally stop a search, so the same input gives the same answer on any
    machine; the seconds are a safety net, and an answer cut by them depends on the load."""

    max_placements: int = 20_000
    #: Glued rows multiply splits by placements; a lower bound keeps a whole table within time.
    max_glued_placements: int = 2_000
    max_nodes: int = 20_000
    #: Candidate checks per search (live candidates x identities examined, summed over nodes).
    #: A node's cost grows with the candidates alive, so for tables with thousands of placements
    #: this bound, not the clock, is what stops the search (about half a second of numpy work).
    #: What reaches it is mostly a proof that no reading fits: 300M instead gave the same
    #: output on 2,169 generated glued tables and settled 2 more of 7,813 others, at twice the time.
    max_checks: int = 100_000_000
    max_seconds: float = 10.0
    max_solutions: int = 16


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
        """The placements the blank-line hints like best, nothing inferred."""
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


class HintCounts(NamedTuple):
    """What rows show about their blank lines: short rows (fewer values than columns), those
    whose extra empty slots equal the cells missing, full rows, and those with empty slots anyway."""

    short: int = 0
    consistent: int = 0
    full: int = 0
    stray: int = 0


#: A table with fewer short rows than this is judged on its document's rows (of its style): one
#: or two rows cannot tell dropped-cell markers from stray blank lines.
MIN_OWN_HINT_ROWS = 3


def hint_counts(rows: list[RowEvidence], n_cols: int) -> HintCounts:
    short = consistent = full = stray = 0
    for row in rows:
        if not row.found or not row.cells or any(g is None for g in row.gaps):
            continue
        extra = sum(g for g in row.gaps if g is not None)
        n = len(row.cells)
        if n < n_cols:
            short += 1
            consistent += extra == n_cols - n
        elif n == n_cols:
            full += 1
            stray += extra > 0
    return HintCounts(short, consistent, full, stray)


def pooled(counts: list[HintCounts]) -> HintCounts:
    """The evidence of several tables together."""
    return HintCounts(*(sum(c[i] for c in counts) for i in range(4)))


def hints_trusted(rows: list[RowEvidence], n_cols: int, document: HintCounts | None = None) -> bool:
    """Whether blank-line gaps in this table behave like dropped-cell markers.

    They do when most short rows show exactly as many extra empty slots as cells missing,
    and full rows show none. A document without hints, or with stray blank lines, fails this
    and its gaps are then ignored rather than trusted. A table with too few short rows of its
    own is judged on ``document`` (its document's tables of the same style, itself included).
    """
    own = hint_counts(rows, n_cols)
    c = document if document is not None and own.short < MIN_OWN_HINT_ROWS else own
    return c.short > 0 and c.consistent >= 0.6 * c.short and c.stray <= 0.2 * max(c.full, 1)


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
    row: RowEvidence, n_cols: int, positive_only: bool, limits: SolveLimits
) -> _Sequences | None:
    """The readings of a glued row's cells (see _Sequences); None when there are more than
    ``max_placements``. A row of one run lists only the splits that will be placed: the count
    of each length is known before any is listed."""
    if len(row.cells) == 1 and row.cells[0].kind is Kind.RUN:
        graph = split_graph(row.cells[0].text, n_cols, limits.max_placements, signed=not positive_only)
        if graph is None or sum(graph.counts[0]) > limits.max_placements:
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


def _as_sequences(splits: list[tuple[float, ...]], k: int, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Splits of one run (cell ``index``) into k values as (values, sources): see _Sequences."""
    values = np.array(splits, dtype=float).reshape(len(splits), k)
    blank = np.isnan(values)
    return np.where(blank, 0.0, values), np.where(blank, -(index + 2), index).astype(np.int64)


class _Placed(NamedTuple):
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
    row: RowEvidence, n_cols: int, positive_only: bool, limits: SolveLimits, fills_every_cell: bool
) -> _Placed | None:
    """Placements of a row whose values came glued: each split of its runs, placed every way.

    Where the document writes every cell (``fills_every_cell``), cells dropped cost one each, so a
    split that fills every column is preferred when the identities accept several; elsewhere all
    splits are equally likely.
    """
    sequences = _glued_sequences(row, n_cols, positive_only, limits)
    if sequences is None:
        return None
    vecs, poss, srcs, costs = [], [], [], []
    for values, source in sequences.groups:
        count, k = values.shape
        combos = _combos(n_cols, k)
        place = np.tile(combos, (count, 1))  # every placement of each sequence in turn
        vec = np.zeros((place.shape[0], n_cols))
        if k:
            np.put_along_axis(vec, place, np.repeat(values, combos.shape[0], axis=0), axis=1)
        pad = np.full((place.shape[0], sequences.width - k), -1)
        vecs.append(vec)
        poss.append(np.concatenate([place, pad], axis=1))
        srcs.append(np.concatenate([np.repeat(source, combos.shape[0], axis=0), pad], axis=1))
        costs.append(np.full(place.shape[0], n_cols - k if fills_every_cell else 0, dtype=np.int64))
    if not vecs:
        return None
    bounded = sequences.left_out >= 0
    return _Placed(
        np.concatenate(vecs),
        np.concatenate(poss),
        np.concatenate(srcs),
        np.concatenate(costs),
        np.zeros((0, 0), dtype=np.int64),
        bounded,
        n_cols - sequences.left_out if bounded and fills_every_cell else 0,
    )


def _glued_forced(
    placed: _Placed, local: list[tuple[np.ndarray, np.ndarray]], positive_only: bool, fills_every_cell: bool
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
    coefs = np.stack([c for c, _ in local], axis=1)  # (C, E)
    through = coefs != 0
    qs = np.nonzero(through.any(axis=1))[0]
    if not qs.size:
        return none, none, np.zeros((0, vec.shape[1]))
    first_eq = through[qs].argmax(axis=1)
    base = vec @ coefs  # (K, E): each identity's sum with q still empty
    # Filling one cell mends only the identities through it, and a placement breaking none
    # forces 0 (a blank): only placements breaking at least one identity, and no more than
    # pass through a single cell, can have a variant. Most of a wide row's placements break
    # several, so they are set aside before the (K, Q) work.
    broken = (np.abs(base) > TOL).sum(axis=1)
    fixable = np.nonzero((broken >= 1) & (broken <= int(through.sum(axis=1).max())))[0]
    base = base[fixable]
    val = -base[:, first_eq] / coefs[qs, first_eq]  # (K', Q)
    ok = ~occupied[fixable][:, qs] & ((val > TOL) if positive_only else (np.abs(val) > TOL))
    ok &= np.abs(val - np.round(val)) < TOL
    jj, kk = np.nonzero(ok.T)  # column-major: the variants of each column together
    # Every row identity must hold with the forced value.
    forced = val[kk, jj]
    holds = (np.abs(base[kk] + forced[:, None] * coefs[qs[jj]]) <= TOL).all(axis=1)
    kk, jj, forced = fixable[kk[holds]], jj[holds], forced[holds]
    v = vec[kk]
    v[np.arange(kk.size), qs[jj]] = forced
    return kk, qs[jj], v


def _violations(v: np.ndarray, local: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    if not local:
        return np.zeros(v.shape[0], dtype=np.int64)
    coefs = np.stack([c for c, _ in local], axis=1)
    out: np.ndarray = (np.abs(v @ coefs) > TOL).sum(axis=1)
    return out


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


def _row_key(row: RowEvidence, local: list[tuple[np.ndarray, np.ndarray]]) -> tuple[object, ...]:
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


def _row_candidates(
    row: RowEvidence,
    row_key: tuple[object, ...],
    n_cols: int,
    local: list[tuple[np.ndarray, np.ndarray]],
    use_hints: bool,
    allow_lost: bool,
    positive_only: bool,
    limits: SolveLimits,
    memo: dict[tuple[object, ...], _Placed | None] | None = None,
) -> RowCandidates | None:
    """Every placement of the row's cells, with optional one lost cell; None when too many.
    ``row_key`` is the row's _row_key.

    The placements with a lost cell are built on those without (cached separately), so a search
    that needs no inferred value never pays for them. Both start from the row's raw placements;
    ``memo`` (one per component, whose settings are the same for every row) keeps a glued row's
    from the search without forced cells for the one with them, so its runs are split once."""
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
    )
    stored = _CANDIDATE_CACHE.get(key, _ABSENT)
    if stored is not _ABSENT:
        if stored is None:
            return None
        vec, pos, src, lost, cost, viol, made, bounded, omitted, part = cast(tuple[Any, ...], stored)
        return RowCandidates(vec, pos, src, lost, cost, viol, made, bounded, omitted, RowCandidates(*part))

    def placed() -> _Placed | None:
        if not _is_glued(row):  # cheap to build again: not worth holding (K x C) arrays for
            return _plain_placed(row, n_cols, use_hints)
        if memo is not None and row_key in memo:
            return memo[row_key]
        made = _glued_placed(row, n_cols, positive_only, limits, use_hints)
        if memo is not None:
            memo[row_key] = made
        return made

    if allow_lost:
        base = _row_candidates(row, row_key, n_cols, local, use_hints, False, positive_only, limits, memo)
        rc = None
        if base is not None:
            rc = _with_forced(row, n_cols, local, use_hints, positive_only, base, placed)
    else:
        rc = _placements(row, n_cols, local, use_hints, limits, placed)
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
    raw: Callable[[], _Placed | None],
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
    raw: Callable[[], _Placed | None],
) -> RowCandidates | None:
    """``base`` (the row's placements, nothing inferred) and the placements with one cell a row
    identity forces: a value the text lost, or a total the report left blank. ``raw`` gives the
    placements as generated.

    The forced ones are built from the placements again. Kept, as everywhere, is the cheapest
    of each vector, in cost order: base already is that among the placements, and comes first
    at equal cost; a glued row's forced ones are scored together with it (another split can
    read the same vector), a plain row's are deduplicated alone and merged in."""
    glued = _is_glued(row)
    if not glued and _fixed_row(row, n_cols, local, use_hints) is not None:
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
        # Each forced one goes after every placement as cheap as it (both are in cost order).
        at = np.searchsorted(base.cost, extra.cost, side="right")
        vec, pos, src, lost, cost, viol = (
            np.insert(a, at, b, axis=0) for a, b in zip(base[:6], extra[:6], strict=True)
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


def _fixed_row(
    row: RowEvidence, n_cols: int, local: list[tuple[np.ndarray, np.ndarray]], use_hints: bool
) -> RowCandidates | None:
    """The one candidate of a row whose placements all read alike, built without listing them;
    None for any other row. A row with a number in every column has one placement and no free
    cell. In a row of zeros every placement reads the same zeros, which break no identity and
    force no value (a forced value is never 0): its candidate is the first placement the hints
    like best, as the general path finds after building thousands (15 columns, 6 zeros: 5,005)."""
    n = len(row.cells)
    if n == n_cols and all(c.kind is Kind.NUMBER and c.value is not None for c in row.cells):
        return _full_row(row, n_cols, local, use_hints)
    if not n or _values(row).any():
        return None
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


def _plain_placed(row: RowEvidence, n_cols: int, use_hints: bool) -> _Placed:
    """Every placement of a row's values in order, blanks dropped anywhere, costed by the hints."""
    n = len(row.cells)
    pos, skipped = _layout(n_cols, n)
    k = pos.shape[0]
    vec = np.zeros((k, n_cols))
    if n:
        vec[np.arange(k)[:, None], pos] = _values(row)
    source = np.broadcast_to(np.arange(n, dtype=np.int64), pos.shape)
    return _Placed(vec, pos, source, _gap_cost(skipped, _row_gaps(row), use_hints), skipped)


def _plain_forced(
    row: RowEvidence,
    placed: _Placed,
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
        np.put_along_axis(occupied, pos, np.broadcast_to(numeric, (k, n)), axis=1)
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


@dataclass(slots=True)
class _Search:
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
        if self.hard or sum(c.cost.size > 1 for c in self.cands) <= 1:
            self.run(every)
            return
        self.descend()
        self.deepen(every)

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
                # reach zero: per-row thresholds, repeated over each row's segment.
                sizes = _segment_sizes(seg, alive.shape[0])
                above = np.repeat(TOL - (total_lo[:, None] - lo), sizes, axis=1)
                below = np.repeat(-TOL - (total_hi[:, None] - hi), sizes, axis=1)
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
            or self.checks > self.limits.max_checks
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

    def possible(self, row: int) -> np.ndarray:
        """Candidates of ``row`` that could still be part of an optimal assignment: used when the
        search stopped early, so that every cell it did not settle is reported unknown."""
        alive = self.root if self.root is not None else [np.arange(c.cost.shape[0]) for c in self.cands]
        floor = sum(int(self.cands[r].cost[a].min()) for r, a in enumerate(alive) if a.size)
        a = alive[row]
        own = self.cands[row].cost[a]
        return a[own + (floor - int(own.min())) <= self.best] if a.size else a


def _segment_sizes(starts: np.ndarray, total: int) -> np.ndarray:
    """How many entries each segment holds, from where each starts (as np.diff with append,
    without its wrappers: the search asks at every propagation step)."""
    sizes = np.empty_like(starts)
    sizes[:-1] = starts[1:] - starts[:-1]
    sizes[-1] = total - starts[-1]
    return sizes


def _equation_arrays(
    equations: list[Equation], n_rows: int, n_cols: int
) -> tuple[list[list[tuple[np.ndarray, np.ndarray]]], list[Equation]]:
    """Split equations into row-local coefficient vectors and global ones."""
    local: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n_rows)]
    global_eqs: list[Equation] = []
    for eq in equations:
        rows = {r for r, _, _ in eq.terms}
        if len(rows) == 1:
            coef = np.zeros(n_cols)
            for _, c, a in eq.terms:
                coef[c] += a
            local[next(iter(rows))].append((coef, np.nonzero(coef)[0]))
        else:
            global_eqs.append(eq)
    return local, global_eqs


def constraint_graph(eq_rows: tuple[tuple[int, ...], ...], n_rows: int) -> nx.Graph:
    """Rows and identities (given by the rows each touches) as a bipartite graph; its
    components can be solved apart."""
    g = nx.Graph()
    g.add_nodes_from(("row", r) for r in range(n_rows))
    for k, rows in enumerate(eq_rows):
        g.add_node(("eq", k))
        g.add_edges_from((("eq", k), ("row", r)) for r in rows)
    return g


def _rows_of(eq: Equation) -> tuple[int, ...]:
    return tuple(sorted({t[0] for t in eq.terms}))


def _components(
    eq_rows: tuple[tuple[int, ...], ...], n_rows: int
) -> tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], dict[str, int]]:
    """The constraint graph's components, each as (rows, equation indices), and the graph's size
    (built once per table shape: see _table_shape)."""
    graph = constraint_graph(eq_rows, n_rows)
    parts = tuple(
        (
            tuple(sorted(r for kind, r in component if kind == "row")),
            tuple(sorted(k for kind, k in component if kind == "eq")),
        )
        for component in nx.connected_components(graph)
    )
    size = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(), "components": len(parts)}
    return parts, size


class _Shape(NamedTuple):
    """What a table's identities say about its structure, whatever its values: worked out once
    per template, rows found and columns, since tables repeat these from report to report."""

    #: Per row: its row-local identities as (coefficients over columns, columns they touch).
    local: list[list[tuple[np.ndarray, np.ndarray]]]
    local_eqs: dict[int, list[Equation]]
    #: Per independent component: its usable rows, its global identities, and per row the
    #: (columns x identities) coefficients giving each candidate's contribution to them.
    components: list[tuple[list[int], list[Equation], list[np.ndarray]]]
    graph: dict[str, int]


#: Shapes by (equation object ids, usable rows, columns); each entry keeps its equations, so an
#: id reused by a later object is no false hit. Never mutated once built.
_SHAPES: dict[tuple[object, ...], tuple[tuple[Equation, ...], _Shape]] = {}
_SHAPES_SIZE = 256
register(_SHAPES.clear)


def _table_shape(equations: list[Equation], usable: list[bool], n_cols: int) -> _Shape:
    key = (tuple(map(id, equations)), tuple(usable), n_cols)
    hit = _SHAPES.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], equations, strict=True)):
        return hit[1]
    if len(_SHAPES) >= _SHAPES_SIZE:
        _SHAPES.clear()
    n_rows = len(usable)
    # Identities that touch rows we cannot place are not usable as constraints.
    kept = [eq for eq in equations if all(usable[t[0]] for t in eq.terms)]
    local, global_eqs = _equation_arrays(kept, n_rows, n_cols)
    local_eqs: dict[int, list[Equation]] = {}
    for eq in kept:
        if len({t[0] for t in eq.terms}) == 1:
            local_eqs.setdefault(eq.terms[0][0], []).append(eq)
    parts, graph = _components(tuple(_rows_of(eq) for eq in global_eqs), n_rows)
    components = []
    for part_rows, part_eqs in parts:
        comp_rows = [r for r in part_rows if usable[r]]
        if not comp_rows:
            continue
        comp_eqs = [global_eqs[k] for k in part_eqs]
        index = {r: i for i, r in enumerate(comp_rows)}
        coefs = [np.zeros((n_cols, len(comp_eqs))) for _ in comp_rows]
        for g, eq in enumerate(comp_eqs):
            for r, c, a in eq.terms:
                coefs[index[r]][c, g] += a
        components.append((comp_rows, comp_eqs, coefs))
    shape = _Shape(local, local_eqs, components, graph)
    _SHAPES[key] = (tuple(equations), shape)
    return shape


def solve_table(
    rows: list[RowEvidence],
    n_cols: int,
    equations: list[Equation],
    positive_only: bool,
    limits: SolveLimits | None = None,
    explain: bool = False,
    fills_every_cell: bool = False,
    document_hints: HintCounts | None = None,
) -> Solution:
    """Place every row's numbers into columns; see the module docstring for the rules.
    ``explain`` records each row's placements and their verdicts."""
    limits = limits or SolveLimits()
    n_rows = len(rows)
    notes: list[str] = []
    usable = [r.found and len(r.cells) <= n_cols for r in rows]
    for row in rows:
        if row.found and len(row.cells) > n_cols:
            notes.append(f"row {row.key}: {len(row.cells)} values for {n_cols} columns; cells left unknown")
    shape = _table_shape(equations, usable, n_cols)
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
        )
        for r, sol in outcome.rows.items():
            results[r] = sol
        notes.extend(outcome.notes)
        source_violations.update(outcome.violations)
        stopped |= outcome.stopped
        alternatives_product *= max(outcome.count, 1)
        ambiguous |= outcome.count > 1 or outcome.gave_up
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
) -> _ComponentOutcome:
    notes: list[str] = []

    row_keys = {r: _row_key(rows[r], local[r]) for r in comp_rows}
    placed: dict[tuple[object, ...], _Placed | None] = {}  # glued rows' raw placements, see _row_candidates

    def attempt(hard: bool, allow_lost: bool, bound: int = -1) -> tuple[_Search, list[RowCandidates]] | None:
        cands: list[RowCandidates] = []
        every: list[RowCandidates] = []
        for r in comp_rows:
            if time.perf_counter() > deadline:
                out_of_time.append(rows[r].key)
                return None
            rc = _row_candidates(
                rows[r], row_keys[r], n_cols, local[r], use_hints, allow_lost, positive_only, limits, placed
            )
            if rc is None:
                too_many.append(rows[r].key)
                return None
            every.append(rc)
            if hard:
                rc = rc.consistent()
                if not rc.cost.size:
                    return _Search([], [], hard, limits, deadline), []
            else:
                # The source breaks its identities, so they cannot place the values: keep the
                # placements the text's own evidence (blank-line hints) likes best.
                rc = rc.least_gap()
            cands.append(rc)
        contrib = [rc.vec @ contrib_coef[i] for i, rc in enumerate(cands)]
        search = _Search(cands, contrib, hard, limits, deadline)
        search.best = bound  # a reading must be at least as cheap as the one already found
        search.start()
        generated[id(search)] = every
        return search, cands

    generated: dict[int, list[RowCandidates]] = {}  # every placement generated, per search
    too_many: list[str] = []  # rows whose placements (or glued splits) exceed the bound
    out_of_time: list[str] = []  # rows reached after the table's time bound

    def lost_cells_forced(search: _Search, cands: list[RowCandidates]) -> bool:
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
    rival: tuple[_Search, list[RowCandidates]] | None = None
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
    for i, r in enumerate(comp_rows):
        rc = cands[i]
        picks = [sol[i] for sol in search.solutions]
        if incomplete:
            picks += [int(k) for k in search.possible(i) if int(k) not in picks]
        sol = _row_solution(rows[r], rc, picks, n_cols)
        if rows[r].key in bounded:
            # Placements the bound left out could read this row otherwise: nothing here is settled.
            sol.status, sol.values, sol.lines = ["unknown"] * n_cols, np.full(n_cols, np.nan), [None] * n_cols
        if explain:
            every = generated.get(id(search), cands)[i]
            if settled:  # the placements with a forced cell were never needed: list them too
                every = (
                    _row_candidates(
                        rows[r], row_keys[r], n_cols, local[r], use_hints, True, positive_only, limits, placed
                    )
                    or every
                )
            sol.options = _options(every, rc, search, i, use_hints, unsearched_costlier=settled)
        if not search.hard and rc.violations[picks[0]] > 0:
            # The row breaks its own identity: a blank or 0 in it may stand for a value the text
            # lost, so only the numbers actually read keep their status.
            for j in range(n_cols):
                if sol.status[j] != "unknown" and (math.isnan(sol.values[j]) or sol.values[j] == 0):
                    sol.forget(j)
            notes.append(f"row {rows[r].key} breaks its own identity: its blank and 0 cells are unknown")
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
                "the search for the values-as-read reading stopped at its bound (search stopped); "
                f"the {doubted} value(s) it would have inferred are unknown"
            )
    if rival is not None:
        # Every reading of the rival counts, not just the first found: which cells are unknown
        # must not depend on the search order. A rival search cut short adds every placement
        # it could not rule out.
        other, other_cands = rival
        differ = 0
        for i, r in enumerate(comp_rows):
            alt_picks = [s[i] for s in other.solutions]
            if other.gave_up or other.capped:
                alt_picks += [int(k) for k in other.possible(i)]
            alts = other_cands[i].vec[alt_picks]
            sol = out[r]
            for j in range(n_cols):
                mine = 0.0 if math.isnan(sol.values[j]) else float(sol.values[j])
                if sol.status[j] != "unknown" and (np.abs(alts[:, j] - mine) > TOL).any():
                    sol.forget(j)
                    differ += 1
        if differ:
            count += 1
            notes.append(
                "a value the text lost and a source error explain it about equally well; "
                f"the {differ} cell(s) the two readings disagree on are unknown"
            )
    stopped = search.gave_up or rival_unfinished or (rival is not None and rival[0].gave_up)
    return _ComponentOutcome(out, count, incomplete, notes, violations, stopped)


def _settled_without_forcing(search: _Search) -> bool:
    """Whether a search without forced cells settled the table: it found a reading inferring
    nothing, and a forced cell costs W_LOST more than that, so the placements with one could
    change no optimal reading. Were that search stopped or capped, every reading as cheap as its
    best still lies among its placements, so the cells it leaves unknown are as sound."""
    return bool(search.solutions) and search.best < W_LOST


def _options(
    every: RowCandidates,
    used: RowCandidates,
    search: _Search,
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
    values[filled] = vec[filled]
    if len(picks) > 1:
        others = rc.vec[picks[1:]]
        for j in np.nonzero((np.abs(others - vec) > TOL).any(axis=0))[0].tolist():
            status[j] = "unknown"
            values[j] = np.nan
            lines[j] = None
        same = (rc.pos[picks] == rc.pos[first]).all(axis=0).tolist()
    else:
        same = [True] * len(pos)
    chosen: tuple[int | None, ...] = tuple(c if same[j] else None for j, c in enumerate(pos) if c >= 0)
    return RowSolution(values=values, status=status, lines=lines, chosen=chosen, candidates=rc.generated)
