"""What one document becomes in the dataset: its rows, their schema, and the Arrow tables a
worker sends back (see the package docstring for the columns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped]


class CellRow(NamedTuple):
    content_hash: str
    path: str
    table_id: str
    template: str
    row_key: str
    column_key: str
    value: float | None
    status: str
    line: int | None
    row_index: int
    column_index: int


class CheckRow(NamedTuple):
    content_hash: str
    table_id: str
    identity: str
    holds: bool
    residual: float


@dataclass(frozen=True)
class DocResult:
    """Everything a worker sends back for one file: its documents row and its cells and checks."""

    content_hash: str | None
    path: str
    template_year: str | None = None
    report_year: int | None = None
    format: str | None = None
    style: str | None = None
    encoding: str | None = None
    n_bytes: int | None = None
    status: Literal["ok", "no_tables", "error"] = "error"
    error: str | None = None
    n_tables: int = 0
    cells: list[CellRow] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)

    def document_row(self) -> tuple[Any, ...]:
        return (
            self.content_hash,
            self.path,
            self.template_year,
            self.report_year,
            self.format,
            self.style,
            self.encoding,
            self.n_bytes,
            self.status,
            self.error,
            self.n_tables,
        )


# Column name, DuckDB type, Arrow type: one source for both writers.
COLUMNS: dict[str, list[tuple[str, str, Any]]] = {
    "documents": [
        ("content_hash", "VARCHAR", pa.string()),
        ("path", "VARCHAR", pa.string()),
        ("template_year", "VARCHAR", pa.string()),
        ("report_year", "INTEGER", pa.int32()),
        ("format", "VARCHAR", pa.string()),
        ("style", "VARCHAR", pa.string()),
        ("encoding", "VARCHAR", pa.string()),
        ("n_bytes", "BIGINT", pa.int64()),
        ("status", "VARCHAR", pa.string()),
        ("error", "VARCHAR", pa.string()),
        ("n_tables", "INTEGER", pa.int32()),
    ],
    "cells": [
        ("content_hash", "VARCHAR", pa.string()),
        ("path", "VARCHAR", pa.string()),
        ("table_id", "VARCHAR", pa.string()),
        ("template", "VARCHAR", pa.string()),
        ("row_key", "VARCHAR", pa.string()),
        ("column_key", "VARCHAR", pa.string()),
        ("value", "DOUBLE", pa.float64()),
        ("status", "VARCHAR", pa.string()),
        ("line", "INTEGER", pa.int32()),
        ("row_index", "INTEGER", pa.int32()),
        ("column_index", "INTEGER", pa.int32()),
    ],
    "checks": [
        ("content_hash", "VARCHAR", pa.string()),
        ("table_id", "VARCHAR", pa.string()),
        ("identity", "VARCHAR", pa.string()),
        ("holds", "BOOLEAN", pa.bool_()),
        ("residual", "DOUBLE", pa.float64()),
    ],
}
TABLES = tuple(COLUMNS)
SCHEMAS: dict[str, Any] = {name: pa.schema([(c, t) for c, _, t in cols]) for name, cols in COLUMNS.items()}


@dataclass(frozen=True)
class Chunk:
    """What a task sends back: its documents (for counting) and their rows as Arrow tables.

    Workers build the Arrow tables themselves: turning Python rows into columns is the costliest
    step after extraction, and done in the parent it caps a many-core batch at one core's pace.
    """

    documents: list[DocResult]  # without their cells and checks, which are in ``tables``
    tables: dict[str, Any]


def make_chunk(results: Sequence[DocResult]) -> Chunk:
    docs = [replace(r, cells=[], checks=[]) for r in results]
    return Chunk(docs, arrow_tables(results))


def arrow_tables(results: Sequence[DocResult]) -> dict[str, Any]:
    """The rows of some documents as one Arrow table per dataset table."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        "documents": [r.document_row() for r in results],
        "cells": [c for r in results for c in r.cells],
        "checks": [c for r in results for c in r.checks],
    }
    out = {}
    for name, schema in SCHEMAS.items():
        if not rows[name]:
            out[name] = schema.empty_table()
            continue
        columns = list(zip(*rows[name], strict=True))
        out[name] = pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema
        )
    return out
