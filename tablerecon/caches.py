"""The caches the engine keeps from one document to the next, registered so that one call
empties them all and one call per document keeps each within its bound.

Labels, header texts, lines and row shapes repeat from report to report, so each step remembers
what it worked out for them. Emptying a cache never changes an answer: it only frees memory and
makes the next documents start cold, as a benchmark round must.

Per-label caches are plain ``functools.cache`` dicts, bounded here between documents rather
than by ``lru_cache``: an LRU cache keeps one linked-list node per entry, which the garbage
collector must walk on every full collection (tens of milliseconds once a batch has warmed
hundreds of thousands of entries), while a dict of strings and numbers it need not walk at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar


class _Cached(Protocol):
    def cache_clear(self) -> None: ...
    def cache_info(self) -> Any: ...


C = TypeVar("C", bound=_Cached)

#: (how to empty it, how many entries it holds or None, the most it may hold between documents)
_CACHES: list[tuple[Callable[[], None], Callable[[], int] | None, int]] = []


def register(clear: Callable[[], None]) -> None:
    """Record how to empty a cache that bounds itself (a dict cleared when full)."""
    _CACHES.append((clear, None, 0))


def bounded(maxsize: int) -> Callable[[C], C]:
    """Register a ``functools.cache`` function, kept to ``maxsize`` entries by ``trim_caches``."""

    def wrap(fn: C) -> C:
        _CACHES.append((fn.cache_clear, lambda: int(fn.cache_info().currsize), maxsize))
        return fn

    return wrap


def trim_caches() -> None:
    """Empty every cache over its bound (the pipeline calls this before each document)."""
    for clear, size, bound in _CACHES:
        if size is not None and size() > bound:
            clear()


def clear_caches() -> None:
    """Empty every cache the engine keeps across documents."""
    for clear, _, _ in _CACHES:
        clear()
