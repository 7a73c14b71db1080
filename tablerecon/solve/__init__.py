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

The package, in the order data flows: ``candidates`` (a row's placements), ``shape`` (the
constraint graph's components), ``search`` (branch and bound), ``table`` (a table solved and
read out); ``costs``, ``limits`` and ``hints`` hold what they share.
"""

from tablerecon.solve.candidates import RowCandidates
from tablerecon.solve.costs import MARGIN, TOL, W_GAP, W_LOST, W_VIOLATION
from tablerecon.solve.hints import HintCounts, hint_counts, hints_trusted, pooled
from tablerecon.solve.limits import SolveLimits
from tablerecon.solve.shape import constraint_graph
from tablerecon.solve.table import RowSolution, Solution, solve_table

__all__ = [
    "MARGIN",
    "TOL",
    "W_GAP",
    "W_LOST",
    "W_VIOLATION",
    "HintCounts",
    "RowCandidates",
    "RowSolution",
    "Solution",
    "SolveLimits",
    "constraint_graph",
    "hint_counts",
    "hints_trusted",
    "pooled",
    "solve_table",
]
