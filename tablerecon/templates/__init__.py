"""The official table formats, loaded from the JSON data files beside this module.

Templates are data, not code: a new revision of the national format is a new JSON file.
Identities are stored compactly (row sums, column sums, column balances) and expanded here
into plain linear equations over (row, column) cells, which is all the solver needs.
"""

from __future__ import annotations

import json
from functools import cache, cached_property
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tablerecon.caches import register

ValueKind = Literal["count", "number"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ColumnSpec(_Frozen):
    key: str
    label: str | None = None
    path: str | None = None
    #: Kept only when the header shows it (历年累计 of the pre-2019 statistics table).
    optional: bool = False
    #: May hold a negative value (本年增/减); in a table of numbers, no other column can.
    signed: bool = False


class RowSpec(_Frozen):
    key: str
    label: str | None = None
    group: bool = False
    aliases: tuple[str, ...] = ()
    #: Unit of the row's values, for tables that print one beside each label (条, 件, 万元).
    unit: str | None = None
    #: What real texts showed of this row; data for reviewers, not read by the engine.
    verified: str | None = None


class IdentitySpec(_Frozen):
    """A compact identity: ``row_sum`` (per row), ``column_sum`` or ``column_balance`` (per column)."""

    id: str
    kind: Literal["row_sum", "column_sum", "column_balance"]
    name: str
    total: str | None = None
    parts: tuple[str, ...] = ()
    lhs: tuple[str, ...] = ()
    rhs: tuple[str, ...] = ()
    verified: str | None = None


class TableSpec(_Frozen):
    table: str
    #: Which layout of the table this is, when a template holds several (national, fujian-local).
    variant: str | None = None
    title: str
    caption: str | None = None
    anchors: tuple[str, ...] = ()
    header_words: tuple[str, ...] = ()
    value_kind: ValueKind = "number"
    columns: tuple[ColumnSpec, ...]
    rows: tuple[RowSpec, ...]
    identities: tuple[IdentitySpec, ...] = ()
    verified: str | None = None

    # Cached: the spec is frozen, and matching asks for these for every cell it reads.
    @cached_property
    def units(self) -> frozenset[str]:
        """Every unit the rows carry: a cell holding one is the row's unit, not a label."""
        return frozenset(r.unit for r in self.rows if r.unit)

    @cached_property
    def data_rows(self) -> tuple[RowSpec, ...]:
        return tuple(r for r in self.rows if not r.group)

    @cached_property
    def data_row_keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.data_rows)

    @cached_property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


class Template(_Frozen):
    template: str
    format: str
    tables: tuple[TableSpec, ...]


class Equation(_Frozen):
    """A linear identity ``sum(coeff * cell) == 0`` over (row index, column index) cells."""

    id: str
    name: str
    terms: tuple[tuple[int, int, int], ...]

    @cached_property
    def cells(self) -> tuple[tuple[int, int], ...]:
        """The (row, column) cells of the terms."""
        return tuple((r, c) for r, c, _ in self.terms)

    @cached_property
    def totals(self) -> tuple[tuple[int, int], ...]:
        """The cells that are the identity's total: a term alone on its side (总计 of a row, a
        column or a group, the others summing into it). 一+二 = 七+四 has none."""
        if len(self.terms) <= 2:
            return ()
        sides = ([(r, c) for r, c, a in self.terms if a < 0], [(r, c) for r, c, a in self.terms if a > 0])
        return tuple(side[0] for side in sides if len(side) == 1)


TEMPLATE_IDS = (
    "active-2019",
    "active-2021",
    "requests-2019",
    "requests-2021",
    "review-litigation",
    "stats-2014",
)


@cache
def load_template(template_id: str) -> Template:
    """Read one template data file; unknown ids raise ``KeyError``."""
    if template_id not in TEMPLATE_IDS:
        raise KeyError(f"unknown template {template_id!r}")
    text = resources.files(__package__).joinpath(f"{template_id}.json").read_text(encoding="utf-8")
    return Template.model_validate(json.loads(text))


@cache
def all_tables() -> tuple[tuple[Template, TableSpec], ...]:
    """Every (template, table) pair the engine knows."""
    return tuple((t, s) for tid in TEMPLATE_IDS for t in [load_template(tid)] for s in t.tables)


#: Equations per (spec, rows, columns): tables repeat their rows and columns from report to
#: report. The spec is kept with its entry, so an id reused by another spec is no false hit.
_EQUATIONS: dict[tuple[int, tuple[str, ...], tuple[str, ...]], tuple[TableSpec, tuple[Equation, ...]]] = {}
#: Entries kept: each holds a table's equations (up to a few hundred objects); real documents
#: need a few dozen (spec, rows, columns) combinations.
_EQUATIONS_SIZE = 256
register(_EQUATIONS.clear)


def expand_identities(spec: TableSpec, rows: list[str], columns: list[str]) -> list[Equation]:
    """Expand compact identities into equations over the given row and column keys.

    Rows or columns the table lacks (for instance a row the text never had) make the
    identities that need them disappear rather than hold vacuously.
    """
    key = (id(spec), tuple(rows), tuple(columns))
    hit = _EQUATIONS.get(key)
    if hit is None or hit[0] is not spec:
        if len(_EQUATIONS) >= _EQUATIONS_SIZE:
            _EQUATIONS.clear()
        hit = _EQUATIONS[key] = (spec, tuple(_expand(spec, rows, columns)))
    return list(hit[1])


def _expand(spec: TableSpec, rows: list[str], columns: list[str]) -> list[Equation]:
    r_idx = {k: i for i, k in enumerate(rows)}
    c_idx = {k: j for j, k in enumerate(columns)}
    out: list[Equation] = []
    for ident in spec.identities:
        if ident.kind == "row_sum":
            cols = [ident.total, *ident.parts]
            if not all(c in c_idx for c in cols):
                continue
            for rk in rows:
                if rk not in spec.data_row_keys:
                    continue
                i = r_idx[rk]
                terms = [(i, c_idx[str(ident.total)], 1)] + [(i, c_idx[c], -1) for c in ident.parts]
                out.append(Equation(id=ident.id, name=ident.name.format(row=rk), terms=tuple(terms)))
        else:
            if ident.kind == "column_sum":
                plus, minus = [str(ident.total)], list(ident.parts)
            else:
                plus, minus = list(ident.lhs), list(ident.rhs)
            if not all(r in r_idx for r in plus + minus):
                continue
            for ck in columns:
                if ck not in c_idx or ck not in spec.column_keys:
                    continue
                j = c_idx[ck]
                terms = [(r_idx[r], j, 1) for r in plus] + [(r_idx[r], j, -1) for r in minus]
                out.append(Equation(id=ident.id, name=ident.name.format(col=ck), terms=tuple(terms)))
    return out
