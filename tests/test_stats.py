"""Reports from before 2019: the 政府信息公开情况统计表 as a table (glued in 008, pipe rows with a unit
column) and as prose (seeds 000-003). Values, keys, the sentence behind each prose value, and the
identities: each checked against its own total, with no false alarm and every real mismatch
reported with its residual."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, ROOT, load_truth

from tablerecon import extract_file, extract_text
from tablerecon.batch import process_file
from tablerecon.cli import main
from tablerecon.models import Table
from tablerecon.prose import prose_data
from tablerecon.templates import all_tables, load_template

PROSE = {
    "000_cea6b8e4b48ba57b": CORPUS / "seeds" / "000_cea6b8e4b48ba57b.txt",
    "001_8832242d3bb33792": CORPUS / "seeds" / "001_8832242d3bb33792.txt",
    "002_ebc6586d6542aed6": CORPUS / "seeds" / "002_ebc6586d6542aed6.txt",
    "003_5e1e75984368fe21": CORPUS / "seeds" / "003_5e1e75984368fe21.txt",
}
GLUED_008 = CORPUS / "dev" / "008_pingtan_2018_page.txt"
SPEC_JSON = ROOT.parent / "shared" / "spec" / "templates.json"
CONTRACT_TABLE_KEYS = {
    "table", "template", "title", "rows", "row_labels", "columns", "cells", "cell_status",
    "cell_lines", "checks", "ambiguous", "alternatives",
}  # fmt: skip


def _stats(path: Path | None = None, text: str | None = None) -> Table:
    report = extract_file(path) if path is not None else extract_text(text or "")
    assert report.errors == []
    table = report.table("stats")
    assert table is not None
    return table


def _checks(table: Table) -> list[tuple[str, bool, float]]:
    """(identity id, holds, residual) of each check, in order."""
    return [(c.identity.split()[0], c.holds, c.residual) for c in table.checks]


def _seed(stem: str) -> str:
    return PROSE[stem].read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The template


def test_template_has_both_layouts_with_units_and_verified_notes() -> None:
    template = load_template("stats-2014")
    variants = {spec.variant: spec for spec in template.tables}
    assert set(variants) == {"national", "fujian-local"}
    for spec in template.tables:
        assert spec.table == "stats" and spec.verified
        assert [c.key for c in spec.columns] == ["value", "cumulative"]
        assert [c.optional for c in spec.columns] == [False, True]
        keys = {r.key for r in spec.rows}
        for row in spec.rows:
            assert row.verified, row.key
            assert row.group or row.unit, row.key  # every data row has its unit
        for ident in spec.identities:
            assert ident.kind == "column_sum" and ident.verified
            assert {ident.total, *ident.parts} <= keys
    # The stats table is found by find/match like any other: its template is loaded with the rest.
    assert any(spec.table == "stats" for _, spec in all_tables())


@pytest.mark.skipif(not SPEC_JSON.exists(), reason="shared spec not available")
def test_national_keys_are_the_specs() -> None:
    spec_rows = json.loads(SPEC_JSON.read_text(encoding="utf-8"))["pre2019"]["national"]["rows"]
    national = next(s for s in load_template("stats-2014").tables if s.variant == "national")
    ours = [r.key for r in national.rows]
    theirs = [r["key"] for r in spec_rows]
    assert [k for k in ours if k in theirs] == theirs  # all of them, in the spec's order
    # P5 (复议 = 维持 + 纠错 + 其他) is left out: seed 000 received 8 reviews and closed 4.
    assert not {i.id for i in national.identities} & {"P5a", "P5b", "P5c"}


def test_prose_patterns_name_template_rows() -> None:
    national = next(s for s in load_template("stats-2014").tables if s.variant == "national")
    assert set(prose_data().rows) <= {r.key for r in national.data_rows}


# --------------------------------------------------------------------------------------------
# The glued table of 008


def test_glued_008_matches_its_truth() -> None:
    want = load_truth("008_pingtan_2018_page")["tables"][0]
    table = _stats(GLUED_008)
    assert (table.template, table.rows, table.columns) == (want["template"], want["rows"], want["columns"])
    assert table.style == "glued"
    assert table.units == want["units"]  # the unit cell between label and values is kept, not a row
    contract = table.to_contract()
    unknown = set()
    for i, row in enumerate(want["rows"]):
        for j, _ in enumerate(want["columns"]):
            if contract["cell_status"][i][j] == "unknown":
                unknown.add(row)
                continue
            assert contract["cells"][i][j] == want["cells"][i][j], row
    # 206912106 splits six ways and nothing ties the row to another: unknown, flagged, not guessed.
    assert unknown == {"s1_1", "s1_2_web"}
    assert table.ambiguous and table.alternatives > 0
    assert _checks(table) == [
        ("LP1", True, 0.0), ("LP1", True, 0.0), ("LP3", True, 0.0), ("LP3", True, 0.0),
    ]  # fmt: skip


def test_show_and_batch_take_the_stats_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(GLUED_008)]) == 0
    out = capsys.readouterr().out
    assert "stats" in out and "stats-2014" in out and "s3_1_letter_fax" in out
    result = process_file(str(PROSE["000_cea6b8e4b48ba57b"]))
    assert result.status == "ok" and result.template_year == "2014" and result.style == "prose"
    assert {c.table_id for c in result.cells} == {"stats"}
    assert ("s3_1", 133.0, "read", 33) in {(c.row_key, c.value, c.status, c.line) for c in result.cells}


# --------------------------------------------------------------------------------------------
# A table laid out like the national form: pipe rows, a unit column, one value column


NATIONAL_TABLE = """某县人民政府2017年政府信息公开工作年度报告
附表:2017年度政府信息公开情况统计表
统计指标 | 单位 | 统计数 |
一、主动公开情况 | — | |
(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条) | 条 | 7662 |
三、依申请公开情况 | — | |
(一)收到申请数 | 件 | 133 |
1.当面申请数 | 件 | 28 |
2.传真申请数 | 件 | 0 |
3.网络申请数 | 件 | 64 |
4.信函申请数 | 件 | 41 |
(三)申请答复数 | 件 | 105 |
1.属于已主动公开范围数 | 件 | 21 |
2.同意公开答复数 | 件 | 41 |
3.同意部分公开答复数 | 件 | 6 |
4.不同意公开答复数 | 件 | 13 |
5.不属于本行政机关公开数 | 件 | 11 |
6.申请信息不存在数 | 件 | 4 |
7.告知作出更改补充数 | 件 | 3 |
8.告知通过其他途径办理数 | 件 | 6 |
八、机构建设和保障经费情况 | — | |
(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费) | 万元 | 3.5 |
九、其他需要报告的事项
"""


def test_national_layout_one_value_column_units_and_identities() -> None:
    table = _stats(text=NATIONAL_TABLE)
    assert table.columns == ["value"]  # no 历年累计 in the header
    assert table.style == "row_per_line" and not table.ambiguous
    assert table.cell("s3_1", "value") == 133 and table.cell("s8_4", "value") == 3.5
    assert table.units[table.rows.index("s8_4")] == "万元"
    assert _checks(table) == [("P1", True, 0.0), ("P3", True, 0.0)]
    assert not any("outside any row" in n for n in table.notes)  # the group rows' — are units


def test_cumulative_column_when_the_header_has_it() -> None:
    text = NATIONAL_TABLE.replace("统计数 |", "统计数 | 历年累计 |").replace("| 133 |", "| 133 | 1500 |")
    table = _stats(text=text)
    assert table.columns == ["value", "cumulative"]
    assert table.cell("s3_1", "cumulative") == 1500


def test_table_mismatch_is_reported_with_its_residual() -> None:
    table = _stats(text=NATIONAL_TABLE.replace("3.网络申请数 | 件 | 64 |", "3.网络申请数 | 件 | 60 |"))
    assert ("P1", False, 4.0) in _checks(table)
    assert ("P3", True, 0.0) in _checks(table)


# --------------------------------------------------------------------------------------------
# Statistics told in prose


@pytest.mark.parametrize("stem", sorted(PROSE))
def test_prose_statistics_match_truth(stem: str) -> None:
    want = load_truth(stem)["tables"][0]
    table = _stats(PROSE[stem])
    assert (table.table, table.template, table.style) == ("stats", "stats-2014", "prose")
    assert table.rows == want["rows"] and table.columns == want["columns"] == ["value"]
    assert not table.ambiguous
    got = {r: table.cell(r, "value") for r in table.rows}
    assert got == {r: cells[0] for r, cells in zip(want["rows"], want["cells"], strict=True)}
    # Every value cites its line and sentence; only stated rows are read, the rest unknown.
    cited = {(e.row, e.line, e.sentence) for e in table.evidence}
    assert cited == {(e["row"], e["line"], e["sentence"]) for e in want["evidence"]}
    for i, row in enumerate(table.rows):
        stated = got[row] is not None
        assert table.status[i] == (["read"] if stated else ["unknown"]), row
        if stated:
            line = table.lines[i][0]
            assert line == next(e["line"] for e in want["evidence"] if e["row"] == row)
            assert any(ch.isdigit() for ch in PROSE[stem].read_text(encoding="utf-8").split("\n")[line - 1])


@pytest.mark.parametrize("stem", sorted(PROSE))
def test_prose_identities_checked_against_the_right_total(stem: str) -> None:
    want = load_truth(stem)["tables"][0]
    table = _stats(PROSE[stem])
    assert _checks(table) == [(c["identity"], c["holds"], float(c["residual"])) for c in want["checks"]]
    violated = [c.identity for c in table.checks if not c.holds]
    assert violated == want.get("source_inconsistent", [])


def test_seed000_answers_are_summed_to_the_matters_not_the_applications() -> None:
    table = _stats(PROSE["000_cea6b8e4b48ba57b"])
    assert table.cell("s3_1", "value") == 133 and table.cell("s3_3", "value") == 105
    p3 = next(c for c in table.checks if c.identity.startswith("P3"))
    assert p3.holds and {table.rows[r] for r, _ in p3.cells} >= {"s3_3", "s3_3_already"}
    assert "s3_1" not in {table.rows[r] for r, _ in p3.cells}


def test_seed003_reports_its_broken_refusal_breakdown() -> None:
    """111 否决公开 of which 28 + 49 + 5 + 30 = 112: the source's own error, reported, not hidden."""
    table = _stats(PROSE["003_5e1e75984368fe21"])
    assert ("P4b", False, -1.0) in _checks(table)


@pytest.mark.parametrize(
    ("stem", "old", "new", "check"),
    [
        ("000_cea6b8e4b48ba57b", "网络申请64起", "网络申请65起", ("P1", False, -1.0)),
        ("000_cea6b8e4b48ba57b", "涉及事项105件", "涉及事项104件", ("P3", False, -1.0)),
        ("000_cea6b8e4b48ba57b", "同意公开答复41件", "同意公开答复44件", ("P3", False, -3.0)),
        ("003_5e1e75984368fe21", "当面申请数为2180件", "当面申请数为2100件", ("P1b", False, 80.0)),
        ("003_5e1e75984368fe21", "兼职工作人员1099人", "兼职工作人员1090人", ("P6", False, 9.0)),
    ],
)
def test_prose_mismatch_is_reported_with_its_residual(
    stem: str, old: str, new: str, check: tuple[str, bool, float]
) -> None:
    text = _seed(stem)
    assert text.count(old) == 1
    assert check in _checks(_stats(text=text.replace(old, new)))


def test_parts_short_of_their_total_are_not_an_alarm_when_a_part_is_unstated() -> None:
    """133 applications, 60 + 28 + 41 stated: 传真 may hold the 4, so P1 cannot be judged."""
    table = _stats(text=_seed("000_cea6b8e4b48ba57b").replace("网络申请64起", "网络申请60起"))
    assert not [c for c in table.checks if c.identity.startswith("P1")]
    assert any(n.startswith("P1") and "not checked" in n for n in table.notes)


NOT_STATISTICS = """某市人民政府2016年政府信息公开工作年度报告
本报告所列数据的统计期限自2016年1月1日起至2016年12月31日止。如有疑问请联系(电话:0722-3567882;传真:89180800)。
根据《关于做好政务公开工作的通知》(苏政办发〔2017〕64号)要求,全市公开工作有序推进。
全年共收到政府信息公开申请2016年度汇总表1份,答复率达到100%。
收到政府信息公开申请约30件,政务微博公开信息20余条,政务微信公开信息近50条。
其中当面申请数占85.5%,网络申请数占14.5%。
"""


def test_dates_numbers_phones_percentages_years_and_approximations_are_never_taken() -> None:
    report = extract_text(NOT_STATISTICS)
    assert report.tables == [] and report.errors == []


def test_an_indicator_stated_twice_differently_is_left_out() -> None:
    text = (
        "某县2016年政府信息公开工作年度报告\n"
        "全年主动公开政府信息500条。全县共受理政府信息公开申请12件,其中当面申请5件,网络申请7件。\n"
        "县政府办主动公开政府信息300条。\n"
    )
    table = _stats(text=text)
    assert table.cell("s1_1", "value") is None
    assert any("s1_1" in n and "left out" in n for n in table.notes)
    assert table.cell("s3_1", "value") == 12 and _checks(table) == [("P1", True, 0.0)]


def test_prose_needs_two_statistics_a_pre2019_year_and_no_table() -> None:
    one = "某县2016年政府信息公开工作年度报告\n全县共受理政府信息公开申请12件。\n"
    assert extract_text(one).tables == []
    later = _seed("000_cea6b8e4b48ba57b").replace("2017年度政府信息公开报告", "2019年度政府信息公开报告")
    assert extract_text(later.replace("2017年1月1日", "2019年1月1日")).tables == []
    # The 2020 distractor states applications in prose but is no pre-2019 report.
    assert extract_file(CORPUS / "dev" / "036_shandong_jining_renshe_2020_excerpt.txt").tables == []
    # A document with a table of its own is not read as prose (008's prose states 2069 too).
    assert [t.style for t in extract_file(GLUED_008).tables] == ["glued"]


def test_contract_is_unchanged_by_the_new_fields() -> None:
    report = extract_file(PROSE["000_cea6b8e4b48ba57b"])
    contract: dict[str, Any] = report.to_contract()
    assert set(contract) == {"source", "tables", "errors"}
    assert set(contract["tables"][0]) == CONTRACT_TABLE_KEYS
    assert report.tables[0].evidence and report.tables[0].units
