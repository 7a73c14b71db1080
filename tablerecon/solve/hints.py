"""Whether a table's blank lines can be trusted as markers of dropped cells."""

from __future__ import annotations

from typing import NamedTuple

from tablerecon.evidence import RowEvidence


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


def hint_counts(rows: list[RowEvidence], n_cols: int, placed: bool = True) -> HintCounts:
    """What ``rows`` show about their empty slots; with ``placed`` false, leaving out the rows
    whose slots were read from where values stand (``RowEvidence.placed``): pooled for a
    document, they would vouch for blank lines they say nothing of."""
    short = consistent = full = stray = 0
    for row in rows:
        if not row.found or not row.cells or any(g is None for g in row.gaps) or (row.placed and not placed):
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
    if 0 < own.short == own.consistent and not own.stray and _placed_or_fields_to_line_end(rows, n_cols):
        # Every short row is one line whose separators mark each field to its end (pipes,
        # tabs), or its slots were read from where its values stand, and its empty fields are
        # exactly the cells it lacks: its own evidence, however few such rows (a review
        # table's one row), not blank lines that may be spacing.
        return True
    c = document if document is not None and own.short < MIN_OWN_HINT_ROWS else own
    return c.short > 0 and c.consistent >= 0.6 * c.short and c.stray <= 0.2 * max(c.full, 1)


def _placed_or_fields_to_line_end(rows: list[RowEvidence], n_cols: int) -> bool:
    """Whether every short row's empty slots were read from where its values stand, or its values
    stand on one line of separated fields, counted from the line's start (or its label) to its end."""
    short = [row for row in rows if row.found and 0 < len(row.cells) < n_cols]
    return all(
        row.placed
        or (
            row.cells[-1].after is not None
            and all(c.line == row.cells[0].line for c in row.cells)
            and (row.cells[0].lead is not None or row.cells[0].same_line)
        )
        for row in short
    )
