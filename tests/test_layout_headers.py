"""A table laid out in fixed-width columns whose values leave columns empty: where the header's
labels stand says which column each value is in. html-to-text (npm) prints a page's tables so,
each column as wide as its widest cell plus a space, values under their header's first character;
a small body's requests table has values in 自然人 and 总计 alone, too few places to tell seven
columns apart by the values themselves."""

from __future__ import annotations

import math

import numpy as np

from tablerecon import extract_text
from tablerecon.normalize import normalize

COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

#: The requests table of a 2021 report: (group label or "", row label, values by column index).
ROWS: list[tuple[str, str, dict[int, int]]] = [
    ("", "一、本年新收政府信息公开申请数量", {0: 30, 1: 2, 6: 32}),
    ("", "二、上年结转政府信息公开申请数量", {}),
    ("三、本年度办理结果", "（一）予以公开", {0: 12, 6: 12}),
    ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", {0: 3, 6: 3}),
    ("（三）不予公开", "1.属于国家秘密", {}),
    ("", "2.其他法律行政法规禁止公开", {}),
    ("", "3.危及“三安全一稳定”", {}),
    ("", "4.保护第三方合法权益", {}),
    ("", "5.属于三类内部事务信息", {}),
    ("", "6.属于四类过程性信息", {}),
    ("", "7.属于行政执法案卷", {}),
    ("", "8.属于行政查询事项", {}),
    ("（四）无法提供", "1.本机关不掌握相关政府信息", {0: 10, 1: 2, 6: 12}),
    ("", "2.没有现成信息需要另行制作", {0: 5, 6: 5}),
    ("", "3.补正后申请内容仍不明确", {}),
    ("（五）不予处理", "1.信访举报投诉类申请", {}),
    ("", "2.重复申请", {}),
    ("", "3.要求提供公开出版物", {}),
    ("", "4.无正当理由大量反复申请", {}),
    ("", "5.要求行政机关确认或重新出具已获取信息", {}),
    ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", {}),
    ("", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", {}),
    ("", "3.其他", {}),
    ("", "（七）总计", {0: 30, 1: 2, 6: 32}),
    ("", "四、结转下年度继续办理", {}),
]


def _laid_out(header_at_columns: bool = True, rows: list[tuple[str, str, dict[int, int]]] = ROWS) -> str:
    """The table as html-to-text lays it out: every column as wide, in characters, as its widest
    cell and a space; each cell at its column's first character. With ``header_at_columns``
    false, the header's labels are written one after the other from the line's start, as a
    flattening that drops a merged cell's span does: over other places than the values."""
    groups = max(len(g) for g, _, _ in rows) + 1
    labels = groups + max(len(label) for _, label, _ in rows) + 1
    widths = [max(len(name), 3) + 1 for name in COLUMNS]
    starts = [labels + sum(widths[:j]) for j in range(len(COLUMNS))]

    def line(cells: list[tuple[int, str]]) -> str:
        out = ""
        for at, text in cells:
            out = out.ljust(at) + text
        return out.rstrip()

    if header_at_columns:
        first = [(starts[0], COLUMNS[0]), (starts[1], "法人或其他组织"), (starts[6], COLUMNS[6])]
        second = [(starts[j], COLUMNS[j]) for j in range(1, 6)]
    else:
        first = [(0, "自然人  法人或其他组织  总计")]
        second = [(0, "  ".join(COLUMNS[1:6]))]
    lines = [
        "三、收到和处理政府信息公开申请情况",
        "",
        line([(labels, "申请人情况")]),
        line(first),
        line(second),
    ]
    for group, label, values in rows:
        # A group's label beside its first row's, one space between (html-to-text's way).
        cells = [(0, f"{group} {label}")] if group else [(groups, label)]
        if not group and label[:2] in ("一、", "二、", "四、"):
            cells = [(0, label)]
        cells += [(starts[j], str(v)) for j, v in sorted(values.items())]
        lines.append(line(cells))
    return "\n".join(["二、主动公开政府信息情况", "", *lines, "", "五、存在的主要问题及改进情况", ""])


def _truth() -> list[list[float]]:
    return [[float(values.get(j, 0)) for j in range(len(COLUMNS))] for _, _, values in ROWS]


def test_values_standing_under_their_headers_are_read_in_those_columns() -> None:
    """Three places for seven columns: the values alone cannot say which columns they are in
    (``30 2 32`` fits 自然人, 商业企业, 总计 as well as 自然人, 科研机构, 总计); the header over
    them does. Before, every row of more than one value and fewer than seven was unknown."""
    table = extract_text(_laid_out()).table("requests")
    assert table is not None and table.template == "requests-2021"
    assert not table.ambiguous
    got = [[0.0 if math.isnan(v) else float(v) for v in row] for row in table.values.tolist()]
    assert got == _truth()
    assert {s for row in table.status for s in row} == {"read", "blank"}


def test_a_group_label_beside_a_blank_rows_label_is_two_labels() -> None:
    """``三、本年度办理结果 （一）予以公开`` alone on its line (the row left blank) was read as one
    label, which matched no row: the row's cells were unknown instead of blank."""
    rows = list(ROWS)
    rows[2] = ("三、本年度办理结果", "（一）予以公开", {})
    rows[3] = (rows[3][0], rows[3][1], {0: 15, 6: 15})
    text = _laid_out(rows=rows)
    assert "三、本年度办理结果 （一）予以公开\n" in text
    table = extract_text(text).table("requests")
    assert table is not None and not table.ambiguous
    assert table.status[table.rows.index("granted")] == ["blank"] * len(COLUMNS)
    assert table.values[table.rows.index("partially_granted")].tolist()[::6] == [15, 15]


def test_a_header_written_over_other_places_than_the_values_tells_nothing() -> None:
    """The same table with the header's labels written from the line's start: they stand over
    no value, and no column is told by them. The rows that only identities cannot place stay
    unknown; nothing is read into a wrong column."""
    table = extract_text(_laid_out(header_at_columns=False)).table("requests")
    assert table is not None
    unknown = sum(s == "unknown" for row in table.status for s in row)
    assert unknown > 0 and table.ambiguous
    truth = _truth()
    for i, row in enumerate(table.status):
        for j, status in enumerate(row):
            if status != "unknown":
                value = table.values[i, j]
                assert (0.0 if math.isnan(value) else value) == truth[i][j], (table.rows[i], COLUMNS[j])


#: The (六) table of section 二 as lynx printed a generated report (sweep S, g088): its two rows'
#: labels are as long counted in characters as in display columns.
LYNX_SIXTH = """二、主动公开政府信息情况
               第二十条第（六）项
   信息内容       上一年项目数量 本年增/减   处理决定数量
   行政处罚                             4
   行政强制                             1
               第二十条第（八）项
三、收到和处理政府信息公开申请情况
"""


def test_a_header_read_one_way_only_where_rows_do_not_say_which_tells_nothing() -> None:
    """Two rows whose labels are as long counted in characters as in display columns: their
    values stand aligned either way, and neither the table nor the rest of the text says which
    way it was laid out. Read in display columns, a value right-aligned under 处理决定数量 (in
    characters) stands under 本年增/减: taken so, it was read into the wrong column, silently."""
    assert normalize(LYNX_SIXTH).place_unit is None
    table = extract_text(LYNX_SIXTH).table("active_20_6")
    assert table is not None and table.columns == ["prev_items", "change", "decisions"]
    truth = [[None, None, 4], [None, None, 1]]
    for i, row in enumerate(table.status):
        for j, status in enumerate(row):
            if status in ("read", "inferred"):
                assert table.values[i, j] == truth[i][j], (table.rows[i], table.columns[j])


#: A generated report's section 二 (its first table) and section 四, as html-to-text printed it
#: (sweep S, g000): every column as wide in characters as its widest cell, a CJK character one.
H2T_REVIEW = (
    "二、主动公开政府信息情况\n"
    "\n"
    "第二十条第（一）项\n"
    "信息内容      本年制发件数   本年废止件数   现行有效件数\n"
    "规章                 2        \n"
    "行政规范性文件            5        \n"
    "\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
    "\n"
    "行政复议                             行政诉讼\n"
    "结果维持   结果纠正   其他结果   尚未审结   总计   未经复议直接起诉                         复议后起诉\n"
    "                                 结果维持   结果纠正   其他结果   尚未审结   总计   结果维持   结果纠正"
    "   其他结果   尚未审结   总计\n"
    "3      3      2      2      10   2      3      7      9      21   5      3             3      11\n"
    "\n"
    "五、存在的主要问题及改进情况\n"
)

#: The same report as w3m printed it, 132 columns wide: places counted in display columns.
W3M_REVIEW = (
    "二、主动公开政府信息情况\n"
    "\n"
    "                  第二十条第（一）项\n"
    "信息内容        本年制发件数 本年废止件数 现行有效件数\n"
    "规章                              2\n"
    "行政规范性文件                    5\n"
    "\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
    "\n"
    "                行政复议                                                     行政诉讼\n"
    "结果维持 结果纠正 其他结果 尚未审结 总计             未经复议直接起诉"
    "                            复议后起诉\n"
    "                                         结果维持 结果纠正 其他结果 尚未审结 总计"
    " 结果维持 结果纠正 其他结果 尚未审结 总计\n"
    "   3        3        2        2      10     2        3        7        9      21     5        3"
    "                 3      11\n"
    "\n"
    "五、存在的主要问题及改进情况\n"
)


def test_a_text_laid_out_in_columns_counts_places_one_way_throughout() -> None:
    """规章's and 行政规范性文件's values stand aligned in characters in html-to-text's text and
    in display columns in w3m's (the labels differ by five CJK characters): that is each
    text's way. A text not laid out in columns has none."""
    assert normalize(H2T_REVIEW).place_unit == 0
    assert normalize(W3M_REVIEW).place_unit == 2
    assert (
        normalize("二、主动公开政府信息情况\n第二十条第（一）项\n规章\n2\n行政规范性文件\n5\n").place_unit
        is None
    )


def test_a_one_row_table_is_read_the_way_its_document_counts_places() -> None:
    """The review table is one row: its values alone cannot show which way the text counts
    places, and where the two ways read its header differently, or only one reads it, nothing
    was taken from it (the four cells after the blank one were unknown). The rows of section
    二 show the way: read so, the whole row is right, its blank cell under 其他结果."""
    truth = [3, 3, 2, 2, 10, 2, 3, 7, 9, 21, 5, 3, 0, 3, 11]
    for text, way in ((H2T_REVIEW, "characters"), (W3M_REVIEW, "display columns")):
        table = extract_text(text).table("review_litigation")
        assert table is not None and not table.ambiguous
        # Whoever debugs the table is told where its blank cells came from.
        assert any("under the header's labels" in note and way in note for note in table.notes)
        assert np.nan_to_num(table.values[0]).tolist() == truth
        assert table.status[0][12] == "blank"
        assert all(check.holds for check in table.checks)


def test_a_value_reaching_a_character_into_the_next_columns_label_is_under_neither() -> None:
    """pdfplumber's layout keeps a CJK label's start but counts it a character a glyph: a value
    right-aligned in its column reaches a character into the next column's centred label. Read as
    under that label, 5205 and 1747 went to 现行有效件数 instead of 本年废止件数, silently."""

    def line(cells: list[tuple[int, str]]) -> str:
        out = ""
        for at, text in cells:
            out = out.ljust(at) + text
        return out

    text = "\n".join(
        [
            "二、主动公开政府信息情况",
            line([(6, "第二十条第（一）项")]),
            line([(6, "信息内容"), (35, "本年制发件数"), (60, "本年废止件数"), (85, "现行有效件数")]),
            line([(6, "规章"), (82, "5205")]),
            line([(6, "行政规范性文件"), (57, "3254"), (82, "1747")]),
            "三、收到和处理政府信息公开申请情况",
            "",
        ]
    )
    table = extract_text(text).table("active_20_1")
    assert table is not None
    truth = [[None, 5205, None], [3254, 1747, None]]
    for i, row in enumerate(table.status):
        for j, status in enumerate(row):
            if status in ("read", "inferred"):
                assert table.values[i, j] == truth[i][j], (table.rows[i], table.columns[j])
