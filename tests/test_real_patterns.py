"""Ways real report pages write their tables that the corpus does not hold, found by reading
45 report pages the engine had never seen (page beginnings, about 2 KB each). The texts here are
written for the tests in those pages' ways, not copied from them."""

from __future__ import annotations

import math

import pytest

from tablerecon import extract_text
from tablerecon.cells import Kind, parse_number, to_ascii_width
from tablerecon.normalize import tokenize
from tablerecon.synth import Deformations, generate

#: Section 二 of a report as a scraper cuts it, one cell a line closed by a pipe: ``{first}`` is
#: the 第二十条第(一)项 table's header, ``{fifth}`` and ``{sixth}`` the (五) and (六) tables.
ACTIVE = """二、主动公开政府信息情况
第二十条第(一)项 |
信息内容 |
{first}
规章 |
0 |
0 |
0 |
行政规范性文件 |
2 |
1 |
7 |
第二十条第(五)项 |
{fifth}
第二十条第(六)项 |
{sixth}
第二十条第(八)项 |
信息内容 |
本年收费金额(单位:万元) |
行政事业性收费 |
35.65 |
"""
HEADER_2019 = "本年新制作数量 |\n本年新公开数量 |\n对外公开总数量 |"
HEADER_2021 = "本年制发件数 |\n本年废止件数 |\n现行有效件数 |"


def test_a_table_in_the_other_layout_is_read_in_its_own() -> None:
    """A 2021 report whose (一) table keeps the 2019 header and whose (五) and (六) tables use
    the 2021 layout (one column, 本年处理决定数量). The document's format used to decide the
    near tie for (五), read in the 2019 layout: its value was lost (every cell unknown)."""
    fifth = "信息内容 |\n本年处理决定数量 |\n行政许可 |\n5 |"
    sixth = "信息内容 |\n本年处理决定数量 |\n行政处罚 |\n3 |\n行政强制 |\n0 |"
    report = extract_text(ACTIVE.format(first=HEADER_2019, fifth=fifth, sixth=sixth))
    first, licensing, penalty = (report.table(t) for t in ("active_20_1", "active_20_5", "active_20_6"))
    assert first is not None and first.template == "active-2019"
    for table in (licensing, penalty):
        assert table is not None and table.template == "active-2021" and table.columns == ["decisions"]
        assert not table.ambiguous
    assert licensing is not None and licensing.values[0, 0] == 5 and licensing.status[0] == ["read"]
    assert penalty is not None and penalty.values[:, 0].tolist() == [3, 0]


def test_a_header_naming_another_layout_than_the_values_fit_leaves_them_unknown() -> None:
    """The (六) table's header names the 2021 layout's one column, but each row holds three
    values, as the 2019 layout's three columns would. Read in the 2019 layout, 2 was taken for
    last year's item count (read, not ambiguous); which column holds each value is unknown."""
    fifth = "信息内容 |\n本年处理决定数量 |\n行政许可 |\n89 |"
    sixth = "信息内容 |\n本年处理决定数量 |\n行政处罚 |\n2 |\n0 |\n0 |\n行政强制 |\n0 |\n0 |\n0 |"
    report = extract_text(ACTIVE.format(first=HEADER_2021, fifth=fifth, sixth=sixth))
    penalty = report.table("active_20_6")
    assert penalty is not None and penalty.ambiguous
    assert all(status == "unknown" for row in penalty.status for status in row)
    assert all(math.isnan(v) for v in penalty.values.ravel())
    assert any("header names the 2021 layout" in note for note in penalty.notes)
    # The other tables of the document are read as before.
    licensing = report.table("active_20_5")
    assert licensing is not None and licensing.values[0, 0] == 89 and licensing.status[0] == ["read"]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("增加5", 5.0),
        ("增1423", 1423.0),
        ("减少3", -3.0),
        ("減5", -5.0),  # traditional characters, as mirror sites print them
        ("—5", -5.0),
        ("--253", -253.0),
        ("? 0", 0.0),  # a no-break space a conversion to GBK wrote as ?
        ("5(个)", 5.0),
        ("+7", 7.0),
        ("103.3879万元", 103.3879),
    ],
)
def test_a_change_written_with_a_word_or_dash_is_a_number(cell: str, value: float) -> None:
    assert parse_number(to_ascii_width(cell)) == value


@pytest.mark.parametrize("cell", ["增", "减少", "—", "--", "?", "5(个", "增加 5 6"])
def test_a_sign_or_mark_alone_is_no_number(cell: str) -> None:
    assert parse_number(cell) is None


def test_changes_written_in_words_are_read_in_their_row() -> None:
    """Before, ``增加5`` was a label: it opened a row of its own (extra_row_1) that took the
    next value, read, and left its own row unknown."""
    text = (
        "第二十条第(五)项 |\n信息内容 |\n上一年项目数量 |\n本年增/减 |\n处理决定数量 |\n"
        "行政许可 |\n421 |\n增1423 |\n1844 |\n其他对外管理服务事项 |\n24 |\n增加5 |\n0 |\n"
        "第二十条第(六)项 |\n信息内容 |\n上一年项目数量 |\n本年增/减 |\n处理决定数量 |\n"
        "行政处罚 | 253 | --253 | 0 |\n行政强制 | 9 | ? 0 | 4 |\n"
    )
    report = extract_text(text)
    licensing, penalty = report.table("active_20_5"), report.table("active_20_6")
    assert licensing is not None and penalty is not None
    assert licensing.rows == ["licensing", "other_services"] and penalty.rows == ["penalty", "coercion"]
    assert licensing.values.tolist() == [[421, 1423, 1844], [24, 5, 0]]
    assert penalty.values.tolist() == [[253, -253, 0], [9, 0, 4]]
    assert all(s == "read" for table in (licensing, penalty) for row in table.status for s in row)


#: The review table as a PDF's text layer keeps it: each header row on one line, the words of
#: two-line header cells cut apart (结果 over 维持), then the fifteen values on one line.
REVIEW_FROM_PDF = """{title}
行政复议 行政诉讼
未经复议直接起诉 复议后起诉
结果 结果 其他 尚未 总
维持 纠正 结果 审结 计 结果 结果 其他 尚未 总 结果 结果 其他 尚未 总
维持 纠正 结果 审结 计 维持 纠正 结果 审结 计
1 0 0 0 1 0 0 0 2 2 0 0 0 0 0
五、存在的主要问题及改进情况
"""


@pytest.mark.parametrize(
    "title",
    [
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",  # a common wording of the title
        "四、因政府信息公开工作被申请行政复议提起行政诉讼情况",
        "四、复议诉讼情况",  # a title no template knows: the header alone anchors the table
    ],
    ids=["common-wording", "common-wording-no-comma", "unknown-title"],
)
def test_the_review_table_under_another_title_with_its_header_on_one_line(title: str) -> None:
    """Before, neither the title (scoring 80-83 against the template's) nor the header (行政复议
    and 行政诉讼 one cell) anchored the table: no table was found."""
    table = extract_text(REVIEW_FROM_PDF.format(title=title)).table("review_litigation")
    assert table is not None
    assert table.values[0].tolist() == [1, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0]
    assert table.status[0] == ["read"] * 15


def test_prose_naming_review_and_litigation_anchors_no_table() -> None:
    text = "四、复议诉讼情况\n行政复议 行政诉讼\n本年度未发生因政府信息公开引起的案件。\n五、其他事项\n"
    assert extract_text(text).table("review_litigation") is None


def test_a_caption_citing_the_regulation_by_name_anchors_its_table() -> None:
    """中华人民共和国政府信息公开条例 第二十条第(一)项: longer than a caption may be, the table
    was dropped without a word."""
    caption = "中华人民共和国政府信息公开条例 第二十条第(一)项 | | | |"
    text = ACTIVE.format(first=HEADER_2019, fifth="", sixth="").replace("第二十条第(一)项 |", caption)
    table = extract_text(text).table("active_20_1")
    assert table is not None and table.values.tolist() == [[0, 0, 0], [2, 1, 7]]
    # A sentence citing the article is no caption.
    prose = "根据《中华人民共和国政府信息公开条例》第二十条第(一)项的规定，现将有关情况公布如下"
    assert extract_text(prose + "\n规章 | 0 | 0 | 0 |\n").tables == []


def test_section_two_opening_on_its_first_table_without_caption() -> None:
    """The (一) table's caption row left out: section 二's title, then 信息内容 and the table.
    Before, the table was dropped without a word."""
    text = ACTIVE.format(first=HEADER_2019, fifth="", sixth="").replace("第二十条第(一)项 |\n", "")
    report = extract_text(text)
    table = report.table("active_20_1")
    assert table is not None and table.template == "active-2019"
    assert table.values.tolist() == [[0, 0, 0], [2, 1, 7]]
    # Section 二 opening on prose anchors nothing of its own.
    assert extract_text("二、主动公开政府信息情况\n本年度主动公开信息1200条。\n").tables == []


def test_a_row_broken_down_into_rows_no_template_knows_is_not_blank() -> None:
    """其他对外管理服务事项 with no value of its own, then 行政检查 and 行政确认 with theirs: the
    row's value is theirs, or their sum, or left out; it used to be read as blank."""
    text = (
        "第二十条第(五)项\n\n信息内容\n\n上一年项目数量\n\n本年增/减\n\n处理决定数量\n\n"
        "行政许可\n\n4\n\n0\n\n9\n\n其他对外管理服务事项\n\n行政检查\n\n3\n\n0\n\n12\n\n"
        "行政确认\n\n1\n\n0\n\n2\n\n第二十条第(六)项\n"
    )
    table = extract_text(text).table("active_20_5")
    assert table is not None
    assert table.rows == ["licensing", "other_services", "extra_row_1", "extra_row_2"]
    assert table.status[1] == ["unknown"] * 3
    assert table.values[2].tolist() == [3, 0, 12] and table.values[3].tolist() == [1, 0, 2]
    assert any("other_services holds no value of its own" in note for note in table.notes)
    # A row left blank, with no rows under it, is still blank.
    blank = extract_text(text.replace("行政检查\n\n3\n\n0\n\n12\n\n行政确认\n\n1\n\n0\n\n2\n\n", ""))
    other = blank.table("active_20_5")
    assert other is not None and other.status[1] == ["blank"] * 3


def test_a_merged_label_written_into_each_column_it_spans() -> None:
    """python-docx and pandas' read_html write a merged cell into every column it spans: the
    row label three times before the values. It read as three labels glued together (a glued
    run of the values); now once. A header's repeated cell is left alone (values under it may
    repeat too, as a merged value cell does)."""
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量\t一、本年新收政府信息公开申请数量\t一、本年新收政府信息公开申请数量"
        "\t23\t0\t0\t0\t0\t0\t23\n"
        "二、上年结转政府信息公开申请数量\t二、上年结转政府信息公开申请数量\t二、上年结转政府信息公开申请数量"
        "\t0\t0\t0\t0\t0\t0\t0\n"
        "三、本年度办理结果\t(一)予以公开\t(一)予以公开\t7\t0\t0\t0\t0\t0\t7\n"
        "五、存在的主要问题及改进情况\n"
    )
    table = extract_text(text).table("requests")
    assert table is not None
    for key, values in (("new_received", [23, 0, 0, 0, 0, 0, 23]), ("granted", [7, 0, 0, 0, 0, 0, 7])):
        row = table.rows.index(key)
        assert table.values[row].tolist() == values and table.status[row] == ["read"] * 7


def test_a_unit_spaced_from_its_number() -> None:
    """pypdf writes 75394432.52 元: the unit was taken for a label and the row was not read."""
    text = "第二十条第(九)项\n信息内容 采购项目数量 采购总金额\n政府集中采购 135 75394432.52 元\n三、收到\n"
    table = extract_text(text).table("active_20_9")
    assert table is not None and table.values.tolist() == [[135, 75394432.52]]


@pytest.mark.parametrize("items", ["2笔", "2 笔", "2(笔)", "2宗"])
def test_a_count_written_with_its_measure_word(items: str) -> None:
    """Procurements counted in 笔 (transactions): ``2笔`` was a row label of its own, and the
    table's two cells unknown."""
    text = f"第二十条第(九)项\n信息内容 采购项目数量 采购总金额\n政府集中采购 {items} 984361元\n三、收到\n"
    table = extract_text(text).table("active_20_9")
    assert table is not None and table.values.tolist() == [[2, 984361]]
    assert table.status == [["read", "read"]]


def test_a_data_frames_column_numbers_are_no_values() -> None:
    """pandas writes its column numbers over a table read with read_html (0,1,…,14): the review
    table's row has no label, so the first line of numbers was read as its values, silently
    (27 cells over the two real pages)."""
    text = (
        "四、政府信息公开行政复议、行政诉讼情况\n0,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
        "行政复议,行政复议,行政复议,行政复议,行政复议,行政诉讼,行政诉讼,行政诉讼,行政诉讼,行政诉讼,"
        "行政诉讼,行政诉讼,行政诉讼,行政诉讼,行政诉讼\n"
        "结果维持,结果纠正,其他结果,尚未审结,总计,未经复议直接起诉,未经复议直接起诉,未经复议直接起诉,"
        "未经复议直接起诉,未经复议直接起诉,复议后起诉,复议后起诉,复议后起诉,复议后起诉,复议后起诉\n"
        "1,0,2,0,3,12,0,0,0,12,0,0,0,0,0\n五、存在的主要问题及改进情况\n"
    )
    table = extract_text(text).table("review_litigation")
    assert table is not None
    assert table.values[0].tolist() == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    assert all(check.holds for check in table.checks)


def test_a_caption_written_into_each_column_with_spaces() -> None:
    """pandas' to_string writes a caption spanning four columns four times, spaced: the line
    read as one unknown label and the table went missing."""
    caption = "     ".join(["第二十条第(一)项"] * 4)
    header = "信息内容  本年新制作数量  本年新公开数量  对外公开总数量"
    text = f"{caption}\n{header}\n规章  0  0  0\n规范性文件  89  89  89\n"
    table = extract_text(text + "第二十条第(五)项\n").table("active_20_1")
    assert table is not None and table.values.tolist() == [[0, 0, 0], [89, 89, 89]]


def test_repeated_labels_in_a_csv_row() -> None:
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量,一、本年新收政府信息公开申请数量,23,0,0,0,0,0,23\n"
        "五、存在的主要问题及改进情况\n"
    )
    table = extract_text(text).table("requests")
    assert table is not None
    assert table.values[table.rows.index("new_received")].tolist() == [23, 0, 0, 0, 0, 0, 23]


def test_a_menu_item_anchors_no_statistics_table() -> None:
    """A site's menu item 政府信息公开 standing alone anchored the pre-2019 statistics table,
    emitted with two cells claimed blank (行政复议 and 行政诉讼, further menu items)."""
    text = "首页\n\n 政府信息公开 \n\n 行政复议 \n\n 行政诉讼 \n\n互动交流\n本局今年办理了各类事项。\n"
    assert extract_text(text).tables == []


def test_a_row_number_before_the_label() -> None:
    """pandas' to_markdown (its index) and tables with a 序号 column put a row number before each
    label: it read as a value before the first row's label, and every table was left unknown.
    The index's own header (an empty corner, then 0,1,…) is no row either."""
    numbers = " | ".join(str(k) for k in range(15))
    text = (
        "第二十条第(一)项\n|    | 0 | 1 | 2 | 3 |\n"
        "|  0 | 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
        "|  1 | 规章 | 0 | 0 | 0 |\n|  2 | 规范性文件 | 89 | 89 | 89 |\n"
        f"四、政府信息公开行政复议、行政诉讼情况\n|    | {numbers} |\n"
        "|  0 | 1 | 0 | 2 | 0 | 3 | 12 | 0 | 0 | 0 | 12 | 0 | 0 | 0 | 0 | 0 |\n五、存在的主要问题及改进情况\n"
    )
    report = extract_text(text)
    first = report.table("active_20_1")
    assert first is not None and first.values.tolist() == [[0, 0, 0], [89, 89, 89]]
    review = report.table("review_litigation")
    # The review row's own index (0, then the values) is kept: a number before numbers is a value.
    assert review is not None and all(s == "unknown" for s in review.status[0])


#: The requests table as a page flattened to one line writes it (2019 layout), ``{carried}`` the
#: text from the carried-over row's label to the results' group label, ``{forward}`` the text
#: from the row carried forward to the review table's title.
GLUED_REQUESTS = (
    "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织"
    "法律服务机构其他一、本年新收政府信息公开申请数量5100006{carried}（一）予以公开3000003"
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）1000001（三）不予公开1.属于国家秘密0000000"
    "2.其他法律行政法规禁止公开00000003.危及“三安全一稳定”00000004.保护第三方合法权益0000000"
    "5.属于三类内部事务信息00000006.属于四类过程性信息00000007.属于行政执法案卷0000000"
    "8.属于行政查询事项0000000（四）无法提供1.本机关不掌握相关政府信息10000012.没有现成信息需要另行制作"
    "00000003.补正后申请内容仍不明确0000000（五）不予处理1.信访举报投诉类申请00000002.重复申请0000000"
    "3.要求提供公开出版物00000004.无正当理由大量反复申请00000005.要求行政机关确认或重新出具已获取信息0000000"
    "（六）其他处理0000000（七）总计5000005四、结转下年度继续办理{forward}"
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果"
    "尚未审结总计结果维持结果纠正其他结果尚未审结总计000000000000000 五、存在的主要问题及改进情况 本年度无。"
)


@pytest.mark.parametrize(
    ("carried", "forward"),
    [
        # A heading after a space, its title mistyped so that no template knows it.
        (
            "二、上年结转政府信息公开申请数量0000000三、本年度办理结果",
            "0100001 四、政府信息公开行政法复议、行政诉讼情况",
        ),
        # A section's ordinal doubled straight after the values.
        (
            "二、上年结转政府信息公开申请数量0000000三三、本年度办理结果",
            "0100001四、政府信息公开行政复议、行政诉讼情况",
        ),
    ],
    ids=["mistyped-heading-after-a-space", "doubled-ordinal"],
)
def test_values_glued_to_the_heading_or_prose_after_them(carried: str, forward: str) -> None:
    """A page flattened to one line runs a table's last values into what follows: the next
    heading, mistyped or with its ordinal doubled, and prose. The values were read as part of
    that text and their row taken for blank (every cell 0 where one was 1: silently wrong)."""
    report = extract_text(GLUED_REQUESTS.format(carried=carried, forward=forward))
    requests = report.table("requests")
    assert requests is not None
    carried_forward = requests.rows.index("carried_forward")
    assert requests.values[carried_forward].tolist() == [0, 1, 0, 0, 0, 0, 1]
    assert requests.status[carried_forward] == ["read"] * 7
    assert requests.status[requests.rows.index("carried_over")] == ["read"] * 7
    assert all(check.holds for check in requests.checks)
    review = report.table("review_litigation")
    assert review is not None and review.status == [["read"] * 15]


@pytest.mark.parametrize(
    "after",
    [" (二)主动公开政府信息的主要类别 2021年,在主动公开的198条政府信息中", "（二）主动公开"],
    ids=["space-then-prose", "bracketed-ordinal"],
)
def test_a_fee_glued_to_the_next_heading(after: str) -> None:
    text = (
        "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费9116.36"
        f"{after}第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购1984361元"
    )
    fees = extract_text(text).table("active_20_8")
    assert fees is not None and fees.values.tolist() == [[9116.36]] and fees.status == [["read"]]


def test_a_header_cell_worded_otherwise_takes_the_one_column_left_where_it_stands() -> None:
    """``废止数量`` for 本年废止件数, between two cells that named their columns: too far from
    the label to match it alone (60 of 100), it became a fourth column, over which the values
    could be spread. Standing where the one column left stands, it is that column."""
    text = (
        "第二十条第(一)项\n信息内容\n本年新\n制发数量\n废止数量\n现行有效数量\n规章\n0\n0\n0\n"
        "规范性文件\n3\n1\n12\n第二十条第(五)项\n"
    )
    table = extract_text(text).table("active_20_1")
    assert table is not None and table.columns == ["issued", "repealed", "in_force"]
    assert table.values.tolist() == [[0, 0, 0], [3, 1, 12]]
    assert not any("no template knows" in note for note in table.notes)
    # Two cells worded otherwise side by side: which is which is not for their places to say.
    two = text.replace("制发数量\n废止数量\n现行有效数量", "制发数量\n废止数量\n有效数量")
    other = extract_text(two).table("active_20_1")
    assert other is not None and other.columns[-1].startswith("extra_col")


def test_cells_padded_with_underscores_or_cut_characters() -> None:
    """Debian's html2text pads each table cell with underscores and cuts CJK characters in half
    (``|行政许�|396____|``): no number was read, and the rows came out blank, every identity
    holding on the empty table (25 cells silently wrong on seven real reports)."""
    text = (
        "第二十条第（五）项\n|信息内容|上一年项目数量|本年增/减|处理决定数量|\n"
        "|行政许�|396____|442____|278____|\n|其他对外管理服务事项|10_____|7______|105____|\n"
        "第二十条第（六）项\n|信息内容|上一年项目数量|本年增/减|处理决定数量|\n"
        "|行政处�|2648___|-18____|538____|\n|行政强制|126____|26_____|29_____|\n第二十条第（八）项\n"
    )
    report = extract_text(text)
    licensing, penalty = report.table("active_20_5"), report.table("active_20_6")
    assert licensing is not None and licensing.values.tolist() == [[396, 442, 278], [10, 7, 105]]
    assert penalty is not None and penalty.values.tolist() == [[2648, -18, 538], [126, 26, 29]]


def test_text_with_digits_no_value_was_read_from_leaves_its_row_unknown() -> None:
    """Where a row's values stand, text holding digits that is no value the engine reads (a
    unit it does not know): the values are there, unread, so the row is unknown, not blank."""
    text = (
        "第二十条第（五）项\n|信息内容|上一年项目数量|本年增/减|处理决定数量|\n"
        "|行政许可|396件次|442件次|278件次|\n|其他对外管理服务事项|10|7|105|\n第二十条第（六）项\n"
    )
    table = extract_text(text).table("active_20_5")
    assert table is not None and table.status[0] == ["unknown"] * 3
    assert table.values[1].tolist() == [10, 7, 105]
    assert any("no value was read from" in note for note in table.notes)


def test_a_rows_values_on_the_line_of_the_next_rows_label() -> None:
    """BeautifulSoup's ``get_text(" ")`` of a page whose label cell holds a line break: the
    row's values open the next line, before the next row's label. They were read into that
    label (``10000012.申请人逾期…``) and their own row came out blank (2 cells silently wrong)."""
    text = (
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再\n"
        "处理其政府信息公开申请\n"
        "\xa0 \xa0 1 0 0 0 0 0 1 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\n"
        "\xa0 \xa0 0 0 0 0 0 0 0 3.其他 1 0 0 0 0 0 1\n"
    )
    cells, *_ = tokenize(text)
    values = [c.value for c in cells if c.kind is Kind.NUMBER]
    assert values == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    labels = [c.text for c in cells if c.kind is Kind.LABEL]
    assert labels[-2].startswith("2.申请人逾期") and labels[-1] == "3.其他"
    # One value alone before words is no row's value: a year opening a sentence, an ordinal.
    assert [c.kind for c in tokenize("2021 年,本机关共收到申请\n")[0]] == [Kind.LABEL]


#: A requests table as pandas' read_html writes it back with to_csv, its 商业企业 cells spanning
#: a column no header names (the 2021 page of the corpus): each value is written twice.
_DOUBLED = (
    "三、收到和处理政府信息公开申请情况\n"
    ",,,自然人,自然人,法人或其他组织,法人或其他组织,法人或其他组织,法人或其他组织,法人或其他组织,总计\n"
    ",,,,商业企业,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计\n"
    "一、本年新收政府信息公开申请数量,一、本年新收政府信息公开申请数量,一、本年新收政府信息公开申请数量,"
    "64,{b},{b},0,2,0,4,{t}\n"
    "二、上年结转政府信息公开申请数量,二、上年结转政府信息公开申请数量,二、上年结转政府信息公开申请数量,"
    "0,0,0,0,0,0,0,0\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
)


def test_a_value_written_into_both_columns_its_cell_spans_is_read_once() -> None:
    table = extract_text(_DOUBLED.format(b=0, t=70)).table("requests")
    assert table is not None
    assert table.values[0].tolist() == [64, 0, 0, 2, 0, 4, 70]
    assert table.status[0] == ["read"] * 7
    # Two places where the values side by side are equal, each read once giving another row:
    # which column is written twice is not known, and no value is dropped.
    other = extract_text(_DOUBLED.format(b=0, t=70).replace("64,0,0,0,2,0,4,70", "64,0,0,1,2,2,4,73")).table(
        "requests"
    )
    assert other is not None and other.status[0] == ["unknown"] * 7


def test_a_label_written_into_each_column_it_spans_with_spaces_between() -> None:
    """pandas' ``to_string`` writes a row label spanning three columns three times, padded to
    the columns: too long for a row's label, the line was prose and the row was lost; a group's
    label and the row's padded far apart made another line too long. Both read as rows now."""
    label = "一、本年新收政府信息公开申请数量"
    row = f"      {label}     {label}     {label}    80       1       0       0       0       0    81"
    padded = (
        "   三、本年度办  理结果                            （六）其他处理     "
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
        "     1       0       0        0        0       0     1"
    )
    cells, *_ = tokenize(f"{row}\n{padded}\n")
    assert [c.value for c in cells if c.kind is Kind.NUMBER] == [80, 1, 0, 0, 0, 0, 81, 1, 0, 0, 0, 0, 0, 1]
    assert next(c.text for c in cells if c.kind is Kind.LABEL) == label


def test_digits_run_into_a_rows_label_leave_it_unknown_not_blank() -> None:
    """A row's values read into its label (``其他对外管理服务事项100105``) leave the row with
    none of its own: it is unknown, not blank."""
    text = (
        "第二十条第（五）项\n|信息内容|上一年项目数量|本年增/减|处理决定数量|\n"
        "|行政许可|10|7|105|\n|其他对外管理服务事项100105|\n第二十条第（六）项\n"
    )
    table = extract_text(text).table("active_20_5")
    assert table is not None and table.status[1] == ["unknown"] * 3
    assert table.values[0].tolist() == [10, 7, 105]


def test_known_labels_side_by_side_in_a_tab_separated_row_are_not_glued() -> None:
    """python-docx writes a row's merged cells once per column, joined by tabs: the group's, the
    sub-group's and the row's labels side by side read as a glued line, and its seven values as
    one run of eight with the doubled one (the whole requests table unknown)."""
    line = "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0\n"
    cells, *_ = tokenize(line)
    assert [c.kind for c in cells] == [Kind.LABEL] * 3 + [Kind.NUMBER] * 7


def test_a_rows_values_glued_to_its_label_one_row_a_line() -> None:
    """A report page (a township's, 2019) flattened with each row's cells run into one string,
    one row a line: ``行政许可000``. The digits were read as one number: 0 in the first column
    and the others blank, a table of two columns lost at the text's end, and a row of counts
    (``行政处罚1205``) would have been one value. They are the row's values run together now,
    split by the solver, or left unknown where several splits fit."""
    text = (
        "第二十条(五)项\n信息内容上一年项目数量本年增/减处理决定数量\n行政许可000\n其他对外管理服务事项000\n"
        "第二十条(六)项\n信息内容上一年项目数量本年增/减处理决定数量\n行政处罚1205\n行政强制000\n"
        "第二十条(八)项\n信息内容上一年项目数量本年增/减\n行政事业性收费00\n"
    )
    report = extract_text(text)
    licensing, penalty, fees = (report.table(t) for t in ("active_20_5", "active_20_6", "active_20_8"))
    assert licensing is not None and licensing.values.tolist() == [[0, 0, 0], [0, 0, 0]]
    assert all(status == "read" for row in licensing.status for status in row)
    assert fees is not None and fees.values.tolist() == [[0, 0]]
    assert penalty is not None and penalty.ambiguous
    assert penalty.status[0] == ["unknown", "unknown", "read"] and penalty.values[0, 2] == 5
    assert penalty.values[1].tolist() == [0, 0, 0]


def test_a_group_label_or_an_ordinal_before_a_rows_glued_values() -> None:
    """One row a line, cells run together: a row whose label opens with its ordinal, and a
    group's merged cell run into its first row's label. Both kept the row's digits in a label
    (the row blank, a note of digits no value was read from); the labels are known, so the
    line is the group's label, the row's, and its run."""
    cells, *_ = tokenize("（三）不予公开1.属于国家秘密130000013\n2.其他法律行政法规禁止公开300000030\n")
    assert [(c.kind, c.text) for c in cells] == [
        (Kind.LABEL, "(三)不予公开"),
        (Kind.LABEL, "1.属于国家秘密"),
        (Kind.RUN, "130000013"),
        (Kind.LABEL, "2.其他法律行政法规禁止公开"),
        (Kind.RUN, "300000030"),
    ]
    # Two labels run together are no row unless both are known: prose keeps its digits.
    prose, *_ = tokenize("本年度共收到申请数量合计为130000013\n")
    assert [c.kind for c in prose] == [Kind.LABEL]


@pytest.mark.parametrize("gap", ["  ", "    ", " \u3000 "])
def test_a_header_laid_out_in_wide_columns_names_its_columns(gap: str) -> None:
    """A 2021 (一) table with no caption, its header laid out with runs of spaces (w3m, lynx,
    inscriptis and pandoc print a page's table so): the header line was one label, named no
    column, and the table was read by the 2019 layout: 本年废止件数's values under 本年新公开数量,
    marked read. Each known label apart is a header cell."""
    text = (
        "二、主动公开政府信息情况\n\n"
        f"信息内容{gap}本年制发件数{gap}本年废止件数{gap}现行有效件数\n"
        f"规章{gap}3{gap}0{gap}15\n行政规范性文件{gap}61{gap}59{gap}422\n"
    )
    table = extract_text(text).table("active_20_1")
    assert table is not None and table.template == "active-2021"
    assert table.columns == ["issued", "repealed", "in_force"]
    assert table.values.tolist() == [[3, 0, 15], [61, 59, 422]]


def test_a_lone_nbsp_that_does_not_fill_its_row_is_spacing() -> None:
    """On a page joined by spaces, a lone no-break space is also a paragraph's spacing: in a
    label's cell (``规章 \\xa0 0 0 0``), in a value's (``5 0 0 0 0 0 \\xa0 5``), after a table of
    one column (``行政许可 2293 \\xa0``). None fills its row exactly, so none is a blank cell;
    nor in a glued line padded with them (``行政强制6625 \\xa0 07941``), whose tokens are runs."""
    page = (
        "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 \xa0 0 0 0 "
        "行政规范性文件 69 3 665 第二十条第（五）项 信息内容 本年处理决定数量 行政许可 2293 \xa0 "
        "第二十条第（六）项 信息内容 本年处理决定数量 行政处罚 1282 行政强制 42 "
        "三、收到和处理政府信息公开申请情况"
    )
    report = extract_text(page)
    first, licensing = report.table("active_20_1"), report.table("active_20_5")
    assert first is not None and first.values.tolist() == [[0, 0, 0], [69, 3, 665]]
    assert licensing is not None and licensing.values.tolist()[0] == [2293]
    cells, *_ = tokenize("行政处罚203行政强制6625 \xa0 07941第二十条第(八)项信息内容上一年本年增/减\n")
    assert not any(c.kind is Kind.PLACEHOLDER for c in cells)
    # A page whose spacing overfills some rows: one it happens to fill exactly (a value's
    # spacing beside an empty cell that left nothing) is spacing too, not a blank cell before
    # the 35, which is 上一年项目数量's (a helper's page read 35 into 本年增/减, marked read).
    page = (
        "第二十条第（五）项 信息内容 上一年项目数量 本年增/减 处理决定数量 行政许可 396 \xa0 0 181 "
        "其他对外管理服务事项 10 \xa0 153 第二十条第（八）项 信息内容 上一年项目数量 本年增/减 "
        "行政事业性收费 \xa0 35 第二十条第（九）项 信息内容 采购项目数量 采购总金额 "
        "政府集中采购 135 \xa0 75394432.52元 三、收到和处理政府信息公开申请情况"
    )
    fees = extract_text(page).table("active_20_8")
    assert fees is not None and not (fees.status[0][1] == "read" and fees.values[0, 1] == 35)


@pytest.mark.parametrize("header", ["行政复议行政诉讼", "行政复议 行政诉讼"])
def test_a_heading_and_header_words_in_the_first_field_of_a_piped_row(header: str) -> None:
    """A Markdown table run into a paragraph (a fragment whose table lost its line breaks): the
    section's heading, the header's first words and the row's values on one line of pipes. The
    first field was one label, no heading: the review table was not found, and nothing said so.
    A field of known labels apart by spaces is a cell each."""
    text = (
        f"四、政府信息公开行政复议、行政诉讼情况 {header} | 119 | 25 | 91 | 24 | 259 | 7 | 0 | 15 | 6 | 28 | "
        "21 | 1 | 7 | 9 | 38 |\n\n五、存在的主要问题及改进情况\n"
    )
    review = extract_text(text).table("review_litigation")
    assert review is not None and not review.ambiguous
    assert review.values[0].tolist() == [119, 25, 91, 24, 259, 7, 0, 15, 6, 28, 21, 1, 7, 9, 38]


def test_the_first_table_with_no_caption_after_prose() -> None:
    """Section 二 opening with a paragraph, then its (一) table with no 第二十条第(一)项 caption:
    the table was dropped without a word. Its header (信息内容 and then 规章) anchors it."""
    text = (
        "二、主动公开政府信息情况\n\n2019年我乡主动公开政府信息共367条,其中:政策文件信息134条。\n\n"
        "信息内容本年新制作数量本年新公开数量对外公开总数量\n规章 0 0 0\n规范性文件 3 2 15\n"
        "第二十条(五)项\n信息内容上一年项目数量本年增/减处理决定数量\n行政许可 4 1 30\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    report = extract_text(text)
    first = report.table("active_20_1")
    assert first is not None and first.values.tolist() == [[0, 0, 0], [3, 2, 15]]
    assert first.columns == ["new_made", "new_published", "total_published"]
    licensing = report.table("active_20_5")
    assert licensing is not None and licensing.values[0].tolist() == [4, 1, 30]


def test_captions_whose_item_was_lost() -> None:
    """A town's 2025 report page whose captions lost their item: ``第二十条第`` four times. The
    tables were dropped without a word; the rows after each caption tell which table it heads."""
    text = (
        "二、主动公开政府信息情况\n第二十条第\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n"
        "规章\n0\n0\n0\n行政规范性文件\n2\n0\n9\n第二十条第\n信息内容\n本年处理决定数量\n行政许可\n124\n"
        "第二十条第\n信息内容\n本年处理决定数量\n行政处罚\n3\n行政强制\n0\n"
        "第二十条第\n信息内容\n本年收费金额(单位:万元)\n行政事业性收费\n1.5\n三、收到和处理政府信息公开申请情况\n"
    )
    report = extract_text(text)
    found = {t.table: t.values.tolist() for t in report.tables}
    assert found == {
        "active_20_1": [[0, 0, 0], [2, 0, 9]],
        "active_20_5": [[124]],
        "active_20_6": [[3], [0]],
        "active_20_8": [[1.5]],
    }
    # Text that only mentions the article heads nothing.
    assert extract_text("依据第二十条第\n行政许可\n124\n").tables == []


def test_a_table_whose_caption_ended_the_page_before() -> None:
    """A PDF's text (a 2024 report) whose page opens on a 第二十条 table's header, its caption
    left at the end of a page not in the text: the (六) table was dropped without a word. The
    header's column label and then its rows name it; the words 信息内容 inside prose do not."""
    text = (
        "- 4 -\n信息内容 本年处理决定数量\n行政处罚 3985758\n行政强制 88283\n第二十条 第（八）项\n"
        "信息内容 本年收费金额（单位：万元）\n行政事业性收费 96171.6\n三、收到和处理政府信息公开申请情况\n"
    )
    report = extract_text(text)
    penalty = report.table("active_20_6")
    assert penalty is not None and penalty.values.tolist() == [[3985758], [88283]]
    prose = "确保网上发布信息内容准确完整,行政许可等信息及时更新。\n二、主动公开政府信息情况\n"
    assert extract_text(prose).tables == []


def test_a_pipe_written_after_every_row_is_no_blank_cell() -> None:
    """A county bureau's 2019 page writes each cell on its own line closed by a pipe, a lone
    ``|`` for an empty cell, and one more ``|`` after every row (its grid has a column more than
    the template). That last one made every full row show a blank too many: the hints were not
    trusted, and ``0 |`` / ``|`` / ``0 |`` put its blank last. Empty slots that end every full row
    alike are padding now, taken off every row's end."""
    rows = {"规章": "0 |\n0 |\n0 |\n|\n", "规范性文件": "4 |\n1 |\n29 |\n|\n"}
    text = "第二十条第(一)项 |\n||||\n信息内容 |\n本年新 |\n本年新 |\n对外公开总数量 |\n|\n"
    text += "".join(f"{label} |\n{cells}" for label, cells in rows.items())
    text += "第二十条第(五)项 |\n||||\n信息内容 |\n上一年项目数量 |\n本年增/减 |\n处理决定数量 |\n|\n"
    text += "行政许可 |\n5 |\n|\n93 |\n|\n其他对外管理服务事项 |\n0 |\n|\n0 |\n|\n"
    text += "三、收到和处理政府信息公开申请情况\n"
    report = extract_text(text)
    licensing = report.table("active_20_5")
    assert licensing is not None and not licensing.ambiguous
    assert licensing.status[0] == ["read", "blank", "read"]
    assert licensing.values[0, 0] == 5 and licensing.values[0, 2] == 93
    first = report.table("active_20_1")
    assert first is not None and first.values.tolist() == [[0, 0, 0], [4, 1, 29]]


def test_the_last_header_cell_worded_otherwise() -> None:
    """A town's 2019 page heads its 本年增/减 column 本年数量. Between two named columns that
    took the one column left; as the (八) table's last cell it became a column of its own, and
    the row's two values stood two places among three columns."""
    text = (
        "第二十条第(八)项\n\n信息内容\n\n上一年项目数量\n\n本年数量\n\n行政事业性收费\n\n12\n\n3\n\n"
        "第二十条第(九)项\n\n信息内容\n\n采购项目数量\n\n采购总金额\n\n政府集中采购\n\n9\n\n153103.83\n\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    fees = extract_text(text).table("active_20_8")
    assert fees is not None and fees.columns == ["prev_items", "change"]
    assert fees.values.tolist() == [[12, 3]] and not fees.ambiguous


def test_a_one_column_table_written_into_every_column_of_the_grid() -> None:
    """The 2021 layout's one-column tables in a page whose grid has three columns, through
    pandas' read_html and to_csv: header and value written three times each. Read once."""
    text = (
        "第二十条第(五)项,第二十条第(五)项,第二十条第(五)项,第二十条第(五)项\n"
        "信息内容,本年处理决定数量,本年处理决定数量,本年处理决定数量\n行政许可,2293,2293,2293\n"
        "第二十条第(六)项,第二十条第(六)项,第二十条第(六)项,第二十条第(六)项\n"
        "信息内容,本年处理决定数量,本年处理决定数量,本年处理决定数量\n行政处罚,17,17,17\n行政强制,0,0,0\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    report = extract_text(text)
    licensing, penalty = report.table("active_20_5"), report.table("active_20_6")
    assert licensing is not None and licensing.values.tolist() == [[2293]]
    assert penalty is not None and penalty.values.tolist() == [[17], [0]]


def test_a_page_on_one_line_that_keeps_a_tab() -> None:
    """lxml's ``text_content()`` of a report page with no line break in its HTML: the whole
    page one line, glued, keeping one tab of the page's (``年度报告 \\t 发布日期``). Read as cells
    apart by tabs, no table was found and no error said so; each piece between tabs is read on
    its own now. A row's cells apart by tabs are still cells, never glued text."""
    page = (
        "2019年政府信息公开工作年度报告 \t 发布日期：2020-01-31二、主动公开政府信息情况第二十条第（一）项"
        "信息内容本年新制作数量本年新公开数量对外公开总数量规章13 13 524规范性文件60 60 368"
        "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可0 0 0其他对外管理服务事项0 0 0"
        "三、收到和处理政府信息公开申请情况"
    )
    first = extract_text(page).table("active_20_1")
    assert first is not None and first.values.tolist() == [[13, 13, 524], [60, 60, 368]]
    cells, *_ = tokenize("三、本年度办理结果\t（四）无法提供\t1.本机关不掌握相关政府信息\t3\t0\n")
    assert [c.kind for c in cells].count(Kind.LABEL) == 3


def test_pandas_writes_an_empty_cell_nan() -> None:
    """pandas' read_html reads an empty cell as NaN, and to_markdown writes it ``nan``: the
    requests table's rows held words where blanks stood, and the table was unknown."""
    cells, *_ = tokenize("| 一、本年新收政府信息公开申请数量 | 821 | 35 | nan | nan | 2 | 1 | 859 |\n")
    assert [c.kind for c in cells] == [Kind.LABEL] + [Kind.NUMBER] * 2 + [Kind.PLACEHOLDER] * 2 + [
        Kind.NUMBER
    ] * 3


def test_labels_laid_out_in_wide_columns_are_not_glued() -> None:
    """A result row laid out in columns of spaces (pandas' to_string): the group's, the
    sub-group's and the row's labels with wide gaps between them. Their text with the spaces
    taken out touches, and the line was read as glued, its seven values one run of digits
    that no row read over-full could use. One space between (``get_text(" ")``) may still be
    glue: such a line keeps its values as one run for the solver to split."""
    values = "   ".join(["14", "1", "0", "0", "0", "0", "15"])
    wide, *_ = tokenize(f"三、本年度办理结果     （三）不予公开     1.属于国家秘密     {values}")
    assert [c.kind for c in wide] == [Kind.LABEL] * 3 + [Kind.NUMBER] * 7
    assert [c.value for c in wide[3:]] == [14, 1, 0, 0, 0, 0, 15]
    narrow, *_ = tokenize("三、本年度办理结果 （三）不予公开 1.属于国家秘密 14 1 0 0 0 0 15")
    assert [c.kind for c in narrow] == [Kind.LABEL] * 3 + [Kind.RUN]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize(
    "label",
    [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "(七)总计",
        "四、结转下年度继续办理",
    ],
    ids=["new_received", "carried_over", "total", "carried_forward"],
)
def test_a_rows_label_written_twice_is_one_row(fmt: str, label: str) -> None:
    """A page that puts each row of the requests table under a heading copying its label
    (``### 一、本年新收…`` then the row ``一、本年新收… 705 3 0 0 5 0 713``). Read against the
    rows after it, the copy took the next row's place: 一's values were read, silently, as
    二's, and 二's own were dropped as numbers outside any row."""
    clean = generate(7, Deformations.none(format=fmt)).text
    want = extract_text(clean).table("requests")
    line = next(ln for ln in clean.split("\n") if ln.replace("（", "(").replace("）", ")") == label)
    doubled = clean.replace(f"\n{line}\n", f"\n{line}\n{line}\n", 1)
    got = extract_text(doubled).table("requests")
    assert want is not None and got is not None and not got.ambiguous
    assert got.values.tolist() == want.values.tolist() and got.status == want.status


#: Section 二 as a PDF's text run through Markdown and back to text writes it: the captions run
#: together on one line with the later tables, and the first table, captionless, after them.
FUSED_CAPTIONS = (
    "二、主动公开政府信息情况 第二十条第（一）项 第二十条第（五）项 信息内容本年处理决定数量 行政许可 97 "
    "第二十条第（六）项 信息内容本年处理决定数量 行政处罚 0 行政强制 0 第二十条第（八）项 "
    "信息内容本年收费金额（单位：万元） 行政事业性收费 0"
    """

表二：主动公开政府信息情况

信息内容   本年制发件数  本年废止件数  现行有效件数
规章     0       0       0
规范性文件  13      0       55

三、收到和处理政府信息公开申请情况
"""
)


def test_a_header_run_into_one_label_anchors_its_table() -> None:
    """The first table's caption stands before the next's, and its header, all cells run into
    one label (``信息内容本年制发件数本年废止件数现行有效件数``), anchored nothing: its rows were
    read into 第二十条第(八)项 as extra rows, and 第二十条第(一)项 was lost without a word."""
    report = extract_text(FUSED_CAPTIONS)
    first, fees = report.table("active_20_1"), report.table("active_20_8")
    assert first is not None and first.values.tolist() == [[0, 0, 0], [13, 0, 55]]
    assert fees is not None and fees.rows == ["fees"]


def test_a_caption_followed_at_once_by_the_next_is_reported() -> None:
    """A caption with the next table's caption straight after it, its table nowhere else: the
    converter lost the table, and the report says so."""
    text = FUSED_CAPTIONS.split("\n\n表二")[0] + "\n"
    report = extract_text(text)
    assert report.table("active_20_1") is None
    assert any(e.startswith("active_20_1: its title") for e in report.errors), report.errors


def test_a_row_only_another_table_has_opens_that_table() -> None:
    """A table whose caption and header were lost (a PDF page break, a converter): its rows
    follow the last table's. Read as that table's extra rows, they were marked read in the
    wrong table."""
    text = (
        "第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n规章\n0\n0\n1\n规范性文件\n2\n3\n4\n"
        "行政许可\n97\n"
        "第二十条第（六）项\n信息内容\n本年处理决定数量\n行政处罚\n8\n行政强制\n9\n"
    )
    report = extract_text(text)
    first, licensing = report.table("active_20_1"), report.table("active_20_5")
    assert first is not None and first.rows == ["regulations", "normative_documents"]
    assert licensing is not None and licensing.values.tolist() == [[97]]


def test_a_caption_cut_by_the_texts_end_closes_the_table_before() -> None:
    """An excerpt that ends inside the next table's caption (``第二十条第(六``): the table
    before it is whole, not cut, and is read; a row it lacks is unknown."""
    header = "第二十条第(五)项\n信息内容\n上一年项目数量\n本年增/减\n处理决定数量\n"
    text = header + "行政许可\n0\n0\n3\n第二十条第(六"
    licensing = extract_text(text).table("active_20_5")
    assert licensing is not None
    assert licensing.values[0].tolist() == [0, 0, 3] and licensing.status[0] == ["read"] * 3
    assert licensing.status[1] == ["unknown"] * 3


#: The review table as a Markdown report writes it: three tables of five columns, each under a
#: heading of its own (an OCR'd 2025 county report, stored as Markdown).
REVIEW_IN_THREE = """## 四、政府信息公开行政复议、行政诉讼情况

### 行政复议
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|----------|----------|----------|----------|------|
| 27 | 10 | 9 | 15 | 61 |

### 行政诉讼（未经复议直接起诉）
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|----------|----------|----------|----------|------|
| 3 | 0 | 0 | 0 | 3 |

### 行政诉讼（复议后起诉）
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|----------|----------|----------|----------|------|
| 8 | 0 | 1 | 1 | 10 |

## 五、政府信息公开工作存在的主要问题及改进情况
"""


def test_the_review_table_as_three_tables_under_headings() -> None:
    """The header again after the first five values ended the table's one row there: the other
    ten were numbers outside any row, and all 15 cells were unknown (3003 placements). The
    repeated header cells, and the Markdown marks before the headings, are no row's end."""
    review = extract_text(REVIEW_IN_THREE).table("review_litigation")
    assert review is not None and not review.ambiguous
    assert review.values.tolist() == [[27, 10, 9, 15, 61, 3, 0, 0, 0, 3, 8, 0, 1, 1, 10]]
    assert review.status == [["read"] * 15]
    assert review.title == "四、政府信息公开行政复议、行政诉讼情况"


def test_labels_spaced_a_character_apart_in_laid_out_columns() -> None:
    """inscriptis lays a table out in columns and writes a cell's text split across spans with
    spaces inside (``三 、本 年 度 办 理 结 果``). The group's and the row's labels, a wide gap
    between them, read as one label no row matched: 予以公开 was not found, and every requests
    cell was unknown. The wide gaps are the cells' edges."""
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "      一 、本年新收政府信息公开申请数量                       26                    26\n"
        "      二 、上年结转政府信息公开申请数量                       0                     0\n"
        "      三 、本 年 度 办 理 结 果              （ 一 ） 予以公开        26                    26\n"
        "四、政府信息公开行政复议、行政诉讼情况\n"
    )
    cells, *_ = tokenize(text.split("\n")[3])
    assert [c.text for c in cells if c.kind is Kind.LABEL] == ["三、本年度办理结果", "(一)予以公开"]
    requests = extract_text(text).table("requests")
    assert requests is not None and "granted" in requests.rows
    granted = requests.rows.index("granted")
    assert requests.values[granted, 6] == 26 and requests.status[granted][6] == "read"


def test_lines_of_values_numbered_by_chance_are_no_frame() -> None:
    """Only a data frame's rows lose their opening numbers: lines of values alone that happen
    to open 0, 1, 2 (a table's values set apart from its labels) keep every value."""
    values = "0 0 0 0 0 0 0\n1 0 0 0 0 0 1\n2 0 0 0 0 0 2\n"
    cells, *_ = tokenize(values)
    assert [c.value for c in cells[:7]] == [0] * 7 and len(cells) == 21
    framed, *_ = tokenize("0   规章 0 0 0\n1   规范性文件 1 2 3\n2   行政许可 5\n")
    assert [c.text for c in framed] == ["规章", "0", "0", "0", "规范性文件", "1", "2", "3", "行政许可", "5"]


def test_a_headers_empty_corner_written_nan_is_no_row() -> None:
    """pandas' ``to_string`` writes the empty cells under a spanning header cell ``NaN``
    (``NaN NaN NaN NaN NaN 结果维持 结果纠正 …``). Read as blank marks before a label, they
    were five values of the review table's one row: 20 for 15 columns, every cell unknown."""
    groups = "行政复议 行政复议 行政复议 行政复议 行政复议 行政诉讼 行政诉讼 行政诉讼 行政诉讼 行政诉讼"
    text = (
        "四、政府信息公开行政复议、行政诉讼情况\n"
        f"{groups} 行政诉讼 行政诉讼 行政诉讼 行政诉讼 行政诉讼\n"
        "结果维持 结果纠正 其他结果 尚未审结   总计 未经复议直接起诉 未经复议直接起诉 未经复议直接起诉 "
        "未经复议直接起诉 未经复议直接起诉 复议后起诉 复议后起诉 复议后起诉 复议后起诉 复议后起诉\n"
        " NaN  NaN  NaN  NaN  NaN     结果维持     结果纠正     其他结果     尚未审结       总计  "
        "结果维持  结果纠正  其他结果  尚未审结    总计\n"
        " 376   97  196  121  790       16        1       12       27       56"
        "    74     1    30    51   156\n"
        "五、存在问题及改进情况\n"
    )
    review = extract_text(text).table("review_litigation")
    assert review is not None and review.status == [["read"] * 15]
    assert review.values[0].tolist()[:5] == [376, 97, 196, 121, 790]


def test_a_broken_group_leaves_only_its_own_zeros_unknown() -> None:
    """A review row whose 未经复议直接起诉 group does not add up (2 + 0 + 1 + 0 stated as 0): a 0
    in that group may be a value the text lost, and is unknown, but the other groups add up and
    their 0s were read. Every 0 of the row was unknown."""
    text = (
        "四、政府信息公开行政复议、行政诉讼情况\n"
        "行政复议 | 行政诉讼\n"
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉\n"
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | "
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计\n"
        "1 | 0 | 6 | 0 | 7 | 2 | 0 | 1 | 0 | 0 | 0 | 0 | 1 | 0 | 1\n"
        "五、存在的主要问题及改进情况\n"
    )
    review = extract_text(text).table("review_litigation")
    assert review is not None
    status = review.status[0]
    assert status[:5] == ["read"] * 5 and status[10:] == ["read"] * 5
    assert status[5:10] == ["read", "unknown", "read", "unknown", "unknown"]


#: Section 二 as html-to-text's grid writes a Word page (``format: 'dataTable'``): a cell whose
#: text opens with an empty paragraph writes its value a line or two below its row's top, so a
#: row's values stand on several lines, each in its column.
GRID_ROWS_ON_LINES = """二、主动公开政府信息情况
第二十条第（五）项
信息内容         上一年项目数量   本年增/减   处理决定数量
行政许可                   0

             396               181
其他对外管理服务事项   10        0       153
第二十条第（九）项
信息内容         采购项目数量    采购总金额
政府集中采购                 75394432.52元

             135
"""


def test_a_rows_values_on_several_lines_of_a_grid_go_where_they_stand() -> None:
    """Read in the text's order, 行政许可 was [0, 396, 181] and 政府集中采购 [75394432.52, 135],
    marked read: tables with no identity to notice. Where every way of reading places agrees,
    a row's values are taken left to right as they stand, whatever line holds each."""
    report = extract_text(GRID_ROWS_ON_LINES)
    licensing, procurement = report.table("active_20_5"), report.table("active_20_9")
    assert licensing is not None and procurement is not None
    assert licensing.values.tolist() == [[396, 0, 181], [10, 0, 153]]
    assert procurement.values.tolist() == [[135, 75394432.52]]
    for table in (licensing, procurement):
        assert not table.ambiguous and {s for row in table.status for s in row} == {"read"}


def test_two_values_standing_in_one_column_of_a_rows_lines_leave_the_table_unknown() -> None:
    """A row's lines holding two values in one column hold another row's values too (a label
    written below its values): which row each value is in is lost, so no cell is read."""
    text = """第二十条第（一）项
信息内容      本年制发件数   本年废止件数   现行有效件数
规章          1              0              5
行政规范性文件
              2              0              7
              3
"""
    table = extract_text(text).table("active_20_1")
    assert table is not None
    assert {s for row in table.status for s in row} == {"unknown"}
    assert any("two values stand in one column" in note for note in table.notes)


def test_the_review_table_in_three_parts_is_not_a_row_on_several_lines() -> None:
    """Each group under its own header, its values on one line at the same places as the next
    group's: the row's parts, in the text's order (labels stand between them)."""
    text = """四、政府信息公开行政复议、行政诉讼情况
行政复议
结果维持  结果纠正  其他结果  尚未审结  总计
27    10    9     15    61
行政诉讼（未经复议直接起诉）
结果维持  结果纠正  其他结果  尚未审结  总计
3     0     0     0     3
行政诉讼（复议后起诉）
结果维持  结果纠正  其他结果  尚未审结  总计
1     2     0     0     3
"""
    table = extract_text(text).table("review_litigation")
    assert table is not None and not table.ambiguous
    assert table.values.tolist() == [[27, 10, 9, 15, 61, 3, 0, 0, 0, 3, 1, 2, 0, 0, 3]]


def test_thousands_separators_in_cells_apart_by_spaces_are_no_csv() -> None:
    """``行政许可 625 -47 1,341,272`` was cut at its commas as a CSV row (``行政许可 625 -47 1`` a
    label): the table lost. Where cells stand apart by spaces and every comma has three digits
    after it, the commas are thousands separators."""
    text = """第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 625 -47 1,341,272
其他对外管理服务事项 1,468 -130 3,772,711
"""
    table = extract_text(text).table("active_20_5")
    assert table is not None and not table.ambiguous
    assert table.values.tolist() == [[625, -47, 1341272], [1468, -130, 3772711]]


def test_wu_between_values_apart_by_spaces_is_a_blank_mark() -> None:
    """``无`` written in an empty cell was a blank mark between pipes or tabs, but on a line of
    cells apart by spaces it made the whole line a label: 上年结转's values lost, the row read
    blank and the identities through it reported broken against a consistent source."""
    text = """（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况
一、本年新收政府信息公开申请数量 5 1 无 无 无 无 6
二、上年结转政府信息公开申请数量 2 无 无 无 无 无 2
"""
    rows = tokenize(text)[0]
    carried = [c for c in rows if c.line == 3]
    assert [c.kind for c in carried] == [Kind.LABEL, Kind.NUMBER, *[Kind.PLACEHOLDER] * 5, Kind.NUMBER]
    assert carried[0].text == "二、上年结转政府信息公开申请数量"


SECOND_REPORT = """测试市人民政府2025年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
规章 | 1 | 0 | 5
行政规范性文件 | 4 | 2 | 30
四、政府信息公开行政复议、行政诉讼情况
本年度未发生行政复议、行政诉讼。
测试市人民政府2024年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
规章 | 3 | 1 | 4
行政规范性文件 | 6 | 0 | 28
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计
1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0
"""


def test_a_second_report_after_the_first_is_not_read_into_it() -> None:
    """Last year's report appended after this year's: the better-matching copy of a table was
    kept whichever report it came from, and a table only last year's has (its review table)
    was emitted as this year's. Past a report title with a table repeated after it, nothing is
    read, and the error says where the second report opens."""
    report = extract_text(SECOND_REPORT)
    first = report.table("active_20_1")
    assert first is not None and first.values.tolist() == [[1, 0, 5], [4, 2, 30]]
    assert report.table("review_litigation") is None
    assert any("second report opens at line 9" in error for error in report.errors)


def test_a_running_header_between_a_tables_pages_opens_no_second_report() -> None:
    """A PDF's running header repeats the report's own title at each page's top; between a table
    and its caption repeated on the next page it names no other report, so all is read."""
    head, _, _ = SECOND_REPORT.partition("四、")
    title = head.splitlines()[0]
    next_page = (
        "第二十条第（一）项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 1 | 0 | 5\n"
    )
    text = f"{head}{title}\n{next_page}"
    report = extract_text(text)
    first = report.table("active_20_1")
    assert first is not None and first.values.tolist()[0] == [1, 0, 5]
    assert not any("second report" in error for error in report.errors)
    # The body's name on a line of its own above the first title, the running header one line.
    split = text.replace(title, title.replace("人民政府", "人民政府\n"), 1)
    assert not any("second report" in error for error in extract_text(split).errors)
    # The same page break under another report's title: a second report.
    other = extract_text(text.replace(f"{title}\n第二十条", f"{title.replace('2025', '2024')}\n第二十条"))
    assert any("second report opens at line 7" in error for error in other.errors)


def _grid_line(label: str, *values: str) -> str:
    """A line of a grid with a label and seven columns, each value starting at its column's
    place ('' blank), as html-to-text lays a table out (a CJK character one place)."""
    line = label
    for k, value in enumerate(values):
        line = line.ljust(30 + 8 * k) + value
    return line


def test_values_above_a_label_alone_on_its_line_beside_values_astray_are_in_doubt() -> None:
    """html-to-text's grid writes a row's label below its values where the label's cell opens
    with an empty paragraph: 予以公开's values stand on the group label's line (no row took
    them), and the values after 予以公开's label alone are 部分公开's. Read as they came,
    予以公开 held 部分公开's values, its blanks marked by where they stand: read, silently wrong.
    Beside values no row took, a laid-out row whose values all stand below its label is
    unknown."""
    text = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            _grid_line("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"),
            _grid_line("一、本年新收政府信息公开申请数量", "140", "1", "3", "5", "7", "2", "158"),
            _grid_line("二、上年结转政府信息公开申请数量", "10", "2", "4", "6", "8", "1", "31"),
            _grid_line("三、本年度办理结果", "61", "1", "", "", "", "", "62"),
            "            （一）予以公开",
            _grid_line("", "4", "", "0", "0", "", "", "4"),
            "            （二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            _grid_line("    1.属于国家秘密", "0", "", "", "", "", "", "0"),
            "五、存在的主要问题及改进情况",
        ]
    )
    table = extract_text(text).table("requests")
    assert table is not None
    assert table.values[1].tolist() == [10, 2, 4, 6, 8, 1, 31]
    assert table.status[table.rows.index("granted")] == ["unknown"] * 7


def test_rows_apart_by_runs_of_spaces_off_a_grid_keep_the_texts_order() -> None:
    """html2text (``ignore_tables``) of a page whose last cell opens with a spacing paragraph:
    each row's cells apart by two spaces, its last value on a line of its own at the start.
    The values stand where their labels' lengths put them, on no grid: read by where they
    stand, 74666 went first, silently. Such rows keep the text's order."""
    text = (
        "第二十条第（一）项   \n信息内容  本年制发件数  本年废止件数  现行有效件数   \n"
        "规章  3027  5045 \n\n74666   \n行政规范性文件  569076  992856 \n\n4222665   \n"
        "第二十条第（五）项   \n"
    )
    table = extract_text(text).table("active_20_1")
    assert table is not None
    assert table.values.tolist() == [[3027, 5045, 74666], [569076, 992856, 4222665]]


@pytest.mark.parametrize(
    ("after", "note"),
    [
        (
            "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
            "注：部分公开指区分处理后公开部分内容的情形。",
        ),
        ("3.补正后申请内容仍不明确", "（说明：无法提供类申请已告知申请人。）"),
    ],
)
def test_a_note_between_rows_is_passed_over(after: str, note: str) -> None:
    """A sentence printed inside the requests table, after a row's values and before the next
    row's label: it was taken for the table's end, and every row after it was lost (unknown)."""
    clean = generate(10, Deformations.none(format="2021")).text  # 42 cells not zero
    want = extract_text(clean).table("requests")
    lines = clean.split("\n")
    at = next(k for k, ln in enumerate(lines) if ln.replace("（", "(").replace("）", ")") == after)
    # Before the next row's label, spaced as the cells are.
    nxt = next(k for k in range(at + 1, len(lines)) if lines[k].strip() and parse_number(lines[k]) is None)
    noted = "\n".join([*lines[:nxt], note, "", *lines[nxt:]])
    got = extract_text(noted).table("requests")
    assert want is not None and got is not None and not got.ambiguous
    assert got.values.tolist() == want.values.tolist() and got.status == want.status
    assert any("a note between the table's rows" in n for n in got.notes)


def _cells_after(lines: list[str], label: str, count: int = 7) -> list[int]:
    """Indices of the ``count`` value lines after a row's label line in a one-cell-a-line text."""
    at = next(k for k, ln in enumerate(lines) if ln.replace("（", "(").replace("）", ")") == label)
    return [k for k in range(at + 1, len(lines)) if lines[k].strip()][:count]


def test_a_row_worded_as_the_regulation_words_it_is_taken_by_its_number_and_place() -> None:
    """Bodies write some rows in the regulation's own words (3.危及国家安全、公共安全、经济安全、
    社会稳定的 for 3.危及"三安全一稳定"): no template label comes near, and the row was left out,
    its cells unknown, its values an extra row's. Numbered as the next row is and standing where
    it does, it is that row."""
    clean = generate(10, Deformations.none(format="2021")).text
    want = extract_text(clean).table("requests")
    worded = {
        "3.危及“三安全一稳定”": "3.危及国家安全、公共安全、经济安全、社会稳定的",
        "5.属于三类内部事务信息": "5.属于人事管理、后勤管理、内部工作流程等内部事务信息",
        "2.没有现成信息需要另行制作": "2.需要另行制作的",
    }
    text = clean
    for label, words in worded.items():
        assert f"\n{label}\n" in text
        text = text.replace(f"\n{label}\n", f"\n{words}\n", 1)
    got = extract_text(text).table("requests")
    assert want is not None and got is not None and not got.ambiguous
    assert got.values.tolist() == want.values.tolist() and got.status == want.status
    assert sum("is taken by its number and place" in n for n in got.notes) == len(worded)


def test_two_rows_merged_under_one_number_are_not_the_first() -> None:
    """Two rows merged into one (2.没有现成信息需要另行制作、补正后申请内容仍不明确, their values
    summed): numbered as the first, it holds the second's values too, and is not read as it."""
    clean = generate(10, Deformations.none(format="2021")).text
    lines = clean.split("\n")
    first = _cells_after(lines, "2.没有现成信息需要另行制作")
    second = _cells_after(lines, "3.补正后申请内容仍不明确")
    summed = [str(int(lines[a]) + int(lines[b])) for a, b in zip(first, second, strict=True)]
    assert summed != [lines[a] for a in first]  # the merge changes the first row's values
    label = first[0] - 1
    while lines[label] != "2.没有现成信息需要另行制作":
        label -= 1
    row_lines = lines[label : first[-1] + 1]  # the first row's label and values, spaced
    row_lines[0] = "2.没有现成信息需要另行制作、补正后申请内容仍不明确"
    for k, value in zip(first, summed, strict=True):
        row_lines[k - label] = value
    merged = [*lines[:label], *row_lines, *lines[second[-1] + 1 :]]
    got = extract_text("\n".join(merged)).table("requests")
    assert got is not None
    row = got.rows.index("unable_needs_creation")
    assert all(s == "unknown" for s in got.status[row])


def test_a_summary_of_totals_before_the_full_requests_table_is_passed_over() -> None:
    """Some reports give a few totals as a small table of their own (收到申请总数, 予以公开, …,
    结转下年度继续办理) before the full grid. Their labels matched the grid's rows (予以公开,
    结转下年度继续办理), the last of them its last row: every row of the full grid after them came
    too late to match, and the whole table was unknown. The grid's first row again, before any
    row read, begins the table anew."""
    clean = generate(10, Deformations.none(format="2021")).text
    want = extract_text(clean).table("requests")
    assert want is not None

    def total(key: str) -> str:
        return str(int(want.values[want.rows.index(key), -1]))

    summary = ["（一）申请情况汇总", "项目", "数量（件）"]
    for label, key in [
        ("收到申请总数", "new_received"),
        ("予以公开", "granted"),
        ("结转下年度继续办理", "carried_forward"),
    ]:
        summary += [label, total(key)]
    summary.append("（二）申请办理情况明细")
    header = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"  # the grid's first line
    assert f"\n{header}\n" in clean
    text = clean.replace(f"\n{header}\n", "\n" + "\n\n".join([*summary, header]) + "\n", 1)  # spaced alike
    got = extract_text(text).table("requests")
    assert got is not None and not got.ambiguous
    assert got.values.tolist() == want.values.tolist() and got.status == want.status
    assert any("began the table again" in n for n in got.notes)


def test_a_text_that_ends_inside_a_tables_title_says_so() -> None:
    """A page excerpt cut inside the next table's title (``第二十条第(``, ``三、收到和处理政府
    信息公开``): the table it opens was lost with no error, where a table cut inside its rows is
    reported. A title's opening too short to tell (``三、``) says nothing."""
    text = ACTIVE.format(first=HEADER_2021, fifth="信息内容 |\n本年处理决定数量 |\n行政许可 |\n5 |", sixth="")
    for cut in ("第二十条第(", "三、收到和处理政府信息公开"):
        report = extract_text(text + cut + "\n")
        assert f"inside a table's title ({cut})" in " ".join(report.errors)
        assert report.table("active_20_1") is not None
    assert not any("inside a table's title" in e for e in extract_text(text + "三、\n").errors)
