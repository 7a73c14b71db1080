"""How far the solver may go: bounds on placements, search work and time, per table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SolveLimits:
    """Bounds on every search: placements per row, search nodes and checks, seconds per table.

    The counts are what normally stop a search, so the same input gives the same answer on any
    machine; the seconds are a safety net, and an answer cut by them depends on the load."""

    max_placements: int = 20_000
    #: Glued rows multiply splits by placements. 10,000 holds every split of a run of up to 10
    #: digits in 7 columns (8,008), so most rows of a requests table are complete; a search over
    #: rows whose splits were cut can never prove that no reading fits, and ran to max_checks.
    #: Against 2,000, on the benchmark's 2,169 glued tables: 17% fewer cells unknown, p99 71 ->
    #: 26 ms, solver time 10.7 -> 8.3 s; 20,000 settled 1% more cells for 40% more time.
    max_glued_placements: int = 10_000
    max_nodes: int = 20_000
    #: Candidate checks per search (live candidates x identities examined, summed over nodes).
    #: A node's cost grows with the candidates alive, so for tables with thousands of placements
    #: this bound, not the clock, is what stops the search (about half a second of numpy work).
    #: What reaches it is mostly a proof that no reading fits: 300M instead gave the same
    #: output on 2,169 generated glued tables and settled 2 more of 7,813 others, at twice the time.
    max_checks: int = 100_000_000
    max_seconds: float = 10.0
    max_solutions: int = 16
