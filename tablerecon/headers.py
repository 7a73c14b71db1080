"""Match a table's header cells to a template variant's columns: cells wrapped, glued or cut
short are joined or cut at the labels the templates know, and what no template knows becomes
an extra column. Headers repeat from report to report, so matches are cached."""

from __future__ import annotations

from typing import NamedTuple

from tablerecon.caches import register
from tablerecon.cells import Cell
from tablerecon.labels import MATCH_THRESHOLD, matches_any, score, strip_notes, template_text
from tablerecon.segment import split_at_known_labels
from tablerecon.templates import TableSpec

#: What a template column no header cell names costs a variant, where the header names others.
UNNAMED_COLUMN_WEIGHT = 0.5


class Columns(NamedTuple):
    """A table's columns as its header names them, against one variant."""

    keys: list[str]
    labels: list[str]
    score: float
    extras: list[str]  # header cells no template knows
    #: How well the header names the columns it names: the score without what unnamed columns cost.
    named: float = 0.0
    #: Whether the header names every column and nothing else.
    complete: bool = False
    #: Where the header wrote a merged cell into each column it spans (pandas' read_html), the
    #: number of places each column takes, in order; empty where every column takes one.
    spans: tuple[int, ...] = ()


#: Column matches per (header texts, spec): headers repeat from report to report. The spec is
#: kept with its entry, so an id reused by another spec is no false hit.
_COLUMNS_CACHE: dict[tuple[tuple[str, ...], int], tuple[TableSpec, Columns]] = {}
_COLUMNS_CACHE_SIZE = 8192
register(_COLUMNS_CACHE.clear)
#: Header texts longer than this (in all) are matched, not remembered.
_CACHED_HEADER_CHARS = 1000


def match_columns(headers: list[Cell], spec: TableSpec) -> Columns:
    """Column keys and labels for a captioned table; unknown header cells become extra columns.

    Header text split over two cells (本年新 / 制作数量) is joined when the join matches better.
    """
    texts = tuple([h.text for h in headers])
    if sum(map(len, texts)) > _CACHED_HEADER_CHARS:
        return _match_column_texts(texts, spec)
    key = (texts, id(spec))
    hit = _COLUMNS_CACHE.get(key)
    if hit is None or hit[0] is not spec:
        if len(_COLUMNS_CACHE) >= _COLUMNS_CACHE_SIZE:
            _COLUMNS_CACHE.clear()
        hit = _COLUMNS_CACHE[key] = (spec, _match_column_texts(texts, spec))
    keys, labels, score, extras, named, complete, spans = hit[1]
    return Columns(list(keys), list(labels), score, list(extras), named, complete, spans)  # callers own lists


def _match_column_texts(headers: tuple[str, ...], spec: TableSpec) -> Columns:
    # An optional column (历年累计) is there only when the header names it.
    columns = [
        c
        for c in spec.columns
        if not c.optional or any(score(h, c.label or c.key) >= MATCH_THRESHOLD for h in headers)
    ]
    keys = [c.key for c in columns]
    labels = [c.label or c.key for c in columns]
    if spec.caption is None:
        found = sum(1 for h in headers if matches_any(h, spec.header_words))
        words = min(found, len(spec.header_words)) / max(len(spec.header_words), 1)
        return Columns(keys, labels, words, [], words)
    texts = [
        piece
        for h in headers
        for piece in _header_pieces(h, spec)
        if not matches_any(piece, spec.header_words + spec.anchors, 90)
    ]
    total = 0.0
    extras: list[str] = []
    matched: set[int] = set()
    named_in_order: list[int | str] = []  # each header text's column, or the text itself if none
    copies: dict[int, int] = {}  # column -> further places a merged header cell took
    i = 0
    while i < len(texts):
        if i and texts[i] == texts[i - 1]:
            # A merged header cell written into each column it spans (pandas' read_html): one
            # column, not an unknown one; the copies of its values are read once (match).
            if named_in_order and isinstance(named_in_order[-1], int):
                copies[named_in_order[-1]] = copies.get(named_in_order[-1], 0) + 1
            i += 1
            continue
        cands = [(texts[i], 1)]
        if i + 1 < len(texts):
            cands.append((texts[i] + texts[i + 1], 2))
        best = (-1, 0.0, 1)
        for text, used in cands:
            for j, col in enumerate(spec.columns):
                s = score(text, col.label or "")
                if j not in matched and s > best[1]:
                    best = (j, s, used)
        if best[1] >= MATCH_THRESHOLD:
            matched.add(best[0])
            named_in_order.append(best[0])
            total += best[1] / 100
            i += best[2]
            continue
        glued = _glued_headers(texts[i], spec, matched)
        if glued is not None:
            matched.update(j for j, _ in glued)
            named_in_order.extend(j for j, _ in glued)
            total += sum(s for _, s in glued) / 100
        else:
            extras.append(texts[i])
            named_in_order.append(texts[i])
        i += 1
    for text, j, s in _worded_otherwise(named_in_order, spec, matched):
        matched.add(j)
        total += s / 100
        extras.remove(text)
    # Header cells wrapped onto a second line in a fixed-width layout (本年新 over 制作数量): the
    # first line's parts matched their columns, the second line's are their labels' ends.
    if extras and matched:
        tails = [strip_notes(template_text(spec.columns[j].label or "")) for j in sorted(matched)]
        extras = [text for text in extras if not _label_ends(text, tails)]
    for n, text in enumerate(extras, start=1):
        keys.append(f"extra_col_{n}")
        labels.append(text)
    # A header that names some of the variant's columns but not others speaks against it as an
    # unknown header cell does: 本年处理决定数量 alone is the 2021 layout's one column, not the
    # last of the 2019 layout's three. With no column named, the header is lost, not different.
    unnamed = sum(1 for j, c in enumerate(spec.columns) if j not in matched and c in columns)
    unnamed = unnamed if matched else 0
    named = total - 0.5 * len(extras)
    complete = bool(matched) and not unnamed and not extras
    in_order = named_in_order == sorted(range(len(columns)))
    spans = tuple(1 + copies.get(j, 0) for j in range(len(columns))) if copies and in_order else ()
    return Columns(keys, labels, named - UNNAMED_COLUMN_WEIGHT * unnamed, extras, named, complete, spans)


#: Least score of a header cell worded otherwise for the one column left where it stands.
NEAR_HEADER_SCORE = 50


def _worded_otherwise(
    named_in_order: list[int | str], spec: TableSpec, matched: set[int]
) -> list[tuple[str, int, float]]:
    """Header cells no column matched that stand alone between two columns the header named,
    where the template has exactly one column left between those two and the cell's words come
    near its label (``废止数量`` for 本年废止件数 between 本年新制发数量 and 现行有效数量): that
    column, with the cell's score. Without it the cell became a column of its own, and values
    were spread over it."""
    found: list[tuple[str, int, float]] = []
    last = named_in_order[-1] if named_in_order else None
    left = [j for j in range(len(spec.columns)) if j not in matched]
    if (
        isinstance(last, str)
        and len(named_in_order) > 1
        and left == [len(spec.columns) - 1]
        and all(isinstance(t, int) for t in named_in_order[:-1])
    ):
        # The header's last cell, after every other column named: the template's last column,
        # the one left, whatever its words (本年数量 for 本年增/减 in the (八) table). Kept as a
        # column of its own, it left the row's values two places among three columns.
        return [(last, left[0], score(last, spec.columns[left[0]].label or ""))]
    for k, text in enumerate(named_in_order):
        if not isinstance(text, str) or k == 0 or k + 1 == len(named_in_order):
            continue
        before, after = named_in_order[k - 1], named_in_order[k + 1]
        if not isinstance(before, int) or not isinstance(after, int):
            continue
        left = [j for j in range(before + 1, after) if j not in matched]
        if len(left) != 1:
            continue
        s = score(text, spec.columns[left[0]].label or "")
        if s >= NEAR_HEADER_SCORE:
            found.append((text, left[0], s))
    return found


#: Longest header text tried as the ends of wrapped header cells (_label_ends).
_MAX_WRAPPED_TAIL_CHARS = 60


def _label_ends(text: str, labels: list[str]) -> bool:
    """Whether ``text`` cuts into parts of two characters or more, each the end of a different
    one of ``labels`` (in their order): the second line of header cells a fixed-width layout
    wrapped, whose first line already named those columns (本年新制作数量 as 本年新 / 制作数量)."""
    if len(text) > _MAX_WRAPPED_TAIL_CHARS:
        return False

    def cut(start: int, after: int) -> bool:
        if start == len(text):
            return True
        return any(
            labels[j].endswith(text[start:end]) and cut(end, j)
            for j in range(after + 1, len(labels))
            for end in range(start + 2, len(text) + 1)
            if len(labels[j]) > end - start  # an end, not the whole label (that matched as itself)
        )

    return bool(text) and cut(0, -1)


def all_known_headers(texts: list[str], spec: TableSpec) -> bool:
    """Whether every header text is a header cell the template knows, alone or joined with a
    neighbour (a header cell broken over two lines, 其他 / 结果)."""
    return all(
        _known_header(text, spec)
        or (i > 0 and _known_header(texts[i - 1] + text, spec))
        or (i + 1 < len(texts) and _known_header(text + texts[i + 1], spec))
        for i, text in enumerate(texts)
    )


def _known_header(text: str, spec: TableSpec) -> bool:
    """Whether a header text is only header cells the template knows: its header words, anchors
    and column labels (a glued header cut at the labels the templates know)."""
    words = spec.header_words + spec.anchors
    return all(
        matches_any(piece, words) or any(score(piece, c.label or "") >= MATCH_THRESHOLD for c in spec.columns)
        for piece in _header_pieces(text, spec)
    )


def _header_pieces(text: str, spec: TableSpec) -> list[str]:
    """The header cells in one header text: itself when it names a column or a header word,
    else its cut at the labels the templates know. A row of headers flattened with spaces
    (``信息内容 本年新 制作数量 本年新 公开数量 …``) is one text once the spaces are gone."""
    if any(score(text, c.label or "") >= MATCH_THRESHOLD for c in spec.columns) or matches_any(
        text, spec.header_words + spec.anchors, 90
    ):
        return [text]
    return split_at_known_labels(text)


#: Most header cells one glued header text is cut into (_glued_headers), and the score checks
#: spent looking for a cut into three or more; past them the text is an extra column, as before.
_MAX_GLUED_HEADERS = 4
_MAX_GLUED_HEADER_CHECKS = 20_000


def _glued_headers(text: str, spec: TableSpec, matched: set[int]) -> list[tuple[int, float]] | None:
    """Neighbouring header cells glued into one (上一年 + 本年增/ read as 上一年本年增/; three cut
    short, 本年制 + 本年废止 + 现行有效件): the cut into the fewest parts, two or more, each matching
    a column not yet matched, in their order, the best-scoring such cut (the first found among
    equals); None when there is none. Without it the text became an extra column, and values
    were spread over it."""
    labels = [c.label or "" for c in spec.columns]
    for parts in range(2, _MAX_GLUED_HEADERS + 1):
        checks = [_MAX_GLUED_HEADER_CHECKS if parts > 2 else -1]  # two parts: unbounded, as ever
        try:
            best = _best_cut(text, labels, matched, parts, 0, -1, checks, {})
        except _OutOfChecks:
            return None
        if best is not None:
            return list(best[1])
    return None


class _OutOfChecks(Exception):
    """A header cut spent its score checks (_MAX_GLUED_HEADER_CHECKS)."""


_Cut = tuple[float, tuple[tuple[int, float], ...]]


def _best_cut(
    text: str,
    labels: list[str],
    matched: set[int],
    parts: int,
    start: int,
    after: int,
    checks: list[int],
    memo: dict[tuple[int, int, int], _Cut | None],
) -> _Cut | None:
    """The best cut of ``text[start:]`` into ``parts`` parts of two characters or more, each
    matching a column after ``after`` and not in ``matched``: (total score, (column, score) per
    part); cuts, then columns, tried in ascending order, the first best kept."""
    key = (parts, start, after)
    if key in memo:
        return memo[key]
    best: _Cut | None = None
    ends = [len(text)] if parts == 1 else range(start + 2, len(text) - 2 * (parts - 1) + 1)
    for end in ends:
        piece = text[start:end]
        if len(piece) < 2:
            continue
        for j in range(after + 1, len(labels)):
            if j in matched:
                continue
            if checks[0] >= 0:
                checks[0] -= 1
                if checks[0] < 0:
                    raise _OutOfChecks
            s = score(piece, labels[j])
            if s < MATCH_THRESHOLD:
                continue
            rest: _Cut | None = (0.0, ())
            if parts > 1:
                rest = _best_cut(text, labels, matched, parts - 1, end, j, checks, memo)
            if rest is not None and (best is None or s + rest[0] > best[0]):
                best = (s + rest[0], ((j, s), *rest[1]))
    memo[key] = best
    return best
