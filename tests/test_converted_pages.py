"""Real pages as text browsers and converters print them: tables drawn with box-drawing
characters or ASCII rules, fixed-width columns whose header cells and row labels wrap onto a
second line, and Markdown holding raw HTML (tests/data/converted_pages/README.md says how each
file was made)."""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, load_truth

from tablerecon import extract_file, extract_text
from tablerecon.borders import is_rule, read_borders, rule_lines
from tablerecon.cells import Kind
from tablerecon.labels import CUT_NOTE_SCORE, is_section_heading, score
from tablerecon.normalize import tokenize

DUMPS = ROOT / "tests" / "data" / "converted_pages"
#: Flattenings that lose what the engine cannot get back: no cell silently wrong is asked.
_LOSSY = ("pdf", "pandas")
#: Text browsers and converters: every table read exactly.
CASES = sorted((p.parent.name, p) for p in DUMPS.glob("*/*.txt*") if not p.parent.name.startswith(_LOSSY))
#: The pages printed to PDF and their text taken out again, and pandas' renderings.
PDF_CASES = sorted((p.parent.name, p) for p in DUMPS.glob("*/*.txt") if p.parent.name.startswith(_LOSSY))


def test_every_converted_page_is_here() -> None:
    assert {tool for tool, _ in CASES} == {"w3m", "elinks", "elinks_80", "links2", "pandoc_gfm"}
    assert len(CASES) == 10
    assert {tool for tool, _ in PDF_CASES} == {
        "pdftotext",
        "pdftotext_layout",
        "pdftotext_raw",
        "pdfminer",
        "pdfminer_boxes_flow_none",
        "pdfplumber_joined",
        "pandas_to_csv",
    }
    assert len(PDF_CASES) == 14


@pytest.mark.parametrize(("tool", "path"), CASES, ids=[f"{t}-{p.name[:3]}" for t, p in CASES])
def test_converted_pages_read_every_table_exactly(tool: str, path: Path) -> None:
    """Every table of the truth file, every cell read as the truth has it, none unknown. Before
    box-drawing bars separated cells and rule lines were dropped, w3m's dumps gave 11% of cells
    right (5 silently wrong); before wrapped headers and labels were read, 1-3 tables of each
    dump came back ambiguous, an extra column made of a header's second line; before raw HTML
    in Markdown was read, pandoc's pages gave no table at all. Before the rows of ruled tables
    were folded, elinks at its default width read a wrapped row's label lines as a row of blanks
    (4 cells silently wrong) and a spanning cell's ``三、`` ended the requests table."""
    stem = path.name.split(".")[0]
    if path.suffix == ".gz":
        report = extract_text(gzip.decompress(path.read_bytes()).decode("utf-8"), source=path.name)
    else:
        report = extract_file(path)
    assert report.errors == []
    for want in load_truth(stem)["tables"]:
        table = report.table(want["table"])
        assert table is not None, (tool, want["table"])
        assert table.template == want["template"]
        assert table.rows == want["rows"] and table.columns == want["columns"], (tool, want["table"])
        assert not table.ambiguous, (tool, want["table"], table.notes)
        for i, row in enumerate(want["rows"]):
            for j, col in enumerate(want["columns"]):
                got, expected = table.values[i, j], want["cells"][i][j]
                assert table.status[i][j] in ("read", "blank"), (tool, want["table"], row, col)
                assert math.isclose(0.0 if math.isnan(got) else got, expected or 0.0), (tool, row, col)


def test_rules_are_strokes_junctions_and_bars_only() -> None:
    for rule in ("|---|---|", "| :--- | ---: |", "+-----+-----+", "├──┼──┤", "------  ------", "═══", "___"):
        assert is_rule(rule) and rule_lines(f"规章\n  {rule}\n0") == {2}, rule
    # Two strokes or one stand for a blank cell; text beside strokes is a cell.
    for not_rule in ("-", "--", "—", "——", "- -", "规章 ---", "---1", "", "|  |"):
        assert not is_rule(not_rule), not_rule
    assert read_borders("│规章│0│\n├──┼──┤\n│规范性文件│89│") == ("|规章|0|\n|──|──|\n|规范性文件|89|", {2})
    assert read_borders("规章 | 0\n---\n") == ("规章 | 0\n---\n", {2})
    assert read_borders("规章 | 0\n--\n") == ("规章 | 0\n--\n", set())


def test_a_rule_line_is_no_cell_and_no_empty_line() -> None:
    """Blank lines between a label and its values are evidence of blank cells: a rule line
    between them must add none; a rule drawn across a row's other cells is no field of it."""
    plain = tokenize("规章\n\n0\n")[0]
    ruled = tokenize("规章\n+----+\n\n─────\n0\n")[0]
    assert [(c.text, c.gap) for c in ruled] == [(c.text, c.gap) for c in plain]
    drawn = tokenize("│   │（三）不予公开 ├──────┼──────┤\n| 规章 | -- | 5 |\n")[0]
    assert [(c.kind, c.text) for c in drawn] == [
        (Kind.LABEL, "(三)不予公开"),
        (Kind.LABEL, "规章"),
        (Kind.PLACEHOLDER, "--"),
        (Kind.NUMBER, "5"),
    ]


def test_a_fixed_width_header_wrapped_onto_two_lines_names_its_columns() -> None:
    """本年新 over 制作数量: the second line ends the first line's header cells, no column of its own."""
    text = "\n".join(
        [
            "第二十条第(一)项",
            "信息内容        本年新          本年新          对外公开总数量",
            "                制作数量        公开数量",
            "规章            0               0               0",
            "规范性文件      89              89              89",
        ]
    )
    table = extract_text(text).table("active_20_1")
    assert table is not None and not table.ambiguous, table and table.notes
    assert table.columns == ["new_made", "new_published", "total_published"]
    assert table.values.tolist() == [[0, 0, 0], [89, 89, 89]]


def test_a_label_wrapped_inside_its_note_still_names_its_row() -> None:
    """A layout that wraps a label inside its bracketed note leaves the note unclosed: the label
    still names its row, though a hair below a whole label, so that where the note's rest
    follows as the next label (one cell a line), the two joined win."""
    label = "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
    assert score("(二)部分公开(区分处理的,只", label) == CUT_NOTE_SCORE
    assert score("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", label) == 100


def test_markdown_holding_an_html_table_far_into_it_reads_both_kinds_of_table() -> None:
    """A raw HTML table past the first 8 KB (where a page is recognised), Word's inline markup
    around a title, and a Markdown pipe table: each read by the reader it needs, every cell on
    the line it stands on in the whole text."""
    prose = "本年度,我单位认真贯彻落实《条例》要求,进一步加强政务公开工作。\n\n" * 300
    text = (
        prose
        + '<span\nstyle="FONT-FAMILY: 黑体">第二十条第(一)项</span>\n\n'
        + "<table><tr><td>信息内容</td><td>本年新<br>制作数量</td><td>本年新<br>公开数量</td>"
        + "<td>对外公开总数量</td></tr>\n<tr><td>规章</td><td>0</td><td>0</td><td>3</td></tr>\n"
        + "<tr><td>规范性文件</td><td>7</td><td>7</td><td>89</td></tr></table>\n\n"
        + "第二十条第(五)项\n\n| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n|---|---|---|---|\n"
        + "| 行政许可 | 396 | 0 | 181 |\n| 其他对外管理服务事项 | 10 | 0 | 153 |\n"
    )
    assert text.index("<table>") > 8192
    report = extract_text(text)
    assert report.errors == []
    first, fifth = report.table("active_20_1"), report.table("active_20_5")
    assert first is not None and fifth is not None
    assert first.values.tolist() == [[0, 0, 3], [7, 7, 89]]
    assert fifth.values.tolist() == [[396, 0, 181], [10, 0, 153]]
    lines = text.split("\n")
    assert "89" in lines[first.lines[1][2] - 1] and "153" in lines[fifth.lines[1][2] - 1]


@pytest.mark.parametrize("html_first", [False, True])
def test_markdown_holding_an_html_table_near_its_start_reads_both_kinds_of_table(html_first: bool) -> None:
    """The same within the first 8 KB: the raw table made the whole text read as a page, and
    the Markdown around it ran together into one label, its pipe table lost (fuzzing: 215 of
    488 such texts lost a table). Text before the first table tag that holds no tag is text."""
    pipes = "第二十条第(五)项\n\n| 信息内容 | 本年处理决定数量 |\n| --- | --- |\n| 行政许可 | 117 |\n\n"
    raw = (
        "<table><tr><td>第二十条第(六)项</td></tr><tr><td>信息内容</td><td>本年处理决定数量</td></tr>"
        "<tr><td>行政处罚</td><td>153</td></tr><tr><td>行政强制</td><td>27</td></tr></table>\n\n"
    )
    if html_first:
        pipes = pipes.replace("(五)", "(八)").replace("本年处理决定数量", "本年收费金额(单位:万元)")
        pipes = pipes.replace("行政许可", "行政事业性收费")
    body = raw + pipes if html_first else pipes + raw
    report = extract_text("二、主动公开政府信息情况\n\n" + body + "三、收到和处理政府信息公开申请情况\n")
    sixth = report.table("active_20_6")
    other = report.table("active_20_8" if html_first else "active_20_5")
    assert sixth is not None and sixth.values.tolist() == [[153], [27]]
    assert other is not None and other.values.tolist() == [[117]]


REVIEW_WORDS = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_a_review_header_with_no_numbers_is_blank_only_when_it_holds_nothing_else() -> None:
    """A review table's header with no numbers under it: every cell left blank, when the header
    holds only header words (其他 / 结果 broken over two lines too). Text the template does not
    know there, such as a converter's [TABLE], may be the values unread: the cells are unknown."""
    title = "四、政府信息公开行政复议、行政诉讼情况"
    tail = "五、存在的主要问题及改进情况"
    blank = extract_text("\n".join([title, *REVIEW_WORDS[:4], "其他", "结果", *REVIEW_WORDS[5:], tail]))
    table = blank.table("review_litigation")
    assert table is not None and {s for row in table.status for s in row} == {"blank"}
    dropped = extract_text("\n".join([title, *REVIEW_WORDS, "[TABLE]", tail]))
    table = dropped.table("review_litigation")
    assert table is not None and {s for row in table.status for s in row} == {"unknown"}


def test_a_title_followed_by_no_row_is_reported() -> None:
    """A converter that writes [TABLE] in a table's place leaves its title and nothing of it: the
    report says so. A section heading followed by sentences (a pre-2019 report) is no table."""
    text = "\n".join(
        ["三、收到和处理政府信息公开申请情况", "", "[TABLE]", "", "四、存在的主要问题及改进情况", "无。"]
    )
    report = extract_text(text)
    assert report.tables == []
    assert report.errors == ["requests: its title (line 1) is followed by no row of the table; not emitted"]
    prose = "\n".join(
        [
            "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
            "2017年,共收到行政复议8件,已办结4件。",
            "五、其他",
        ]
    )
    assert extract_text(prose).errors == []


def test_rows_of_a_ruled_table_fold_onto_one_line() -> None:
    """Between two rules of a table ruled under every row lies one row, however many lines its
    wrapped cells take, and wherever the browser put its values (top or middle line)."""

    def rule(left: str, middle: str, right: str) -> str:
        return left + "─" * 10 + middle + "─" * 6 + middle + "─" * 6 + right

    centred = "\n".join(
        [
            rule("┌", "┬", "┐"),
            "│ 信息内容 │ 本年 │ 现行 │",
            "│          │  新  │ 有效 │",
            rule("├", "┼", "┤"),
            "│ 行政规范 │      │      │",
            "│ 性文件   │  5   │  9   │",
            "│ 文件     │      │      │",
            rule("├", "┼", "┤"),
            "│ 规章     │  0   │  1   │",
            rule("└", "┴", "┘"),
        ]
    )
    text, skipped = read_borders(centred)
    lines = text.split("\n")
    assert lines[1] == "|信息内容|本年新|现行有效|" and 3 in skipped
    assert lines[5] == "|行政规范性文件文件|5|9|" and {5, 7} <= skipped
    assert lines[8] == "| 规章     |  0   |  1   |"  # a row of one line is left as it was
    assert {1, 4, 8, 10} <= skipped  # the rules
    cells = tokenize(centred)[0]
    numbers = [(c.text, c.line) for c in cells if c.kind is Kind.NUMBER]
    assert numbers == [("5", 6), ("9", 6), ("0", 9), ("1", 9)]


def test_a_spanning_cell_keeps_its_pieces_on_their_lines() -> None:
    """A cell spanning several rows runs through the rules between them: its pieces belong to
    no one row, so they are not joined into the row beside them."""
    drawn = "\n".join(
        [
            "+------+--------+---+",
            "| 三、 | 1.属于 |   |",
            "|      | 国家   | 0 |",
            "|      |--------+---|",
            "| 本年 | 2.其他 | 3 |",
            "| 度办 | 法律   |   |",
            "+------+--------+---+",
            "| 总计 | x      | 3 |",
            "+------+--------+---+",
        ]
    )
    lines = read_borders(drawn)[0].split("\n")
    assert lines[1] == "|三、|"  # the spanning piece alone: the row's own cells moved down
    assert lines[2] == "||1.属于国家|0|"
    assert lines[4] == "|本年|2.其他法律|3|"
    assert lines[5] == "|度办|"


@pytest.mark.parametrize(
    "drawn",
    [
        # Markdown: one rule under the header, every row below it.
        "| 信息内容 | 本年 |\n| --- | --- |\n| 第二十条 |  |\n| 规章 | 0 |\n| 规范性文件 | 5 |",
        # A box ruled under its header only: three rules, the rows between two of them.
        "┌──┬──┐\n│ 信息内容 │ 本年 │\n├──┼──┤\n│ 行政许可 │   │\n│ 行政处罚 │ 7 │\n└──┴──┘",
        # Ruled rows, but one holds two values in a column: several rows under one rule.
        "+--+--+\n| 规章 | 0 |\n+--+--+\n| a | 1 |\n| b | 2 |\n+--+--+\n| c | 3 |\n+--+--+",
    ],
    ids=["markdown", "header-rule-only", "two-values-in-a-column"],
)
def test_tables_not_ruled_under_every_row_are_not_folded(drawn: str) -> None:
    """Folding lines that are rows of their own would glue a label onto the next row's."""
    text, skipped = read_borders(drawn)
    assert text == drawn.translate(str.maketrans(dict.fromkeys("│├┼┤", "|")))
    assert skipped == rule_lines(text)


def test_a_section_number_alone_is_no_heading() -> None:
    """A heading ends the table before it; a spanning cell printed a few characters a line
    (``三、`` / ``本年`` / ``度办理结果``) starts with a bare section number that must not."""
    assert is_section_heading("五、存在的主要问题及改进情况")
    assert not is_section_heading("三、")
    assert not is_section_heading("(三)不予公开")


@pytest.mark.parametrize(("tool", "path"), PDF_CASES, ids=[f"{t}-{p.name[:3]}" for t, p in PDF_CASES])
def test_text_taken_from_a_pdf_has_no_cell_silently_wrong(tool: str, path: Path) -> None:
    """Each page printed to PDF by Chromium and its text taken out by pdftotext: every cell read,
    inferred or blank is the truth's; the rest is unknown. Before page furniture was dropped,
    wrapped labels were followed and rows beside misplaced values were doubted, the three modes
    gave 4, 4 and 22 cells silently wrong (a footer ended the requests table; a row whose values
    stood beside the middle line of its label read blank; the default mode puts a table's labels
    before its values). pdfplumber's pages joined with line breaks have no form feed to find
    the furniture by: it repeats, in a form no table line has. With pdftotext -layout and -raw and
    with pdfplumber every table is read exactly.
    pdfminer.six puts values before their labels, or under the next table's caption: before such
    values were taken as astray, 7 cells (its default) and 25 (boxes_flow=None) were wrong.
    pandas writes its column numbers over each table: they were read as the review row (27)."""
    report = extract_file(path)
    stem = path.name.split(".")[0]
    exact = 0
    for want in load_truth(stem)["tables"]:
        table = report.table(want["table"])
        if table is None:
            continue
        wrong = 0
        for i, row in enumerate(want["rows"]):
            for j, col in enumerate(want["columns"]):
                if row not in table.rows or col not in table.columns:
                    wrong += 1
                    continue
                got = table.values[table.rows.index(row), table.columns.index(col)]
                status = table.status[table.rows.index(row)][table.columns.index(col)]
                if status == "unknown":
                    wrong += 1
                    continue
                value = 0.0 if math.isnan(got) else got
                assert math.isclose(value, want["cells"][i][j] or 0.0), (tool, want["table"], row, col)
        exact += not wrong
    tables = len(load_truth(stem)["tables"])
    if tool in ("pdftotext_layout", "pdftotext_raw", "pdfplumber_joined", "pandas_to_csv"):
        assert exact == tables
    # The default mode's reading order scrambles the large tables: only nothing silently wrong.


@pytest.mark.parametrize("path", sorted((DUMPS / "pdftotext_raw").glob("*.txt")), ids=lambda p: p.name[:3])
def test_pages_joined_by_a_form_feed_inside_a_line(path: Path) -> None:
    """``"\\f".join`` of pages whose text ends with no line break (pdfplumber's, pypdf's) puts a
    page's last line and the next page's first on one line. They are two lines: the tables read
    as with the break, and each value keeps its line in the text as given."""
    original = path.read_text(encoding="utf-8")
    joined = original.replace("\n\f", "\f")
    assert "\f" in joined and "\n\f" not in joined
    want, got = extract_text(original).tables, extract_text(joined).tables
    assert [t.table for t in got] == [t.table for t in want]
    lines = joined.split("\n")
    for mine, theirs in zip(got, want, strict=True):
        assert mine.status == theirs.status
        assert np.array_equal(mine.values, theirs.values, equal_nan=True)
        for r, row in enumerate(mine.lines):
            for c, line in enumerate(row):
                if line is not None and mine.status[r][c] == "read":
                    numbers = re.findall(r"\d+(?:\.\d+)?", lines[line - 1].replace(",", ""))
                    assert any(math.isclose(float(n), mine.values[r, c]) for n in numbers), line
