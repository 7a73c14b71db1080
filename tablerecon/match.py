"""Step 2b: match a region's labels to a template's header and row labels.

The result, ``TableEvidence`` (``evidence``), lists for every template row the numbers the text
gave it, in text order, with the empty slots around them (``gaps``). The header is matched to
the columns in ``headers``; the doubts the text's order casts on the rows in ``doubts``. Which
column each number belongs to is the solver's job.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tablerecon.caches import register
from tablerecon.cells import Cell, Kind
from tablerecon.doubts import doubt_misplaced_values
from tablerecon.evidence import RowEvidence, TableEvidence
from tablerecon.find import Region
from tablerecon.gaps import assign_gaps
from tablerecon.headers import all_known_headers, match_columns
from tablerecon.labels import (
    MATCH_THRESHOLD,
    is_piece_of,
    is_prose,
    is_section_heading,
    ordinal,
    score,
    strip_notes,
    template_text,
)
from tablerecon.layout import order_by_place
from tablerecon.templates import RowSpec, TableSpec, Template

_HAS_DIGIT = re.compile(r"\d")


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


def _restarts(text: str, rows: tuple[RowSpec, ...], found: dict[str, RowEvidence]) -> str | None:
    """The key of the row a label names nearly word for word, where that row comes before
    every row found so far: the table begun again (None otherwise)."""
    idx, s = _best_row(text, rows, 0)
    if s < RESTART_SCORE or rows[idx].group or not found:
        return None
    first = min(k for k, row in enumerate(rows) if row.key in found)
    return rows[idx].key if idx < first else None


def _renamed(text: str, rows: tuple[RowSpec, ...], pos: int) -> bool:
    """Whether an unmatched label is the next template row worded otherwise: a row with values
    of its own comes next (``rows[pos]``), the label opens with that row's ordinal (1. to 9.,
    (一), 一、), and it is neither a heading nor a sentence, nor any row's label (an earlier row's
    where the text is out of step with the template), nor holds a later row's words (two rows
    merged into one: 2.没有现成信息需要另行制作、补正后申请内容仍不明确 holds both rows' values) or
    digits outside its notes (values run into it: 2.重复申请3000003)."""
    if pos >= len(rows) or rows[pos].group or rows[pos].label is None:
        return False
    number = ordinal(text)
    if (
        number is None
        or number != ordinal(template_text(rows[pos].label))
        or is_section_heading(text)
        or is_prose(text)
        or _best_row(text, rows, 0)[1] >= MATCH_THRESHOLD  # an earlier row's, the table out of step
        or _HAS_DIGIT.search(strip_notes(text), len(number)) is not None  # values run into it, maybe
    ):
        return False
    for later in rows[pos + 1 :]:
        if later.label is not None:
            words = template_text(later.label)
            words = words[len(ordinal(words) or "") :]
            if len(words) >= MERGED_ROW_CHARS and words in text:
                return False
    return True


def _trailing_unit(text: str, units: frozenset[str]) -> str | None:
    """The unit a row-per-line label swallowed (``主动公开文件数 条 2069`` reads as one label)."""
    return next(
        (u for u in sorted(units, key=len, reverse=True) if text.endswith(u) and len(text) > len(u) + 1), None
    )


def _capacity(cells: list[Cell]) -> int:
    """How many cells a row's values can fill: a glued run as many as it has digits."""
    return sum(sum(ch.isdigit() for ch in c.text) if c.kind is Kind.RUN else 1 for c in cells)


#: Data rows beyond which a template's missing rows are weighed in proportion (see ``_match_one``).
LONG_TEMPLATE_ROWS = 30

#: How closely a label must name a row that comes before every row found so far for the table
#: to be taken as begun again (another table's rows read before it).
RESTART_SCORE = 95.0

#: Fewest characters of a later row's label (its number aside) that show, inside a label, two
#: rows merged into one.
MERGED_ROW_CHARS = 4

#: How well the label after a sentence inside a table must match one of its later rows for the
#: sentence to be a note between rows rather than the table's end.
NOTE_SKIP_SCORE = 90.0

#: Variants scoring within this margin of each other are told apart by the document's format.
VARIANT_MARGIN = 1.0


def match_variants(
    cells: list[Cell], region: Region, written_blanks: bool = False, place_unit: int | None = None
) -> list[TableEvidence]:
    """The region matched against every template variant, best score first. ``written_blanks``:
    the document may mark blank cells with lines of a written space (``Document.written_blanks``);
    ``place_unit``: how a document laid out in columns counts places (``Document.place_unit``)."""
    found = [
        ev
        for t, s in region.candidates
        if (ev := _match_one(cells, region, t, s, written_blanks, place_unit)) is not None
    ]
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


#: Shortest piece of a wrapped label read as the rest of it: one character is too common.
_LABEL_PIECE_CHARS = 2


def _spanned_values_once(rows: list[RowEvidence], spans: tuple[int, ...]) -> list[str]:
    """Read once the values under a header cell written into each column it spans (pandas'
    read_html copies a merged cell into every column: ``本年处理决定数量`` three times over
    ``2293,2293,2293``). Where every row of values holds one per place, each on its line with
    no empty field, and the copies under each header cell are equal, one is kept; otherwise
    nothing is done (the rows stay over-full, their cells unknown). ``spans``: the places each
    column takes (``headers.Columns.spans``). The note saying what was read once, if anything."""
    if not spans:
        return []
    filled = [r for r in rows if r.found and r.cells]
    places = sum(spans)
    if not filled or any(len(r.cells) != places for r in filled):
        return []
    starts = [sum(spans[:j]) for j in range(len(spans))]
    for row in filled:
        values = row.cells
        if any(not c.same_line or c.gap or c.lead or c.after or c.kind is not Kind.NUMBER for c in values):
            return []
        if any(len({c.value for c in values[a : a + n]}) > 1 for a, n in zip(starts, spans, strict=True)):
            return []
    for row in filled:
        row.cells = [row.cells[a] for a in starts]
    return [f"header cells written into each column they span: their values read once ({places} places)"]


def _merged_value_once(rows: list[RowEvidence], n_cols: int) -> list[str]:
    """Read once a value cell written into each of the two columns it spans (pandas' read_html,
    python-docx: a table whose cells straddle a column no header names). Every row of values,
    each on its line with no empty field, holds one value more than the table has columns, and
    the values at one place and the next are equal in every row: the first copy is dropped.
    Where several places qualify and dropping at each gives a row other values, or any row is
    otherwise, nothing is dropped (the rows stay over-full, their cells unknown). The note
    saying what was read once, if anything."""
    filled = [r for r in rows if r.found and r.cells]
    if not filled or any(len(r.cells) != n_cols + 1 for r in filled):
        return []
    places: set[int] | None = None
    for row in filled:
        values = row.cells
        if any(not c.same_line or c.gap or c.lead or c.after or c.kind is not Kind.NUMBER for c in values):
            return []
        equal = {p for p in range(n_cols) if values[p].value == values[p + 1].value}
        places = equal if places is None else places & equal
        if not places:
            return []
    assert places is not None
    for row in filled:
        read = {tuple(c.value for k, c in enumerate(row.cells) if k != p) for p in places}
        if len(read) != 1:
            return []
    first = min(places)
    for row in filled:
        del row.cells[first]
    return [f"every row held one value more than its {n_cols} columns, equal values side by side: read once"]


def _repeats(text: str, row: RowSpec, ahead: float) -> bool:
    """Whether ``text`` is ``row``'s label again: it matches that row, and better than the
    ``ahead`` score of its best match among the rows after it."""
    again = max((score(text, label) for label in _row_labels(row)), default=0.0)
    return again >= MATCH_THRESHOLD and again > ahead


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


def document_format(matched: list[list[TableEvidence]]) -> str | None:
    """The report format (2019 or 2021) its tables most clearly show, if any shows one."""
    votes: dict[str, float] = {}
    for variants in matched:
        if len(variants) > 1 and variants[0].template.format != variants[1].template.format:
            margin = variants[0].score - variants[1].score
            votes[variants[0].template.format] = votes.get(variants[0].template.format, 0.0) + margin
    return max(votes, key=lambda k: votes[k]) if votes else None


def _labels_before(cells: list[Cell], i: int, start: int) -> int:
    """Where the run of label cells just before cell ``i`` begins (not before ``start``)."""
    while i > start and cells[i - 1].kind is Kind.LABEL:
        i -= 1
    return i


def _match_one(
    cells: list[Cell],
    region: Region,
    template: Template,
    spec: TableSpec,
    written_blanks: bool = False,
    place_unit: int | None = None,
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
    # Rows whose label is followed by text with digits no value was read from, and that text.
    unread: dict[str, tuple[RowEvidence, str]] = {}
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
        if s < 100 and last_row is not None and not last_row[1].cells and _repeats(cell.text, last_row[0], s):
            # The last row's label again before any value of its own (a heading that copies the
            # row's label, then the row): the same row. Read against the rows after it, the copy
            # took the next row's place (一、本年新收… twice: its values read as 二、上年结转's).
            current = last_row[1]
            i += 1
            continue
        if s < MATCH_THRESHOLD and started and not unlabeled and _renamed(cell.text, rows, pos):
            # A row worded otherwise (3.危及国家安全、公共安全、经济安全、社会稳定的 for
            # 3.危及"三安全一稳定"), where the next row stands and numbered as it is: that row.
            notes.append(
                f"row {rows[pos].key}: its label ({cell.text[:24]}) is taken by its number and place"
            )
            idx, s, used = pos, MATCH_THRESHOLD, 1
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
                if current.label[-1:].isdigit() and not (row.label or "")[-1:].isdigit():
                    # The label read ends with digits the template's does not: the row's values
                    # may have run into it (a line too long to read as a row). Blank only if
                    # values of its own follow.
                    unread[row.key] = (current, current.label[-20:])
                last_row = (row, current)
        elif not started or (unlabeled and current is None):
            headers.append(cell)
        elif (
            not unlabeled
            and nxt is not None
            and nxt.kind is not label_kind
            and (restart := _restarts(cell.text, rows, found)) is not None
            and (again := _labels_before(cells, i, region.start)) > region.start
        ):
            # The table's first rows again, before any row read so far: what was read is another
            # table (a summary of a few totals before the full one). The table is read again
            # from the labels before this row (its header); only if something is passed over,
            # or it would be read again as it was, without end.
            evidence = _match_one(
                cells, replace(region, start=again), template, spec, written_blanks, place_unit
            )
            if evidence is not None:
                evidence.notes.insert(
                    0,
                    f"lines {cells[region.start].line}-{cells[again - 1].line}: rows read before "
                    f"{restart} began the table again were another table's, and are passed over",
                )
            return evidence
        elif not unlabeled and (earlier := _best_row(cell.text, rows, 0)[1]) >= MATCH_THRESHOLD:
            # A repeated group label (三、本年度办理结果 again) has no values of its own; a piece
            # of one ((五) of a cell spanning rows, printed a few characters a line) stands
            # beside the values of the last row, whose label came before with none.
            piece = last_row is not None and earlier < 100 and not last_row[1].cells
            current = last_row[1] if piece and last_row else None
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
        elif (
            unlabeled
            and current is not None
            and len(current.cells) < len(spec.columns)
            and not is_section_heading(cell.text)
            and all_known_headers([cell.text], spec)
        ):
            # The header again between groups of the one row's values: a page that writes the
            # review table as three tables of five columns, each under its own heading.
            pass
        elif (
            not unlabeled
            and started
            and nxt is not None
            and nxt.kind is label_kind
            and is_prose(cell.text)
            and not is_section_heading(cell.text)
            and not is_section_heading(nxt.text)
            and _best_row(nxt.text, rows, pos)[1] >= NOTE_SKIP_SCORE
        ):
            # A note printed between two rows (注：部分公开指…, （说明：…）), a row's label after
            # it: passed over. Taken for the table's end, it lost every row after it.
            current = None
            notes.append(
                f"line {cell.line}: a note between the table's rows was passed over ({cell.text[:24]})"
            )
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
            if current is not None and not current.cells and _HAS_DIGIT.search(cell.text):
                # Text with digits where the row's values stand, none of it read as a value
                # (``396____``, a number cut off its cell): the values are there, not blank.
                unread.setdefault(current.key, (current, cell.text))
            current = None
        i += used
    if not started and unlabeled and len({h.text for h in headers}) >= 3:
        # A header with no numbers under it: every cell of the one data row was left blank. But
        # where the header holds text the template does not know (table lines the flattening
        # could not cut into cells, a converter's [TABLE]), that text may be the row's values,
        # unread: the row is then not found, and its cells are unknown rather than blank.
        clean = all_known_headers([h.text for h in headers], spec)
        found[rows[0].key] = RowEvidence(
            key=rows[0].key, label="", found=clean, label_score=100.0 if clean else 0.0
        )
        started = True
    if not started:
        return None
    for row_evidence, text in unread.values():
        if not row_evidence.cells:
            row_evidence.found = False
            notes.append(
                f"row {row_evidence.key}: digits in or after its label that no value was read from "
                f"({text[:20]}); its cells are unknown"
            )
    for head, under in heads.values():
        if not head.cells:
            # Its values are the rows under it, or their sum, or left out: not known to be blank.
            head.found = False
            notes.append(
                f"row {head.key} holds no value of its own but rows under it do ({', '.join(under)}); "
                "its cells are unknown"
            )
    columns, column_labels, header_score, extra_cols, named, complete, spans = match_columns(headers, spec)
    ordered: list[RowEvidence] = []
    for row in spec.data_rows:
        ordered.append(found.get(row.key) or RowEvidence(key=row.key, label=row.label or "", found=False))
    ordered.extend(extras)
    notes.extend(_spanned_values_once(ordered, spans) or _merged_value_once(ordered, len(columns)))
    notes.extend(order_by_place(ordered, len(columns), cells, region.start, region.end))
    placed_by = assign_gaps(
        ordered, cells, last_index, len(columns), written_blanks, (headers, column_labels), place_unit
    )
    if placed_by is not None:
        notes.append(placed_by)
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
    notes.extend(doubt_misplaced_values(ordered, stray, lead, len(columns)))
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
