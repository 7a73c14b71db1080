"""Ways real report pages write their tables that the corpus does not hold, found by reading
45 report pages the engine had never seen (page beginnings, about 2 KB each). The texts here are
written for the tests in those pages' ways, not copied from them."""

from __future__ import annotations

import math

from tablerecon import extract_text

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
