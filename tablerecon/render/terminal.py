"""Terminal views of a report: small rich renderables that ``show`` and ``explain`` compose.

Each class renders one thing (a grid, a legend, the checks, the notes, one row's placements)
so a command, a test or a notebook can pick the pieces it wants and print them on any
``Console``; none of them prints by itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text

from tablerecon.models import CellStatus, Check, Report, RowPlacement, Table, Verdict
from tablerecon.render.cells import (
    CellView,
    ambiguous_cells,
    cell_views,
    column_groups,
    column_label,
    format_number,
    option_cells,
    placement,
    row_label,
    short_column,
    short_row,
)

#: One style per status; named ANSI colours so light and dark themes both stay readable.
STATUS_STYLES: dict[CellStatus, Style] = {
    "read": Style(color="green"),
    "blank": Style(color="bright_black"),
    "inferred": Style(color="black", bgcolor="yellow", bold=True),
    "unknown": Style(color="white", bgcolor="magenta", bold=True),
}
VIOLATED_STYLE = Style(color="white", bgcolor="red", bold=True)
AMBIGUOUS_STYLE = Style(color="white", bgcolor="blue", bold=True)
LINE_STYLE = Style(color="bright_black")

#: Marks that say the same as the colours, for terminals without colour and for copy-paste.
INFERRED_MARK, VIOLATED_MARK, AMBIGUOUS_MARK = "*", "!", "~"

VERDICT_STYLES: dict[Verdict, Style] = {
    "chosen": Style(color="green", bold=True),
    "tied": Style(color="blue", bold=True),
    "costlier": Style(color="bright_black"),
    "violates a row identity": Style(color="red"),
    "excluded by column identities": Style(color="magenta"),
}


def cell_style(cell: CellView) -> Style:
    """Status colour, overridden by the two warnings a reviewer must not miss."""
    if cell.violated:
        return VIOLATED_STYLE
    if cell.ambiguous:
        return AMBIGUOUS_STYLE
    return STATUS_STYLES[cell.status]


def cell_text(cell: CellView, show_lines: bool = False) -> Text:
    """The value with its marks and, when asked, the source line of a read cell under it."""
    marks = (INFERRED_MARK if cell.status == "inferred" else "") + (VIOLATED_MARK if cell.violated else "")
    marks += AMBIGUOUS_MARK if cell.ambiguous else ""
    text = Text(cell.text + marks, style=cell_style(cell))
    if show_lines:
        line = f"L{cell.line}" if cell.status == "read" and cell.line is not None else ""
        text.append("\n")
        text.append(line, style=LINE_STYLE)
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + format_number(value)


class Legend:
    """What the colours and marks of a grid mean."""

    def __rich__(self) -> Text:
        text = Text()
        samples: list[tuple[str, Style, str]] = [
            ("12", STATUS_STYLES["read"], "read"),
            ("·", STATUS_STYLES["blank"], "blank"),
            ("5" + INFERRED_MARK, STATUS_STYLES["inferred"], "inferred"),
            ("?", STATUS_STYLES["unknown"], "unknown"),
            ("7" + VIOLATED_MARK, VIOLATED_STYLE, "in a violated identity"),
            ("?" + AMBIGUOUS_MARK, AMBIGUOUS_STYLE, "ambiguous"),
        ]
        for i, (sample, style, meaning) in enumerate(samples):
            # Two short lines: what a cell can be, then the two warnings.
            text.append("\n" if i == 4 else " " if i else "")
            text.append(f" {sample} ", style=style)
            text.append(f" {meaning}")
        return text


class Heading:
    """One line naming the table and counting what the grid shows."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich__(self) -> Text:
        t = self.table
        counts = Counter(s for row in t.status for s in row)
        text = Text()
        text.append(t.table, style="bold")
        text.append(f"  {len(t.rows)}×{len(t.columns)}  {t.template}\n  ")
        text.append(t.title)
        text.append("\n  ")
        parts = [f"{counts[s]} {s}" for s in ("read", "blank", "inferred", "unknown") if counts.get(s)]
        text.append(" · ".join(parts) or "no cells")
        violated = sum(not c.holds for c in t.checks)
        text.append(" · ")
        if not t.checks:
            text.append("no identities", style="bright_black")
        else:
            text.append(
                f"{violated} of {len(t.checks)} identities violated",
                style=VIOLATED_STYLE if violated else "green",
            )
        if t.ambiguous:
            text.append(" · ")
            text.append("ambiguous", style=AMBIGUOUS_STYLE)
            text.append(f" ({t.alternatives} other assignments)")
        return text


class Grid:
    """The table as a grid of coloured cells, split into column chunks that fit the width.

    Chunks break between header groups (行政复议 / 行政诉讼) when they can, so a 15-column
    table reads as three 5-column grids rather than being squeezed.
    """

    def __init__(self, table: Table, show_lines: bool = False) -> None:
        self.table = table
        self.show_lines = show_lines
        self.cells = cell_views(table)
        self.groups = column_groups(table)

    def chunk(self, columns: list[int], title: str | None = None) -> RichTable:
        """A rich table of the given columns, with the row labels on the left."""
        grid = RichTable(
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
            title=title,
            title_justify="left",
            title_style="italic",
            show_edge=False,
            collapse_padding=True,
        )
        grid.add_column("", no_wrap=True, style="bold")
        for c in columns:
            grid.add_column(short_column(self.table.columns[c]), justify="right", no_wrap=True)
        for r, key in enumerate(self.table.rows):
            cells = [cell_text(self.cells[r][c], self.show_lines) for c in columns]
            grid.add_row(Text(short_row(key)), *cells)
        return grid

    def _fits(self, console: Console, options: ConsoleOptions, columns: list[int]) -> bool:
        # A rich table measures itself clamped to the width it is given: measure it unbounded.
        unbounded = options.update_width(1_000_000)
        width = Measurement.get(console, unbounded, self.chunk(columns)).maximum
        return width <= options.max_width

    def chunks(self, console: Console, options: ConsoleOptions) -> list[list[int]]:
        """Columns split into runs that each fit the console width."""
        units: list[list[int]] = []
        for c, group in enumerate(self.groups):
            if units and self.groups[units[-1][-1]] == group and group:
                units[-1].append(c)
            else:
                units.append([c])
        chunks: list[list[int]] = []
        current: list[int] = []
        for unit in units:
            if self._fits(console, options, current + unit):
                current += unit
                continue
            if current:
                chunks.append(current)
                current = []
            for c in unit:
                if current and not self._fits(console, options, [*current, c]):
                    chunks.append(current)
                    current = []
                current.append(c)
        if current:
            chunks.append(current)
        return chunks

    def _title(self, columns: list[int], split: bool) -> str | None:
        groups = list(dict.fromkeys(self.groups[c] for c in columns if self.groups[c]))
        parts = []
        if split:
            parts.append(f"columns {columns[0] + 1}-{columns[-1] + 1} of {len(self.table.columns)}")
        if groups:
            parts.append(" | ".join(g.replace("/", " › ") for g in groups))
        return " · ".join(parts) or None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.table.columns:
            yield Text("(no columns)")
            return
        chunks = self.chunks(console, options)
        for columns in chunks:
            yield self.chunk(columns, self._title(columns, len(chunks) > 1))


class Checks:
    """Identities with their residuals (left side minus right side): by default only the
    violated ones, since a reviewer of ``show`` needs those and not the 40 that hold."""

    def __init__(self, checks: Sequence[Check], all_checks: bool = False) -> None:
        self.checks = list(checks)
        self.all_checks = all_checks

    def __rich__(self) -> RenderableType:
        checks = self.checks if self.all_checks else [c for c in self.checks if not c.holds]
        if not self.checks:
            shown = "no identities could be checked" if self.all_checks else ""
            return Text(shown, style="bright_black", end="\n" if shown else "")
        if not checks:
            return Text(f"all {len(self.checks)} identities hold", style="green")
        heading = "identities" if self.all_checks else "violated identities"
        grid = RichTable(
            box=None,
            padding=(0, 1),
            title=f"{heading} (residual = left side - right side)",
            title_justify="left",
            title_style="bold",
            show_header=False,
        )
        grid.add_column("", no_wrap=True)
        grid.add_column("identity", ratio=1)
        grid.add_column("residual", justify="right", no_wrap=True)
        for check in checks:
            mark = Text("ok", style="green") if check.holds else Text("✗", style=VIOLATED_STYLE)
            residual = Text(_signed(check.residual), style="bright_black" if check.holds else "bold red")
            grid.add_row(mark, check.identity, residual)
        return grid


class Ambiguities:
    """For each row the solver could not settle, the numbers in play: the grid shows only
    ``?`` there, and the reviewer needs to see what could go where."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich__(self) -> RenderableType:
        t = self.table
        rows = sorted({r for r, _ in ambiguous_cells(t)})
        if not rows:
            return Group()
        text = Text.assemble(
            ("ambiguous rows", "bold"), " (tablerecon explain --table ", t.table, " --row KEY):"
        )
        for r in rows:
            p = placement(t, r)
            if p is None:
                continue
            read = ", ".join(
                f"{format_number(v) if v is not None else '(text)'} (line {line})"
                for v, line in zip(p.values, p.lines, strict=False)
            )
            text.append(f"\n  - {t.rows[r]}: read {read}; {p.candidates} placements possible")
        return text


class Notes:
    """The table's notes: why cells are unknown, searches that gave up, hints used."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich__(self) -> RenderableType:
        if not self.table.notes:
            return Group()
        text = Text.assemble(("notes:", "bold"))
        for note in self.table.notes:
            text.append(f"\n  - {note}")
        return text


def table_view(table: Table, show_lines: bool = False) -> Group:
    """Heading, grid, violated identities and notes of one table."""
    return Group(
        Heading(table),
        Grid(table, show_lines),
        Checks(table.checks),
        Ambiguities(table),
        Notes(table),
        Text(""),
    )


def report_view(report: Report, tables: Iterable[Table] | None = None, show_lines: bool = False) -> Group:
    """Every (or the given) table of a report, then the document's errors and the legend."""
    parts: list[RenderableType] = [Text(f"{report.source}  ({report.encoding})", style="bold underline")]
    shown = report.tables if tables is None else list(tables)
    parts.extend(table_view(t, show_lines) for t in shown)
    if not shown:
        parts.append(Text("no table found", style="bright_black"))
    parts.extend(Text(f"error: {e}", style="bold red") for e in report.errors)
    parts.append(Legend())
    return Group(*parts)


class GraphSummary:
    """How the solver saw the table: constraint graph size, hints, ambiguity."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich__(self) -> Text:
        t = self.table
        g = t.graph
        text = Text()
        if g:
            text.append("constraint graph: ", style="bold")
            text.append(
                f"{_count(g.get('nodes', 0), 'node')}, {_count(g.get('edges', 0), 'edge')}, "
                f"{_count(g.get('components', 0), 'component')} (rows and the identities linking them)"
            )
        else:
            text.append("constraint graph: not recorded", style="bright_black")
        text.append("\nblank-line hints: ", style="bold")
        text.append(
            "trusted (used as soft evidence)" if t.hints_trusted else "not trusted (gaps ignored)",
        )
        text.append("\nambiguous: ", style="bold")
        if t.ambiguous:
            text.append(f"yes, {t.alternatives} other equally good assignments", style=AMBIGUOUS_STYLE)
        else:
            text.append("no, one best assignment")
        text.append("\nsearch: ", style="bold")
        if t.search_complete:
            text.append("complete (every search finished within its bounds)")
        else:
            text.append("stopped at a bound; see the notes for which", style=AMBIGUOUS_STYLE)
        return text


#: One glyph per cell for the rows overview, so a 15-column row stays on one line.
GLYPHS: dict[CellStatus, str] = {"read": "#", "blank": "·", "inferred": INFERRED_MARK, "unknown": "?"}


class RowsOverview:
    """One line per row: how many numbers, how many placements, and where they went, drawn
    as one glyph per column (``##··*·#``) in the grid's colours."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich__(self) -> RichTable:
        t = self.table
        grid = RichTable(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            padding=(0, 1),
            caption="cells: # read, · blank, * inferred, ? unknown (one per column)",
            caption_justify="left",
        )
        grid.add_column("row", no_wrap=True)
        grid.add_column("read", justify="right")
        grid.add_column("placements", justify="right")
        grid.add_column("cells", no_wrap=True)
        grid.add_column("note")
        views = cell_views(t)
        for r, key in enumerate(t.rows):
            cells = Text()
            for cell in views[r]:
                cells.append(GLYPHS[cell.status], style=cell_style(cell))
            p = placement(t, r)
            if p is None:
                grid.add_row(key, "-", "-", cells, "row not in the text")
                continue
            statuses = t.status[r]
            extra = [f"{statuses.count(s)} {s}" for s in ("inferred", "unknown") if s in statuses]
            if p.note:
                extra.append(p.note)
            grid.add_row(key, str(len(p.values)), str(p.candidates), cells, "; ".join(extra))
        return grid


#: What each verdict says about the placements that lost, in the order a reader needs them.
_VERDICT_REASONS: dict[Verdict, str] = {
    "violates a row identity": "placement(s) broke the row's own sum (sum of parts = total)",
    "excluded by column identities": "placement(s) fit the row but no other rows could balance them",
    "costlier": "placement(s) needed more inferred values or fit the blank lines worse",
    "tied": "placement(s) were exactly as good: the table is ambiguous",
}


class RowExplanation:
    """Why one row's numbers sit where they do: what was read, what was possible, what won."""

    def __init__(self, table: Table, row: int) -> None:
        self.table = table
        self.row = row
        self.placement = placement(table, row)

    def _implied(self, p: RowPlacement) -> list[int] | None:
        """Empty slots before each value (and after the last) that the chosen columns imply."""
        if None in p.chosen or not p.chosen:
            return None
        cols = [c for c in p.chosen if c is not None]
        return [b - a - 1 for a, b in pairwise([-1, *cols, len(self.table.columns)])]

    def _read(self, p: RowPlacement) -> RichTable:
        implied = self._implied(p)
        grid = RichTable(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1))
        grid.add_column("#", justify="right")
        grid.add_column("value", justify="right")
        grid.add_column("line", justify="right")
        grid.add_column("blank slots before (text)", justify="right")
        grid.add_column("implied by chosen", justify="right")
        for i in range(len(p.values) + 1):
            gap = p.gaps[i] if i < len(p.gaps) else None
            want = "-" if implied is None or i >= len(implied) else str(implied[i])
            shown = "?" if gap is None else str(gap)
            if i == len(p.values):
                grid.add_row("", "(end)", "", shown, want, style="bright_black")
                continue
            v = p.values[i]
            line = p.lines[i] if i < len(p.lines) else None
            grid.add_row(
                str(i + 1),
                format_number(v) if v is not None else "(text)",
                "?" if line is None else str(line),
                shown,
                want,
            )
        return grid

    def _options(self, p: RowPlacement) -> RichTable:
        columns = self.table.columns
        grid = RichTable(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1), collapse_padding=True)
        for key in columns:
            grid.add_column(short_column(key), justify="right", no_wrap=True)
        grid.add_column("gap", justify="right", no_wrap=True)
        grid.add_column("verdict", no_wrap=True)
        for option in p.options:
            layout = option_cells(option, p.values)
            cells: list[Text] = []
            for c in range(len(columns)):
                if c == option.lost_column:
                    shown = format_number(option.lost_value) if option.lost_value is not None else "?"
                    cells.append(Text(shown + INFERRED_MARK, style=STATUS_STYLES["inferred"]))
                elif c in layout:
                    v = layout[c]
                    cells.append(
                        Text(format_number(v) if v is not None else "?", style=STATUS_STYLES["read"])
                    )
                else:
                    cells.append(Text("·", style=STATUS_STYLES["blank"]))
            grid.add_row(
                *cells, str(option.gap_cost), Text(option.verdict, style=VERDICT_STYLES[option.verdict])
            )
        return grid

    def _why(self, p: RowPlacement) -> Iterator[str]:
        t, r = self.table, self.row
        mine = [c for c in t.checks if any(cell[0] == r for cell in c.cells)]
        broken = [c for c in mine if not c.holds]
        if None in p.chosen:
            yield (
                "several placements were equally good (same identities, same inferences, same fit "
                "to the blank lines): the cells on which they disagree are unknown, not guessed"
            )
        elif p.candidates <= 1:
            yield "it was the only placement the row allowed"
        else:
            yield f"it was the best of the {p.candidates} placements the row allowed"
        verdicts = Counter(o.verdict for o in p.options)
        for verdict, reason in _VERDICT_REASONS.items():
            if verdicts.get(verdict):
                yield f"{verdicts[verdict]} {reason}"
        if mine and not broken:
            yield f"it satisfies all {len(mine)} identities that involve this row"
        elif broken:
            yield (
                f"{len(broken)} of the {len(mine)} identities that involve this row do not hold: "
                "no placement satisfies them all, so the values are kept as read"
            )
        for c, s in enumerate(t.status[r]):
            if s == "inferred":
                value = format_number(float(t.values[r, c]))
                yield f"the identities force {t.columns[c]} = {value}: the text lost it"
        yield from self._hints(p)

    def _hints(self, p: RowPlacement) -> Iterator[str]:
        """How the chosen columns fit the blank lines, and whether that counted."""
        counted = "counted as soft evidence" if self.table.hints_trusted else "not trusted in this table"
        chosen = [o for o in p.options if o.verdict == "chosen"]
        if chosen:
            yield f"its disagreement with the blank lines (gap cost) is {chosen[0].gap_cost} ({counted})"
            return
        implied = self._implied(p)
        if implied is None or p.candidates <= 1 or len(p.gaps) != len(implied):
            return
        off = sum(g is not None and g != k for g, k in zip(p.gaps, implied, strict=True))
        if off == 0:
            yield f"its columns match the blank lines between the numbers ({counted})"
        else:
            yield f"its columns differ from the blank lines at {off} place(s) ({counted})"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t, r = self.table, self.row
        yield Text.assemble(("row ", "bold"), (t.rows[r], "bold"), f"  {row_label(t, r)}")
        p = self.placement
        if p is None:
            yield Text("the text has no such row; its cells are unknown", style="bright_black")
            return
        if not p.values:
            yield Text("no numbers were read for this row", style="bright_black")
        else:
            yield Text("numbers read, in text order:", style="bold")
            yield self._read(p)
        yield Text.assemble(
            ("placements possible: ", "bold"), f"{p.candidates} (before the identities were applied)"
        )
        if p.options:
            yield self._options(p)
        else:
            yield Text(
                "the solver did not record the individual placements for this row", style="bright_black"
            )
        chosen = Text.assemble(("chosen: ", "bold"))
        for i, c in enumerate(p.chosen):
            if i:
                chosen.append(", ")
            v = p.values[i] if i < len(p.values) else None
            shown = format_number(v) if v is not None else "(text)"
            where = f"{short_column(t.columns[c])} ({column_label(t, c)})" if c is not None else "undecided"
            chosen.append(f"{shown} → {where}")
        for c, s in enumerate(t.status[r]):
            if s == "inferred":
                chosen.append(f", {format_number(float(t.values[r, c]))}{INFERRED_MARK} → ")
                chosen.append(short_column(t.columns[c]), style=STATUS_STYLES["inferred"])
        yield chosen
        yield Text("why:", style="bold")
        for reason in self._why(p):
            yield Text(f"  - {reason}")
        if p.note:
            yield Text(f"note: {p.note}")
        mine = [c for c in t.checks if any(cell[0] == r for cell in c.cells)]
        if mine:
            yield Checks(mine, all_checks=True)
        yield Grid(_one_row(t, r))


def _one_row(table: Table, row: int) -> Table:
    """The table cut down to one row, to show that row's cells in context."""
    return Table(
        table=table.table,
        template=table.template,
        title=table.title,
        rows=[table.rows[row]],
        row_labels=[table.row_labels[row]] if row < len(table.row_labels) else [],
        columns=table.columns,
        column_labels=table.column_labels,
        values=table.values[row : row + 1],
        status=[table.status[row]],
        lines=[table.lines[row]],
        checks=[
            c.model_copy(update={"cells": tuple((0, cc) for rr, cc in c.cells if rr == row)})
            for c in table.checks
            if any(rr == row for rr, _ in c.cells)
        ],
        ambiguous=table.ambiguous,
        alternatives=table.alternatives,
        placements=[p for p in table.placements if p.row == table.rows[row]],
    )


def explain_view(table: Table, row: int | None = None) -> Group:
    """The table-level account, then one row in detail or every row in one line each."""
    parts: list[RenderableType] = [
        Heading(table),
        GraphSummary(table),
        Checks(table.checks, all_checks=True),
        Notes(table),
        Text(""),
    ]
    if row is None:
        parts.append(Text("rows (explain one with --row KEY):", style="bold"))
        parts.append(RowsOverview(table))
    else:
        parts.append(RowExplanation(table, row))
    parts.append(Legend())
    return Group(*parts)
