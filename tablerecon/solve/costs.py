"""What a reading costs: the weights the solver compares readings by, and its tolerance.

An inferred value and a violated identity weigh the same: one wrong number in a source usually
breaks two or three identities (its row's and its columns'), so a reading that keeps the values
as read beats one needing several inferences, and loses to one needing a single inference that
every identity confirms. Trusted blank-line hints weigh half as much per slot.
"""

from __future__ import annotations

W_LOST = 10_000
W_VIOLATION = 10_000
W_GAP = 5_000  # per blank slot the reading puts where trusted blank-line hints say otherwise
#: Readings whose costs differ by less than this are both plausible: the cells they disagree on
#: are unknown (a value lost and a total wrong can explain the same text).
MARGIN = 2 * W_LOST
TOL = 1e-6
