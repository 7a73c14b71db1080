"""The public entry points: normalize -> find -> match -> solve -> emit, in that order."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tablerecon.emit import build_table
from tablerecon.errors import InputTooLargeError, TableReconError
from tablerecon.find import find_regions
from tablerecon.match import TableEvidence, choose_variant, document_format, match_variants
from tablerecon.models import Report
from tablerecon.normalize import Document, normalize
from tablerecon.solve import SolveLimits, solve_table, writes_every_cell
from tablerecon.templates import expand_identities


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep one document from taking unbounded time or memory."""

    max_bytes: int = 20_000_000
    solve: SolveLimits = field(default_factory=SolveLimits)


def extract_text(
    text: str, source: str = "<text>", limits: Limits | None = None, *, explain: bool = False
) -> Report:
    """Reconstruct every standard table in an already decoded text.

    ``explain`` keeps, for every row, the placements the solver weighed and their verdicts
    (``RowPlacement.options``); it costs time, so batch work leaves it off.
    """
    limits = limits or Limits()
    if len(text) > limits.max_bytes:
        raise InputTooLargeError(f"{source}: {len(text)} characters exceeds the limit of {limits.max_bytes}")
    return _extract(normalize(text), source, limits, explain)


def extract_bytes(
    data: bytes, source: str = "<bytes>", limits: Limits | None = None, *, explain: bool = False
) -> Report:
    """Reconstruct every standard table in raw bytes (UTF-8, UTF-16 with BOM or GB18030)."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise InputTooLargeError(f"{source}: {len(data)} bytes exceeds the limit of {limits.max_bytes}")
    try:
        doc = normalize(data)
    except TableReconError as exc:
        raise type(exc)(f"{source}: {exc}") from exc
    return _extract(doc, source, limits, explain)


def extract_file(
    path: str | os.PathLike[str], limits: Limits | None = None, *, explain: bool = False
) -> Report:
    """Reconstruct every standard table in one file; the file is refused if over the size limit."""
    limits = limits or Limits()
    p = Path(path)
    size = p.stat().st_size
    if size > limits.max_bytes:
        raise InputTooLargeError(f"{path}: {size} bytes exceeds the limit of {limits.max_bytes}")
    return extract_bytes(p.read_bytes(), source=str(path), limits=limits, explain=explain)


def _extract(doc: Document, source: str, limits: Limits, explain: bool = False) -> Report:
    report = Report(source=source, encoding=doc.encoding)
    regions = find_regions(doc.cells)
    matched = [match_variants(doc.cells, region) for region in regions]
    fmt = document_format(matched)
    chosen: dict[str, TableEvidence] = {}
    for region, variants in zip(regions, matched, strict=True):
        ev = choose_variant(variants, fmt)
        if ev is None:
            if region.at_document_end:
                report.errors.append(f"{region.table}: the text ends inside the table; not emitted")
            continue
        if ev.truncated:
            report.errors.append(f"{ev.spec.table}: the text ends inside the table; not emitted")
            continue
        other = chosen.get(ev.spec.table)
        if other is not None:
            kept = other if other.score >= ev.score else ev
            report.errors.append(
                f"{ev.spec.table}: the document holds this table twice; the better match "
                f"(line {_first_line(kept)}) is kept"
            )
            ev = kept
        chosen[ev.spec.table] = ev
    full = writes_every_cell([(ev.rows, len(ev.columns)) for ev in chosen.values()])
    for ev in sorted(chosen.values(), key=_first_line):
        keys = [r.key for r in ev.rows]
        equations = expand_identities(ev.spec, keys, ev.columns)
        solution = solve_table(
            ev.rows, len(ev.columns), equations, ev.spec.value_kind == "count", limits.solve, explain, full
        )
        report.tables.append(build_table(ev, solution, equations, html=doc.html))
    return report


def _first_line(ev: TableEvidence) -> int:
    lines = [r.label_line or (r.cells[0].line if r.cells else 0) for r in ev.rows if r.found]
    return min((x for x in lines if x), default=0)
