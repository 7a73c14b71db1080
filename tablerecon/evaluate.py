"""Measure extract output against truth files, per template and in total.

The arithmetic (``score_table``, ``score_document``, ``score_pairs``) is pure: it takes truth
dicts (corpus truth format) and contract dicts (``Report.to_contract()``), so it can be checked on
small hand-made cases. ``evaluate_dir`` is the only part that touches files and runs the engine.

Definitions follow ``shared/tools/score.py`` so the two tools agree: blank and 0 compare equal;
a wrong cell is *silent* when it is marked read, blank or inferred in a table not marked
ambiguous (a cell the output lacks altogether is wrong but not silent).
"""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

SILENT_STATUSES = frozenset({"read", "blank", "inferred"})
TOLERANCE = 1e-6


@dataclass
class Counts:
    """Tallies for one template (or the total); rates are derived, never stored."""

    documents: int = 0
    tables_expected: int = 0
    tables_found: int = 0
    tables_extra: int = 0
    tables_exact: int = 0
    tables_ambiguous: int = 0
    cells: int = 0
    cells_right: int = 0
    cells_missing: int = 0
    cells_silent: int = 0
    inferred_marked: int = 0
    inferred_marked_right: int = 0
    inferred_truth: int = 0
    inferred_found: int = 0
    inconsistent_planted: int = 0
    inconsistent_detected: int = 0
    false_alarms: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def rates(self) -> dict[str, float | None]:
        """Ratios of the tallies; None where the denominator is 0."""
        return {
            "cell_accuracy": _ratio(self.cells_right, self.cells),
            "table_exact_rate": _ratio(self.tables_exact, self.tables_expected),
            "ambiguity_rate": _ratio(self.tables_ambiguous, self.tables_found),
            "inferred_precision": _ratio(self.inferred_marked_right, self.inferred_marked),
            "inferred_recall": _ratio(self.inferred_found, self.inferred_truth),
            "inconsistency_detection": _ratio(self.inconsistent_detected, self.inconsistent_planted),
        }


@dataclass
class DocScore:
    """One document's tallies, kept so the worst documents can be named."""

    source: str
    by_template: dict[str, Counts]
    wrong_cells: int
    error: str | None = None


@dataclass
class Evaluation:
    """Tallies per template, per deformation (synthetic truth only: which damage costs what) and in
    total; a document with several deformations counts under each."""

    by_template: dict[str, Counts] = field(default_factory=dict)
    by_deformation: dict[str, Counts] = field(default_factory=dict)
    by_style: dict[str, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)
    documents: list[DocScore] = field(default_factory=list)

    def to_dict(self, worst: int = 10) -> dict[str, Any]:
        """JSON-ready summary: counts and rates per template and in total, worst documents."""
        ranked = sorted(self.documents, key=lambda d: (-d.wrong_cells, d.source))
        return {
            "templates": {k: _counts_dict(c) for k, c in sorted(self.by_template.items())},
            "deformations": {k: _counts_dict(c) for k, c in sorted(self.by_deformation.items())},
            "styles": {k: _counts_dict(c) for k, c in sorted(self.by_style.items())},
            "total": _counts_dict(self.total),
            "worst_documents": [
                {"source": d.source, "wrong_cells": d.wrong_cells} for d in ranked[:worst] if d.wrong_cells
            ],
            "errors": [{"source": d.source, "error": d.error} for d in self.documents if d.error],
        }


def _counts_dict(c: Counts) -> dict[str, Any]:
    return {**asdict(c), **c.rates()}


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def values_equal(a: object, b: object) -> bool:
    """Blank (None) equals 0; numbers compare within TOLERANCE; anything else is unequal."""
    a = 0 if a is None else a
    b = 0 if b is None else b
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not isinstance(a, int | float)
        or not isinstance(b, int | float)
    ):
        return False
    return abs(float(a) - float(b)) < TOLERANCE


def score_table(truth: dict[str, Any], found: dict[str, Any] | None) -> tuple[Counts, int]:
    """Tallies for one truth table against the output table with the same id (None: not found).

    Returns the counts and the number of wrong cells.
    """
    c = Counts(tables_expected=1)
    planted = bool(truth.get("source_inconsistent"))
    c.inconsistent_planted = int(planted)
    inferred_truth = {tuple(x) for x in truth.get("inferred", [])}
    t_rows, t_cols = list(truth["rows"]), list(truth["columns"])
    n_cells = len(t_rows) * len(t_cols)
    c.cells = n_cells
    c.inferred_truth = len(inferred_truth)
    if found is None:
        c.cells_missing = n_cells
        return c, n_cells

    c.tables_found = 1
    ambiguous = bool(found.get("ambiguous", False))
    c.tables_ambiguous = int(ambiguous)
    violated = any(ch.get("holds") is False for ch in found.get("checks", []))
    if planted:
        c.inconsistent_detected = int(violated)
    elif violated:
        c.false_alarms = 1

    rows, cols = list(found.get("rows", [])), list(found.get("columns", []))
    cells = found.get("cells", [])
    status = found.get("cell_status") or [[None] * len(cols) for _ in rows]
    wrong = 0
    for i, rk in enumerate(t_rows):
        for j, ck in enumerate(t_cols):
            want = truth["cells"][i][j]
            if rk not in rows or ck not in cols:
                c.cells_missing += 1
                wrong += 1
                continue
            gi, gj = rows.index(rk), cols.index(ck)
            st = status[gi][gj]
            if values_equal(cells[gi][gj], want):
                c.cells_right += 1
                c.inferred_found += int((rk, ck) in inferred_truth and st == "inferred")
            else:
                wrong += 1
                c.cells_silent += int(st in SILENT_STATUSES and not ambiguous)

    t_index = {(rk, ck): (i, j) for i, rk in enumerate(t_rows) for j, ck in enumerate(t_cols)}
    for gi, rk in enumerate(rows):
        for gj, ck in enumerate(cols):
            if status[gi][gj] != "inferred":
                continue
            c.inferred_marked += 1
            at = t_index.get((rk, ck))
            right = at is not None and values_equal(cells[gi][gj], truth["cells"][at[0]][at[1]])
            c.inferred_marked_right += int(right)
    c.tables_exact = int(wrong == 0 and not ambiguous)
    return c, wrong


def score_document(truth: dict[str, Any], contract: dict[str, Any] | None) -> tuple[dict[str, Counts], int]:
    """Tallies per template for one document (contract None: the engine produced nothing)."""
    found = {t.get("table"): t for t in (contract or {}).get("tables", [])}
    wanted = {t["table"] for t in truth["tables"]}
    out: dict[str, Counts] = {}
    wrong = 0
    for t in truth["tables"]:
        counts, bad = score_table(t, found.get(t["table"]))
        wrong += bad
        out.setdefault(t["template"], Counts()).add(counts)
    for key, t in found.items():
        if key not in wanted:
            out.setdefault(str(t.get("template", key)), Counts()).tables_extra += 1
    for counts in out.values():
        counts.documents = 1 if counts.tables_expected else 0
    return out, wrong


def score_pairs(pairs: Iterable[tuple[dict[str, Any], dict[str, Any] | None]]) -> Evaluation:
    """Sum the tallies of many (truth, contract) pairs, per template and in total."""
    ev = Evaluation()
    for truth, contract in pairs:
        by_template, wrong = score_document(truth, contract)
        error = None
        if contract is None:
            error = "no output"
        elif contract.get("errors"):
            error = "; ".join(str(e) for e in contract["errors"])
        ev.documents.append(DocScore(str(truth.get("source", "")), by_template, wrong, error))
        for key, counts in by_template.items():
            ev.by_template.setdefault(key, Counts()).add(counts)
        doc_total = Counts()
        for counts in by_template.values():
            doc_total.add(counts)
        doc_total.documents = 1
        ev.total.add(doc_total)
        synth = truth.get("synth")
        if isinstance(synth, dict):
            for name in synth.get("deformations") or ["none"]:
                ev.by_deformation.setdefault(str(name), Counts()).add(doc_total)
        # The flattening style: the generator's when it made the document, else what the engine saw.
        style = synth.get("style") if isinstance(synth, dict) else (contract or {}).get("_style")
        if style:
            ev.by_style.setdefault(str(style), Counts()).add(doc_total)
    return ev


# --------------------------------------------------------------------------------------------
# Running the engine over a directory

Extractor = Callable[[Path], dict[str, Any]]


def find_inputs(directory: Path, truth_dir: Path | None = None) -> list[tuple[Path, Path]]:
    """(input, truth) pairs: every ``<stem>.json`` file in the truth directory with an input of the
    same stem in ``directory`` (or, with a separate truth directory, anywhere below it); when
    several inputs share the stem, the ``.txt`` one is taken. A stem is matched as written, glob
    characters and all (``rep[1].json`` is not ``rep1.txt``'s truth); a truth that is no regular
    file (a FIFO would be read forever) is passed over."""
    search = directory.glob if truth_dir is None else directory.rglob
    truth_dir = truth_dir or directory
    pairs: list[tuple[Path, Path]] = []
    for truth in sorted(t for t in truth_dir.glob("*.json") if t.is_file()):
        stem = glob.escape(truth.stem)
        inputs = sorted(p for p in search(f"{stem}.*") if p.suffix != ".json" and p.is_file())
        if inputs:
            txt = [p for p in inputs if p.suffix == ".txt"]
            pairs.append(((txt or inputs)[0], truth))
    return pairs


class _TruthTable(BaseModel):
    """What scoring reads of a truth table (other keys are kept and ignored)."""

    model_config = ConfigDict(extra="allow")

    table: str
    template: str
    rows: list[str]
    columns: list[str]
    cells: list[list[float | None]]
    inferred: list[tuple[str, str]] = []
    #: True, or the identities the generator broke, when the source is planted inconsistent.
    source_inconsistent: bool | list[str] | None = None

    @model_validator(mode="after")
    def _cells_fill_the_grid(self) -> _TruthTable:
        if len(self.cells) != len(self.rows) or any(len(r) != len(self.columns) for r in self.cells):
            raise ValueError(f"{self.table}: cells are not {len(self.rows)} rows of {len(self.columns)}")
        return self


class _Synth(BaseModel):
    model_config = ConfigDict(extra="allow")

    deformations: list[str] = []
    style: str | None = None


class _TruthFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    tables: list[_TruthTable]
    synth: _Synth | None = None


def load_truth(path: Path) -> dict[str, Any]:
    """A truth file (corpus truth format), checked for what scoring reads; ``ValueError``
    naming the file and its first problem when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        _TruthFile.model_validate(data)
    except RecursionError:
        raise ValueError(f"{path}: not a truth file: nested too deeply") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "the top level"
        raise ValueError(f"{path}: not a truth file: {where}: {first['msg']}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a truth file: {exc}") from None
    assert isinstance(data, dict)
    return data


def _engine(path: Path) -> dict[str, Any]:
    from tablerecon import extract_file

    report = extract_file(str(path))
    contract = report.to_contract()
    styles = [t.style for t in report.tables]
    if styles:
        # Not part of the output contract: eval's own note of how the document was flattened.
        contract["_style"] = max(set(styles), key=styles.count)
    return contract


def evaluate_dir(
    directory: Path,
    truth_dir: Path | None = None,
    extract: Extractor | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Evaluation:
    """Run extract on every input with a truth file and score the results.

    A document the engine fails on is scored as having no tables, with the failure recorded:
    a crash is a measurement, not a reason to stop measuring the rest.
    """
    run = extract or _engine
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    failures: dict[str, str] = {}
    for path, truth_path in find_inputs(directory, truth_dir):
        if progress:
            progress(path)
        truth = load_truth(truth_path)
        truth["source"] = path.name
        try:
            contract: dict[str, Any] | None = run(path)
        except Exception as exc:  # any engine failure is a data point, not a reason to stop
            contract = None
            failures[path.name] = f"{type(exc).__name__}: {exc}"
        pairs.append((truth, contract))
    ev = score_pairs(pairs)
    for doc in ev.documents:
        if doc.source in failures:
            doc.error = failures[doc.source]
    return ev
