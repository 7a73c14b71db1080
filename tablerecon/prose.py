"""Statistics told in sentences: the pre-2019 统计表 as reports before 2019 wrote it in prose.

Reports before the 2019 format often give no table but sentences such as
``共接到……政府信息公开申请133起,其中当面申请28起,网络申请64起``. This module reads those into
the ``stats`` table of the national template (``templates/stats-2014.json``), one ``value``
column, each value with its line and sentence (``Table.evidence``). The phrasings are data
(``templates/stats-2014-prose.json``).

A number is taken only where a known phrasing of one indicator leads straight to it and its unit:
dates, document numbers, phone numbers, percentages and years never have such a phrase and unit,
approximations (``20余次``) are left out, and an indicator stated with two different values, or a
number two indicators claim, is left out rather than guessed. A table is emitted only for a
pre-2019 document that has no table of its own and states at least ``min_statistics`` figures.

Identities are checked on what the text states. A part the text does not state is unknown, but
counts are never negative: stated parts that already exceed their total break the identity
whatever the others are; parts that reach it exactly hold (the others are 0); parts that fall
short of it cannot be judged and are not checked, so an omission is never taken for an error.
Each identity uses its own total (the eight answer kinds add up to the answers, 涉及事项, not to
the applications).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from opencc import OpenCC
from pydantic import BaseModel, ConfigDict

from tablerecon.cells import PINYIN, Cell, Kind, to_ascii_width
from tablerecon.labels import has_ordinal
from tablerecon.models import CellStatus, Check, Evidence, Report, Table
from tablerecon.templates import Equation, TableSpec, expand_identities, load_template

TEMPLATE = "stats-2014"
_COLUMN = "value"
#: Longest text read for prose: real reports hold some 20,000 characters, and the patterns cost
#: time in proportion to the text.
MAX_PROSE_CHARS = 500_000
#: A line this short that starts with an ordinal is a heading: it ends the sentence before it.
_HEADING_CHARS = 40

_T2S = OpenCC("t2s")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = "。;!?"
_TITLE_YEAR = re.compile(
    r"((?:19|20)\d\d)\s*年度?[^\n。;]{0,40}?(?:政府信息|信息|政务)公开[^\n。;]{0,12}?报告"
)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
#: What a pattern must not hold: a clause or sentence boundary (an escaped ? or !: bare ones are
#: regex syntax), or a wildcard that matches one.
_SPANS_CLAUSES = re.compile(r"[,。;\n]|\\[?!]|(?<!\\)\.|\[\^|\\[sSDW]")
_TITLE_LINES = 20


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Phrasing(_Frozen):
    """One way the prose states one indicator; see the data file's ``about``."""

    pattern: str
    units: tuple[str, ...] = ()
    clause_has: tuple[str, ...] = ()
    clause_lacks: tuple[str, ...] = ()
    sentence_has: tuple[str, ...] = ()
    sentence_lacks: tuple[str, ...] = ()


class ProseData(_Frozen):
    template: str
    variant: str
    about: str
    connectors: tuple[str, ...]
    approximate: tuple[str, ...]
    units: dict[str, tuple[str, ...]]
    min_statistics: int
    last_report_year: int
    rows: dict[str, tuple[Phrasing, ...]]


@dataclass(frozen=True, slots=True)
class Statement:
    """One figure found in the prose."""

    row: str
    value: float
    line: int
    sentence: str
    phrase: str
    start: int  # position of the number in the joined text
    approximate: bool


@cache
def prose_data() -> ProseData:
    """The phrasings, from JSON: a new wording of an indicator is a line of data, not code."""
    text = resources.files("tablerecon.templates").joinpath(f"{TEMPLATE}-prose.json").read_text("utf-8")
    return ProseData.model_validate(json.loads(text))


@cache
def _spec() -> TableSpec:
    """The template layout prose is read into (the national form: its keys, units, identities)."""
    data = prose_data()
    return next(s for s in load_template(data.template).tables if s.variant == data.variant)


@cache
def _patterns() -> tuple[tuple[str, Phrasing, re.Pattern[str]], ...]:
    """Every phrasing compiled, ``{n}`` replaced by connector, number, approximation and unit."""
    data = prose_data()
    spec_units = {r.key: r.unit for r in _spec().rows}
    connector = "(?:" + "|".join(re.escape(c) for c in sorted(data.connectors, key=len, reverse=True)) + ")?"
    approx = "(?P<approx>" + "|".join(re.escape(a) for a in data.approximate) + ")?"
    out = []
    for key, phrasings in data.rows.items():
        for p in phrasings:
            # ``statements`` scans the whole text once per pattern: a match must stay in one clause.
            if _SPANS_CLAUSES.search(p.pattern):
                raise ValueError(f"prose pattern of {key} may match across clauses: {p.pattern!r}")
            unit = spec_units.get(key)
            units = p.units or (data.units.get(unit, (unit,)) if unit else ())
            alternatives = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
            number = rf"{connector}(?P<num>(?<![\d.])\d+(?:\.\d+)?){approx}(?P<unit>{alternatives})"
            head, _, tail = p.pattern.partition("{n}")
            out.append((key, p, re.compile(f"(?P<phrase>{head}){number}{tail}")))
    return tuple(out)


def _prepare(text: str) -> str:
    """Prose in the form the patterns are written in: ASCII widths, no pinyin notes, simplified
    characters, straight quotes, no spaces."""
    text = _T2S.convert(PINYIN.sub("", to_ascii_width(text)))
    return _SPACE.sub("", text.replace("“", '"').replace("”", '"'))


def source_lines(cells: list[Cell]) -> dict[int, str]:
    """The text of each source line, put back together from its cells (pieces of a split line
    are joined with ``|`` so numbers of different cells never run together)."""
    pieces: dict[int, list[str]] = {}
    for cell in cells:
        text = cell.raw if cell.raw and cell.kind is not Kind.RUN else cell.text
        pieces.setdefault(cell.line, []).append(text)
    return {line: "|".join(p) for line, p in pieces.items()}


@dataclass(slots=True)
class _Joined:
    """The document's prose as one string, with the source line of every character. A line that
    does not end a sentence runs on into the next (a word broken over two lines is whole again);
    an empty line or a heading ends the sentence."""

    text: str
    starts: list[int]  # offset where each piece of text begins
    lines: list[int]  # its source line

    def line_at(self, offset: int) -> int:
        return self.lines[bisect_right(self.starts, offset) - 1]


def _join(lines: dict[int, str]) -> _Joined:
    """See ``_Joined``; reading stops at ``MAX_PROSE_CHARS``."""
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    size = 0
    previous = 0
    prev_heading = False
    for number in sorted(lines):
        text = _prepare(lines[number])
        if not text:
            continue
        heading = has_ordinal(text) and len(text) <= _HEADING_CHARS
        if parts and (number != previous + 1 or heading or parts[-1][-1] in _SENTENCE_END or prev_heading):
            parts.append("\n")
            size += 1
        starts.append(size)
        numbers.append(number)
        parts.append(text)
        size += len(text)
        previous, prev_heading = number, heading
        if size > MAX_PROSE_CHARS:
            break
    return _Joined("".join(parts)[:MAX_PROSE_CHARS], starts, numbers)


def _bounds(text: str, marks: str) -> list[int]:
    """Offsets of the characters in ``marks``: sentence or clause boundaries."""
    return [m.start() for m in re.finditer(f"[{re.escape(marks)}]", text)]


def _span(bounds: list[int], at: int, size: int) -> tuple[int, int]:
    """The piece of text between two boundaries that holds offset ``at``."""
    k = bisect_right(bounds, at)
    return (bounds[k - 1] + 1 if k else 0), (bounds[k] if k < len(bounds) else size)


def _any(words: tuple[str, ...], text: str) -> bool:
    """Whether any of the words occurs in the text (the context rules of a phrasing)."""
    return any(w in text for w in words)


def statements(cells: list[Cell]) -> tuple[list[Statement], _Joined]:
    """Every figure a known phrasing states, in text order (approximate ones included, marked).

    No pattern holds a comma, a sentence end or a line break, so each runs once over the whole
    text and every match falls inside one clause of one sentence: the cost is linear in the text.
    """
    joined = _join(source_lines(cells))
    text = joined.text
    sentence_ends = _bounds(text, _SENTENCE_END + "\n")
    clause_ends = _bounds(text, _SENTENCE_END + "\n,")
    found: list[Statement] = []
    for key, phrasing, pattern in _patterns():
        for m in pattern.finditer(text):
            s_lo, s_hi = _span(sentence_ends, m.start(), len(text))
            c_lo, c_hi = _span(clause_ends, m.start(), len(text))
            sentence, clause = text[s_lo:s_hi], text[c_lo:c_hi]
            if _any(phrasing.sentence_lacks, sentence) or _any(phrasing.clause_lacks, clause):
                continue
            if phrasing.sentence_has and not _any(phrasing.sentence_has, sentence):
                continue
            if phrasing.clause_has and not _any(phrasing.clause_has, clause):
                continue
            tail = text[m.end("unit") : m.end()]
            found.append(
                Statement(
                    row=key,
                    value=float(m.group("num")),
                    line=joined.line_at(m.start("num")),
                    sentence=sentence.strip(),
                    phrase=m.group("phrase") + ("…" + tail if tail else ""),
                    start=m.start("num"),
                    approximate=m.group("approx") is not None,
                )
            )
    found.sort(key=lambda st: (st.start, st.row))
    return found, joined


def report_year(joined_text: str) -> int | None:
    """The year in the document's title (靖江市人民政府2017年度政府信息公开报告), else the first
    year its opening lines name (the statistics period, 2017年1月1日至…), else None."""
    head = "\n".join(joined_text.split("\n")[:_TITLE_LINES])
    m = _TITLE_YEAR.search(head) or _ANY_YEAR.search(head)
    return int(m.group(1)) if m else None


def _settle(found: list[Statement]) -> tuple[dict[str, Statement], list[str]]:
    """One statement per row; rows stated with different values, numbers two rows claim, and
    approximations are left out, each with a note."""
    notes: list[str] = []
    claims: dict[int, set[str]] = {}
    for st in found:
        claims.setdefault(st.start, set()).add(st.row)
    contested = {row for rows in claims.values() if len(rows) > 1 for row in rows}
    chosen: dict[str, Statement] = {}
    values: dict[str, set[float]] = {}
    for st in found:
        if st.approximate:
            notes.append(f"row {st.row}: line {st.line} gives an approximate figure; not taken")
            continue
        if st.row in contested:
            continue
        values.setdefault(st.row, set()).add(st.value)
        chosen.setdefault(st.row, st)
    for row in sorted(contested):
        notes.append(f"row {row}: its number is also claimed by another indicator; left out")
    for row, vals in values.items():
        if len(vals) > 1:
            shown = ", ".join(f"{v:g}" for v in sorted(vals))
            notes.append(f"row {row}: the text states {shown}; left out")
            del chosen[row]
    return chosen, notes


def check_stated(
    values: np.ndarray, known: np.ndarray, equations: list[Equation], rows: list[str]
) -> tuple[list[Check], list[str]]:
    """Identities on stated values, where a part not stated is unknown but not negative (see the
    module docstring). Returns the checks and a note per identity that could not be judged."""
    checks: list[Check] = []
    notes: list[str] = []
    seen: set[tuple[tuple[int, int], ...]] = set()
    for eq in equations:
        totals = [(r, c) for r, c, a in eq.terms if a > 0]
        parts = [(r, c) for r, c, a in eq.terms if a < 0]
        stated = [(r, c) for r, c in parts if known[r, c]]
        if not all(known[r, c] for r, c in totals) or not stated:
            continue
        key = tuple(sorted(totals + stated))
        if key in seen:  # the same total and parts under another identity (P1 and P1b)
            continue
        seen.add(key)
        residual = round(sum(values[r, c] for r, c in totals) - sum(values[r, c] for r, c in stated), 9)
        missing = [rows[r] for r, c in parts if not known[r, c]]
        name = eq.name + (f" (not stated: {', '.join(missing)})" if missing else "")
        if missing and residual > 0:
            notes.append(f"{name}: the stated parts fall {residual:g} short of the total; not checked")
            continue
        cells = tuple((r, c) for r, c, _ in eq.terms)
        checks.append(Check(identity=name, holds=abs(residual) < 1e-6, residual=residual, cells=cells))
    return checks, notes


def prose_table(cells: list[Cell], report: Report) -> Table | None:
    """The ``stats`` table a pre-2019 prose report states, or None (see the module docstring).
    A document that gave a table, or an error about one (a table cut off), is not read as prose."""
    if report.tables or report.errors:
        return None
    data = prose_data()
    found, joined = statements(cells)
    year = report_year(joined.text)
    if year is not None and year > data.last_report_year:
        return None
    chosen, notes = _settle(found)
    if len(chosen) < data.min_statistics:
        return None
    spec = _spec()
    rows = [r.key for r in spec.data_rows]
    n = len(rows)
    values = np.full((n, 1), np.nan)
    known = np.zeros((n, 1), dtype=bool)
    status: list[list[CellStatus]] = [["unknown"] for _ in rows]
    lines: list[list[int | None]] = [[None] for _ in rows]
    labels = [r.label or r.key for r in spec.data_rows]
    evidence: list[Evidence] = []
    for i, key in enumerate(rows):
        st = chosen.get(key)
        if st is None:
            continue
        values[i, 0], known[i, 0] = st.value, True
        status[i], lines[i], labels[i] = ["read"], [st.line], st.phrase
        evidence.append(Evidence(row=key, column=_COLUMN, line=st.line, sentence=st.sentence))
    equations = expand_identities(spec, rows, [_COLUMN])
    checks, unchecked = check_stated(values, known, equations, rows)
    notes = [
        "figures read from the report's prose: rows it does not state are unknown",
        *notes,
        *unchecked,
    ]
    return Table(
        table=spec.table,
        template=data.template,
        title="",
        rows=rows,
        row_labels=labels,
        columns=[_COLUMN],
        column_labels=[next(c.label or c.key for c in spec.columns if c.key == _COLUMN)],
        values=values,
        status=status,
        lines=lines,
        checks=checks,
        notes=notes,
        style="prose",
        units=[r.unit for r in spec.data_rows],
        evidence=evidence,
    )
