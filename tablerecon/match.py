"""Step 2b: match a region's labels to a template's header and row labels.

The result, ``TableEvidence``, lists for every template row the numbers the text gave it,
in text order, with the empty slots around them. It says nothing yet about columns: which
column each number belongs to is the solver's job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from tablerecon.caches import register
from tablerecon.find import Region
from tablerecon.labels import (
    MATCH_THRESHOLD,
    is_piece_of,
    is_prose,
    is_section_heading,
    matches_any,
    score,
    strip_notes,
    template_text,
)
from tablerecon.layout import column_gaps
from tablerecon.models import Style
from tablerecon.normalize import Cell, Kind
from tablerecon.segment import split_at_known_labels
from tablerecon.templates import RowSpec, TableSpec, Template


@dataclass(slots=True)
class RowEvidence:
    """What the text holds for one row: its label and its value cells."""

    key: str
    label: str
    found: bool
    label_line: int | None = None
    cells: list[Cell] = field(default_factory=list)
    #: Extra empty slots before each value and after the last (None: no evidence there).
    gaps: list[int | None] = field(default_factory=list)
    label_score: float = 0.0
    #: The unit printed beside the label (条, 件) in tables that have a unit column.
    unit: str | None = None


@dataclass(slots=True)
class TableEvidence:
    """One table as matched to one template variant, before solving."""

    template: Template
    spec: TableSpec
    title: str
    columns: list[str]
    column_labels: list[str]
    rows: list[RowEvidence]
    score: float
    truncated: bool
    notes: list[str] = field(default_factory=list)
    #: How well the table's own header names the columns it names (see ``layout_in_doubt``).
    header_fit: float = 0.0
    #: Whether the header names every column of the variant and nothing else.
    header_complete: bool = False
    #: Whether values went astray in the table (numbers outside any row, before the first row's
    #: label, or more in a row than columns): then rows with no value elsewhere are doubtful too.
    astray: bool = False

    @property
    def style(self) -> Style:
        """How the text flattened this table, judged from its value cells."""
        count = shared = 0
        for r in self.rows:
            for c in r.cells:
                if c.kind is Kind.RUN:
                    return "glued"
                shared += c.same_line
            count += len(r.cells)
        return "row_per_line" if count and shared * 2 > count else "cell_per_line"


def _row_labels(row: RowSpec) -> tuple[str, ...]:
    return (row.label, *row.aliases) if row.label is not None else ()


# Labels repeat from report to report: matching each once per template is most of the saving.
_BEST_ROW_CACHE: dict[tuple[str, int, int], tuple[int, float]] = {}
_BEST_ROW_CACHE_SIZE = 200_000
register(_BEST_ROW_CACHE.clear)


def _best_row(text: str, rows: tuple[RowSpec, ...], start: int) -> tuple[int, float]:
    """Index and score of the template row (at or after ``start``) best matching ``text``."""
    if len(text) > 120:  # prose: matched, not remembered
        return _best_row_uncached(text, rows, start)
    key = (text, id(rows), start)
    hit = _BEST_ROW_CACHE.get(key)
    if hit is None:
        if len(_BEST_ROW_CACHE) >= _BEST_ROW_CACHE_SIZE:
            _BEST_ROW_CACHE.clear()
        hit = _BEST_ROW_CACHE[key] = _best_row_uncached(text, rows, start)
    return hit


def _best_row_uncached(text: str, rows: tuple[RowSpec, ...], start: int) -> tuple[int, float]:
    best, best_score = -1, 0.0
    for idx in range(start, len(rows)):
        for label in _row_labels(rows[idx]):
            s = score(text, label)
            if s > best_score:
                best, best_score = idx, s
    return best, best_score


#: What a template column no header cell names costs a variant, where the header names others.
UNNAMED_COLUMN_WEIGHT = 0.5


class _Columns(NamedTuple):
    """A table's columns as its header names them, against one variant."""

    keys: list[str]
    labels: list[str]
    score: float
    extras: list[str]  # header cells no template knows
    #: How well the header names the columns it names: the score without what unnamed columns cost.
    named: float = 0.0
    #: Whether the header names every column and nothing else.
    complete: bool = False


#: Column matches per (header texts, spec): headers repeat from report to report. The spec is
#: kept with its entry, so an id reused by another spec is no false hit.
_COLUMNS_CACHE: dict[tuple[tuple[str, ...], int], tuple[TableSpec, _Columns]] = {}
_COLUMNS_CACHE_SIZE = 8192
register(_COLUMNS_CACHE.clear)
#: Header texts longer than this (in all) are matched, not remembered.
_CACHED_HEADER_CHARS = 1000


def _match_columns(headers: list[Cell], spec: TableSpec) -> _Columns:
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
    keys, labels, score, extras, named, complete = hit[1]
    return _Columns(list(keys), list(labels), score, list(extras), named, complete)  # callers own lists


def _match_column_texts(headers: tuple[str, ...], spec: TableSpec) -> _Columns:
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
        return _Columns(keys, labels, words, [], words)
    texts = [
        piece
        for h in headers
        for piece in _header_pieces(h, spec)
        if not matches_any(piece, spec.header_words + spec.anchors, 90)
    ]
    total = 0.0
    extras: list[str] = []
    matched: set[int] = set()
    i = 0
    while i < len(texts):
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
            total += best[1] / 100
            i += best[2]
            continue
        glued = _glued_headers(texts[i], spec, matched)
        if glued is not None:
            matched.update(j for j, _ in glued)
            total += sum(s for _, s in glued) / 100
        else:
            extras.append(texts[i])
        i += 1
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
    return _Columns(keys, labels, named - UNNAMED_COLUMN_WEIGHT * unnamed, extras, named, complete)


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


def _all_known_headers(texts: list[str], spec: TableSpec) -> bool:
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


def _trailing_unit(text: str, units: frozenset[str]) -> str | None:
    """The unit a row-per-line label swallowed (``主动公开文件数 条 2069`` reads as one label)."""
    return next(
        (u for u in sorted(units, key=len, reverse=True) if text.endswith(u) and len(text) > len(u) + 1), None
    )


def _capacity(cells: list[Cell]) -> int:
    """How many cells a row's values can fill: a glued run as many as it has digits."""
    return sum(sum(ch.isdigit() for ch in c.text) if c.kind is Kind.RUN else 1 for c in cells)


def _usual_gap(gaps: list[int]) -> int:
    """The most common gap, the first seen among equals (0 when there is none)."""
    if not gaps:
        return 0
    # Most tables space their cells evenly: a gap held by most cells is the answer, without a count.
    first = gaps[0]
    if gaps.count(first) * 2 > len(gaps):
        return first
    counts = Counter(gaps)
    return max(counts, key=counts.__getitem__)


def _assign_gaps(rows: list[RowEvidence], cells: list[Cell], last_index: dict[int, int], n_cols: int) -> None:
    """Turn raw gaps into extra empty slots, relative to the table's usual spacing; on lines of
    fixed-width columns, count them from where the values stand (``layout.column_gaps``).
    ``last_index``: by ``id`` of a row, the index in ``cells`` of the row's last value."""
    # Empty lines count beyond the table's usual spacing; empty fields on a line, whole.
    base = _usual_gap([c.gap - (c.lead or 0) for r in rows for c in r.cells if not c.same_line])
    gaps = _row_gaps(rows, cells, last_index, base, 1)
    extra = {max(c.gap - (c.lead or 0) - base, 0) for r in rows for c in r.cells if not c.same_line}
    if extra - {0} and not any(e % 2 for e in extra):
        # Every run of empty lines is even: a text whose cells were joined with an empty line
        # between them (``"\n\n".join``) marks a blank cell with two. Taken so only where that
        # reading explains the short rows better than one line a cell.
        paired = _row_gaps(rows, cells, last_index, base, 2)
        if _consistent_rows(rows, paired, n_cols) > _consistent_rows(rows, gaps, n_cols):
            gaps = paired
    # Fixed-width columns: where the values stand says which cells are blank.
    laid_out = column_gaps([r.cells if r.found else [] for r in rows], n_cols) or [None] * len(rows)
    for row, row_gaps, placed in zip(rows, gaps, laid_out, strict=True):
        if row.found:
            row.gaps = row_gaps if placed is None else list(placed)


def _row_gaps(
    rows: list[RowEvidence], cells: list[Cell], last_index: dict[int, int], base: int, lines_per_cell: int
) -> list[list[int | None]]:
    """Each found row's empty slots before each value and after the last (empty for a row not
    found), counting ``lines_per_cell`` empty lines beyond ``base`` as one slot."""

    def slots(c: Cell) -> int:
        if c.same_line:
            return c.gap
        lead = c.lead or 0
        return lead + max(c.gap - lead - base, 0) // lines_per_cell

    out: list[list[int | None]] = []
    for row in rows:
        if not row.found:
            out.append([])
            continue
        values = row.cells
        # A row on one line without separators (``规章 5 97``, fixed-width columns) marks no
        # blank cell between its values: their gaps are no evidence (layout.column_gaps may
        # still tell them from where the values stand).
        unmarked = bool(values) and values[-1].same_line and values[-1].after is None
        gaps: list[int | None] = [None if unmarked and c.same_line else slots(c) for c in values]
        out.append(gaps)
        # After the last value: on a line it shares, the empty fields after it there (None where
        # its cells are not separated); on a line of its own, the gap before the cell that
        # follows it (None after the last cell of the text).
        if values and values[-1].same_line:
            gaps.append(values[-1].after)
            continue
        nxt_index = last_index[id(row)] + 1 if values else len(cells)
        gaps.append(slots(cells[nxt_index]) if nxt_index < len(cells) else None)
    return out


def _consistent_rows(rows: list[RowEvidence], gaps: list[list[int | None]], n_cols: int) -> int:
    """Short rows whose empty slots number exactly the cells they miss."""
    consistent = 0
    for row, row_gaps in zip(rows, gaps, strict=True):
        n = len(row.cells)
        if row.found and 0 < n < n_cols and None not in row_gaps:
            consistent += sum(g or 0 for g in row_gaps) == n_cols - n
    return consistent


#: Data rows beyond which a template's missing rows are weighed in proportion (see ``_match_one``).
LONG_TEMPLATE_ROWS = 30

#: A header naming another variant's columns better than this (in matched-column units) puts
#: the chosen layout in doubt (see ``layout_in_doubt``).
HEADER_FIT_MARGIN = 0.05

#: Variants scoring within this margin of each other are told apart by the document's format.
VARIANT_MARGIN = 1.0


def match_variants(cells: list[Cell], region: Region) -> list[TableEvidence]:
    """The region matched against every template variant, best score first."""
    found = [ev for t, s in region.candidates if (ev := _match_one(cells, region, t, s)) is not None]
    return sorted(found, key=lambda ev: -ev.score)


def choose_variant(variants: list[TableEvidence], document_format: str | None) -> TableEvidence | None:
    """The best variant; a near tie goes to the format the rest of the document uses."""
    if not variants:
        return None
    best = variants[0]
    if document_format is not None:
        close = [v for v in variants if best.score - v.score < VARIANT_MARGIN]
        same = [v for v in close if v.template.format == document_format]
        if same:
            return same[0]
    return best


def _doubt_misplaced_values(rows: list[RowEvidence], stray: int, lead: int, width: int) -> list[str]:
    """Rows whose reading the text's order puts in doubt, set not found (their cells unknown),
    and the notes saying why. PDF extractors' reading orders put a table's labels before its
    values, its values before its labels, or its values under another table's caption.

    A row holding two rows' worth of values or more is the values of several rows standing
    together; values before the first row's label (two or more, or a row's worth: a row's
    values, cut by its label or not) are the first row's, each label then followed by the next
    row's: either way no row's values are known. A row with no value of its own is blank only
    if no values went astray: beside numbers no row took, values before the first label, or a
    row of more values than columns, its own may be among them."""
    overfull = [r for r in rows if r.found and len(r.cells) > width]
    blocks = [r for r in overfull if len(r.cells) >= 2 * max(width, 1)]
    if blocks or lead >= min(_LEADING_VALUES, max(width, 1)):
        for evidence in rows:
            evidence.found = False
        block = blocks[0] if blocks else None
        why = (
            f"row {block.key} holds the values of several rows ({len(block.cells)} for {width} columns)"
            if block is not None
            else f"{lead} values stand before the first row's label"
        )
        return [f"{why}: the text lost which row each value is in; every cell is unknown"]
    if not (stray or lead or overfull):
        return []
    if stray:
        astray = f"{stray} number(s) outside any row"
    elif lead:
        astray = f"{lead} value(s) before the first row's label"
    else:
        astray = "rows of more values than columns"
    return doubt_empty_rows(rows, astray)


#: Values before a table's first row label that show the text puts values before labels.
_LEADING_VALUES = 2


def doubt_empty_rows(rows: list[RowEvidence], astray: str) -> list[str]:
    """Set the rows with no value of their own not found (their cells unknown), as values went
    astray (``astray`` says how): theirs may be among them. The note saying so, if any."""
    empty = [r for r in rows if r.found and not r.cells and not r.key.startswith("extra_row_")]
    for evidence in empty:
        evidence.found = False
    if not empty:
        return []
    keys = ", ".join(r.key for r in empty)
    return [f"rows with no value of their own beside {astray}: {keys}; their cells are unknown"]


#: Shortest piece of a wrapped label read as the rest of it: one character is too common.
_LABEL_PIECE_CHARS = 2


def _continues(text: str, row: RowSpec, read: str) -> bool:
    """Whether ``text`` is a later piece of the row's label (or an alias), wrapped onto a line
    of its own: ``的,只计这一情形,不计其`` of (二)部分公开(区分处理的,只计这一情形,不计其他情形), or,
    however short, the next piece of what was ``read`` of it (``息`` after 1.本机关不掌握相关政府信)."""
    forms = _label_forms(row)
    if any(full.startswith(read + text) for full in forms):
        return True
    inside = (text in full and not full.startswith(text) for full in forms)
    return len(text) >= _LABEL_PIECE_CHARS and any(inside)


def _piece_of_group(text: str, spec: TableSpec) -> bool:
    """Whether ``text`` is a piece of a group row's label (a cell spanning the rows under it)."""
    hit = _GROUP_FORMS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _GROUP_FORMS[id(spec)] = (spec, tuple(f for r in spec.rows if r.group for f in _label_forms(r)))
    return any(is_piece_of(text, full) for full in hit[1])


def _label_forms(row: RowSpec) -> tuple[str, ...]:
    """A template row's label and aliases, normalized as labels read from documents are."""
    hit = _LABEL_FORMS.get(id(row))
    if hit is None or hit[0] is not row:
        hit = _LABEL_FORMS[id(row)] = (row, tuple(template_text(label) for label in _row_labels(row)))
    return hit[1]


# Label forms by id of the spec or row (hashing a frozen model hashes every field, each call),
# kept with it so that an id reused by another is no false hit.
_GROUP_FORMS: dict[int, tuple[TableSpec, tuple[str, ...]]] = {}
_LABEL_FORMS: dict[int, tuple[RowSpec, tuple[str, ...]]] = {}
register(_GROUP_FORMS.clear)
register(_LABEL_FORMS.clear)


def layout_in_doubt(chosen: TableEvidence, variants: list[TableEvidence]) -> TableEvidence | None:
    """The variant whose columns the table's own header names, every one and better, where it
    names only some of the chosen one's (or more): the values fit one layout and the header
    names another (本年处理决定数量 over rows of three values), so which column holds each value
    is not known. Captioned tables only: the requests and review tables are told apart by their
    rows."""
    if chosen.spec.caption is None or chosen.header_complete:
        return None
    rivals = [
        v
        for v in variants
        if v is not chosen
        and v.header_complete
        and v.columns != chosen.columns
        and v.header_fit > chosen.header_fit + HEADER_FIT_MARGIN
    ]
    return max(rivals, key=lambda v: v.header_fit, default=None)


def document_format(matched: list[list[TableEvidence]]) -> str | None:
    """The report format (2019 or 2021) its tables most clearly show, if any shows one."""
    votes: dict[str, float] = {}
    for variants in matched:
        if len(variants) > 1 and variants[0].template.format != variants[1].template.format:
            margin = variants[0].score - variants[1].score
            votes[variants[0].template.format] = votes.get(variants[0].template.format, 0.0) + margin
    return max(votes, key=lambda k: votes[k]) if votes else None


def _match_one(
    cells: list[Cell], region: Region, template: Template, spec: TableSpec
) -> TableEvidence | None:
    rows = spec.rows
    unlabeled = len(rows) == 1 and rows[0].label is None
    units = spec.units
    found: dict[str, RowEvidence] = {}
    extras: list[RowEvidence] = []
    headers: list[Cell] = []
    notes: list[str] = []
    current: RowEvidence | None = None
    started = False
    pos = 0
    stray = 0
    lead = 0
    end = region.end
    stopped_early = False
    last_index: dict[int, int] = {}  # by id of a row's evidence: where its last value is
    # Template rows with no value of their own, each followed by rows no template knows that
    # have values (其他对外管理服务事项 over 行政检查, 行政确认): by key, the row and those labels.
    heads: dict[str, tuple[RowEvidence, list[str]]] = {}
    last_row: tuple[RowSpec, RowEvidence] | None = None  # the last template row found, as read
    label_kind = Kind.LABEL  # looked up once: the loop reads every cell of the region
    i = region.start
    while i < end:
        cell = cells[i]
        if cell.kind is not label_kind:
            if current is None and unlabeled and not found:
                current = RowEvidence(key=rows[0].key, label="", found=True, label_score=100.0)
                found[rows[0].key] = current
                started = True
            if current is not None:
                current.cells.append(cell)
                last_index[id(current)] = i
            elif started and not (units and cell.kind is Kind.PLACEHOLDER):  # a group row's unit: —
                stray += 1
            elif not started and cell.kind is Kind.NUMBER:
                lead += 1  # a value before any row's label: the text may put values before labels
            i += 1
            continue
        if cell.text in units:
            # The unit cell between a row's label and its values: the row's unit, never a label.
            if current is not None and not current.cells:
                current.unit = cell.text
            i += 1
            continue
        idx, s = (-1, 0.0) if unlabeled else _best_row(cell.text, rows, pos)
        used = 1
        unit = _trailing_unit(cell.text, units) if units else None
        if unit is not None and s < 100:
            idx_u, s_u = _best_row(cell.text[: -len(unit)], rows, pos)
            if s_u > s:
                idx, s = idx_u, s_u
            else:
                unit = None
        nxt = cells[i + 1] if i + 1 < end else None
        # A label broken over two lines (一、本年新收政府 / 信息公开申请数量) matches better joined.
        if s < 100 and nxt is not None and nxt.kind is label_kind and not nxt.same_line and not unlabeled:
            idx2, s2 = _best_row(cell.text + nxt.text, rows, pos)
            # ...but not when the next label is a row by itself (a header word before a row label).
            if s2 >= MATCH_THRESHOLD and s2 > s and s2 > _best_row(nxt.text, rows, pos)[1]:
                idx, s, used = idx2, s2, 2
        if s >= MATCH_THRESHOLD:
            row = rows[idx]
            pos = idx + 1
            started = True
            if row.group:
                current = None
            else:
                current = RowEvidence(
                    key=row.key,
                    label=cell.text if used == 1 else cell.text + nxt.text,  # type: ignore[union-attr]
                    found=True,
                    label_line=cell.line,
                    label_score=s,
                    unit=unit if used == 1 else None,
                )
                found[row.key] = current
                last_row = (row, current)
        elif not started or (unlabeled and current is None):
            headers.append(cell)
        elif not unlabeled and _best_row(cell.text, rows, 0)[1] >= MATCH_THRESHOLD:
            current = None  # a repeated group label (三、本年度办理结果 again): no values of its own
        elif (
            last_row is not None
            and not last_row[1].cells
            and _continues(cell.text, last_row[0], last_row[1].label)
        ):
            # The rest of the last row's label, wrapped onto further lines, its values on one of
            # them: a PDF's layout centres a row's values beside the middle line of its label.
            current = last_row[1]
            current.label += cell.text
        elif last_row is not None and not last_row[1].cells and _piece_of_group(cell.text, spec):
            current = last_row[1]  # the values beside a spanning cell's piece are the last row's
        elif (nxt is None or nxt.kind is label_kind) and _piece_of_group(cell.text, spec):
            pass  # a piece of a cell spanning rows (三、本年度办理结果, a few characters a line)
        elif is_section_heading(cell.text) or is_prose(cell.text) or (unlabeled and current is not None):
            end = i
            stopped_early = True
            break
        elif nxt is not None and nxt.kind is not label_kind:
            if current is not None and not current.cells and not current.key.startswith("extra_row_"):
                heads.setdefault(current.key, (current, []))[1].append(cell.text)
            current = RowEvidence(
                key=f"extra_row_{len(extras) + 1}",
                label=cell.text,
                found=True,
                label_line=cell.line,
                label_score=0.0,
            )
            extras.append(current)
        else:
            current = None
        i += used
    if not started and unlabeled and len({h.text for h in headers}) >= 3:
        # A header with no numbers under it: every cell of the one data row was left blank. But
        # where the header holds text the template does not know (table lines the flattening
        # could not cut into cells, a converter's [TABLE]), that text may be the row's values,
        # unread: the row is then not found, and its cells are unknown rather than blank.
        clean = _all_known_headers([h.text for h in headers], spec)
        found[rows[0].key] = RowEvidence(
            key=rows[0].key, label="", found=clean, label_score=100.0 if clean else 0.0
        )
        started = True
    if not started:
        return None
    for head, under in heads.values():
        if not head.cells:
            # Its values are the rows under it, or their sum, or left out: not known to be blank.
            head.found = False
            notes.append(
                f"row {head.key} holds no value of its own but rows under it do ({', '.join(under)}); "
                "its cells are unknown"
            )
    columns, column_labels, header_score, extra_cols, named, complete = _match_columns(headers, spec)
    ordered: list[RowEvidence] = []
    for row in spec.data_rows:
        ordered.append(found.get(row.key) or RowEvidence(key=row.key, label=row.label or "", found=False))
    ordered.extend(extras)
    _assign_gaps(ordered, cells, last_index, len(columns))
    data_rows = spec.data_rows
    missing = [r.key for r in data_rows if r.key not in found]
    row_score = sum([r.label_score for r in found.values()]) / 100
    # Rows holding exactly as many numbers as the variant has columns speak for it; more speak against.
    width = len(columns)
    fit = sum(
        [0.2 if len(r.cells) == width else -1.0 if len(r.cells) > width else 0.0 for r in found.values()]
    )
    # A template far longer than the standard ones (the national 统计表) is often printed in part:
    # its missing rows weigh less, so a short variant does not win by matching a few rows badly.
    missing_weight = 0.5 * min(1.0, LONG_TEMPLATE_ROWS / max(len(data_rows), 1))
    quality = row_score + header_score + fit - missing_weight * len(missing) - 0.5 * len(extras) - 0.2 * stray
    truncated = False
    if region.at_document_end and not stopped_early:
        last = found.get(data_rows[-1].key)
        # A short last row whose cells end the document may have been cut, not left blank.
        if last is None or (_capacity(last.cells) < len(columns) and end == len(cells)):
            truncated = True
    if missing and not truncated:
        notes.append("rows not found in the text: " + ", ".join(missing))
    if extra_cols:
        notes.append("header cells no template knows: " + ", ".join(extra_cols))
    if stray:
        notes.append(f"{stray} number(s) outside any row were ignored")
    notes.extend(_doubt_misplaced_values(ordered, stray, lead, len(columns)))
    title = cells[region.anchor].text
    return TableEvidence(
        template=template,
        spec=spec,
        title=title,
        columns=columns,
        column_labels=column_labels,
        rows=ordered,
        score=quality,
        truncated=truncated,
        notes=notes,
        header_fit=named,
        header_complete=complete,
        astray=bool(stray or lead or any(len(r.cells) > len(columns) for r in ordered)),
    )
