"""Step 2a: find where each table of sections 二, 三 and 四 sits in the cell stream.

A table starts at an anchor (a 第二十条 caption, a section title, the requests table's corner
note or 申请人情况, the review table's 行政复议/行政诉讼 header, the pre-2019 统计表 title or its
指标名称/统计指标 header) and runs until the next anchor of another table or the next section
heading. Which template variant fits the region is decided later, in ``match``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tablerecon.caches import bounded
from tablerecon.cells import Cell, Kind
from tablerecon.labels import MATCH_THRESHOLD, is_piece_of, is_section_heading, score, template_text
from tablerecon.templates import TableSpec, Template, all_tables

_CAPTION = re.compile(r"第二十条第?\(?([一二三四五六七八九十]{1,3})\)?项")
#: The regulation a caption may cite the article of (中华人民共和国政府信息公开条例 第二十条第(一)项).
_REGULATION = re.compile(r"^《?(?:中华人民共和国)?政府信息公开条例》?")
#: Longest caption, the regulation's name left out: longer labels citing the article are prose.
_CAPTION_CHARS = 20
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ANCHOR_THRESHOLD = 85.0


@dataclass(frozen=True, slots=True)
class Region:
    """Cells ``start:end`` of the stream, believed to hold table ``table``."""

    table: str
    candidates: tuple[tuple[Template, TableSpec], ...]
    anchor: int  # index of the anchor cell
    start: int  # first cell after the anchor
    end: int  # exclusive
    at_document_end: bool


@cache
def _candidates(table_id: str) -> tuple[tuple[Template, TableSpec], ...]:
    return tuple((t, s) for t, s in all_tables() if s.table == table_id)


@cache
def _request_row_labels() -> tuple[str, ...]:
    return tuple(
        r.label for _, s in all_tables() if s.table == "requests" for r in s.rows if r.label is not None
    )


@cache
def _stats_anchors() -> tuple[str, ...]:
    return tuple(sorted({a for _, s in _candidates("stats") for a in s.anchors}))


@cache
def _stats_row_labels() -> tuple[str, ...]:
    return tuple(sorted({r.label for _, s in _candidates("stats") for r in s.rows if r.label is not None}))


#: Words a title may add around 政府信息公开情况统计表 (附表: 2017年度 …).
_STATS_TITLE_SLACK = 12


def _is_stats_anchor(label: str) -> bool:
    """The statistics table's title (also inside 附表:2017年度…) or its first header cell."""
    return any(
        score(label, a) >= _ANCHOR_THRESHOLD
        or (len(a) > 6 and a in label and len(label) <= len(a) + _STATS_TITLE_SLACK)
        for a in _stats_anchors()
    )


#: A 第二十条 caption whose item (第(五)项) a flattening lost: which table it heads is told by
#: the rows that follow it (``_table_by_rows``).
_ITEMLESS_CAPTION = re.compile(r"第二十条第?")
#: The start of a caption the text's end cut (``第二十条第(六``: an excerpt ending mid-line).
_CUT_CAPTION = re.compile(r"第二十条第?\(?[一二三四五六七八九十]{0,3}")
#: Cells after such a caption looked at for a row label of a 第二十条 table.
_ITEMLESS_LOOKAHEAD = 12


@cache
def _active_row_labels() -> tuple[tuple[str, str], ...]:
    """(row label or alias, table) of every 第二十条 table's rows, all template variants."""
    return tuple(
        sorted(
            {
                (label, s.table)
                for _, s in all_tables()
                if s.table.startswith("active_")
                for r in s.rows
                for label in (r.label, *r.aliases)
                if label
            }
        )
    )


#: What the header of every 第二十条 table opens with.
_HEADER_START = "信息内容"


@cache
def _active_column_labels() -> tuple[str, ...]:
    """Every 第二十条 table's column labels, all template variants."""
    return tuple(
        sorted(
            {c.label for _, s in all_tables() if s.table.startswith("active_") for c in s.columns if c.label}
        )
    )


def _header_then_rows(cells: list[Cell], i: int) -> str | None:
    """The 第二十条 table that the 信息内容 at ``i`` heads with no caption: a column label of
    those tables must follow it, in the next cell or the same (``信息内容 本年处理决定数量``, a
    PDF's header row on one line, or all its cells run into one label: ``信息内容本年制发件数本年
    废止件数…``), not prose that happens to hold the words (a glued page's text is cut at every
    known label); then a row label names the table."""
    rest = cells[i].text.removeprefix(_HEADER_START)  # the header's next cell on its line, or none
    if not rest:
        after = cells[i + 1] if i + 1 < len(cells) else None
        if after is None or after.kind is not Kind.LABEL:
            return None
        rest = after.text
    if not any(
        score(rest, label) >= MATCH_THRESHOLD or rest.startswith(label) for label in _active_column_labels()
    ):
        return None
    return _table_by_rows(cells, i)


def _table_by_rows(cells: list[Cell], i: int) -> str | None:
    """The 第二十条 table whose row label comes first among the cells after ``i`` (before any
    other caption): 行政许可 for (五), 行政处罚 for (六), and so on."""
    for cell in cells[i + 1 : i + 1 + _ITEMLESS_LOOKAHEAD]:
        if cell.kind is not Kind.LABEL:
            continue
        if _CAPTION.search(cell.text) or _ITEMLESS_CAPTION.fullmatch(cell.text):
            return None
        for label, table_id in _active_row_labels():
            if score(cell.text, label) >= MATCH_THRESHOLD:
                return table_id
    return None


#: Longest label looked up as a 第二十条 table's row (the longest such label has 10 characters;
#: notes in brackets may follow).
_ACTIVE_ROW_CHARS = 24


@bounded(32768)
@cache
def _row_of_other_table(text: str, table_id: str) -> str | None:
    """The 第二十条 table other than ``table_id`` that has a row labelled ``text``, if only one has
    (remembered: every label inside a 第二十条 table's region is asked about)."""
    if len(text) > _ACTIVE_ROW_CHARS or text.startswith(_HEADER_START):
        return None
    tables = {t for label, t in _active_row_labels() if score(text, label) >= MATCH_THRESHOLD}
    if len(tables) != 1 or table_id in tables:
        return None
    return tables.pop()


def _caption_table(label: str) -> str | None:
    m = _CAPTION.search(label)
    if m is None or len(_REGULATION.sub("", label)) > _CAPTION_CHARS:
        return None
    n = sum(_NUMERALS[c] for c in m.group(1)) if m.group(1) != "十" else 10
    table_id = f"active_20_{n}"
    return table_id if _candidates(table_id) else None


#: How the review table's header starts: 行政复议, then 行政诉讼 in the next cell or, where a PDF's
#: text keeps the header row on one line, in the same.
_REVIEW_HEADER_STARTS = frozenset({"行政复议", "行政复议行政诉讼"})


@cache
def _active_sections() -> tuple[str, ...]:
    return tuple(sorted({s.title for _, s in _candidates("active_20_1") if s.title}))


@bounded(4096)
@cache
def _is_active_section(label: str) -> bool:
    return any(score(label, t) >= _ANCHOR_THRESHOLD for t in _active_sections())


def _opens_first_table(cells: list[Cell], i: int) -> bool:
    """Whether section 二's title at cell ``i`` is followed at once by its first table with no
    caption of its own: its header (信息内容) and then its first row (规章)."""
    following = [c.text for c in cells[i + 1 : i + 8] if c.kind is Kind.LABEL]
    return following[:1] == ["信息内容"] and "规章" in following


def _review_header(cells: list[Cell], i: int) -> bool:
    """Whether the 行政复议 at cell ``i`` heads the review table: 行政复议 / 行政诉讼 / 结果维持 ...
    (prose mentions both words too). Where the text keeps each header row on one line, its
    words are cut apart (结果 结果 其他 ... over 维持 纠正 结果 ...): the next rows name
    结果 and 维持 at least."""
    following = [c.text for c in cells[i + 1 : i + 6] if c.kind is Kind.LABEL]
    if cells[i].text == "行政复议":
        return "行政诉讼" in following and "结果维持" in following
    return any("结果" in text for text in following) and any("维持" in text for text in following)


#: Longest label that can be an anchor or a stop: longer ones are neither (see ``_label_anchor``
#: and ``is_section_heading``), so they are not looked at, nor remembered.
_MARKER_CHARS = 60


@bounded(32768)
@cache
def _label_anchor(label: str) -> str | None:
    """The table a label anchors by its text alone. Cached: labels repeat from report to report,
    and each is scored against every anchor."""
    caption = _caption_table(label)
    if caption is not None:
        return caption
    for table_id in ("requests", "review_litigation"):
        for _, spec in _candidates(table_id)[:1]:
            if any(score(label, a) >= _ANCHOR_THRESHOLD for a in spec.anchors):
                return table_id
    if _is_stats_anchor(label):
        return "stats"
    return None


def _is_stats_row(label: str) -> bool:
    return any(score(label, r) >= MATCH_THRESHOLD for r in _stats_row_labels())


@bounded(32768)
@cache
def _is_stop(label: str) -> bool:
    if not is_section_heading(label):
        return False
    # A piece of the requests table's group label 三、本年度办理结果 (printed a few characters a
    # line beside the rows it spans) is no heading either.
    return all(score(label, r) < MATCH_THRESHOLD and not is_piece_of(label, r) for r in _request_row_labels())


def _just_captioned(markers: list[tuple[int, str | None]], i: int) -> bool:
    """Whether a 第二十条 table was anchored a cell or two before ``i`` (its caption, or the
    section title opening on it): the header there is that table's, with no need to ask which
    table its rows name."""
    if not markers:
        return False
    index, table_id = markers[-1]
    return table_id is not None and table_id.startswith("active_") and i - index <= 2


def find_regions(cells: list[Cell]) -> list[Region]:
    """Every candidate table region, in document order."""
    markers: list[tuple[int, str | None]] = []
    opened_by_row: set[int] = set()  # anchors that are a row of their table: the region's first
    label = Kind.LABEL
    for i, cell in enumerate(cells):
        text = cell.text
        # Longer labels are neither anchors nor stops (see ``_MARKER_CHARS``).
        if cell.kind is not label or len(text) > _MARKER_CHARS:
            continue
        table_id = _label_anchor(text)
        if table_id is None and text in _REVIEW_HEADER_STARTS and _review_header(cells, i):
            table_id = "review_litigation"
        if table_id is None and _ITEMLESS_CAPTION.fullmatch(text):
            table_id = _table_by_rows(cells, i)
        if table_id is None and text.startswith(_HEADER_START) and not _just_captioned(markers, i):
            # A 第二十条 table's header with no caption of its own before it (after prose, or at
            # the top of a PDF's page whose caption ended the page before): the row after it
            # names the table, which the header anchors unless a caption already did.
            named = _header_then_rows(cells, i)
            if named is not None and (not markers or markers[-1][1] != named):
                table_id = named
        if table_id is None and markers and (current := markers[-1][1]) and current.startswith("active_"):
            # A row only another 第二十条 table has, inside this one's region: that table, whose
            # caption was lost or left elsewhere (a PDF's text runs the captions together).
            other = _row_of_other_table(text, current)
            if other is not None and all(t != other for _, t in markers):
                table_id = other
                opened_by_row.add(i)
        if table_id is not None:
            markers.append((i, table_id))
        elif i == len(cells) - 1 and _CUT_CAPTION.fullmatch(text):
            # The next table's caption, cut by the text's end: the table before it is whole.
            markers.append((i, None))
        elif _is_stop(text):
            # Section 二's title opening on its first table, whose caption was left out.
            first = _is_active_section(text) and _opens_first_table(cells, i)
            markers.append((i, "active_20_1" if first else None))
    regions: list[Region] = []
    k = 0
    while k < len(markers):
        index, table_id = markers[k]
        k += 1
        if table_id is None:
            continue
        # Further anchors of the same table (title, corner note, 申请人情况) extend the region, and
        # so do the statistics table's own rows that look like headings (三、依申请公开情况).
        while k < len(markers) and (
            (markers[k][1] == table_id and not table_id.startswith("active_"))
            or (markers[k][1] is None and table_id == "stats" and _is_stats_row(cells[markers[k][0]].text))
        ):
            k += 1
        end = markers[k][0] if k < len(markers) else len(cells)
        regions.append(
            Region(
                table=table_id,
                candidates=_candidates(table_id),
                anchor=index,
                start=index if index in opened_by_row else index + 1,
                end=end,
                at_document_end=k >= len(markers),
            )
        )
    return regions


#: A report's title: a year, then 政府信息公开 and 报告 (``XX市人民政府2024年政府信息公开工作年度
#: 报告``), no longer than a title is (a sentence naming a report runs on).
_REPORT_TITLE = re.compile(r"(?:19|20)\d\d年.{0,40}政府信息公开.{0,12}报告")
_TITLE_CHARS = 80


def other_report_titles(cells: list[Cell]) -> list[int]:
    """Indices of the report titles in ``cells`` that name another report than every title
    before them (from the year on: another year's), the first title left out: where a second
    report may open. A PDF's running header repeats the report's own title, and a text with no
    title of its own before gives nothing to tell a second report by."""
    seen: set[str] = set()
    out: list[int] = []
    for i, cell in enumerate(cells):
        text = cell.text
        if "报告" not in text or cell.kind is not Kind.LABEL or len(text) > _TITLE_CHARS:
            continue
        title = _REPORT_TITLE.search(text)
        if title is not None:
            # Told apart by the year on: a body's name may stand on a line of its own above
            # the title, and a running header may write both on one.
            if seen and title.group() not in seen:
                out.append(i)
            seen.add(title.group())
    return out


#: Fewest characters of a table's title that, ending the text, show the title cut short.
_CUT_TITLE_CHARS = 4


@cache
def _titles() -> tuple[str, ...]:
    """Every table's titles and anchors, as labels read from a text are normalized."""
    return tuple(sorted({template_text(a) for _, spec in all_tables() for a in spec.anchors}))


def cut_title(cells: list[Cell]) -> Cell | None:
    """The text's last cell, where it is the opening of a table's title cut short (a page that
    ends at ``第二十条第(``): the table it opens is lost with no word said otherwise."""
    last = cells[-1] if cells else None
    if last is None or last.kind is not Kind.LABEL or len(last.text) < _CUT_TITLE_CHARS:
        return None
    text = last.text
    return last if any(t.startswith(text) and t != text for t in _titles()) else None
