"""Page furniture at a PDF's page breaks: page numbers and running headers and footers are no
part of the report's tables; the values and labels beside them are."""

from __future__ import annotations

from conftest import ROOT

from tablerecon import extract_file, extract_text
from tablerecon.cells import Kind
from tablerecon.normalize import tokenize
from tablerecon.pages import page_furniture


def _pages(*pages: str) -> str:
    """Pages as pdftotext writes them: each ends its last line, and a form feed opens the next
    (and ends the document)."""
    return "\f".join(page if page.endswith("\n") else page + "\n" for page in pages) + "\f"


def test_page_numbers_and_running_lines_at_page_breaks() -> None:
    text = _pages(
        "某局2021年度报告\n规章 0 0 0\n\n- 1 -\n",
        "某局2021年度报告\n行政规范性文件 2 1 7\n第2页 共3页\n",
        "某局2021年度报告\n其他 5\n3/3\n",
    )
    lines = text.split("\n")
    dropped = sorted(lines[n - 1].replace("\f", "") for n in page_furniture(text))
    assert dropped == ["- 1 -", "3/3", *["某局2021年度报告"] * 3, "第2页 共3页"]


def test_a_bare_number_is_a_page_number_only_where_the_numbers_count_the_pages() -> None:
    counting = _pages("规章 0 0 0\n1", "规范性文件 2 1 7\n2", "其他 5 5\n3")
    lines = counting.split("\n")
    assert sorted(lines[n - 1].replace("\f", "") for n in page_furniture(counting)) == ["1", "2", "3"]
    # Values that end pages (one cell a line) do not count the pages: they are kept.
    values = _pages("规章\n0\n7", "规范性文件\n2\n0", "其他\n5\n9")
    assert page_furniture(values) == set()


def test_rows_of_numbers_alike_at_page_breaks_are_no_footer() -> None:
    text = _pages("规章\n0 0 0", "规范性文件\n0 0 0", "其他\n0 0 0")
    assert page_furniture(text) == set()
    assert page_furniture("no page breaks\n- 1 -\n") == set()


def test_a_footer_inside_a_table_neither_ends_it_nor_gives_a_value() -> None:
    """A browser's footer (the page's address and 3/8) is long enough to read as a sentence,
    which ends a table: the rows after it were lost, and a page number read as a value."""
    header = "11/23/26, 10:57 PM  某区2021年度政府信息公开工作年度报告_政府信息公开年报_某区人民政府门户网站"
    footer = "file:///home/user/reports/2021/some_district_annual_report_page.html      {}/8"
    text = (
        f"{header}\n第二十条第(一)项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n"
        f"规章 0 0 0\n{footer.format(1)}\n\f{header}\n行政规范性文件 2 1 7\n{footer.format(2)}\n"
        f"\f{header}\n第二十条第(五)项\n{footer.format(3)}\n\f"
    )
    table = extract_text(text).table("active_20_1")
    assert table is not None and table.values.tolist() == [[0, 0, 0], [2, 1, 7]]
    assert all(s == "read" for row in table.status for s in row)


def test_a_row_whose_values_stand_beside_the_middle_line_of_its_label() -> None:
    """pdftotext -layout centres a row's values beside the middle line of its wrapped label,
    and a cell spanning rows (三、本年度办理结果) prints a few characters a line beside them:
    the values are the row's, not a row of their own, and the row is not blank."""
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量  9  0  0  0  0  0  9\n"
        "二、上年结转政府信息公开申请数量  0  0  0  0  0  0  0\n"
        "三 、 本   （一）予以公开          4  0  0  0  0  0  4\n"
        "年度办\n"
        "            （二）部分公开（区分处理\n"
        "理结果\n"
        "            的，只计这一情形，不计其 5  0  0  0  0  0  5\n"
        "            他情形）\n"
        "五、存在的主要问题及改进情况\n"
    )
    table = extract_text(text).table("requests")
    assert table is not None
    row = table.rows.index("partially_granted")
    assert table.values[row].tolist() == [5, 0, 0, 0, 0, 0, 5]
    assert table.status[row] == ["read"] * 7
    assert "extra_row_1" not in table.rows


def test_labels_before_their_values_leave_the_rows_unknown_not_blank() -> None:
    """pdftotext's default mode reads a table's labels, then its header, then its values: the
    header's last cell took them all, and the rows read blank (silently wrong)."""
    text = (
        "第二十条第（一）项\n信息内容\n规章\n行政规范性文件\n本年制发件数\n本年废止件数\n现行有效件数\n"
        "0\n0\n0\n69\n3\n665\n第二十条第（五）项\n"
    )
    _assert_unknown(text, ["active_20_1"], "values of several rows")


def test_values_before_their_labels_leave_the_table_unknown() -> None:
    """pdfminer (boxes_flow=None) prints each row's values before its label: each label was read
    with the next row's values, silently (25 cells over the two real pages)."""
    text = (
        "第二十条第（一）项\n信息内容\n本年新制作数量\n本年新公开数量\n对外公开总数量\n"
        "0\n0\n0\n规章\n89\n89\n89\n规范性文件\n第二十条第（六）项\n信息内容\n本年处理决定数量\n"
        "1282\n行政处罚\n42\n行政强制\n第二十条第（八）项\n"
    )
    _assert_unknown(text, ["active_20_1", "active_20_6"], "before the first row's label")


def test_values_under_another_tables_caption_leave_empty_rows_unknown() -> None:
    """pdfminer's default order can put a table's values after the next table's caption: the
    (一) table's rows read blank (silently) while its values sat astray in the (六) table."""
    text = (
        "第二十条第（一）项\n信息内容\n规章\n规范性文件\n第二十条第（六）项\n信息内容\n行政处罚\n"
        "行政强制\n本年新\n制作数量\n0\n89\n0\n89\n0\n89\n第二十条第（八）项\n"
    )
    _assert_unknown(text, ["active_20_1"], "values astray in table active_20_6")


def test_a_value_above_its_rows_line_leaves_the_table_unknown() -> None:
    """A PDF's layout puts a cell taller than its row's others above or below the row's line
    (442 above 行政许可 396 278, the next row's 7 below it): the 7 was read as 行政许可's last
    value, silently. One value before the first row's label is enough to show the order lost."""
    text = (
        "第二十条第（五）项\n信息内容 上一年项目数量 本年增/减 处理决定数量\n442\n行政许可 396 278\n7\n"
        "其他对外管理服务事项 10 105\n第二十条第（六）项\n"
    )
    _assert_unknown(text, ["active_20_5"], "before the first row's label")


def test_a_short_row_beside_values_astray_is_unknown() -> None:
    """pdftotext's default order put 规章's last value after the next row's: 规章 read 0 and two
    blanks, silently (its 7 was astray in a row of five values)."""
    text = (
        "第二十条第（一）项\n信息内容\n本年新制作数量\n本年新公开数量\n对外公开总数量\n"
        "规章\n0\n规范性文件\n77\n0\n7\n77\n166\n第二十条第（五）项\n"
    )
    _assert_unknown(text, ["active_20_1"], "blanks unmarked")


def test_words_of_another_cell_after_a_rows_values() -> None:
    """PyMuPDF's sorted text ends a row's line with the end of a group's label laid out beside
    it (``… 3 0 0 0 0 0 3 提供``): the line was one label and the row came out blank."""
    cells, *_ = tokenize("2.没有现成信息需要另行制作    3    0   0   0        0        0   3      提供\n")
    assert [c.value for c in cells if c.kind is Kind.NUMBER] == [3, 0, 0, 0, 0, 0, 3]
    assert [c.text for c in cells if c.kind is Kind.LABEL] == ["2.没有现成信息需要另行制作", "提供"]


def _assert_unknown(text: str, tables: list[str], why: str) -> None:
    """Every cell of each of ``tables`` is unknown, and a note of each says ``why``."""
    report = extract_text(text)
    for name in tables:
        table = report.table(name)
        assert table is not None, name
        assert all(s == "unknown" for row in table.status for s in row), name
        assert any(why in note for note in table.notes), (name, table.notes)


def test_a_label_wrapped_over_three_lines_before_its_values() -> None:
    """pdftotext -raw and PyMuPDF put a row's values after the last piece of its label, however
    short: ``息`` opened a row of its own with the values, and the row was left unknown."""
    text = (
        "三、收到和处理政府信息公开申请情况\n"
        "(四)无法提供\n1.本机关不掌\n握相关政府信\n息\n7 0 0 0 0 0 7\n"
        "2.没有现成信息需要另行制作\n0 0 0 0 0 0 0\n五、存在的主要问题及改进情况\n"
    )
    table = extract_text(text).table("requests")
    assert table is not None and "extra_row_1" not in table.rows
    row = table.rows.index("unable_not_held")
    assert table.values[row].tolist() == [7, 0, 0, 0, 0, 0, 7] and table.status[row] == ["read"] * 7


def test_furniture_of_pages_joined_without_form_feeds() -> None:
    """Page texts joined with line breaks: the furniture repeats through the document in a
    form no table line has (an address, 第#页, a long title line); a table's own short lines
    repeat too (信息内容) and stay."""
    title = "某区2021年度政府信息公开工作年度报告_政府信息公开年报_某区人民政府门户网站"
    page = title + "\n{body}\nhttps://www.example.gov.cn/nb/2021.html 第{n}页\n"
    bodies = [
        "第二十条第(一)项\n信息内容\n规章\n0",
        "0\n0\n第二十条第(五)项\n信息内容",
        "行政许可\n5\n第二十条第(六)项",
    ]
    text = "".join(page.format(body=body, n=n) for n, body in enumerate(bodies, start=1))
    lines = text.split("\n")
    dropped = [lines[n - 1] for n in sorted(page_furniture(text))]
    assert len(dropped) == 6 and all("某区" in line or "https" in line for line in dropped)
    report = extract_text(text)
    first = report.table("active_20_1")
    assert first is not None and first.values[0].tolist() == [0, 0, 0]
    licensing = report.table("active_20_5")
    assert licensing is not None and licensing.values[0, -1] == 5


def test_a_rows_first_value_against_its_label() -> None:
    """A PDF's text writes a row's first value against its label, with no space: the label was
    read with the digits (``行政规范性文件88``) and the row lost its values (unknown), or a
    table of one value lost it altogether (``行政事业性收费9116.36``)."""
    text = (
        "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n"
        "行政规范性文件88 55 698\n第二十条第（八）项\n信息内容 本年收费金额（单位：万元）\n"
        "行政事业性收费9116.36\n三、收到和处理政府信息公开申请情况\n"
    )
    report = extract_text(text)
    first, fees = report.table("active_20_1"), report.table("active_20_8")
    assert first is not None and first.values.tolist() == [[0, 0, 0], [88, 55, 698]]
    assert fees is not None and fees.values.tolist() == [[9116.36]] and fees.status == [["read"]]
    # Digits after words no template knows stay part of them.
    cells, *_ = tokenize("全年办理事项12 3\n")
    assert cells[0].kind is Kind.LABEL and cells[0].text.startswith("全年办理事项12")


def test_pieces_of_cells_spanning_rows_side_by_side() -> None:
    """A PDF's layout prints a few characters of each of several cells spanning rows side by
    side (三、本年度, (四)无法, then the row's own label): read as one label it opened with 三、
    and ended the table as a section heading would (11 cells of a real report unknown)."""
    text = (
        "三、本年度 （四）无法 1.本机关不掌握相关政\n4 0 0 0 0 0 4\n办理结果 提供 府信息\n（三）不予 公开\n"
    )
    labels = [c.text for c in tokenize(text)[0] if c.kind is Kind.LABEL]
    assert labels == [
        "三、本年度",
        "(四)无法",
        "1.本机关不掌握相关政",
        "办理结果",
        "提供",
        "府信息",
        "(三)不予公开",
    ]


def test_values_beside_a_piece_of_a_group_label_are_the_last_rows() -> None:
    """A row label wrapped over lines beside a cell spanning rows printed a few characters a
    line (pdfplumber's text of a real report printed to PDF): the row's values stand beside the
    group's piece ``（五）``. Taken for the group label again, the piece closed the row, whose
    values went astray and the row unknown."""
    path = ROOT / "tests" / "data" / "real_flattenings" / "lo_plumber_ff__pingtan_2020.txt"
    assert "（五） 0 0 0 0 0 0 0" in path.read_text(encoding="utf-8")
    table = extract_file(path).table("requests")
    assert table is not None
    row = table.rows.index("not_processed_publication")
    assert table.status[row] == ["read"] * 7 and table.values[row].tolist() == [0] * 7
