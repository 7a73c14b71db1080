"""The caches the engine keeps from one document to the next, registered so that one call
empties them all.

Labels, header texts, lines and row shapes repeat from report to report, so each step remembers
what it worked out for them (every cache is bounded). Emptying them never changes an answer: it
only frees memory and makes the next documents start cold, as a benchmark round must.
"""

from __future__ import annotations

from collections.abc import Callable

_CLEARERS: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> None:
    """Record how to empty one cache (``dict.clear``, an ``lru_cache``'s ``cache_clear``)."""
    _CLEARERS.append(clear)


def clear_caches() -> None:
    """Empty every cache the engine keeps across documents."""
    for clear in _CLEARERS:
        clear()
