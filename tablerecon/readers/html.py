"""HTML pages to the ``Cell`` stream that ``normalize.tokenize`` makes from plain text.

Scraped reports often come as the page itself. Reading its ``<table>`` markup directly keeps what
flattening loses (which cell is empty, where a row ends), and producing the very same ``Cell``
objects lets the rest of the pipeline stay a single parser.

Reading order follows the source, as flattened text does (spec/templates.md §2):

* outside tables, every block element (``p``, ``div``, ``h1``..``h6``, ``li``...) and every
  ``<br>``-separated line gives one cell, so section titles arrive as cells of their own;
* each ``<td>``/``<th>`` gives one cell, once, at the row where it starts (a rowspan cell is not
  repeated); cells after the first of a row have ``same_line=True``; an empty cell adds its colspan
  to the next cell's ``gap``; those that open a row are also its first cell's ``lead``, and those
  that end it its last cell's ``after`` (never the next row's ``gap``);
  ``<br>`` and paragraphs inside a cell are joined without a separator (``本年新<br>制作数量``).

``line`` is the 1-based source line of the cell's first text (lxml's ``sourceline`` of the element
holding it), so a user can find the cell in the page; the ``<td>`` tag itself often starts lines
earlier, on long Word-generated attribute lists.

Hostile input: lxml's HTML parser recovers from any markup, never reads the network or external
entities, and caps nesting depth; spans are clamped and resolved grids have a cell budget, so a
few bytes of ``rowspan``/``colspan`` cannot allocate gigabytes. Input size is the caller's concern,
but ``html_cells`` takes the caller's bounds: a page with more than ``MAX_TAGS`` tags is refused
before it is parsed (the tree would cost a few hundred bytes a tag), one with more than
``max_cells`` cells once it has made them, and the walk reads the clock against a ``deadline``.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from dataclasses import dataclass

import lxml.html
from lxml import etree

from tablerecon.cells import Cell, classify
from tablerecon.errors import InputTooLargeError, TimeBudgetError

#: Largest colspan honoured (the HTML standard's limit); larger values are clamped.
MAX_COLSPAN = 1000
#: Largest rowspan honoured (the HTML standard's limit); spans are also clamped to the table's end.
MAX_ROWSPAN = 65534
#: Most slots one resolved grid may hold; rows past the budget are left out of the grid.
MAX_GRID_CELLS = 1_000_000
#: Tables nested deeper than this inside layout cells are read as plain cell text.
MAX_TABLE_NESTING = 16
#: How much of the input ``looks_like_html`` inspects.
SNIFF_CHARS = 8192
#: Most ``<`` a page given to ``html_cells`` may hold: an upper bound on its elements, counted
#: before parsing. Real report pages hold some tens of thousands.
MAX_TAGS = 1_000_000
#: Elements walked between two looks at the clock.
_CLOCK_EVERY = 4096

# libxml2 stores line numbers in 16 bits: at this value the real line is unknown (>= it).
_LINE_CLAMP = 65535
# How far ahead of a line hint the text of a cell is searched for.
_SEARCH_WINDOW = 65536

_HTML_MARK = re.compile(r"<(?:!doctype\s+html|html|head|body|table)\b", re.IGNORECASE)
_ASCII_WS = re.compile(r"[ \t\n\r\f\v]+")
# Characters that appear verbatim in the source (no entity form is likely), used to find text.
_SNIPPET = re.compile(r"[^\s&<>\"']{1,16}")

# fmt: off
# Elements whose content is never page text.
_SKIP = frozenset({
    "head", "script", "style", "template", "noscript", "title", "xml", "object", "iframe", "select",
    "textarea", "svg", "math",
})
# Elements that start and end a line of text (a cell) outside tables.
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav",
    "ol", "p", "pre", "section", "summary", "ul", "tr", "td", "th", "tbody", "thead", "tfoot",
})
# fmt: on
_CELL_TAGS = frozenset({"td", "th"})
_SECTION_TAGS = frozenset({"thead", "tbody", "tfoot"})


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page or fragment: a cheap test on its first few KB, so that
    callers can route a document without parsing it. Text whose first mark is a ``<table``
    after lines holding no tag at all is not: it is text (Markdown) holding a raw table, whose
    lines around the table read as text (``readers.mixed``); read as a page, they ran together."""
    mark = _HTML_MARK.search(text, 0, SNIFF_CHARS)
    if mark is None:
        return False
    before = text[: mark.start()]
    return not (mark.group().lower() == "<table" and before.strip() and "<" not in before)


def html_cells(text: str, max_cells: int | None = None, deadline: float | None = None) -> list[Cell]:
    """The cell stream of an HTML page, in the shape ``normalize.tokenize`` gives for text.

    Past ``max_cells`` cells (or ``MAX_TAGS`` tags) ``InputTooLargeError``; past ``deadline`` (a
    ``time.perf_counter()`` value) ``TimeBudgetError``, naming the line reached.
    """
    if max_cells is not None and (tags := text.count("<")) > MAX_TAGS:
        raise InputTooLargeError(f"{tags} tags exceed the limit of {MAX_TAGS} for an HTML page")
    source = text.replace("\r\n", "\n").replace("\r", "\n")
    root = _parse(source)
    if root is None:
        return []
    reader = _Reader(source, max_cells, deadline)
    reader.flow(root, depth=0)
    reader.flush()
    return reader.cells


def html_tables(text: str) -> list[list[list[str]]]:
    """Every table of the page as a rectangular grid with rowspan/colspan resolved.

    A spanning cell's text fills every slot it covers; slots no cell covers are ``""``. Tables
    come in document order (an outer layout table before the tables nested in it).
    """
    return read_html(text)[1]


def read_html(text: str) -> tuple[list[Cell], list[list[list[str]]]]:
    """Cells and resolved table grids from one parse, for callers that need both."""
    source = text.replace("\r\n", "\n").replace("\r", "\n")
    root = _parse(source)
    if root is None:
        return [], []
    reader = _Reader(source)
    reader.flow(root, depth=0)
    reader.flush()
    return reader.cells, [_resolve(rows) for rows in reader.tables]


def _parse(source: str) -> etree._Element | None:
    """Parse with lxml's recovering HTML parser; None when there is nothing to parse.

    The text is handed over as UTF-8 bytes with the encoding fixed, so that a ``<meta charset>``
    or XML declaration in the page cannot make libxml2 re-decode it, and NUL or lone surrogates
    cannot make lxml reject it.
    """
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        collect_ids=False,
        huge_tree=False,
    )
    try:
        root: etree._Element | None = etree.fromstring(source.encode("utf-8", "replace"), parser)
    except (etree.LxmlError, ValueError):
        return None
    return root


def _tag(element: etree._Element) -> str | None:
    """Lower-case tag name, or None for comments, entities and processing instructions."""
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else None


def _sourceline(element: etree._Element) -> int | None:
    """The element's line as lxml reports it (typed: the stubs leave it untyped)."""
    line = element.sourceline
    return line if isinstance(line, int) and line > 0 else None


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute as browsers read it: leading digits, 1 when absent or junk.
    Zero is kept (rowspan=0 means "to the end of the table"), anything else clamped to ``limit``."""
    if not value:
        return 1
    m = re.match(r"\s*\+?(\d{1,9})", value)
    if m is None:
        return 1
    return min(int(m.group(1)), limit)


@dataclass(slots=True)
class _Slot:
    """One ``<td>``/``<th>`` as placed in a grid."""

    text: str
    rowspan: int  # 0: to the end of the table
    colspan: int


class _Reader:
    """Walks a parsed page once, emitting cells and collecting each table's rows."""

    def __init__(self, source: str, max_cells: int | None = None, deadline: float | None = None) -> None:
        self.source = source
        self.max_cells = max_cells
        self.deadline = deadline
        self.walked = 0
        self.starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self.cells: list[Cell] = []
        self.tables: list[list[list[_Slot]]] = []
        self.gap = 0
        self._buffer: list[str] = []
        self._buffer_line: int | None = None
        self._cursor = 0  # source offset of the line of the last located text

    # -- source lines ---------------------------------------------------------------------------

    def _line_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def _locate(self, holder: etree._Element, text: str, tail: bool) -> int:
        """Source line where ``text`` (a .text or .tail with visible content) starts.

        For an element's own text the line is exact: lxml records the line where the start tag
        ends and the text follows it. For a tail (text after a child's end tag) lxml knows only
        where the child starts, so the text is searched for from there; the same search serves
        lines past libxml2's 16-bit limit, starting from the last line found.
        """
        lead = len(text) - len(text.lstrip())
        hint = _sourceline(holder)
        if not tail and hint is not None and hint < _LINE_CLAMP:
            line = hint + text.count("\n", 0, lead)
        else:
            if tail:  # the child's end tag is at or after its last descendant's start
                last = holder
                while len(last):
                    last = last[-1]
                hint = _sourceline(last) or hint
            if hint is None:
                start = self._cursor
            elif hint >= _LINE_CLAMP:  # somewhere at or past the clamp line
                start = max(self._cursor, self.starts[min(_LINE_CLAMP, len(self.starts)) - 1])
            else:
                start = self.starts[min(hint, len(self.starts)) - 1]
            line = self._search(text, lead, start, hint)
        line = min(max(line, 1), len(self.starts))
        self._cursor = max(self._cursor, self.starts[line - 1])
        return line

    def _search(self, text: str, lead: int, start: int, hint: int | None) -> int:
        """Line of the first occurrence of ``text``'s first plain run at or after ``start``."""
        m = _SNIPPET.search(text, lead)
        fallback = hint if hint is not None and hint < _LINE_CLAMP else self._line_at(start)
        if m is None:
            return fallback
        end = start + _SEARCH_WINDOW
        pos = -1
        if m.start() == lead == 0:  # text glued to the end tag before it: ">text"
            pos = self.source.find(">" + m.group(), start, end)
            pos = pos + 1 if pos >= 0 else -1
        if pos < 0:
            pos = self.source.find(m.group(), start, end)
        return self._line_at(pos) if pos >= 0 else fallback

    # -- text outside tables ----------------------------------------------------------------------

    def _add(self, holder: etree._Element, text: str | None, tail: bool) -> None:
        if not text:
            return
        self._buffer.append(text)
        if self._buffer_line is None and text.strip():
            self._buffer_line = self._locate(holder, text, tail)

    def flush(self) -> None:
        """End the current line of flowing text, emitting it as one cell if it has content."""
        if self._buffer:
            piece = _ASCII_WS.sub(" ", "".join(self._buffer)).strip()
            if self._buffer_line is not None:
                self._emit(piece, self._buffer_line, same_line=False)
        self._buffer = []
        self._buffer_line = None

    def _emit(self, piece: str, line: int, same_line: bool) -> bool:
        cell = classify(piece, line, self.gap, same_line)
        if cell is None:
            return False
        if self.max_cells is not None and len(self.cells) >= self.max_cells:
            raise InputTooLargeError(f"line {line}: more than {self.max_cells} cells (Limits.max_cells)")
        self.cells.append(cell)
        self.gap = 0
        return True

    def flow(self, container: etree._Element, depth: int) -> None:
        """Emit the content of ``container`` (not its tail) as flowing text and tables.

        Iterative, so that deep markup cannot exhaust Python's stack.
        """
        self._add(container, container.text, tail=False)
        stack: list[tuple[bool, etree._Element]] = [(False, child) for child in reversed(container)]
        while stack:
            leaving, element = stack.pop()
            self._tick(element)
            tag = _tag(element)
            if leaving:
                if tag in _BLOCK:
                    self.flush()
                self._add(element, element.tail, tail=True)
                continue
            if tag is None or tag in _SKIP:
                self._add(element, element.tail, tail=True)
                continue
            if tag == "table":
                self.flush()
                self.table(element, depth)
                self._add(element, element.tail, tail=True)
                continue
            if tag == "br":
                self.flush()
                self._add(element, element.tail, tail=True)
                continue
            if tag in _BLOCK:
                self.flush()
            self._add(element, element.text, tail=False)
            stack.append((True, element))
            stack.extend((False, child) for child in reversed(element))

    def _tick(self, element: etree._Element) -> None:
        """Every ``_CLOCK_EVERY`` elements, check the deadline."""
        self.walked += 1
        if (
            self.deadline is not None
            and self.walked % _CLOCK_EVERY == 0
            and time.perf_counter() > self.deadline
        ):
            line = _sourceline(element) or self._line_at(self._cursor)
            raise TimeBudgetError(f"line {line}: the time budget ran out while reading the page")

    # -- tables -----------------------------------------------------------------------------------

    def table(self, table: etree._Element, depth: int) -> None:
        """Emit one table's cells row by row and record its rows for the resolved grid."""
        rows: list[list[_Slot]] = []
        self.tables.append(rows)  # before nested tables, to keep document order
        for item in _table_items(table):
            if isinstance(item, list):
                rows.append(self._row(item, depth))
            else:  # caption or stray content: flowing text at its place
                self.flush()
                self.flow(item, depth)
                self.flush()

    def _row(self, tds: list[etree._Element], depth: int) -> list[_Slot]:
        slots: list[_Slot] = []
        lines: list[int | None] = []
        layouts: list[bool] = []
        for td in tds:
            self._tick(td)
            layout = depth < MAX_TABLE_NESTING and _contains_table(td)
            text, line = self._cell_text(td, skip_tables=layout)
            rowspan = _span(td.get("rowspan"), MAX_ROWSPAN)
            colspan = max(_span(td.get("colspan"), MAX_COLSPAN), 1)
            slots.append(_Slot(text, rowspan, colspan))
            lines.append(line)
            layouts.append(layout)
        last = max((i for i in range(len(tds)) if layouts[i] or lines[i] is not None), default=-1)
        produced = False
        opened, first = self.gap, len(self.cells)  # empty slots carried in; the row's first cell
        for i in range(last + 1):
            line = lines[i]
            if layouts[i]:  # a cell holding tables is page layout: read it as a page of its own
                self.flush()
                self.flow(tds[i], depth + 1)
                self.flush()
                produced = False
                opened, first = self.gap, len(self.cells)
            elif line is not None and self._emit(slots[i].text, line, same_line=produced):
                produced = True
            else:
                self.gap += slots[i].colspan
        if produced:
            # The empty cells that end the row are its blanks there (Cell.after), not carried
            # to the next row's first cell; those that open it are its blanks too (Cell.lead):
            # an empty <td> is a cell, never indentation, as on a line of pipes.
            self.cells[-1].after = self.gap + sum(slot.colspan for slot in slots[last + 1 :])
            self.cells[first].lead = self.cells[first].gap - opened
        return slots

    def _cell_text(self, td: etree._Element, skip_tables: bool) -> tuple[str, int | None]:
        """A cell's text, joined without separators, and the line of its first visible text
        (None when the cell shows nothing)."""
        parts: list[str] = []
        line: int | None = None

        def take(holder: etree._Element, text: str | None, tail: bool) -> None:
            nonlocal line
            if text:
                parts.append(text)
                if line is None and text.strip():
                    line = self._locate(holder, text, tail)

        take(td, td.text, tail=False)
        stack: list[tuple[bool, etree._Element]] = [(False, child) for child in reversed(td)]
        while stack:
            leaving, element = stack.pop()
            tag = _tag(element)
            if leaving or tag is None or tag in _SKIP or tag == "br" or (skip_tables and tag == "table"):
                take(element, element.tail, tail=True)
                continue
            take(element, element.text, tail=False)
            stack.append((True, element))
            stack.extend((False, child) for child in reversed(element))
        text = _ASCII_WS.sub(" ", "".join(parts)).strip()  # str.strip: nbsp and U+3000 too
        return text, line if text else None


def _contains_table(td: etree._Element) -> bool:
    return next(td.iterdescendants("table"), None) is not None


def _table_items(table: etree._Element) -> list[list[etree._Element] | etree._Element]:
    """A table's content in source order: rows (lists of td/th) and other elements.

    Cells placed directly in the table or a row group (markup libxml2 leaves as written) form a
    row per run, as browsers render them.
    """
    items: list[list[etree._Element] | etree._Element] = []
    run: list[etree._Element] | None = None
    pending = list(table)
    pending.reverse()
    while pending:
        child = pending.pop()
        tag = _tag(child)
        if tag in _SECTION_TAGS:
            pending.extend(reversed(child))
            run = None
        elif tag == "tr":
            items.append([c for c in child if _tag(c) in _CELL_TAGS])
            run = None
        elif tag in _CELL_TAGS:
            if run is None:
                run = []
                items.append(run)
            run.append(child)
        elif tag in ("colgroup", "col") or tag is None:
            continue
        else:
            items.append(child)
            run = None
    return items


def _resolve(rows: list[list[_Slot]]) -> list[list[str]]:
    """Place spanning cells on a rectangular grid, copying each text into every slot it covers.

    A cell that would land on a slot already covered from above moves right, as in browsers;
    overlapping spans keep the earlier cell. Rows past ``MAX_GRID_CELLS`` slots are dropped.
    """
    count = len(rows)
    grid: list[list[str | None]] = [[] for _ in range(count)]
    budget = MAX_GRID_CELLS
    kept = count
    for r, row in enumerate(rows):
        if budget <= 0:
            kept = r
            break
        column = 0
        line = grid[r]
        for slot in row:
            while column < len(line) and line[column] is not None:
                column += 1
            height = count - r if slot.rowspan == 0 else min(slot.rowspan, count - r)
            end = column + slot.colspan
            for target in grid[r : r + height]:
                if len(target) < end:
                    budget -= end - len(target)
                    target.extend([None] * (end - len(target)))
                for c in range(column, end):
                    if target[c] is None:
                        target[c] = slot.text
                if budget <= 0:
                    break
            column = end
            if budget <= 0:
                break
    grid = grid[:kept]
    width = max((len(line) for line in grid), default=0)
    return [[text or "" for text in line] + [""] * (width - len(line)) for line in grid]
