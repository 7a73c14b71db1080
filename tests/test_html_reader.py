"""The HTML reader must give the cell stream the text pipeline expects, on real pages.

The two pages are the archived Pingtan reports whose truth was read from these very ``<table>``
cells (corpus/dev, copied from shared/corpus/dev), so the values below are the truth files'.
"""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablerecon.cells import Cell, Kind, normalize_label, parse_number, to_ascii_width
from tablerecon.normalize import tokenize
from tablerecon.readers.html import (
    MAX_COLSPAN,
    html_cells,
    html_tables,
    looks_like_html,
    read_html,
)

CORPUS = Path(__file__).parents[1] / "corpus" / "dev"
PAGE_2019 = CORPUS / "001_pingtan_2019_page.html"
PAGE_2021 = CORPUS / "003_pingtan_2021_page.html"

# Requests-table truth of 001 (truth/001_pingtan_2019_page.json, rows in template order).
REQUESTS_2019 = [
    [23, 0, 0, 0, 0, 0, 23],
    [0] * 7,
    [7, 0, 0, 0, 0, 0, 7],
    [1, 0, 0, 0, 0, 0, 1],
    *[[0] * 7] * 8,
    [7, 0, 0, 0, 0, 0, 7],
    [0] * 7,
    [5, 0, 0, 0, 0, 0, 5],
    [0] * 7,
    [3, 0, 0, 0, 0, 0, 3],
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [23, 0, 0, 0, 0, 0, 23],
    [0] * 7,
]
# Requests-table truth of 003 (2021 format), in data-cell order.
REQUESTS_2021 = [
    [64, 0, 0, 2, 0, 4, 70],
    [0] * 7,
    [27, 0, 0, 2, 0, 1, 30],
    [5, 0, 0, 0, 0, 0, 5],
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [1, 0, 0, 0, 0, 0, 1],
    [0] * 7,
    [6, 0, 0, 0, 0, 0, 6],
    [1, 0, 0, 0, 0, 0, 1],
    [22, 0, 0, 0, 0, 3, 25],
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [0] * 7,
    [1, 0, 0, 0, 0, 0, 1],
    [63, 0, 0, 2, 0, 4, 69],
    [1, 0, 0, 0, 0, 0, 1],
]
SECTION_TITLES = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


@pytest.fixture(scope="module")
def page_2019() -> str:
    return PAGE_2019.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_2021() -> str:
    return PAGE_2021.read_text(encoding="utf-8")


def _number(text: str) -> float | None:
    return parse_number(to_ascii_width(text).strip())


def _table_with(grids: list[list[list[str]]], label: str) -> list[list[str]]:
    return next(g for g in grids if any(normalize_label(x) == label for row in g for x in row))


def _truth(name: str) -> dict[str, list[list[float | None]]]:
    """Truth cells by table id, from the project's corpus copy or shared/ beside the project."""
    root = Path(__file__).parents[1]
    candidates = [root / "corpus" / "truth" / name, root.parent / "shared" / "corpus" / "truth" / name]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        pytest.skip(f"truth file {name} not available")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {t["table"]: t["cells"] for t in data["tables"]}


# -- sniffing ---------------------------------------------------------------------------------------


def test_looks_like_html(page_2019: str, page_2021: str) -> None:
    assert looks_like_html(page_2019)
    assert looks_like_html(page_2021)
    assert looks_like_html("  <TABLE border=1><tr><td>1</td></tr></TABLE>")
    assert not looks_like_html("一、本年新收政府信息公开申请数量 | 3 | 3 |\n规章\n0\n")
    assert not looks_like_html("x" * 10_000 + "<table>")  # only the first few KB are looked at


# -- resolved grids -------------------------------------------------------------------------------


def test_requests_grid_2019_matches_truth(page_2019: str) -> None:
    grid = _table_with(html_tables(page_2019), "一、本年新收政府信息公开申请数量")
    assert len({len(row) for row in grid}) == 1 and len(grid[0]) == 10
    # Header: the corner spans 3x3, 自然人 and 总计 span two rows, 法人或其他组织 five columns.
    assert [normalize_label(x) for x in grid[2][3:]] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert grid[1][3] == grid[2][3] and grid[1][9] == grid[2][9]
    assert grid[1][4:9] == ["法人或其他组织"] * 5
    data = [row for row in grid if all(_number(x) is not None for x in row[3:])]
    assert [[_number(x) for x in row[3:]] for row in data] == REQUESTS_2019
    # Row groups resolved: every 不予公开 leaf carries its group labels in columns 0 and 1.
    leaves = [row for row in grid if normalize_label(row[1]) == "(三)不予公开"]
    assert len(leaves) == 8
    assert {normalize_label(row[0]) for row in leaves} == {"三、本年度办理结果"}
    assert normalize_label(leaves[0][2]) == "1.属于国家秘密"


def test_requests_grid_2019_equals_truth_file(page_2019: str) -> None:
    grid = _table_with(html_tables(page_2019), "一、本年新收政府信息公开申请数量")
    data = [[_number(x) for x in row[3:]] for row in grid if all(_number(x) is not None for x in row[3:])]
    assert data == _truth("001_pingtan_2019_page.json")["requests"]


def test_active_grid_2019(page_2019: str) -> None:
    grid = html_tables(page_2019)[0]
    assert grid[0] == [grid[0][0]] * 4 and normalize_label(grid[0][0]) == "第二十条第(一)项"
    rows = {normalize_label(row[0]): row[1:] for row in grid}
    assert [_number(x) for x in rows["规范性文件"]] == [89, 89, 89]
    assert [_number(x) for x in rows["行政处罚"]] == [2648, 0, 430]
    assert [_number(x) for x in rows["政府集中采购"][:2]] == [135, 75394432.52]


def test_misaligned_header_2021_grid(page_2021: str) -> None:
    """003's header puts 自然人 over two columns and each 商业企业 value spans two columns; the
    grid shows it as written (the solver, not the reader, decides what that means)."""
    grid = _table_with(html_tables(page_2021), "一、本年新收政府信息公开申请数量")
    assert len(grid[0]) == 11
    assert grid[1][3] == grid[1][4] == "自然人"
    assert grid[2][3] == ""  # the empty sub-header cell
    first = next(row for row in grid if normalize_label(row[0]) == "一、本年新收政府信息公开申请数量")
    assert [_number(x) for x in first[3:]] == [64, 0, 0, 0, 2, 0, 4, 70]
    assert sum(1 for row in grid if normalize_label(row[0]) == "三、本年度办理结果") == 22


# -- cell stream ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [PAGE_2019, PAGE_2021], ids=["2019", "2021"])
def test_section_titles_and_captions_are_cells(page: Path) -> None:
    texts = [c.text for c in html_cells(page.read_text(encoding="utf-8"))]
    for title in SECTION_TITLES:
        assert title in texts
    for caption in ["第二十条第(一)项", "第二十条第(五)项", "第二十条第(六)项", "第二十条第(八)项"]:
        assert texts.count(caption) == 1
    # Titles come in order, each before its table's first cell.
    positions = [texts.index(t) for t in SECTION_TITLES]
    assert positions == sorted(positions)
    assert positions[1] < texts.index("第二十条第(一)项") < positions[2]
    assert positions[2] < texts.index("一、本年新收政府信息公开申请数量") < positions[3]


def _requests_numbers(cells: list[Cell]) -> list[float | None]:
    start = next(i for i, c in enumerate(cells) if c.text == "一、本年新收政府信息公开申请数量")
    end = next(i for i, c in enumerate(cells) if c.text == "四、结转下年度继续办理")
    return [c.value for c in cells[start : end + 8] if c.kind is Kind.NUMBER]


@pytest.mark.parametrize(
    ("page", "truth"), [(PAGE_2019, REQUESTS_2019), (PAGE_2021, REQUESTS_2021)], ids=["2019", "2021"]
)
def test_requests_values_in_stream_order(page: Path, truth: list[list[int]]) -> None:
    """Flattened order (spec §5.3): every value once, row-major, 161 (2019) / 175 (2021) of them."""
    numbers = _requests_numbers(html_cells(page.read_text(encoding="utf-8")))
    assert numbers == [v for row in truth for v in row]


def test_rowspan_cells_emitted_once(page_2021: str) -> None:
    cells = html_cells(page_2021)
    texts = [c.text for c in cells]
    assert texts.count("三、本年度办理结果") == 1  # rowspan=22 in the page
    for group in ["(三)不予公开", "(四)无法提供", "(五)不予处理", "(六)其他处理"]:
        assert texts.count(group) == 1
        # The group label starts the row of its first child and is not repeated below.
        i = texts.index(group)
        assert cells[i + 1].same_line and cells[i + 1].text.startswith("1.")
    i = texts.index("(三)不予公开")
    assert [c.text for c in cells[i + 9 : i + 10]] == ["2.其他法律行政法规禁止公开"]
    assert not cells[i + 9].same_line


def test_row_structure_and_gaps(page_2021: str) -> None:
    cells = html_cells(page_2021)
    texts = [c.text for c in cells]
    i = texts.index("规章")
    assert [(c.text, c.same_line, c.gap) for c in cells[i : i + 4]] == [
        ("规章", False, 0),
        ("0", True, 0),
        ("0", True, 0),
        ("0", True, 0),
    ]
    # The empty cell under 自然人 in the third header row is one empty slot before 商业企业.
    j = texts.index("商业企业")
    assert cells[j].gap == 1 and not cells[j].same_line
    assert [c.text for c in cells[j + 1 : j + 5]] == ["科研机构", "社会公益组织", "法律服务机构", "其他"]
    # Section 四: 15 values on the last row of the table.
    k = texts.index("四、政府信息公开行政复议、行政诉讼情况")
    values = [c for c in cells[k:] if c.kind is Kind.NUMBER][:15]
    assert [c.value for c in values] == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]
    assert [c.same_line for c in values] == [False] + [True] * 14


def _visible_text_by_line(page: str) -> tuple[str, list[int]]:
    """The page's text content without whitespace, and where each source line starts in it:
    tags (which may span lines) are dropped but keep their newlines, entities are decoded."""
    text = re.sub(
        r"<(script|style)\b.*?</\1\s*>", lambda m: "\n" * m.group().count("\n"), page, flags=re.S | re.I
    )
    text = re.sub(r"<[^>]*>", lambda m: "\n" * m.group().count("\n"), text)
    flat: list[str] = []
    starts: list[int] = []
    size = 0
    for line in text.split("\n"):
        starts.append(size)
        piece = re.sub(r"\s+", "", html.unescape(line))
        flat.append(piece)
        size += len(piece)
    starts.append(size)
    return "".join(flat), starts


@pytest.mark.parametrize("page", [PAGE_2019, PAGE_2021], ids=["2019", "2021"])
def test_line_numbers_point_at_the_cell_text(page: Path) -> None:
    """Each cell's text starts on the line the cell names (not on its ``<td`` line, which in
    Word-made pages is often several lines earlier)."""
    source = page.read_text(encoding="utf-8")
    flat, starts = _visible_text_by_line(source)
    cells = html_cells(source)
    assert len(cells) > 300
    lines = [c.line for c in cells]
    assert lines == sorted(lines)
    for cell in cells:
        needle = re.sub(r"\s+", "", cell.raw)
        begin, end = starts[cell.line - 1], starts[cell.line]
        pos = flat.find(needle, begin)
        assert begin <= pos < end, (cell.line, cell.raw[:40])


def test_line_numbers_in_multi_line_page(page_2021: str) -> None:
    cells = html_cells(page_2021)
    row = next(i for i, c in enumerate(cells) if c.text == "一、本年新收政府信息公开申请数量")
    # One cell every few lines in this Word-generated table: distinct, increasing lines.
    assert [c.line for c in cells[row : row + 8]] == [680, 688, 695, 703, 711, 719, 727, 735]
    assert "一、本年新收政府信息公开申请数量" in page_2021.split("\n")[679]


# -- same semantics as the text tokenizer -----------------------------------------------------------


def _shape(cells: list[Cell]) -> list[tuple[str, str, int, bool, int | None, int | None]]:
    return [(c.kind.value, c.text, c.gap, c.same_line, c.lead, c.after) for c in cells]


def test_same_cells_as_pipe_text() -> None:
    """A table and its pipe-separated flattening give the same cells (lines aside), with the
    empty cells that open and end each row (a pipe that ends a line closes the row)."""
    page = (
        "<table>"
        "<tr><td>行政许可</td><td></td><td>5</td><td></td><td></td></tr>"
        "<tr><td></td><td colspan=2></td><td>-47</td><td>3</td></tr>"
        "<tr><td>规范性文件</td><td>/</td><td>１２</td></tr>"
        "<tr><td></td><td></td><td>0</td></tr>"
        "</table>"
    )
    text = "行政许可 |  | 5 |  |  |\n |  |  | -47 | 3\n规范性文件 | / | １２\n |  | 0 |"
    cells = html_cells(page)
    assert _shape(cells) == _shape(tokenize(text)[0])
    numbers = [c for c in cells if c.kind is Kind.NUMBER]
    assert [(c.lead, c.after) for c in numbers] == [(None, 2), (3, None), (None, 0), (None, 0), (2, 0)]


def test_cell_text_joins_br_and_paragraphs() -> None:
    page = "<table><tr><td>本年新<br/>制作数量</td><td><p>商业</p><p>企业</p></td><td> 1,234 </td></tr>"
    cells = html_cells(page)
    assert [(c.text, c.kind) for c in cells] == [
        ("本年新制作数量", Kind.LABEL),
        ("商业企业", Kind.LABEL),
        ("1,234", Kind.NUMBER),
    ]
    assert cells[2].value == 1234


def test_blocks_outside_tables() -> None:
    page = (
        "<html><head><title>标题</title><style>p{}</style></head><body>"
        "<div>导航<span>首页</span></div><p>三、收到和处理<span>政府信息公开申请情况</span></p>"
        "<p>第一行<br>第二行</p><script>var x = '<p>no</p>';</script><p>&nbsp;</p>"
        "<ul><li>甲</li><li>乙</li></ul>尾巴</body></html>"
    )
    assert [c.text for c in html_cells(page)] == [
        "导航首页",
        "三、收到和处理政府信息公开申请情况",
        "第一行",
        "第二行",
        "甲",
        "乙",
        "尾巴",
    ]


def test_layout_table_is_read_as_page() -> None:
    """Old government sites wrap the whole article in a one-cell layout table."""
    page = (
        "<table><tr><td><p>二、主动公开政府信息情况</p>"
        "<table><tr><td>规章</td><td>1</td></tr></table><p>三、收到</p></td></tr></table>"
    )
    cells = html_cells(page)
    assert [(c.text, c.same_line) for c in cells] == [
        ("二、主动公开政府信息情况", False),
        ("规章", False),
        ("1", True),
        ("三、收到", False),
    ]
    outer, inner = html_tables(page)
    assert inner == [["规章", "1"]]
    assert outer == [["二、主动公开政府信息情况三、收到"]]


def test_rowspan_colspan_resolution_and_clamping() -> None:
    page = (
        "<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr>"
        "<tr><td>c</td><td>d</td><td>e</td></tr>"
        "<tr><td rowspan=0>F</td><td colspan=junk>g</td></tr><tr><td>h</td></tr></table>"
    )
    assert html_tables(page) == [
        [["A", "B", "B", ""], ["A", "c", "d", "e"], ["F", "g", "", ""], ["F", "h", "", ""]]
    ]
    huge = f"<table><tr><td colspan={10**12} rowspan={10**12}>x</td><td>y</td></tr></table>"
    grid = html_tables(huge)[0]
    assert len(grid) == 1 and len(grid[0]) == MAX_COLSPAN + 1 and grid[0][-1] == "y"


def test_grid_budget_bounds_memory() -> None:
    row = f"<tr><td colspan={MAX_COLSPAN} rowspan=65534>x</td></tr>"
    start = time.perf_counter()
    grid = html_tables("<table>" + row * 3000 + "</table>")[0]
    assert time.perf_counter() - start < 5
    assert len(grid) * len(grid[0]) <= 1_100_000


def test_cells_directly_in_table_form_a_row() -> None:
    assert _shape(html_cells("<table><td>a</td><td>1</td></table>")) == [
        ("label", "a", 0, False, 0, None),
        ("number", "1", 0, True, None, 0),
    ]


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   ",
        "\x00",
        "<",
        "</td></tr></table>",
        "<table>",
        "<table><tr><td>",
        "<td rowspan=-3 colspan=-1>x",
        "<?xml version='1.0' encoding='gb2312'?><html><p>中</p>",
        '<!DOCTYPE html SYSTEM "http://example.invalid/x.dtd"><html>&ext;<p>a</p>',
        "<p>\ud800</p>",
        "<div>" * 5000 + "deep",
        "<table><tr><td>" * 2000 + "deep",
        "<meta charset=gb2312><p>中文</p>",
        "a\rb\r\n<p>c</p>",
    ],
)
def test_malformed_input_never_raises(page: str) -> None:
    cells, grids = read_html(page)
    assert all(c.line >= 1 for c in cells)
    assert all(len({len(r) for r in g}) <= 1 for g in grids)


def test_line_numbers_use_text_line_endings() -> None:
    cells = html_cells("<p>a</p>\r\n<p>b</p>\r<p>c</p>\n\n<table><tr>\n<td>\n1</td></tr></table>")
    assert [(c.text, c.line) for c in cells] == [("a", 1), ("b", 2), ("c", 3), ("1", 7)]


def test_lines_past_libxml2_limit() -> None:
    """libxml2 stores lines in 16 bits; past 65535 the reader finds the text itself."""
    page = "<p>x</p>" + "\n" * 70_000 + "<table><tr><td>规章</td>\n<td>7</td></tr></table>"
    cells = html_cells(page)
    assert [(c.text, c.line) for c in cells] == [("x", 1), ("规章", 70_001), ("7", 70_002)]


_FRAGMENTS = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th colspan=3>",
        "<td rowspan=2>",
        "<td rowspan=0>",
        "<p>",
        "</p>",
        "<br>",
        "<div>",
        "</div>",
        "<span>",
        "规章",
        "12",
        " ",
        "\n",
        "&nbsp;",
        "&#x4e2d;",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "<",
        ">",
        "/",
        "\x00",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=60))
def test_fuzz_never_raises_and_grids_are_rectangular(parts: list[str]) -> None:
    page = "".join(parts)
    cells, grids = read_html(page)
    line_count = page.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(1 <= c.line <= line_count for c in cells)
    assert all(c.gap >= 0 for c in cells)
    assert all(len({len(r) for r in g}) <= 1 for g in grids)
