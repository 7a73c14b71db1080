"""Step 1: bytes to a stream of table cells, each tied to its 1-based source line.

Scrapers flatten tables in several ways; this module reduces them to one shape, a list of
``Cell`` objects (label, number, placeholder) with the count of empty slots seen before each
one, which the solver later reads as soft evidence of dropped blank cells.

This is the document level: decoding, which lines are read (form feeds, drawn rules, page
furniture, rows cut into lines at their pipes), and how each line's cells are placed in the
stream. What a piece of text is as a cell is ``cells``; how a line is cut into pieces is
``lineshapes`` (and ``csvrows`` for comma-separated rows, ``segment`` for glued lines).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from tablerecon.borders import read_borders
from tablerecon.caches import bounded
from tablerecon.cells import (
    CACHED_LINE_CHARS,
    MAX_NUMBER_DIGITS,
    MAX_RUN_CHARS,
    WIDTH_MAP,
    Cell,
    Entry,
    Kind,
    normalize_label,
    piece_entry,
    to_ascii_width,
)
from tablerecon.csvrows import line_csv_fields, writes_csv
from tablerecon.errors import DecodeError, InputTooLargeError, TimeBudgetError
from tablerecon.layout import reading_unit
from tablerecon.lineshapes import label_then_run, merged_once, pieces_bound, split_line
from tablerecon.pages import page_furniture
from tablerecon.segment import WRITTEN_BLANK, segment_line

_SURROGATE = re.compile("[\ud800-\udfff]")
#: How many lines ``tokenize`` reads between two looks at the clock.
_CLOCK_EVERY = 4096
_DIGITS_ONLY = re.compile(r"[\d.,+\-]*")
#: Most problems of one kind named one by one; the rest are counted.
_MAX_LISTED = 5


@dataclass(slots=True)
class Document:
    """Normalized text of one input: its cells and how it was decoded."""

    cells: list[Cell]
    encoding: str
    line_count: int
    html: bool = False
    lines: list[str] = field(default_factory=list)
    #: What the reading could not make sense of, one line each, for ``Report.errors``.
    problems: list[str] = field(default_factory=list)
    #: The text holds a space a page writes into an empty cell (nbsp, ideographic space), so
    #: some empty line may be one (``Cell.written``): only then is that reading of gaps tried.
    written_blanks: bool = False
    #: How a text laid out in fixed-width columns counted places: 0 characters, 2 display
    #: columns (``layout.reading_unit``); None where it does not say or is not laid out so.
    place_unit: int | None = None


class Tokens(NamedTuple):
    """What ``tokenize`` reads from a text."""

    cells: list[Cell]
    line_count: int
    #: How the text counts places, where it is laid out in columns (``Document.place_unit``).
    place_unit: int | None


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8, UTF-16 (with BOM) or GB18030; return the text and the codec used.

    A ``DecodeError`` names the line and byte offset of the first bad byte for each codec tried,
    so that a file mixing encodings can be found and fixed.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"invalid UTF-16 (the file starts with its BOM) at {_where(data, exc)}"
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            # A UTF-8 BOM on GB18030 text happens (editors add it); the BOM is then not text.
            try:
                return data[3:].decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                raise DecodeError(
                    f"invalid UTF-8 (the file starts with its BOM) at {_where(data, exc, skip=3)}"
                ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8 = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"neither UTF-8 (bad byte at {_where(data, utf8)}) nor GB18030 "
            f"(bad byte at {_where(data, exc)}); UTF-16 needs a BOM, and one file cannot mix encodings"
        ) from exc


def _where(data: bytes, exc: UnicodeDecodeError, skip: int = 0) -> str:
    """``line N, byte offset M`` of a decoding error, for messages a user can act on."""
    offset = exc.start + skip
    if exc.encoding.startswith("utf-16"):
        line = data[skip : offset - (offset - skip) % 2].decode(exc.encoding, "replace").count("\n") + 1
    else:
        line = data.count(b"\n", 0, offset) + 1
    return (
        f"line {line}, byte offset {offset} (0x{data[offset]:02x})" if offset < len(data) else f"line {line}"
    )


#: Characters of text split into lines at a time by ``_lines``.
_BLOCK_CHARS = 1 << 16


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, split a block of about ``_BLOCK_CHARS`` at a time: ``str.split`` is
    fast, and a huge input is never copied into one list of lines."""
    start = 0
    while start + _BLOCK_CHARS < len(text) and (end := text.find("\n", start + _BLOCK_CHARS)) >= 0:
        yield from text[start:end].split("\n")
        start = end + 1
    yield from text[start:].split("\n")


def tokenize(text: str, max_cells: int | None = None, deadline: float | None = None) -> Tokens:
    """Cells of a decoded text, with gaps counted in empty lines and empty pipe cells; the
    text's line count, and how it counts places where it is laid out in columns.

    ``max_cells`` bounds the memory and the later stages' work: past it the document is refused
    (``InputTooLargeError``). ``deadline`` (a ``time.perf_counter()`` value) bounds the time:
    past it ``TimeBudgetError`` names the line reached.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    origin = None
    if "\f" in text and _MIDLINE_FORM_FEED.search(text):
        text, origin = _break_at_form_feeds(text)
    text = _without_frame_row_numbers(text)
    # A table drawn with box characters or rules: its bars separate cells, its rules are no lines;
    # nor are the headers, footers and page numbers at a PDF's page breaks.
    text, rules = read_borders(text)
    furniture = page_furniture(text)
    if furniture:
        rules = rules | furniture
    cells: list[Cell] = []
    gap = 0
    written = 0  # of the empty lines in ``gap``, those holding a written space (``Cell.written``)
    number = 0
    csv_headers = writes_csv(text)
    open_rows = _rows_left_open(text)
    # A row cut into lines before each pipe (``规章`` / ``| 0`` / ``|`` / ``| 97`` / ``|``): the
    # lone pipes since its last cell (empty fields, the last one closing the row); -1 when no
    # such row is open.
    row_pipes = -1
    previous_blank = True
    cut_rows = len(_CONTINUED_CELL.findall(text, 0, _BLOCK_CHARS)) >= _CONTINUED_CELLS_FOR_ROWS
    # Lines of values laid out in fixed-width columns, and the lines of one cell spaced by runs
    # of spaces: in a text laid out so, a lone value so spaced stands in a column too (a row on
    # several lines), elsewhere the spaces are indentation.
    grid_lines = 0
    indented: list[tuple[str, Cell]] = []
    # Lines of several labels spaced by runs of spaces (a header laid out over its columns).
    headed: list[tuple[str, list[Cell]]] = []
    # A report's text is split at once: the generator of ``_lines`` costs a resumption a line.
    lines = text.split("\n") if len(text) <= _BLOCK_CHARS else _lines(text)
    for number, line in enumerate(lines, start=1):
        if number % _CLOCK_EVERY == 0:
            if deadline is not None and time.perf_counter() > deadline:
                raise TimeBudgetError(f"line {number}: the time budget ran out while reading the text")
            if max_cells is not None and len(cells) > max_cells:
                raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
        if rules and number in rules:
            continue  # a table's drawn rule: neither a cell nor an empty line (a blank's mark)
        blank = not line or line.isspace()
        continued = None if blank or not cut_rows or line.lstrip()[:1] not in "|｜" else _continued_cell(line)
        if continued is not None:
            if row_pipes < 0:
                # The row's first field is the line before: its label, or when that line is
                # empty, an empty field (a row with no label).
                row_pipes, gap = (1, max(gap - 1, 0)) if previous_blank else (0, gap)
            if not continued:
                row_pipes += 1
                continue
            for entry in _entries(continued, csv_headers, open_rows, number, max_cells, len(cells)):
                if entry is None:
                    row_pipes += 1
                    continue
                kind, cell_text, value, raw = entry
                cells.append(Cell(kind, cell_text, number, row_pipes, True, value, raw))
                row_pipes = 0
            continue
        if row_pipes >= 0 and cells:
            cells[-1].after = max(row_pipes - 1, 0)  # the last lone pipe closes the row
        row_pipes = -1
        previous_blank = blank
        if blank:
            gap += 1  # what classify makes of an empty piece, without the work
            if line and _holds_written_space(line):
                written += 1
            continue
        entries = _entries(line, csv_headers, open_rows, number, max_cells, len(cells))
        empty_lines = gap
        first = len(cells)  # where the line's first cell goes
        for entry in entries:
            if entry is None:
                gap += 1
                continue
            kind, cell_text, value, raw = entry
            cell = Cell(kind, cell_text, number, gap, len(cells) > first, value, raw)
            if written:
                cell.written, written = written, 0
            cells.append(cell)
            gap = 0
        # Pipes and CSV commas mark every field, at a row's ends too; tabs may only indent.
        piped = (
            "|" in line
            or "｜" in line
            or (("," in line or '"' in line) and line_csv_fields(line, csv_headers) is not None)
        )
        if "  " in line and not piped and "\t" not in line:
            if len(cells) - first > 1:
                laid_out = "  " in line.strip()
                _mark_spans(line, cells[first:], laid_out=laid_out)
                if laid_out and any(c.span is not None for c in cells[first:]):
                    grid_lines += 1
                if all(c.kind is Kind.LABEL for c in cells[first:]):
                    headed.append((line, cells[first:]))
            elif len(cells) - first == 1:
                indented.append((line, cells[first]))
        if len(cells) > first and (piped or "\t" in line):
            # The empty fields after the line's last cell belong to its row (blanks at its end),
            # not to the spacing before the next line's first cell.
            cells[-1].after = gap
            gap = 0
            if len(cells) - first > 1 or piped:
                # Those that open a row are its blanks too; only tabs before a lone cell are
                # taken for indentation, its gap judged with the empty lines as before.
                cells[first].lead = cells[first].gap - empty_lines
    if row_pipes >= 0 and cells:
        cells[-1].after = max(row_pipes - 1, 0)
    place_unit = None
    if grid_lines >= _GRID_LINES:
        for line, cell in indented:
            _mark_spans(line, [cell])
        for line, labels in headed:
            _mark_label_places(line, labels)
        place_unit = reading_unit(cells)
    if max_cells is not None and len(cells) > max_cells:
        raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
    if origin is not None:
        for cell in cells:
            cell.line = origin[cell.line]
        number = origin[number]
    return Tokens(cells, number, place_unit)


#: Lines of values laid out in fixed-width columns that show a text is laid out so (see
#: ``tokenize``): two rows agreeing on a column's place, as ``layout.MIN_ROWS`` asks.
_GRID_LINES = 2


#: A form feed that does not open a line: pages joined by ``"\f"`` with no line break between
#: them (``"\f".join`` of pdfplumber's or pypdf's pages, whose text ends without one).
_MIDLINE_FORM_FEED = re.compile(r"[^\n]\f")


def _break_at_form_feeds(text: str) -> tuple[str, list[int]]:
    """``text`` with a line break before every form feed inside a line, so that a page's last
    line and the next page's first are two lines, as pdftotext writes them; and, by line number
    in the new text, the line of the original it comes from (cells keep their source lines)."""
    broken: list[str] = []
    origin = [0]
    for number, line in enumerate(text.split("\n"), start=1):
        head, *rest = line.split("\f")
        if not head and rest:  # a form feed opening the line stays where it is
            head, rest = "\f" + rest[0], rest[1:]
        broken.append(head)
        broken.extend("\f" + piece for piece in rest)
        origin.extend([number] * (len(rest) + 1))
    return "\n".join(broken), origin


#: A row of pipes that ends with a value and no closing pipe (``…| 1| 859``), and one whose last
#: value a pipe closes (``…| 0 |``); neither opening with a pipe.
_OPEN_ROW = re.compile(r"^[ \t]*[^|\s][^\n]*\|[^\n]*\|[ \t]*[-+]?\d[\d.,]*[ \t]*$", re.MULTILINE)
_CLOSED_ROW = re.compile(r"^[ \t]*[^|\s][^\n]*\|[ \t]*[-+]?\d[\d.,]*[ \t]*\|[ \t]*$", re.MULTILINE)


#: Rows that end in a value with no pipe after it a text must hold (in its first block) for its
#: rows to be read as closing with no pipe: one such line may be a row cut short.
_OPEN_ROWS_FOR_FIELDS = 3


def _rows_left_open(text: str) -> bool:
    """Whether the document's rows of pipes close with no pipe (python's html2text: ``规章| 0|
    5``), judged on its first block by the rows that end with a value, with a pipe after it or
    not. In such a text the pipe before a row's empty last cell opens that field; where rows
    close with a pipe (``规章 | 0 | 5 |``), it closes the row."""
    head = text[:_BLOCK_CHARS]
    if "|" not in head:
        return False
    open_rows = len(_OPEN_ROW.findall(head))
    return open_rows >= _OPEN_ROWS_FOR_FIELDS and open_rows > len(_CLOSED_ROW.findall(head))


#: A data frame written as text (pandas' to_string or ``print(df)``, and to_markdown): rows
#: numbered 0, 1, 2, … at their lines' starts, spaces after each number (or the number a
#: Markdown row's first field). Three such lines in a row open a frame.
_FRAME_ROW = r"(?:\|[ \t]*)?{n}(?:[ \t]*\||[ \t]+\S)"
_FRAME_OPENS = re.compile("^" + "[^\\n]*\\n".join(_FRAME_ROW.format(n=n) for n in range(3)), re.MULTILINE)
#: A character of a label's text (CJK or a letter), not of a value.
_WORD_CHAR = re.compile(r"[^\W\d_]")
_FRAME_ROW_NUMBER = re.compile(r"(\|[ \t]*)?(\d{1,6})(?:[ \t]*\||(?=[ \t]+\S))")


def _without_frame_row_numbers(text: str) -> str:
    """``text`` with the row numbers a data frame writes before each of its rows taken out
    (spaces in their place, so its columns stay where they were): no row's value, they made
    every row one value too long and, glued to the caption rows, hid the items' captions."""
    if _FRAME_OPENS.search(text) is None:
        return text
    lines = text.split("\n")
    for m in _FRAME_OPENS.finditer(text):
        first = text.count("\n", 0, m.start())
        numbered: list[tuple[int, re.Match[str]]] = []
        for expected, k in enumerate(range(first, len(lines))):
            number = _FRAME_ROW_NUMBER.match(lines[k])
            if number is None or int(number.group(2)) != expected:
                break
            numbered.append((k, number))
        # A frame holds text (its labels, its header): lines of values alone that happen to
        # open 0, 1, 2 (a table's values apart from its labels) are left as they are.
        if not any(_WORD_CHAR.search(lines[k], number.end()) for k, number in numbered):
            continue
        for k, number in numbered:
            # A Markdown row keeps its opening pipe: the number's field goes, not a field.
            pipe = "|" if number.group(1) else ""
            lines[k] = pipe + " " * (number.end() - len(pipe)) + lines[k][number.end() :]
    return "\n".join(lines)


#: A no-break space standing alone between spaces (or at the line's ends).
_LONE_NBSP = re.compile(r"(?:(?<= )|^)\xa0(?= |$)")
#: A line ``| cell``: a pipe, then a cell's text and no other pipe.
_CONTINUED_CELL = re.compile(r"^[ \t]*[|｜][ \t]*[^|｜\s][^|｜\n]*$", re.MULTILINE)
#: Lines ``| cell`` a text must hold (in its first block) for its rows to be read as cut at
#: their pipes, so that a lone ``|`` after a row's label is one of its empty fields.
_CONTINUED_CELLS_FOR_ROWS = 3


def _entries(
    line: str, csv_headers: bool, open_rows: bool, number: int, max_cells: int | None, made: int
) -> tuple[Entry, ...]:
    """The cells of one line, ``made`` cells into the document (see ``_line_entries``)."""
    # A line no longer than the room left cannot hold more cells than that: cached, it cannot raise.
    if len(line) <= CACHED_LINE_CHARS and (max_cells is None or len(line) <= max_cells - made):
        return _cached_line_entries(line, csv_headers, open_rows)
    room = None if max_cells is None else max_cells - made
    return _line_entries(line, csv_headers, open_rows, number, room, max_cells)


def _continued_cell(line: str) -> str | None:
    """The cell text of a line ``| cell`` (``''`` for a lone ``|``): how a scraper that ends each
    cell with a line break and joins cells with pipes cuts a row into lines. None for a line with
    more pipes (a piped row of its own) or none at its start."""
    stripped = line.strip()
    rest = stripped[1:]
    if stripped[:1] not in ("|", "｜") or "|" in rest or "｜" in rest or "\t" in rest:
        return None
    return rest.strip()


def _line_entries(
    line: str,
    csv_headers: bool = False,
    open_rows: bool = False,
    number: int = 0,
    room: int | None = None,
    max_cells: int | None = None,
) -> tuple[Entry, ...]:
    """The cells of one line as read, glued or separated, before they are placed in the stream.
    More than ``room`` cells on the line raise ``InputTooLargeError`` (naming line ``number``
    and the document's ``max_cells``)."""
    fields = line_csv_fields(line, csv_headers)  # before widening: a full-width comma separates no cells
    if fields is not None:
        if room is not None and len(fields) > room:
            raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
        wide_fields = merged_once([to_ascii_width(field) for field in fields])
        return _unless_index(tuple(piece_entry(wide, wide, widened=True) for wide in wide_fields))
    # Widths are normalized line by line, so a line read from the cache costs no widening; no
    # character the map changes is a line break.
    raw, line = line, to_ascii_width(line)
    if not line or line.isspace():
        return (None,)
    if room is not None and len(line) > room and pieces_bound(line) > room:
        raise InputTooLargeError(f"line {number}: more than {max_cells} cells (Limits.max_cells)")
    # Cells a tab separates are not glued, however many known labels stand side by side (a
    # group's, a sub-group's and the row's, as python-docx writes a row's merged cells).
    if "\t" in line.strip():
        glued = _glued_between_tabs(raw, line, number, room)
    else:
        glued = _segmented(raw, line, number, room)
    if glued:
        return tuple(glued)
    row = label_then_run(line)
    if row is not None and len(row[1]) <= MAX_RUN_CHARS:
        labels = tuple(piece_entry(label, label, widened=True) for label in row[0])
        return (*labels, (Kind.RUN, row[1], None, row[1]))
    return _unless_index(
        tuple(piece_entry(piece, piece, widened=True) for piece in split_line(line, open_rows))
    )


def _segmented(raw: str, line: str, number: int, room: int | None) -> list[Entry] | None:
    """``segment_line`` of a line (``raw`` as read, ``line`` in ASCII widths) that keeps where a
    no-break space stood alone: a blank cell where it fills its row (``segment.WRITTEN_BLANK``)."""
    if "\xa0" in raw and _LONE_NBSP.search(raw) is not None:
        marked = segment_line(to_ascii_width(_LONE_NBSP.sub(WRITTEN_BLANK, raw)), number, room)
        if marked:
            return marked
    return segment_line(line, number, room)


def _glued_between_tabs(raw: str, line: str, number: int, room: int | None) -> list[Entry] | None:
    """The cells of a line with tabs whose pieces between them hold glued table text: a whole
    page run into one line (lxml's ``text_content()``) that keeps one stray tab of the page's
    (``年度报告 \t 发布日期``). Read as cells apart by tabs, its tables were lost without a word.
    Each piece is read on its own, glued or not; None where no piece is glued (a row's cells
    apart by tabs: each a cell, however many known labels stand side by side)."""
    pieces = line.split("\t")
    # The widths change no tab, nor remove one: the pieces as read are the same pieces.
    found = [_segmented(r, piece, number, room) for r, piece in zip(raw.split("\t"), pieces, strict=True)]
    if not any(found):
        return None
    out: list[Entry] = []
    for piece, glued in zip(pieces, found, strict=True):
        out.extend(glued or (piece_entry(text, text, widened=True) for text in split_line(piece)))
    return out


#: Fewest numbers in a row of column numbers (see ``_unless_index``): more than the three
#: columns of the smallest tables, whose one row of values may count up (0 1 2).
_INDEX_ROW_CELLS = 4


def _unless_index(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """A line's cells, or none where they are only the column numbers a data frame writes over
    its columns (``0,1,2,…,14`` from pandas' to_csv): no row's values (they break every identity),
    and, read as the review table's one row, they took its place."""
    filled = [entry for entry in entries if entry is not None]  # to_markdown leaves the index's corner empty
    if len(filled) < _INDEX_ROW_CELLS:
        return entries
    values = [entry[2] if entry[0] is Kind.NUMBER else None for entry in filled]
    first = values[0]
    if first not in (0.0, 1.0) or any(value != first + k for k, value in enumerate(values)):
        return entries
    return ()


@bounded(16384)
@cache
def _cached_line_entries(line: str, csv_headers: bool, open_rows: bool) -> tuple[Entry, ...]:
    return _line_entries(line, csv_headers, open_rows)


def _display_columns(line: str, wide: str) -> list[int] | None:
    """Display columns before each character of ``wide`` (``line`` in ASCII widths), counted on
    the line as laid out: a full-width digit took two columns there, though it is one ASCII digit
    here. None where the two do not line up."""
    width = [0]
    for ch in line:
        if WIDTH_MAP.get(ord(ch), 0) is not None:  # not a mark the widening drops
            width.append(width[-1] + (2 if unicodedata.east_asian_width(ch) in "WF" else 1))
    return width if len(width) == len(wide) + 1 else None


def _mark_spans(line: str, cells: list[Cell], laid_out: bool = True) -> None:
    """Record the spaces around each value of a line of cells apart by spaces (``Cell.spaced``)
    and, where runs of them stand between cells (``laid_out``: fixed-width columns, perhaps),
    where each value stands (``Cell.span``): the cells are found in the line in order, by the
    text each was read from. Nothing is recorded where one is not found (a glued line's labels
    have no text of their own)."""
    wide = to_ascii_width(line)
    width = _display_columns(line, wide)
    if width is None:
        return
    found: list[tuple[int, int]] = []
    cursor = 0
    for cell in cells:
        raw = cell.raw.strip()  # a lone cell's is its whole line
        start = wide.find(raw, cursor) if raw else -1
        if start < 0:
            return
        cursor = start + len(raw)
        found.append((start, cursor))
    line_end = len(wide.rstrip("\r\n"))
    for k, (cell, (start, end)) in enumerate(zip(cells, found, strict=True)):
        if cell.kind is Kind.NUMBER or cell.kind is Kind.PLACEHOLDER:
            if laid_out:
                cell.span = (start, end, width[start], width[end])
            after = found[k + 1][0] if k + 1 < len(found) else line_end
            if k and wide[found[k - 1][1] : start].isspace() and (after == end or wide[end:after].isspace()):
                cell.spaced = (start - found[k - 1][1], after - end)


def _mark_label_places(line: str, labels: list[Cell]) -> None:
    """Record where each label of a line of labels stands (``Cell.span``), in a text laid out in
    fixed-width columns: a header's words over the columns they name. Each label is found as
    the words of the line, in order, whose joined text normalizes to its own (a header cell the
    reading cut at known labels has no text of its own to look for). Nothing is recorded where
    the words do not make up the labels."""
    wide = to_ascii_width(line)
    width = _display_columns(line, wide)
    if width is None:
        return
    words = [(m.start(), m.end()) for m in _WORD_RUN.finditer(wide)]
    places: list[tuple[int, int]] = []
    cursor = 0
    for cell in labels:
        joined = ""
        for k in range(cursor, len(words)):
            joined += wide[words[k][0] : words[k][1]]
            text = normalize_label(joined)
            if text == cell.text:
                places.append((words[cursor][0], words[k][1]))
                cursor = k + 1
                break
            if len(text) >= len(cell.text):
                return
        else:
            return
    for cell, (start, end) in zip(labels, places, strict=True):
        cell.span = (start, end, width[start], width[end])


#: A run of characters other than whitespace: a word of a laid-out line.
_WORD_RUN = re.compile(r"\S+")


def normalize(data: bytes | str, max_cells: int | None = None, deadline: float | None = None) -> Document:
    """Decode (when given bytes) and tokenize one document; see ``tokenize`` for the bounds."""
    if isinstance(data, bytes):
        text, encoding = decode(data)
    else:
        # Lone surrogates cannot come from decoding bytes, and OpenCC cannot encode them.
        text, encoding = _without_surrogates(data), "str"
    # Imported on first use: lxml is no cost of importing tablerecon (see ``readers``).
    from tablerecon.readers.html import html_cells, looks_like_html

    if looks_like_html(text):
        cells = html_cells(text, max_cells, deadline)
        doc = Document(cells=cells, encoding=encoding, line_count=text.count("\n") + 1, html=True)
    else:
        from tablerecon.readers.mixed import has_markup, mixed_cells, raw_tables  # uses both readers

        if has_markup(text):  # Markdown holding tables or markup as HTML
            cells, count = mixed_cells(text, raw_tables(text), max_cells, deadline)
            unit = None
        else:
            cells, count, unit = tokenize(text, max_cells, deadline)
        doc = Document(
            cells=cells,
            encoding=encoding,
            line_count=count,
            written_blanks=_holds_written_space(text),
            place_unit=unit,
        )
    doc.problems.extend(_overlong_numbers(doc.cells))
    return doc


def _holds_written_space(text: str) -> bool:
    """Whether ``text`` holds a space a page writes into an empty cell (``&nbsp;``, or an
    ideographic space), as a blank line of one does (``Cell.written``)."""
    return "\xa0" in text or "\u3000" in text


def _without_surrogates(text: str) -> str:
    """``text`` with lone surrogates replaced. The strict UTF-16 encoder fails exactly on them,
    and tells so several times faster than a regex scan of a Chinese text finds none."""
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _overlong_numbers(cells: list[Cell]) -> list[str]:
    """Cells of digits too long to be counts (``MAX_NUMBER_DIGITS``, or a glued run longer than
    ``MAX_RUN_CHARS``): read as text, they leave their row short, so the user is told."""
    label = Kind.LABEL
    # Labels that start like a number, picked out in one comprehension: the test runs on every cell.
    numeric = [c for c in cells if c.kind is label and c.text[:1] in "0123456789+-.,"]
    found: list[str] = []
    for cell in numeric:
        if _DIGITS_ONLY.fullmatch(cell.text):
            # Digits and nothing but . , + -: counted without a Python step per digit.
            digits = len(cell.text) - sum(cell.text.count(c) for c in ".,+-")
            if digits > MAX_NUMBER_DIGITS:
                found.append(
                    f"line {cell.line}: {digits} digits in one cell, too many for a count; read as text"
                )
    if len(found) > _MAX_LISTED:
        found[_MAX_LISTED:] = [f"{len(found) - _MAX_LISTED} more cells with too many digits"]
    return found
