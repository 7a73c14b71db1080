"""The public result models: a report holds tables; a table holds a numpy matrix and, for
every cell, how its value was obtained.

These are the boundary of the library: strict pydantic models, documented field by field.
``Report.to_contract()`` gives exactly the JSON of ``shared/spec/output.md``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CellStatus = Literal["read", "blank", "inferred", "unknown"]
#: How a table reached the engine: one cell a line, a row a line (pipes, tabs, spaces), cells
#: glued with no separator, HTML markup, or figures told in sentences (pre-2019 prose reports).
Style = Literal["cell_per_line", "row_per_line", "glued", "html", "prose"]


class Check(BaseModel):
    """One arithmetic identity of a table, evaluated on the emitted values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    identity: str = Field(description="Readable name, e.g. 'row new_received: sum = total'.")
    holds: bool = Field(description="Whether the identity holds on the emitted values.")
    residual: float = Field(description="Left side minus right side; 0 when it holds.")
    cells: tuple[tuple[int, int], ...] = Field(default=(), description="(row, column) indices involved.")


Verdict = Literal["chosen", "tied", "costlier", "violates a row identity", "excluded by column identities"]


class PlacementOption(BaseModel):
    """One way the solver could have placed a row's numbers, and what became of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: tuple[int, ...] = Field(description="Column index of each number read, in text order.")
    lost_column: int | None = Field(default=None, description="Column of the value inferred, if any.")
    lost_value: float | None = None
    gap_cost: int = Field(default=0, description="Disagreement with the blank-line hints.")
    verdict: Verdict


class RowPlacement(BaseModel):
    """How the solver placed one row's numbers: kept so `explain` never has to solve again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: str
    values: tuple[float | None, ...] = Field(description="The numbers read for this row, in text order.")
    lines: tuple[int, ...] = Field(description="Source line of each number read.")
    gaps: tuple[int | None, ...] = Field(
        description="Extra empty slots before each value and after the last."
    )
    candidates: int = Field(description="Placements the row allowed before the identities were applied.")
    chosen: tuple[int | None, ...] = Field(description="Column index of each value in the chosen solution.")
    options: tuple[PlacementOption, ...] = Field(default=(), description="Placements considered (bounded).")
    note: str = ""


class Evidence(BaseModel):
    """Where a value told in prose was stated: a reviewer checks the sentence, not the number."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: str
    column: str
    line: int = Field(description="1-based source line of the number.")
    sentence: str = Field(description="The sentence holding it (simplified characters, ASCII punctuation).")


class Table(BaseModel):
    """One reconstructed table.

    ``values`` is a float matrix (rows x columns) with NaN where the value is blank or
    unknown; ``status`` says which, cell by cell.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    table: str = Field(description="Canonical table id (requests, review_litigation, active_20_1, ...).")
    template: str = Field(description="Template variant that matched, e.g. requests-2019.")
    title: str = Field(description="Title or caption as found in the text, normalized.")
    rows: list[str]
    row_labels: list[str]
    columns: list[str]
    column_labels: list[str] = Field(default_factory=list)
    values: np.ndarray = Field(description="float64 matrix, NaN where blank or unknown.")
    status: list[list[CellStatus]]
    lines: list[list[int | None]] = Field(description="1-based source line of each read cell.")
    checks: list[Check] = Field(default_factory=list)
    ambiguous: bool = False
    alternatives: int = Field(default=0, ge=0, description="Other equally good assignments seen (bounded).")
    placements: list[RowPlacement] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="Why cells are unknown, searches that gave up."
    )
    graph: dict[str, int] = Field(default_factory=dict, description="Size of the constraint graph.")
    hints_trusted: bool = Field(default=False, description="Whether blank-line gaps were used as evidence.")
    search_complete: bool = Field(
        default=True,
        description="False when a search bound (nodes, placements or seconds, see Limits) cut the "
        "solver short: the cells it could not settle are unknown and a note names the bound.",
    )
    style: Style = Field(default="cell_per_line", description="How the text flattened this table.")
    units: list[str | None] = Field(
        default_factory=list, description="Unit of each row's values (条, 件) where the template has one."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="For values read from prose: the sentence each was stated in."
    )

    @field_validator("values")
    @classmethod
    def _float_matrix(cls, v: np.ndarray) -> np.ndarray:
        if not isinstance(v, np.ndarray) or v.ndim != 2:
            raise ValueError("values must be a 2-D numpy array")
        return v.astype(np.float64, copy=False)

    @model_validator(mode="after")
    def _shapes_agree(self) -> Table:
        shape = (len(self.rows), len(self.columns))
        if self.values.shape != shape:
            raise ValueError(f"values has shape {self.values.shape}, expected {shape}")
        if len(self.status) != shape[0] or any(len(r) != shape[1] for r in self.status):
            raise ValueError("status must match the table shape")
        if len(self.lines) != shape[0] or any(len(r) != shape[1] for r in self.lines):
            raise ValueError("lines must match the table shape")
        if self.units and len(self.units) != shape[0]:
            raise ValueError("units must have one entry per row")
        return self

    def cell(self, row: str, column: str) -> float | None:
        """The value of one cell by canonical keys (None when blank or unknown)."""
        v = float(self.values[self.rows.index(row), self.columns.index(column)])
        return None if math.isnan(v) else v

    def to_contract(self) -> dict[str, Any]:
        """This table in the JSON shape of shared/spec/output.md."""
        return {
            "table": self.table,
            "template": self.template,
            "title": self.title,
            "rows": list(self.rows),
            "row_labels": list(self.row_labels),
            "columns": list(self.columns),
            "cells": [[_json_number(v) for v in row] for row in self.values.tolist()],
            "cell_status": [list(r) for r in self.status],
            "cell_lines": [list(r) for r in self.lines],
            "checks": [
                {"identity": c.identity, "holds": c.holds, "residual": _json_number(c.residual)}
                for c in self.checks
            ],
            "ambiguous": self.ambiguous,
            "alternatives": self.alternatives,
        }


class Report(BaseModel):
    """Everything tablerecon found in one document."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="Path or name of the input, as given.")
    encoding: str = Field(default="utf-8", description="Codec the bytes were decoded with.")
    tables: list[Table] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="Problems that stopped a table being read.")

    def table(self, table_id: str) -> Table | None:
        """The table with this canonical id, if the document has it."""
        return next((t for t in self.tables if t.table == table_id), None)

    def to_contract(self) -> dict[str, Any]:
        """The report in the JSON shape of shared/spec/output.md."""
        return {
            "source": utf8_text(self.source),
            "tables": [t.to_contract() for t in self.tables],
            "errors": list(self.errors),
        }


def utf8_text(text: str) -> str:
    """``text`` as UTF-8 output can hold it (the JSON contract, the batch dataset): a file
    name's bytes that are not UTF-8, which Python reads as lone surrogates, become ``\\xNN``
    escapes (``n\\xff.txt``)."""
    if text.isascii():
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no byte decoded to: a caller's own str
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def _json_number(v: float) -> int | float | None:
    """NaN becomes null; integral floats become ints, as the contract asks."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    f = float(v)
    if math.isfinite(f) and f.is_integer() and abs(f) < 2**53:
        return int(f)
    return round(f, 10)
