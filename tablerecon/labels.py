"""Fuzzy comparison of label text (rapidfuzz), shared by find and match.

Labels in real reports carry notes in brackets (``规章(县级无此项)``), lose characters
(``现行有效件``), or get truncated (``本年增/``); the score takes the best of the raw and the
note-stripped comparison so both kinds of damage are tolerated.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rapidfuzz import fuzz

from tablerecon.caches import bounded, register
from tablerecon.cells import normalize_label

# A bracketed note that is not the leading ordinal such as (一) or (七).
_NOTE = re.compile(r"(?<!^)\([^()]*\)|\([^()]{6,}\)")
#: A note a layout cut off unclosed where it wrapped the label (``(二)部分公开(区分处理的,只``).
_CUT_NOTE = re.compile(r"(?<!^)\([^()]*$")
#: What a label with a cut note scores at best: below a whole label's 100, so that where the rest
#: of the note follows as the next label, the two joined still win (see ``match``).
CUT_NOTE_SCORE = 99.0
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、．])")
_SENTENCE = re.compile(r"[。；;]")
#: A section heading: its number and its title. A number alone (``三、``) is no heading but a
#: piece of a label a layout wrapped (a cell spanning rows, ``三、本年度办理结果``, printed a few
#: characters a line).
_SECTION = re.compile(r"[一二三四五六七八九十]+、.")

#: Labels longer than this are prose or junk: scored, never cached (a worker reads millions).
_CACHED_LABEL_CHARS = 120
#: Characters of a label read that are compared with the template labels (the longest has
#: some 60). Beyond, it is prose or junk, which scores near 0 either way; compared whole, a line
#: of a million characters took tens of milliseconds against each template label, and is
#: compared with hundreds, outside any time budget.
MAX_SCORED_CHARS = 1_000
#: Minimum score for a label to be taken as a template row or column.
MATCH_THRESHOLD = 72.0


def strip_notes(label: str) -> str:
    """The label without bracketed notes (but keeping a leading ordinal like ``(一)``)."""
    if len(label) > _CACHED_LABEL_CHARS:
        return _NOTE.sub("", label) or label
    return _cached_strip_notes(label)


@bounded(65536)
@cache
def _cached_strip_notes(label: str) -> str:
    return _NOTE.sub("", label) or label


@bounded(65536)
@cache
def template_text(label: str) -> str:
    """A template label in the same normal form as labels read from documents."""
    return normalize_label(label)


@bounded(65536)
@cache
def _template_forms(label: str) -> tuple[str, str]:
    """A template label normalized (``template_text``), and that without its notes: worked out
    once per label, as each is compared with every new label read."""
    text = template_text(label)
    return text, strip_notes(text)


def score(found: str, expected: str) -> float:
    """Similarity (0-100) of a label found in a document and a template label. A label is
    compared by its first MAX_SCORED_CHARS characters."""
    if len(found) > _CACHED_LABEL_CHARS:
        return _score(found[:MAX_SCORED_CHARS], expected)
    return _cached_score(found, expected)


@bounded(262144)
@cache
def _cached_score(found: str, expected: str) -> float:
    return _score(found, expected)


def _score(found: str, expected: str) -> float:
    """Similarity (0-100) of a label found in a document and a template label."""
    exp, b = _template_forms(expected)
    best = fuzz.ratio(found, exp)
    if best >= 100:
        return best
    a, cut = _found_forms(found)
    if a != found or b != exp:  # without notes, the texts compare differently
        best = max(best, fuzz.ratio(a, b))
    # A truncated header (本年增/) is a prefix of the full one.
    if len(a) >= 3 and b.startswith(a):
        best = max(best, 100.0 * (0.75 + 0.25 * len(a) / len(b)))
    if best < CUT_NOTE_SCORE and cut:
        best = max(best, min(fuzz.ratio(cut, b), CUT_NOTE_SCORE))
    return best


@lru_cache(maxsize=8)
def _found_forms(found: str) -> tuple[str, str]:
    """A label read, without its notes, and that without a note cut off unclosed ("" when it
    has none): worked out once per label, not once per template label it is compared with (a
    line of a million characters took seconds a comparison, and is compared with hundreds).
    Only the last few are kept: a label is compared with every template label in a row."""
    a = strip_notes(found)
    cut = _CUT_NOTE.sub("", a) if a.count("(") > a.count(")") else a
    return a, cut if cut != a else ""


register(_found_forms.cache_clear)  # bounds itself (8 entries); emptied with the others


def matches_any(found: str, expected: tuple[str, ...], threshold: float = MATCH_THRESHOLD) -> bool:
    """Whether ``found`` scores at least ``threshold`` against one of ``expected``."""
    if len(found) > _CACHED_LABEL_CHARS:
        return any(_score(found[:MAX_SCORED_CHARS], e) >= threshold for e in expected)
    return _cached_matches_any(found, expected, threshold)


# Cached as a whole: a header cell is tested against every header word of a template, and the
# generator over the words costs more than the (cached) scores it reads.
@bounded(65536)
@cache
def _cached_matches_any(found: str, expected: tuple[str, ...], threshold: float) -> bool:
    return any(score(found, e) >= threshold for e in expected)


def ordinal(label: str) -> str | None:
    """The ordinal a label opens with, written one way (``3.`` for 3、 and 3．, ``(三)``, ``三、``);
    None where it opens with none."""
    m = _ORDINAL.match(label)
    if m is None:
        return None
    found = m.group()
    return found[:-1] + "." if found[0].isdigit() else found


def has_ordinal(label: str) -> bool:
    """Whether the label starts with a section or item ordinal (一、 (一) 1.)."""
    return _ORDINAL.match(label) is not None


#: Characters a label must share with the start of a spanning cell's label to be taken for its
#: first piece (三、本年 of 三、本年度办理结果; a section heading shares only its number, 三、).
PIECE_OPENING_CHARS = 3


def is_piece_of(text: str, label: str) -> bool:
    """Whether ``text`` is a piece of ``label`` as a layout prints a cell spanning several rows,
    a few characters a line: inside it, or opening with its first characters and going on with
    the next row's piece beside it (三、本年诉类申请)."""
    opening = len(text) >= PIECE_OPENING_CHARS and label.startswith(text[:PIECE_OPENING_CHARS])
    return opening or text in label


def is_section_heading(label: str) -> bool:
    """Headings like 五、存在的主要问题及改进情况 that end whatever table is open."""
    return len(label) <= 40 and _SECTION.match(label) is not None


def is_prose(label: str) -> bool:
    """A sentence rather than a cell label: tables never hold these."""
    bare = strip_notes(label)
    return _SENTENCE.search(bare) is not None or len(bare) > 48
