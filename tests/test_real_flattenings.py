"""Real reports flattened the ways that once read them silently wrong (tests/data/real_flattenings/
README.md says how each was made): no cell may be wrong and marked read, blank or inferred in a
table not flagged ambiguous."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import ROOT

from tablerecon import extract_file, extract_text
from tablerecon.templates import load_template

DATA = ROOT / "tests" / "data" / "real_flattenings"
TEXTS = sorted(DATA.glob("*.txt"))
#: Flattenings that lose what no reading gets back (labels cut in half, pdftotext's default
#: order scrambling the requests table, cells run together where no identity tells the cuts:
#: ``规章3574``): only nothing silently wrong is asked of them.
#: The review table's header words as a page gives them, one cell each.
REVIEW_HEADER = (
    "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"
    + " 结果维持 结果纠正 其他结果 尚未审结 总计" * 2
)
LOSSY = {"html2text_cli__pingtan_2020", "lo_pdftotext__pingtan_2020", "bs_default__hz_city_2025"}


def test_every_flattening_has_its_truth() -> None:
    assert len(TEXTS) == 16
    assert all(path.with_suffix(".json").exists() for path in TEXTS)


@pytest.mark.parametrize("path", TEXTS, ids=[p.stem for p in TEXTS])
def test_no_cell_is_silently_wrong(path: Path) -> None:
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    report = extract_file(path)
    right = cells = 0
    for want in truth["tables"]:
        table = report.table(want["table"])
        cells += sum(len(row) for row in want["cells"])
        if table is None:
            continue
        for i, row in enumerate(want["rows"]):
            for j, column in enumerate(want["columns"]):
                if row not in table.rows or column not in table.columns:
                    continue
                r, c = table.rows.index(row), table.columns.index(column)
                got, status = table.values[r, c], table.status[r][c]
                value = 0.0 if math.isnan(got) else float(got)
                expected = float(want["cells"][i][j] or 0)
                if status != "unknown" and math.isclose(value, expected, abs_tol=1e-6):
                    right += 1
                    continue
                assert status == "unknown" or table.ambiguous, (
                    want["table"],
                    row,
                    column,
                    value,
                    status,
                    expected,
                )
    # The others are read, not left unknown to be safe.
    assert path.stem in LOSSY or right / cells > 0.9, (right, cells)


def test_a_total_the_report_left_blank_is_inferred() -> None:
    """上海市人民政府办公厅's 2019 report leaves the 总计 column of its result rows blank. The
    rows force those totals (a blank total: no cell is there to be wrong), where they were left
    unknown as a tie between a value the text lost and a source error."""
    report = extract_file(DATA / "bs_newline__shanghai_2019.txt")
    table = report.table("requests")
    assert table is not None and not table.ambiguous
    total = table.columns.index("total")
    granted, denied = table.rows.index("granted"), table.rows.index("denied_prohibited_by_law")
    assert table.values[granted, total] == 272 and table.status[granted][total] == "inferred"
    assert math.isnan(table.values[denied, total]) and table.status[denied][total] == "blank"
    assert sum(row[total] == "inferred" for row in table.status) == 11
    assert all(check.holds for check in table.checks)
    assert any("left blank" in note for note in table.notes)


def test_rows_of_pipes_that_close_with_no_pipe() -> None:
    """Python's html2text writes a row's cells apart by pipes with none at either end, so a row
    whose last cell is empty ends in a pipe (``（二）部分公开…| 3|  |  |  |  |  |``). That pipe was
    read as closing the row: every such row one blank short, the hints untrusted, the requests
    and review tables unknown. Where the document's rows that end in a value close with no
    pipe, it opens the last (empty) field."""
    report = extract_file(DATA / "html2text_py__shanghai_2019.txt")
    requests, review = report.table("requests"), report.table("review_litigation")
    assert requests is not None and not requests.ambiguous
    assert requests.values[requests.rows.index("partially_granted")].tolist()[:1] == [3]
    assert sum(status == "unknown" for row in requests.status for status in row) == 0
    assert review is not None and not review.ambiguous
    assert review.values[0, :5].tolist()[::3] == [5, 2] and review.values[0, 9] == 9


def test_a_lone_row_of_pipes_is_its_own_evidence() -> None:
    """markdownify draws each table on the HTML's grid: merged cells leave empty columns in the
    第二十条 tables' full rows, so the document's blank slots look stray, and the review table's
    one row, too few to judge alone, was judged on them: 15 cells unknown. A short row whose
    fields run to its line's end and whose empty ones are exactly the cells it lacks is evidence
    of its own."""
    review = extract_file(DATA / "markdownify__shanghai_2019.txt").table("review_litigation")
    assert review is not None and not review.ambiguous
    values = [0.0 if math.isnan(v) else v for v in review.values[0].tolist()]
    assert values == [5, 0, 0, 2, 7, 8, 0, 0, 1, 9, 0, 0, 0, 0, 0]
    assert review.status[0][1] == "blank"


def test_a_total_left_blank_with_a_mark_is_inferred_too() -> None:
    """The same report's requests table written one row a line with its blank cells marked
    ``-``, as many pages print them: a 总计 marked blank is a total the report left blank, as an
    empty cell is, and the rows force it (a 0 written there would be a cell that is wrong)."""
    truth = json.loads((DATA / "bs_newline__shanghai_2019.json").read_text(encoding="utf-8"))
    want = next(t for t in truth["tables"] if t["table"] == "requests")
    inferred = {row for row, _ in want["inferred"]}
    spec = next(s for s in load_template("requests-2019").tables if s.table == "requests")
    labels = {row.key: row.label for row in spec.rows}
    header = "申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计"
    lines = ["三、收到和处理政府信息公开申请情况", header]
    for key, cells in zip(want["rows"], want["cells"], strict=True):
        shown = [*cells[:-1], None if key in inferred else cells[-1]]
        lines.append(" | ".join([labels[key] or key, *("-" if v is None else str(v) for v in shown)]))
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    table = extract_text("\n".join(lines)).table("requests")
    assert table is not None and not table.ambiguous
    total = table.columns.index("total")
    assert [table.status[table.rows.index(key)][total] for key in sorted(inferred)] == ["inferred"] * 11
    assert table.values[table.rows.index("granted"), total] == 272


def test_empty_cells_written_nbsp_among_the_markups_empty_lines() -> None:
    """The same table as BeautifulSoup's ``get_text("\\n")`` gives it from a page whose empty
    cells hold ``&nbsp;`` (as Word writes them) and whose rows the markup breaks with empty lines:
    each blank cell is a line of one nbsp, and two empty lines end each row. Counting every
    empty line as a blank made no row add up, so the blank-line hints were distrusted and rows
    of two values came back ambiguous (21 placements each); the nbsp lines alone place them."""
    truth = json.loads((DATA / "bs_newline__shanghai_2019.json").read_text(encoding="utf-8"))
    want = next(t for t in truth["tables"] if t["table"] == "requests")
    inferred = {row for row, _ in want["inferred"]}
    spec = next(s for s in load_template("requests-2019").tables if s.table == "requests")
    labels = {row.key: row.label for row in spec.rows}
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "",
        "",
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        "",
        "",
    ]
    lines += ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "", ""]
    for key, cells in zip(want["rows"], want["cells"], strict=True):
        shown = [*cells[:-1], None if key in inferred else cells[-1]]
        lines += [labels[key] or key, *("\xa0" if v is None else str(v) for v in shown), "", ""]
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    table = extract_text("\n".join(lines)).table("requests")
    assert table is not None and not table.ambiguous
    got = [[0.0 if math.isnan(v) else v for v in row] for row in table.values.tolist()]
    assert table.rows == want["rows"]
    assert got == [[float(v or 0) for v in row] for row in want["cells"]]
    assert "unknown" not in {status for row in table.status for status in row}


def test_empty_cells_written_nbsp_on_a_page_joined_by_spaces() -> None:
    """The same table as ``get_text(" ")`` gives it: the whole page one line, every cell apart by
    a space, each empty cell a lone ``&nbsp;`` (``一、本年新收… 821 35 \\xa0 \\xa0 2 1 859``). Read
    as spaces, the rows of two or three values fitted many placements and the table was unknown.
    A lone no-break space is a blank cell where, with the row's values, it fills the table."""
    truth = json.loads((DATA / "bs_newline__shanghai_2019.json").read_text(encoding="utf-8"))
    want = next(t for t in truth["tables"] if t["table"] == "requests")
    inferred = {row for row, _ in want["inferred"]}
    spec = next(s for s in load_template("requests-2019").tables if s.table == "requests")
    labels = {row.key: row.label for row in spec.rows}
    words = ["三、收到和处理政府信息公开申请情况", "申请人情况", "自然人", "法人或其他组织", "总计"]
    words += ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    for key, cells in zip(want["rows"], want["cells"], strict=True):
        shown = [*cells[:-1], None if key in inferred else cells[-1]]
        words += [labels[key] or key, *("\xa0" if v is None else str(v) for v in shown)]
    # The review table: its one row has no label, its values follow the header's last word; the
    # page's blank cells are nbsp, and the next heading (worded as no template has it) and its
    # prose follow on the same line.
    words += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼"]
    words += [*REVIEW_HEADER.split(), "5", *["\xa0"] * 2, "2", "7", "8", *["\xa0"] * 2, "1", "9"]
    words += [
        *["\xa0"] * 5,
        "五、政府信息公开工作存在的主要问题及改进情况",
        "（一）主要问题",
        "一是专业领域的学习仍需加强。",
    ]
    report = extract_text(" ".join(words))
    table, review = report.table("requests"), report.table("review_litigation")
    assert table is not None and not table.ambiguous and table.rows == want["rows"]
    got = [[0.0 if math.isnan(v) else v for v in row] for row in table.values.tolist()]
    assert got == [[float(v or 0) for v in row] for row in want["cells"]]
    total = table.columns.index("total")
    assert [table.status[table.rows.index(key)][total] for key in sorted(inferred)] == ["inferred"] * 11
    assert review is not None and not review.ambiguous
    assert [0.0 if math.isnan(v) else v for v in review.values[0]] == [
        5,
        0,
        0,
        2,
        7,
        8,
        0,
        0,
        1,
        9,
        0,
        0,
        0,
        0,
        0,
    ]


def test_a_busy_bodys_rows_run_into_long_runs_of_digits() -> None:
    """``get_text()`` with no separator runs each row's cells into one string, its label too:
    ``一、本年新收政府信息公开申请数量136122520451283214069``. A 21-digit run has 38,760 cuts into
    seven cells, past the bound, and the requests table was all unknown; rows whose label opens
    with its ordinal (``2.其他法律…``) or follows its group's (``（三）不予公开1.属于国家秘密…``)
    kept their digits in the label. The cuts whose counts add up to their 总计 are few, and
    with the column identities the whole table reads as the page has it."""
    path = DATA / "bs_default__hz_city_2025.txt"
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    want = next(t for t in truth["tables"] if t["table"] == "requests")
    table = extract_file(path).table("requests")
    assert table is not None and not table.ambiguous and table.rows == want["rows"]
    assert table.values.tolist() == want["cells"]
    assert {status for row in table.status for status in row} == {"read"}
    assert table.checks and all(check.holds for check in table.checks)


def test_a_merged_header_cell_written_into_each_column() -> None:
    """pandas' read_html copies a merged cell into every column it spans, header and values
    alike (``信息内容,本年新 制作数量,本年新 公开数量,本年新 公开数量,对外公开总数量`` over
    ``规章,13,13,13,524``). The copied header cell became an extra column, put after the
    template's, and 对外公开总数量 took the third 13: silently wrong. The header's copies say
    which values are copies, and each is read once."""
    report = extract_file(DATA / "pd_csv__shanghai_2019.txt")
    first, procurement = report.table("active_20_1"), report.table("active_20_9")
    assert first is not None and first.columns == ["new_made", "new_published", "total_published"]
    assert first.values.tolist() == [[13, 13, 524], [60, 60, 368]]
    assert procurement is not None and procurement.values.tolist() == [[6, 251000]]


def test_a_data_frames_row_numbers_are_no_values() -> None:
    """pandas' to_string writes each row's number before it (``4   第二十条第（五）项 …``,
    ``3   一、本年新收… 64 0 0 0 2 0 4 70``). Glued into the captions, the numbers hid three of
    the 第二十条 tables, whose rows were read into the first as extra rows; in the requests table
    every row had one value too many and all 175 cells were unknown."""
    report = extract_file(DATA / "pd_string_index__pingtan_2021.txt")
    assert [t.table for t in report.tables] == [
        "active_20_1",
        "active_20_5",
        "active_20_6",
        "active_20_8",
        "requests",
        "review_litigation",
    ]
    first, requests = report.table("active_20_1"), report.table("requests")
    assert first is not None and first.rows == ["regulations", "normative_documents"]
    assert requests is not None and not requests.ambiguous
    assert requests.values[requests.rows.index("new_received")].tolist() == [64, 0, 0, 2, 0, 4, 70]
    assert all(s == "read" for row in requests.status for s in row)


def test_a_markdown_frames_row_number_opens_no_value() -> None:
    """to_markdown keeps the row number as a first field; on the review table's one row, which
    has no label, it was a 16th value for 15 columns and every cell was unknown."""
    review = extract_file(DATA / "pd_markdown__pingtan_2021.txt").table("review_litigation")
    assert review is not None and not review.ambiguous
    assert review.values.tolist() == [[1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]]


def test_nan_in_a_row_on_one_line_is_a_blank() -> None:
    """pandas writes an empty cell ``NaN``: a row's values up to its last ``NaN`` were read into
    its label (``二、上年结转… 18 NaN NaN NaN NaN NaN 18``), and 22 requests rows were not found."""
    requests = extract_file(DATA / "pd_string_index__shanghai_2019.txt").table("requests")
    assert requests is not None and not requests.ambiguous
    carried = requests.rows.index("carried_over")
    assert requests.status[carried] == ["read", *["blank"] * 5, "read"]
    assert requests.values[carried, 0] == 18 and requests.values[carried, 6] == 18
