"""Synthetic flattened reports with known truth, for measuring the engine beyond the few real ones.

A document is built in three steps, each from its own seeded random stream so that switching a
deformation on or off does not change the numbers: (1) the true tables, drawn like real ones and
consistent with the template identities; (2) the physical table rows as cells of text; (3) the
damage scrapers do (named ``Deformations``), then rendering in one of the flattening styles.
The truth records what the damage makes the engine unable to read directly: cells the text lost
but the identities force (``inferred``) and identities the source itself breaks
(``source_inconsistent``).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import opencc
from pydantic import BaseModel, ConfigDict, Field

from tablerecon.templates import Equation, TableSpec, expand_identities, load_template

Style = Literal["cell_per_line", "row_per_line", "glued"]
Num = int | float
Prob = float

STYLES: tuple[Style, ...] = get_args(Style)


class Deformations(BaseModel):
    """Per-document probability (0 never, 1 always) of each kind of damage seen in real scrapes.

    An enabled deformation is applied at least once; ``only(name)`` enables exactly one, which
    is what tests use to check that each kind of damage is handled on its own.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    style: Style = "cell_per_line"
    format: Literal["2019", "2021"] | None = Field(default=None, description="None: drawn from the seed.")
    blanks_hinted: Prob = Field(0.5, ge=0, le=1, description="zeros left blank; one extra empty line each")
    blanks_unhinted: Prob = Field(0.15, ge=0, le=1, description="zeros left blank and dropped without trace")
    placeholders: Prob = Field(0.1, ge=0, le=1, description="blank cells written as / - —")
    lost_value: Prob = Field(0.15, ge=0, le=1, description="a non-empty cell's line removed")
    stray_blank_lines: Prob = Field(0.1, ge=0, le=1, description="empty lines that are not blank cells")
    split_labels: Prob = Field(0.3, ge=0, le=1, description="a label broken over two lines")
    inner_spaces: Prob = Field(0.3, ge=0, le=1, description="a space inside a label (商业 企业)")
    padded_values: Prob = Field(0.3, ge=0, le=1, description="spaces or nbsp around numbers")
    traditional_pinyin: Prob = Field(0.05, ge=0, le=1, description="traditional script with pinyin")
    fullwidth: Prob = Field(0.2, ge=0, le=1, description="full-width brackets, punctuation and digits")
    units: Prob = Field(0.4, ge=0, le=1, description="unit written into amount cells (万元)")
    truncated_headers: Prob = Field(0.1, ge=0, le=1, description="column headers cut short (本年增/)")
    extra_rows: Prob = Field(0.05, ge=0, le=1, description="an annotated row the template lacks")
    totals_blank: Prob = Field(0.05, ge=0, le=1, description="总计 column blank in the result rows")
    wrong_total: Prob = Field(0.05, ge=0, le=1, description="a total the source got wrong")

    @classmethod
    def none(
        cls, style: Style = "cell_per_line", format: Literal["2019", "2021"] | None = None
    ) -> Deformations:
        """A clean document: every cell written, zeros as 0."""
        return cls(style=style, format=format, **dict.fromkeys(DEFORMATIONS, 0.0))

    @classmethod
    def only(
        cls, name: str, style: Style = "cell_per_line", format: Literal["2019", "2021"] | None = None
    ) -> Deformations:
        """Exactly one deformation, always applied."""
        if name not in DEFORMATIONS:
            raise KeyError(f"unknown deformation {name!r}; known: {', '.join(DEFORMATIONS)}")
        probs = dict.fromkeys(DEFORMATIONS, 0.0)
        probs[name] = 1.0
        return cls(style=style, format=format, **probs)


DEFORMATIONS: tuple[str, ...] = tuple(n for n in Deformations.model_fields if n not in ("style", "format"))


@dataclass(frozen=True)
class SynthDoc:
    """One synthetic report: its text, its truth (corpus truth format) and the damage applied."""

    text: str
    truth: dict[str, Any]
    deformations: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Step 1: true tables


@dataclass
class _Table:
    """A table's truth plus, per cell, how it will be written when it is not simply its value."""

    spec: TableSpec
    template: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Num | None]]
    texts: dict[tuple[int, int], str] = field(default_factory=dict)  # exact text of decimal cells
    hidden: dict[tuple[int, int], Literal["blank", "lost"]] = field(default_factory=dict)
    inferred: list[tuple[str, str]] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    extra_labels: dict[str, str] = field(default_factory=dict)

    def truth(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "table": self.spec.table,
            "template": self.template,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "cells": [list(r) for r in self.cells],
        }
        if self.inferred:
            out["inferred"] = [list(x) for x in self.inferred]
        if self.inconsistent:
            out["source_inconsistent"] = list(self.inconsistent)
        return out


def _log_uniform(rng: random.Random, lo: float, hi: float) -> int:
    """Counts in reports span orders of magnitude; draw the magnitude, not the value."""
    return round(lo * math.exp(math.log(hi / lo) * rng.random()))


def _count(rng: random.Random, size: int, zero: float, hi: float) -> int:
    """Zero with probability ``zero`` (more often for small bodies), else log-uniform up to a
    maximum that grows with the body's size: real tables mix 0, 3 and 4055284."""
    if rng.random() < min(0.95, zero + (0.4 if size == 0 else 0.0)):
        return 0
    return _log_uniform(rng, 1, max(2.0, hi * (0.01, 0.2, 1.0)[size]))


def _amount_text(rng: random.Random, hi: float, max_decimals: int) -> str:
    """An amount as written (950125.6165): trailing zeros trimmed so the text is the value."""
    value = hi ** rng.random()
    decimals = rng.randint(0, max_decimals)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _number(text: str) -> Num:
    return float(text) if "." in text else int(text)


def _active_tables(rng: random.Random, template: str, size: int) -> list[_Table]:
    """Section 二 tables: no identities, values of very different scales, signed changes."""
    out: list[_Table] = []
    for spec in load_template(template).tables:
        rows = [r.key for r in spec.data_rows]
        cols = list(spec.column_keys)
        t = _Table(spec, template, rows, cols, [[0] * len(cols) for _ in rows])
        for i in range(len(rows)):
            for j, col in enumerate(cols):
                t.cells[i][j] = _active_value(rng, spec.table, col, size, t, i, j)
        out.append(t)
    return out


def _active_value(rng: random.Random, table: str, col: str, size: int, t: _Table, i: int, j: int) -> Num:
    if col in ("new_made", "issued"):
        return _count(rng, size, 0.8 if t.rows[i] == "regulations" else 0.3, 150)
    if col == "new_published":
        made = int(t.cells[i][j - 1] or 0)
        return made if rng.random() < 0.8 else rng.randint(0, made)
    if col in ("total_published", "in_force"):
        return int(t.cells[i][0] or 0) + _count(rng, size, 0.2, 1500)
    if col == "repealed":
        return _count(rng, size, 0.9 if t.rows[i] == "regulations" else 0.6, 30)
    if col == "prev_items":
        return _count(rng, size, 0.2, 12000 if table == "active_20_6" else 1500)
    if col == "change":
        if rng.random() < 0.5:
            return 0
        prev = int(t.cells[i][0] or 0)
        return -rng.randint(0, max(1, prev // 10)) if rng.random() < 0.6 else rng.randint(1, 60)
    if col == "decisions":
        return _count(rng, size, 0.3, 4_000_000)
    if col == "items":
        return _count(rng, size, 0.3, 6000)
    if col == "amount":
        if rng.random() < 0.3 + (0.3 if size == 0 else 0.0):
            t.texts[(i, j)] = "0"
            return 0
        text = _amount_text(rng, 1_000_000 if table == "active_20_9" else 30000, 6)
        t.texts[(i, j)] = text
        return _number(text)
    return _count(rng, size, 0.4, 100)


# How often each result row is the outcome, relative to 予以公开.
_RESULT_WEIGHT = {
    "granted": 40.0,
    "partially_granted": 7.0,
    "unable_not_held": 20.0,
    "unable_needs_creation": 3.0,
    "unable_still_unclear": 2.0,
    "not_processed_complaint": 2.5,
    "not_processed_repeat": 2.0,
    "other": 3.0,
    "other_overdue_correction": 1.5,
    "other_overdue_fee": 0.3,
    "other_other": 2.0,
}
_COLUMN_WEIGHT = {
    "natural_person": 0.85,
    "commercial": 0.08,
    "research": 0.005,
    "public_interest": 0.01,
    "legal_service": 0.015,
    "other_org": 0.04,
}


def _requests_table(rng: random.Random, template: str, size: int) -> _Table:
    """Section 三: draw per-column outcomes, then derive the rows the identities Q1-Q3 fix."""
    spec = load_template(template).tables[0]
    rows = [r.key for r in spec.data_rows]
    cols = list(spec.column_keys)
    q2 = next(i for i in spec.identities if i.kind == "column_sum")
    results = list(q2.parts)
    t = _Table(spec, template, rows, cols, [[0] * len(cols) for _ in rows])
    r_idx = {k: i for i, k in enumerate(rows)}
    scale = [8, 300, 5000][size]
    # Most outcome rows stay empty even in big reports: each document uses only some of them.
    weights = [
        _RESULT_WEIGHT.get(k, 0.6) * (1.0 if k == "granted" else rng.choice([0.0, 0.0, 0.3, 1.0, 2.5]))
        for k in results
    ]
    nobody_asked = size == 0 and rng.random() < 0.3  # "本年度未收到政府信息公开申请"
    for j, col in enumerate(cols[:-1]):
        share = _COLUMN_WEIGHT.get(col, 0.01) * rng.uniform(0.3, 1.7)
        used = col == "natural_person" or rng.random() < min(0.9, 0.2 + 5 * share)
        handled = _log_uniform(rng, 1, scale * share + 1) if used and not nobody_asked else 0
        for k in rng.choices(results, weights=weights, k=handled):
            t.cells[r_idx[k]][j] = int(t.cells[r_idx[k]][j] or 0) + 1
        total = sum(int(t.cells[r_idx[k]][j] or 0) for k in results)
        over = rng.randint(0, max(0, total // 15)) if rng.random() < 0.5 else 0
        forward = rng.randint(0, max(0, total // 12)) if rng.random() < 0.5 else 0
        t.cells[r_idx["total"]][j] = total
        t.cells[r_idx["carried_over"]][j] = over
        t.cells[r_idx["carried_forward"]][j] = forward
        t.cells[r_idx["new_received"]][j] = total + forward - over
    for row in t.cells:
        row[-1] = sum(int(v or 0) for v in row[:-1])
    return t


def _review_table(rng: random.Random, size: int) -> _Table:
    """Section 四: mostly zeros; each group total is the sum of its four outcomes (L1-L3)."""
    spec = load_template("review-litigation").tables[0]
    cols = list(spec.column_keys)
    t = _Table(spec, "review-litigation", ["count"], cols, [[0] * len(cols)])
    busy = rng.random() < [0.25, 0.7, 0.95][size]
    for ident in spec.identities:
        j_total = cols.index(str(ident.total))
        for part in ident.parts:
            if busy and rng.random() < 0.6:
                t.cells[0][cols.index(part)] = _log_uniform(rng, 1, [3, 20, 150][size])
        t.cells[0][j_total] = sum(int(t.cells[0][cols.index(p)] or 0) for p in ident.parts)
    return t


def _failing(t: _Table) -> list[Equation]:
    """Identities that do not hold on the truth (blank counts as 0)."""
    eqs = expand_identities(t.spec, t.rows, t.columns)
    return [e for e in eqs if abs(sum(c * float(t.cells[i][j] or 0) for i, j, c in e.terms)) > 1e-9]


# --------------------------------------------------------------------------------------------
# Step 2: physical rows of cells

CellKind = Literal["caption", "header", "label", "value", "blank"]


@dataclass
class _Cell:
    text: str
    kind: CellKind
    table: str = ""
    pos: tuple[int, int] | None = None
    drop: bool = False  # not written at all (lost value, or blank dropped without hint)


_APPLICANTS = "申请人情况"
_ORGANISATIONS = "法人或其他组织"
_INFO = "信息内容"
_EXTRA_ROW_LABEL = "其他主动公开文件(含以本单位或本单位办公室名义正式签发的、除规范性文件以外的主动公开文件)"


def _value_cells(t: _Table, i: int) -> list[_Cell]:
    out: list[_Cell] = []
    for j, v in enumerate(t.cells[i]):
        how = t.hidden.get((i, j))
        if how == "lost":
            out.append(_Cell(_text(t, i, j), "value", t.spec.table, (i, j), drop=True))
        elif how == "blank" or v is None:
            out.append(_Cell("", "blank", t.spec.table, (i, j)))
        else:
            out.append(_Cell(_text(t, i, j), "value", t.spec.table, (i, j)))
    return out


def _text(t: _Table, i: int, j: int) -> str:
    v = t.cells[i][j]
    return t.texts.get((i, j), str(v))


def _row_label(t: _Table, key: str) -> str | None:
    if key in t.extra_labels:
        return t.extra_labels[key]
    return next(r.label for r in t.spec.rows if r.key == key)


def _data_rows(t: _Table) -> list[list[_Cell]]:
    """Data rows in template order; a group label is written once, before its first child."""
    out: list[list[_Cell]] = []
    pending: list[_Cell] = []
    keys = [r.key for r in t.spec.rows] + [k for k in t.rows if k in t.extra_labels]
    groups = {r.key for r in t.spec.rows if r.group}
    for key in keys:
        label = _row_label(t, key)
        if key in groups:
            pending.append(_Cell(str(label), "label", t.spec.table))
            continue
        cells = [*pending, *([_Cell(label, "label", t.spec.table)] if label else [])]
        out.append(cells + _value_cells(t, t.rows.index(key)))
        pending = []
    return out


def _active_rows(tables: list[_Table]) -> list[list[_Cell]]:
    out: list[list[_Cell]] = []
    for t in tables:
        out.append([_Cell(str(t.spec.caption), "caption", t.spec.table)])
        out.append(
            [_Cell(_INFO, "label", t.spec.table)]
            + [_Cell(str(c.label), "header", t.spec.table) for c in t.spec.columns]
        )
        out.extend(_data_rows(t))
    return out


def _requests_rows(t: _Table) -> list[list[_Cell]]:
    name = t.spec.table
    corner = next(w for w in t.spec.header_words if "勾稽" in w)
    labels = [str(c.label) for c in t.spec.columns]
    head = [
        [_Cell(corner, "label", name), _Cell(_APPLICANTS, "label", name)],
        [
            _Cell(labels[0], "header", name),
            _Cell(_ORGANISATIONS, "label", name),
            _Cell(labels[-1], "header", name),
        ],
        [_Cell(lab, "header", name) for lab in labels[1:-1]],
    ]
    return head + _data_rows(t)


def _review_rows(t: _Table) -> list[list[_Cell]]:
    """Header rows from the column paths: a node is written once, in the row of its depth."""
    paths = [str(c.path).split("/") for c in t.spec.columns]
    head: list[list[_Cell]] = []
    for depth in range(max(len(p) for p in paths)):
        seen: list[tuple[str, ...]] = []
        for p in paths:
            if len(p) > depth and tuple(p[: depth + 1]) not in seen:
                seen.append(tuple(p[: depth + 1]))
        head.append([_Cell(s[-1], "header" if depth else "label", t.spec.table) for s in seen])
    return head + _data_rows(t)


# --------------------------------------------------------------------------------------------
# Step 3: damage

_FULLWIDTH_DIGITS = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})
_FULLWIDTH_PUNCT = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})
_TRUNCATIONS = {
    "本年增/减": "本年增/",
    "本年新制作数量": "本年新",
    "本年新公开数量": "本年新",
    "现行有效件数": "现行有效件",
}
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.)")
# Characters whose traditional form mirror sites annotate, with the pinyin they append (seed 002).
_PINYIN_PAIRS = (
    "國:guó 開:kāi 報:bào 請:qǐng 據:jù 處:chù 結:jié 計:jì 與:yǔ 會:huì 類:lèi "
    "項:xiàng 數:shù 規:guī 關:guān 許:xǔ 強:qiáng 實:shí 務:wù 業:yè 機:jī 構:gòu "
    "審:shěn 辦:bàn 復:fù 訴:sù 議:yì 費:fèi 問:wèn 總:zǒng 體:tǐ 況:kuàng 動:dòng "
    "護:hù 權:quán 條:tiáo 轉:zhuǎn 為:wèi 發:fā 執:zhí 應:yīng 裡:lǐ 無:wú 維:wéi "
    "糾:jiū 織:zhī 組:zǔ 律:lǜ 門:mén 達:dá 歸:guī"
)
_PINYIN = dict(pair.split(":") for pair in _PINYIN_PAIRS.split())
_S2T = opencc.OpenCC("s2t")


def _space_at(label: str) -> int:
    """Where a stray space falls: after the ordinal ((三) 不予公开) or mid-word (商业 企业)."""
    m = _ORDINAL.match(label)
    return m.end() if m and len(label) - m.end() >= 2 else len(label) // 2


def _break_at(label: str, rng: random.Random) -> int:
    """Where a narrow cell wraps: after 本年新, or near the middle, never right after the ordinal."""
    if label.startswith("本年新") and len(label) > 4:
        return 3
    m = _ORDINAL.match(label)
    lo = (m.end() if m else 0) + 2
    return max(lo, min(len(label) - 2, len(label) // 2 + rng.randint(-2, 2)))


def _pick(rng: random.Random, items: list[_Cell], rate: float) -> list[_Cell]:
    """Some of the candidates (at least one, so an enabled deformation always shows)."""
    if not items:
        return []
    chosen = [c for c in items if rng.random() < rate]
    return chosen or [rng.choice(items)]


def _deform_labels(rng: random.Random, cells: list[_Cell], on: set[str], applied: dict[str, int]) -> None:
    labels = [c for c in cells if c.kind in ("label", "header") and len(c.text) >= 4 and "\n" not in c.text]
    if "truncated_headers" in on:
        heads = [c for c in cells if c.kind == "header" and c.table.startswith("active") and len(c.text) >= 5]
        for c in _pick(rng, heads, 0.3):
            cut = _TRUNCATIONS.get(c.text) or c.text[: rng.randint(3, len(c.text) - 1)]
            c.text, applied["truncated_headers"] = cut, applied["truncated_headers"] + 1
    if "inner_spaces" in on:
        # Seen: a space inside a four-character header (商业 企业) or after an ordinal ((三) 不予公开).
        spaced = [c for c in labels if (c.kind == "header" and len(c.text) == 4) or _ORDINAL.match(c.text)]
        for c in _pick(rng, spaced, 0.25):
            k = _space_at(c.text)
            c.text, applied["inner_spaces"] = c.text[:k] + " " + c.text[k:], applied["inner_spaces"] + 1
    if "split_labels" in on:
        narrow = [c for c in labels if " " not in c.text and (c.kind == "header" or len(c.text) >= 14)]
        # Headers wrap often (本年新 / 制作数量); long row labels only now and then.
        wrapped = [c for c in narrow if rng.random() < (0.3 if c.kind == "header" else 0.08)]
        for c in wrapped or _pick(rng, narrow, 0.0):
            k = _break_at(c.text, rng)
            # In the requests header the two halves sometimes become two cells (商业 / 企业).
            sep = "\n\n" if c.kind == "header" and c.table == "requests" and rng.random() < 0.3 else "\n"
            lead = "\xa0 " if sep == "\n" and rng.random() < 0.5 else ""
            c.text, applied["split_labels"] = (
                c.text[:k] + sep + lead + c.text[k:],
                applied["split_labels"] + 1,
            )


def _deform_values(
    rng: random.Random, cells: list[_Cell], on: set[str], applied: dict[str, int], tables: dict[str, _Table]
) -> None:
    values = [c for c in cells if c.kind == "value" and not c.drop]
    if "units" in on:
        amounts = [c for c in values if c.pos and tables[c.table].columns[c.pos[1]] == "amount"]
        for c in amounts:
            unit = "万元" if "." in c.text or c.table == "active_20_8" or rng.random() < 0.6 else "元"
            c.text, applied["units"] = c.text + unit, applied["units"] + 1
    if "fullwidth" in on:
        for c in _pick(rng, values, 0.15):
            c.text, applied["fullwidth"] = c.text.translate(_FULLWIDTH_DIGITS), applied["fullwidth"] + 1
    if "padded_values" in on:
        for c in _pick(rng, values, 0.3):
            pad = rng.choice(["\xa0", " ", "  ", "\xa0 "])
            c.text = pad + c.text if rng.random() < 0.7 else c.text + pad
            applied["padded_values"] += 1


def _render_blanks(rng: random.Random, cells: list[_Cell], mode: str, applied: dict[str, int]) -> None:
    """Blank cells as the document's producer wrote them: empty, absent or a placeholder mark."""
    mark = rng.choice(["/", "-", "—"])
    for c in cells:
        if c.kind != "blank":
            continue
        if mode == "blanks_unhinted":
            c.drop = True
        elif mode == "placeholders":
            c.text = mark if rng.random() < 0.9 else rng.choice(["/", "-", "—"])
        if mode:
            applied[mode] += 1


def _render_rows(rows: list[list[_Cell]], style: Style, stray: set[int]) -> list[str]:
    """Lines of one physical table; ``stray`` holds indices of cells followed by a stray empty line."""
    lines: list[str] = []
    if style == "glued":
        return ["".join(c.text.replace("\n", "") for row in rows for c in row if not c.drop)]
    for row in rows:
        if style == "row_per_line":
            texts = [c.text.replace("\n\n", " ").replace("\n", " ") for c in row if not c.drop]
            lines.append(" | ".join(texts) + " |")
            if any(id(c) in stray for c in row):
                lines.append("")
            continue
        for c in row:
            if c.drop:
                continue
            lines.extend([""] if c.kind == "blank" and c.text == "" else [*c.text.split("\n"), ""])
            if id(c) in stray:
                lines.append("")
    return lines


# --------------------------------------------------------------------------------------------
# Prose

_PLACES = [
    "南通市",
    "武汉市",
    "平潭综合实验区",
    "深圳市龙岗区",
    "保康县",
    "大冶市",
    "迁安市大五里镇",
    "抚松县东岗镇",
    "安康市",
    "济宁市",
    "如皋市",
    "东湖生态旅游风景区",
    "随县",
    "吉林市",
]
_BODIES = [
    "人民政府",
    "人民政府办公室",
    "生态环境局",
    "农业农村局",
    "自然资源和规划局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "住房和城乡建设局",
    "审计局",
    "教育局",
]
_TOPICS = [
    "财政预决算",
    "重大建设项目",
    "公共资源配置",
    "社会公益事业",
    "乡村振兴",
    "生态环境保护",
    "安全生产",
    "优化营商环境",
    "义务教育",
    "医疗卫生",
]
_OVERVIEW = [
    "{year}年,{org}坚持以习近平新时代中国特色社会主义思想为指导,认真贯彻落实《中华人民共和国政府信息公开条例》,"
    "全年主动公开政府信息{n1}条,其中政策解读{n2}篇。",
    "(一)主动公开。围绕{topic}等重点领域,通过政府网站发布信息{n1}条,政务微信公众号推送信息{n2}条,召开新闻发布会{n3}场。",
    "(二)依申请公开。{year}年共收到政府信息公开申请{req}件,均在法定期限内予以答复,未收取任何费用。",
    "(三)政府信息管理。印发《{short}政府信息公开工作规范》({code}〔{year}〕{num}号),开展公开前保密审查{n1}次。",
    "(四)平台建设。政府网站全年访问量{n1}万人次,新增栏目{n2}个,于{year}年{m}月{d}日完成网站集约化迁移。",
    "(五)监督保障。组织专题培训{n3}次,受训{n2}人次,将政务公开纳入年度绩效考核,分值占比{pct}%。",
    "(六)政策解读。对{n3}件重要政策文件同步开展图文解读,解读率达{pct}%,回应社会关切{n2}次。",
]
_PROBLEMS = [
    "{year}年政府信息公开工作虽取得一定成效,但仍存在一些不足:一是基层政务公开标准化规范化水平有待提升;"
    "二是政策解读形式较为单一。{next}年,将重点推进{n3}项工作,进一步提升公开质效。",
    "存在的主要问题:个别单位信息更新不及时,依申请公开答复的规范性有待加强。改进措施:一是加强培训,计划全年培训{n3}次;"
    "二是完善考核,每季度通报一次。",
]
_OTHER = [
    "(无)",
    "本机关{year}年度未收取信息处理费。",
    "依据《政府信息公开信息处理费管理办法》(国办函〔2020〕109号),本年度发出收费通知{zero}件,实际收取费用{zero}元。",
    "本年度无其他需要报告的事项。",
]


def _prose(rng: random.Random, template: str, **kw: object) -> str:
    nums = {
        "n1": rng.randint(20, 30000),
        "n2": rng.randint(1, 900),
        "n3": rng.randint(1, 60),
        "num": rng.randint(1, 150),
        "m": rng.randint(1, 12),
        "d": rng.randint(1, 28),
        "pct": rng.choice([85, 90, 95, 98, 100]),
        "zero": 0,
        "code": rng.choice(["办发", "政办发", "府办", "政发"]),
        "topic": rng.choice(_TOPICS),
    }
    return template.format(**nums, **kw)


def _document_lines(
    rng: random.Random, year: int, fmt: str, blocks: dict[str, list[str]], req: int, style: Style
) -> list[str]:
    """The whole report: title, prose sections 一 to 六, and the rendered tables in 二, 三, 四."""
    place, body = rng.choice(_PLACES), rng.choice(_BODIES)
    if place.endswith("镇"):
        body = "人民政府"
    org = place + body
    notice = "国办公开办函〔2019〕60号" if fmt == "2019" else "国办公开办函〔2021〕30号"
    kw: dict[str, object] = {"year": year, "org": org, "short": org, "req": req, "next": year + 1}
    paragraphs: list[str] = [
        f"{year}年{org}政府信息公开工作年度报告",
        f"来源: {org} 发布时间:{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d} 字体:[ 大 中 小 ]",
        f"根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告"
        f"有关事项的通知》({notice})要求,现公布{org}{year}年度政府信息公开工作年度报告。本报告所列数据的统计期限为"
        f"{year}年1月1日至{year}年12月31日。",
        "一、总体情况",
    ]
    picked = sorted(rng.sample(range(len(_OVERVIEW)), rng.randint(2, 5)))
    paragraphs += [_prose(rng, _OVERVIEW[k], **kw) for k in picked]
    out: list[str] = []
    gap = [""] if style == "cell_per_line" else []

    def para(text: str) -> None:
        out.extend([text, *gap])

    for p in paragraphs:
        para(p)
    para("二、主动公开政府信息情况")
    if rng.random() < 0.3:
        para("该部分以表格形式报告。表格如下:")
    out.extend(blocks["active"])
    para("三、收到和处理政府信息公开申请情况")
    if rng.random() < 0.3:
        para(f"{year}年度共收到政府信息公开申请{req}件。")
    out.extend(blocks["requests"])
    para("四、政府信息公开行政复议、行政诉讼情况")
    out.extend(blocks["review"])
    para(rng.choice(["五、存在的主要问题及改进情况", "五、存在问题及改进情况"]))
    para(_prose(rng, rng.choice(_PROBLEMS), **kw))
    para("六、其他需要报告的事项")
    para(_prose(rng, rng.choice(_OTHER), **kw))
    while out and out[-1] == "":
        out.pop()
    return out


def _traditional(rng: random.Random, text: str) -> str:
    """Traditional script as mirror sites make it, some characters followed by their pinyin."""
    trad = _S2T.convert(text)
    rate = rng.uniform(0.3, 1.0)
    return "".join(ch + f"({_PINYIN[ch]})" if ch in _PINYIN and rng.random() < rate else ch for ch in trad)


# --------------------------------------------------------------------------------------------
# Planting damage that changes the truth


def _plant_wrong_total(rng: random.Random, tables: list[_Table]) -> bool:
    """Change one total: the truth keeps the wrong value and names the identities it breaks."""
    candidates: list[tuple[_Table, int, int]] = []
    for t in tables:
        for ident in t.spec.identities:
            if ident.kind == "row_sum":
                j = t.columns.index(str(ident.total))
                candidates += [(t, i, j) for i in range(len(t.rows))]
            elif ident.kind == "column_sum":
                i = t.rows.index(str(ident.total))
                candidates += [(t, i, j) for j in range(len(t.columns))]
    if not candidates:
        return False
    t, i, j = rng.choice(candidates)
    old = int(t.cells[i][j] or 0)
    delta = rng.randint(1, max(1, min(10, old // 2 + 1)))
    t.cells[i][j] = old - delta if old - delta >= 0 and rng.random() < 0.5 else old + delta
    t.inconsistent = [e.name for e in _failing(t)]
    return True


def _forced_free(t: _Table) -> set[tuple[int, int]]:
    """Cells outside every broken identity: only these may be hidden and still be forced."""
    bad = {(i, j) for e in _failing(t) for i, j, _ in e.terms}
    return {(i, j) for i in range(len(t.rows)) for j in range(len(t.columns)) if (i, j) not in bad}


def _plant_totals_blank(rng: random.Random, t: _Table) -> int:
    """Shanghai style: the 总计 column left blank in the result rows; the row sum forces it."""
    q2 = next(i for i in t.spec.identities if i.kind == "column_sum")
    j = t.columns.index("total")
    free = _forced_free(t)
    rows = [t.rows.index(k) for k in q2.parts if (t.rows.index(k), j) in free]
    if rng.random() < 0.5:
        rows = rng.sample(rows, rng.randint(1, len(rows))) if rows else []
    for i in rows:
        t.hidden[(i, j)] = "blank"
        if t.cells[i][j]:
            t.inferred.append((t.rows[i], "total"))
        else:
            t.cells[i][j] = None
    return len(rows)


def _plant_lost(rng: random.Random, tables: list[_Table]) -> int:
    """Remove a few non-empty cells, each alone in its row and column (and, in section 四, in
    its group), so that one identity still forces each of them."""
    lost = 0
    for t in tables:
        busy_rows = {i for (i, _j) in t.hidden}
        cands = [(i, j) for (i, j) in sorted(_forced_free(t)) if t.cells[i][j] and i not in busy_rows]
        rng.shuffle(cands)
        want = rng.randint(1, 2) if len(t.rows) > 1 else 1
        rows_used: set[int] = set()
        cols_used: set[int] = set()
        for i, j in cands[: want * 4]:
            if len(rows_used) < want and i not in rows_used and j not in cols_used:
                t.hidden[(i, j)] = "lost"
                t.inferred.append((t.rows[i], t.columns[j]))
                rows_used.add(i)
                cols_used.add(j)
                lost += 1
    return lost


# --------------------------------------------------------------------------------------------


def generate(seed: int, deformations: Deformations | None = None, source: str | None = None) -> SynthDoc:
    """One synthetic report; the same seed and deformations always give the same bytes."""
    d = deformations or Deformations()
    values_rng = random.Random(f"tablerecon-synth:{seed}:values")
    deform_rng = random.Random(f"tablerecon-synth:{seed}:deform")
    prose_rng = random.Random(f"tablerecon-synth:{seed}:prose")

    fmt = d.format or ("2019" if values_rng.random() < 0.5 else "2021")
    year = values_rng.choice([2019, 2020] if fmt == "2019" else [2021, 2022, 2023, 2024])
    size = values_rng.choices([0, 1, 2], weights=[4, 4, 2])[0]
    active = _active_tables(values_rng, f"active-{fmt}", size)
    requests = _requests_table(values_rng, f"requests-{fmt}", size)
    review = _review_table(values_rng, size)
    identity_tables = [requests, review]

    on = {n for n in DEFORMATIONS if deform_rng.random() < getattr(d, n)}
    applied: dict[str, int] = dict.fromkeys(DEFORMATIONS, 0)

    blank_modes = [m for m in ("blanks_hinted", "blanks_unhinted", "placeholders") if m in on]
    blank_mode = deform_rng.choice(blank_modes) if blank_modes else ""
    if blank_mode:
        zero_blank = deform_rng.uniform(0.6, 1.0)
        for t in [*active, *identity_tables]:
            for row in t.cells:
                for j, v in enumerate(row):
                    if v == 0 and deform_rng.random() < zero_blank:
                        row[j] = None
    if "wrong_total" in on:
        applied["wrong_total"] += _plant_wrong_total(deform_rng, identity_tables)
    if "totals_blank" in on:
        applied["totals_blank"] += _plant_totals_blank(deform_rng, requests)
    if "lost_value" in on:
        applied["lost_value"] += _plant_lost(deform_rng, identity_tables)
    if "extra_rows" in on:
        t = active[0]
        t.rows.append("extra_row_1")
        t.extra_labels["extra_row_1"] = _EXTRA_ROW_LABEL
        made = _log_uniform(values_rng, 1, 300)
        t.cells.append([made, made, made + _log_uniform(values_rng, 1, 1000)])
        applied["extra_rows"] += 1

    physical = {
        "active": _active_rows(active),
        "requests": _requests_rows(requests),
        "review": _review_rows(review),
    }
    every = [c for rows in physical.values() for row in rows for c in row]
    tables = {t.spec.table: t for t in [*active, *identity_tables]}
    _deform_labels(deform_rng, every, on, applied)
    _deform_values(deform_rng, every, on, applied, tables)
    _render_blanks(deform_rng, every, blank_mode, applied)
    stray: set[int] = set()
    if "stray_blank_lines" in on and d.style != "glued":
        written = [c for c in every if not c.drop]
        stray = {id(c) for c in _pick(deform_rng, written, 0.02)}
        applied["stray_blank_lines"] += len(stray)
    blocks = {k: _render_rows(rows, d.style, stray) for k, rows in physical.items()}
    req_total = int(requests.cells[0][-1] or 0)
    lines = _document_lines(prose_rng, year, fmt, blocks, req_total, d.style)
    text = "\n".join(lines) + "\n"
    if "fullwidth" in on:
        # Labels and prose alike; numbers hold none of these marks, so they are untouched.
        full = text.translate(_FULLWIDTH_PUNCT)
        applied["fullwidth"] += full != text
        text = full
    if "traditional_pinyin" in on:
        text = _traditional(deform_rng, text)
        applied["traditional_pinyin"] += 1

    done = tuple(n for n in DEFORMATIONS if applied[n])
    truth = {
        "source": source or f"synth-{seed:05d}.txt",
        "note": f"synthetic (tablerecon.synth seed {seed}); format {fmt}, style {d.style}; "
        f"deformations: {', '.join(done) or 'none'}",
        "synth": {"seed": seed, "format": fmt, "year": year, "style": d.style, "deformations": list(done)},
        "tables": [t.truth() for t in [*active, requests, review]],
    }
    return SynthDoc(text=text, truth=truth, deformations=done)
