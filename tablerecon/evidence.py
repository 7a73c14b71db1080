"""What the text holds for a table once matched to a template: rows with their value cells and
the empty slots around them. ``match`` builds it, ``solve`` and ``emit`` read it; it says
nothing yet about columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from tablerecon.cells import Cell, Kind
from tablerecon.models import Style
from tablerecon.templates import TableSpec, Template


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
    #: Whether ``gaps`` were read from where the values stand (fixed-width columns), not from
    #: empty lines or fields: exact for this row, and no sign of how the text marks blanks.
    placed: bool = False
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
