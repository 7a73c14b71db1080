"""The public entry points: normalize -> find -> match -> solve -> emit, in that order.

Hostile input is bounded here: the size is refused before reading (``Limits.max_bytes``), the
cell stream before searching it (``max_cells``), a region that runs on is cut (``max_region_cells``),
and the clock is read while reading the text and between table regions and tables
(``max_seconds``); a budget that runs out keeps the tables finished and says, in
``Report.errors``, what was not done.
"""

from __future__ import annotations

import bisect
import errno
import os
import stat
import time
from dataclasses import dataclass, field, replace

from tablerecon.caches import trim_caches
from tablerecon.cells import Cell, Kind
from tablerecon.doubts import doubt_empty_rows, layout_in_doubt
from tablerecon.emit import build_table
from tablerecon.errors import InputTooLargeError, TableReconError, TimeBudgetError, UnreadableInputError
from tablerecon.evidence import TableEvidence
from tablerecon.find import Region, cut_title, find_regions, other_report_titles
from tablerecon.gaps import drop_row_end_padding
from tablerecon.labels import is_prose
from tablerecon.match import choose_variant, document_format, match_variants
from tablerecon.models import Report
from tablerecon.normalize import Document, normalize
from tablerecon.prose import prose_table
from tablerecon.solve import Solution, SolveLimits, hint_counts, pooled, solve_table
from tablerecon.splits import writes_every_cell
from tablerecon.templates import expand_identities


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep one document from taking unbounded time or memory. Real reports hold a
    few hundred cells and take well under a second; the defaults are far above that."""

    #: Input size refused before it is read (characters for ``extract_text``).
    max_bytes: int = 20_000_000
    solve: SolveLimits = field(default_factory=SolveLimits)
    #: Cells one document may hold; more is refused (``InputTooLargeError``).
    max_cells: int = 200_000
    #: Cells one table region may hold; a region running on past it is cut, and the cut reported.
    max_region_cells: int = 5_000
    #: Seconds one document may take; past it the tables finished are kept and ``Report.errors``
    #: names what was not done. Checked between steps, so it can be overrun by one step's bound.
    max_seconds: float = 60.0


def extract_text(
    text: str, source: str = "<text>", limits: Limits | None = None, *, explain: bool = False
) -> Report:
    """Reconstruct every standard table in an already decoded text.

    ``explain`` keeps, for every row, the placements the solver weighed and their verdicts
    (``RowPlacement.options``); it costs time, so batch work leaves it off.
    """
    limits = limits or Limits()
    if len(text) > limits.max_bytes:
        raise InputTooLargeError(
            f"{source}: {len(text)} characters exceed the limit of {limits.max_bytes} (Limits.max_bytes)"
        )
    return _read_and_extract(text, source, limits, explain)


def extract_bytes(
    data: bytes, source: str = "<bytes>", limits: Limits | None = None, *, explain: bool = False
) -> Report:
    """Reconstruct every standard table in raw bytes (UTF-8, UTF-16 with BOM or GB18030)."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise InputTooLargeError(
            f"{source}: {len(data)} bytes exceed the limit of {limits.max_bytes} (Limits.max_bytes)"
        )
    return _read_and_extract(data, source, limits, explain)


def extract_file(
    path: str | os.PathLike[str], limits: Limits | None = None, *, explain: bool = False
) -> Report:
    """Reconstruct every standard table in one file; the file is refused if over the size limit.

    A file that cannot be read raises ``UnreadableInputError`` (also an ``OSError``); one over
    ``Limits.max_bytes``, ``InputTooLargeError``, before more than the limit is read, whatever
    the file is (a device or a pipe that never ends included).
    """
    limits = limits or Limits()
    data = _read_file(path, limits.max_bytes)
    return extract_bytes(data, source=str(path), limits=limits, explain=explain)


def _read_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """At most ``max_bytes`` of the file; a FIFO without a writer reads as empty, not as a hang."""
    try:
        # Non-blocking open: opening a FIFO would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise InputTooLargeError(
                    f"{path}: {info.st_size} bytes exceed the limit of {max_bytes} (Limits.max_bytes)"
                )
            if hasattr(os, "set_blocking"):
                os.set_blocking(f.fileno(), True)
            if stat.S_ISREG(info.st_mode):
                # Read to the size known, not to the limit: ``read(n)`` allocates n bytes first,
                # and 20 MB taken and given back per file cost more than reading a report.
                data = f.read(info.st_size + 1)
                if len(data) > info.st_size:  # it grew since (or, under /proc, has no size)
                    data += f.read(max_bytes + 1 - len(data))
            else:
                data = f.read(max_bytes + 1)
    except OSError as exc:
        err = UnreadableInputError(f"{path}: cannot read: {exc.strerror or exc}")
        err.errno, err.strerror, err.filename = exc.errno, exc.strerror, os.fspath(path)
        raise err from exc
    if len(data) > max_bytes:
        raise InputTooLargeError(f"{path}: more than {max_bytes} bytes (Limits.max_bytes); not read further")
    return data


def _read_and_extract(data: bytes | str, source: str, limits: Limits, explain: bool) -> Report:
    """Normalize within the budgets, then extract; errors name the source."""
    trim_caches()  # between documents: what the last one added may have filled a cache
    deadline = time.perf_counter() + limits.max_seconds
    try:
        doc = normalize(data, limits.max_cells, deadline)
    except TimeBudgetError as exc:
        report = Report(source=source, encoding="unknown")
        report.errors.append(f"{exc} (Limits.max_seconds = {limits.max_seconds:g}); no table was read")
        return report
    except TableReconError as exc:
        raise type(exc)(f"{source}: {exc}") from exc
    return _extract(doc, source, limits, explain, deadline)


def _out_of_time(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def _bounded_regions(regions: list[Region], limit: int, report: Report, cells: list[Cell]) -> list[Region]:
    """Regions cut to ``limit`` cells: a real table holds a few hundred, and matching a region
    costs time in proportion to its length."""
    out: list[Region] = []
    for region in regions:
        if region.end - region.start > limit:
            report.errors.append(
                f"{region.table}: the table at line {cells[region.anchor].line} runs on for "
                f"{region.end - region.start} cells; only the first {limit} were read "
                "(Limits.max_region_cells)"
            )
            region = replace(region, end=region.start + limit, at_document_end=False)
        out.append(region)
    return out


def _second_report(
    cells: list[Cell], regions: list[Region], matched: list[list[TableEvidence]], fmt: str | None
) -> int | None:
    """Where a second report opens in the text: the title of another report than the text's own
    between two regions of one table, the later holding values (a table repeated around it is
    two reports'). The pre-2019 statistics table is left out: words any report uses anchor it."""
    first_at: dict[str, int] = {}
    titles: list[int] | None = None  # looked for once, and only where a table repeats
    for region, variants in zip(regions, matched, strict=True):
        if region.table == "stats":
            continue
        earlier = first_at.setdefault(region.table, region.anchor)
        if earlier == region.anchor:
            continue
        ev = choose_variant(variants, fmt)
        if ev is None or not any(row.cells for row in ev.rows):
            continue
        if titles is None:
            titles = other_report_titles(cells)
        k = bisect.bisect_right(titles, earlier)
        if k < len(titles) and titles[k] < region.anchor:
            return titles[k]
    return None


def _first_report(
    doc: Document, regions: list[Region], matched: list[list[TableEvidence]], second: int
) -> tuple[list[Region], list[list[TableEvidence]]]:
    """The regions before cell ``second`` (where a second report opens) and their matches; a
    region running past it is cut there and matched again."""
    kept_regions: list[Region] = []
    kept_matches: list[list[TableEvidence]] = []
    for region, variants in zip(regions, matched, strict=True):
        if region.anchor >= second:
            break
        if region.end > second:
            region = replace(region, end=second, at_document_end=False)
            variants = match_variants(doc.cells, region, doc.written_blanks, doc.place_unit)
        kept_regions.append(region)
        kept_matches.append(variants)
    return kept_regions, kept_matches


def _extract(
    doc: Document, source: str, limits: Limits, explain: bool = False, deadline: float | None = None
) -> Report:
    report = Report(source=source, encoding=doc.encoding)
    report.errors.extend(doc.problems)
    budget = f"the time budget ({limits.max_seconds:g} s, Limits.max_seconds) ran out"
    regions = _bounded_regions(find_regions(doc.cells), limits.max_region_cells, report, doc.cells)
    matched: list[list[TableEvidence]] = []
    for k, region in enumerate(regions):
        if _out_of_time(deadline):
            report.errors.append(
                f"{budget} after {k} of {len(regions)} table regions; the rest were not read"
            )
            regions = regions[:k]
            break
        matched.append(match_variants(doc.cells, region, doc.written_blanks, doc.place_unit))
    fmt = document_format(matched)
    second = _second_report(doc.cells, regions, matched, fmt)
    if second is not None:
        report.errors.append(
            f"a second report opens at line {doc.cells[second].line} ({doc.cells[second].text[:40]}); "
            "only the first report's tables were read"
        )
        regions, matched = _first_report(doc, regions, matched, second)
        fmt = document_format(matched)
    chosen: dict[str, TableEvidence] = {}
    copies: dict[str, int] = {}
    empty: dict[str, Region] = {}  # tables whose title was found with no row after it
    doubted: dict[int, TableEvidence] = {}  # by id of a chosen variant: the layout its header names
    for region, variants in zip(regions, matched, strict=True):
        ev = choose_variant(variants, fmt)
        if ev is not None and ev.spec.table == "stats" and not any(row.cells for row in ev.rows):
            # Words any report uses (政府信息公开, a site's menu item) anchor the pre-2019
            # statistics table: with no value under them, the labels it matched are other text.
            ev = None
        if ev is None:
            if region.at_document_end:
                report.errors.append(f"{region.table}: the text ends inside the table; not emitted")
            elif region.table != "stats" and (
                _holds_table_text(doc.cells, region) or _caption_of_nothing(region)
            ):
                # The pre-2019 statistics table is anchored on words any report uses
                # (政府信息公开), and a section heading followed by sentences is no table's title.
                empty.setdefault(region.table, region)
            continue
        if ev.truncated:
            report.errors.append(f"{ev.spec.table}: the text ends inside the table; not emitted")
            continue
        rival = layout_in_doubt(ev, variants)
        if rival is not None:
            doubted[id(ev)] = rival
        other = chosen.get(ev.spec.table)
        if other is not None:
            copies[ev.spec.table] = copies.get(ev.spec.table, 1) + 1
            ev = other if other.score >= ev.score else ev
        chosen[ev.spec.table] = ev
    for table, region in empty.items():
        if table not in chosen:  # nothing of the table anywhere: a converter may have dropped it
            report.errors.append(
                f"{table}: its title (line {doc.cells[region.anchor].line}) is followed by no row of "
                "the table; not emitted"
            )
    cut = cut_title(doc.cells)
    if cut is not None:
        report.errors.append(
            f"the text ends at line {cut.line} inside a table's title ({cut.text}); not emitted"
        )
    for table, count in copies.items():  # one line per table, however often it repeats
        times = "twice" if count == 2 else f"{count} times"
        best = "better" if count == 2 else "best"
        report.errors.append(
            f"{table}: the document holds this table {times}; the {best} match "
            f"(line {_first_line(chosen[table])}) is kept"
        )
    astray = [ev.spec.table for ev in chosen.values() if ev.astray]
    if astray:
        # Values went astray in one table (a PDF's reading order can put a table's values under
        # the next one's caption): a row with no value of its own in any table may have lost its.
        for ev in chosen.values():
            ev.notes.extend(doubt_empty_rows(ev.rows, f"values astray in table {', '.join(astray)}"))
    full = writes_every_cell([(ev.rows, len(ev.columns)) for ev in chosen.values()])
    ordered = sorted(chosen.values(), key=_first_line)
    # One scraper flattened the whole document: a table with few short rows of its own is
    # judged on the blank lines of all its document's tables of the same style.
    styles = [e.style for e in ordered]  # read once: each reads every cell of its table
    by_style = list(zip(ordered, styles, strict=True))
    for style in set(styles):
        drop_row_end_padding([(e.rows, len(e.columns)) for e, s in by_style if s == style])
    hints = {
        style: pooled([hint_counts(e.rows, len(e.columns), placed=False) for e, s in by_style if s == style])
        for style in set(styles)
    }
    for k, (ev, style) in enumerate(by_style):
        left = float("inf") if deadline is None else deadline - time.perf_counter()
        if left <= 0:
            names = ", ".join(e.spec.table for e in ordered[k:])
            report.errors.append(f"{budget}; tables not solved: {names}")
            break
        # The last tables get what is left of the budget, not their full bound.
        solve_limits = (
            limits.solve if left >= limits.solve.max_seconds else replace(limits.solve, max_seconds=left)
        )
        keys = [r.key for r in ev.rows]
        equations = expand_identities(ev.spec, keys, ev.columns)
        solution = solve_table(
            ev.rows,
            len(ev.columns),
            equations,
            ev.spec.value_kind == "count",
            solve_limits,
            explain,
            full,
            document_hints=hints[style],
            never_negative=_never_negative(ev),
        )
        rival = doubted.get(id(ev))
        if rival is not None:
            _doubt_layout(solution, ev, rival)
        report.tables.append(build_table(ev, solution, equations, "html" if doc.html else style))
    # A pre-2019 report without tables may state its statistics in sentences.
    stats = prose_table(doc.cells, report)
    if stats is not None:
        report.tables.append(stats)
    return report


def _never_negative(ev: TableEvidence) -> tuple[int, ...]:
    """The columns of a table of numbers no negative value can stand in: all the template knows
    but those it says may be negative, where it says any may (none of a table of counts, whose
    dashes are all blanks; no column the header added, whose values are not known)."""
    spec_columns = {c.key: c for c in ev.spec.columns}
    if ev.spec.value_kind == "count" or not any(c.signed for c in ev.spec.columns):
        return ()
    return tuple(
        j for j, key in enumerate(ev.columns) if key in spec_columns and not spec_columns[key].signed
    )


def _doubt_layout(solution: Solution, ev: TableEvidence, rival: TableEvidence) -> None:
    """Leave every cell unknown where the values fit one layout and the header names another:
    no column of a value is known, and a reading in either layout would be a guess."""
    for row in solution.rows:
        for column in range(len(ev.columns)):
            if row.status[column] != "unknown":
                row.forget(column)
    solution.ambiguous = True
    solution.notes.append(
        f"the header names the {rival.template.format} layout's columns "
        f"({', '.join(rival.column_labels)}) but the values fit the {ev.template.format} layout's "
        f"({', '.join(ev.column_labels)}): which column holds each value is unknown"
    )


def _holds_table_text(cells: list[Cell], region: Region) -> bool:
    """Whether a region holds anything but sentences: a number, or a label that is no prose
    (a header cell, or what a converter left in the table's place, such as ``[TABLE]``)."""
    return any(c.kind is not Kind.LABEL or not is_prose(c.text) for c in cells[region.start : region.end])


def _caption_of_nothing(region: Region) -> bool:
    """Whether a 第二十条 table's caption is followed at once by the next table's (a converter
    ran the captions together and left the table elsewhere, or dropped it): a caption, unlike a
    section heading, names a table the report holds, and losing it is said."""
    return region.start >= region.end and region.table.startswith("active_")


def _first_line(ev: TableEvidence) -> int:
    lines = [r.label_line or (r.cells[0].line if r.cells else 0) for r in ev.rows if r.found]
    return min((x for x in lines if x), default=0)
