"""Real pages as text browsers print them: tables drawn with box-drawing characters or ASCII
rules, and fixed-width columns whose header cells and row labels wrap onto a second line
(tests/data/text_browsers/README.md says how each file was made)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import ROOT, load_truth

from tablerecon import extract_file, extract_text
from tablerecon.borders import bars_to_pipes, is_rule, is_rule_line
from tablerecon.labels import CUT_NOTE_SCORE, score
from tablerecon.normalize import Kind, tokenize

DUMPS = ROOT / "tests" / "data" / "text_browsers"
CASES = sorted((p.parent.name, p) for p in DUMPS.glob("*/*.txt"))


def test_every_browser_dump_is_here() -> None:
    assert {tool for tool, _ in CASES} == {"w3m", "elinks", "links2"}
    assert len(CASES) == 6


@pytest.mark.parametrize(("tool", "path"), CASES, ids=[f"{t}-{p.stem[:3]}" for t, p in CASES])
def test_browser_dumps_read_every_table_exactly(tool: str, path: Path) -> None:
    """Every table of the truth file, every cell read as the truth has it, none unknown. Before
    box-drawing bars separated cells and rule lines were dropped, w3m's dumps gave 11% of cells
    right (5 silently wrong); before wrapped headers and labels were read, 1-3 tables of each
    dump came back ambiguous, an extra column made of a header's second line."""
    report = extract_file(path)
    assert report.errors == []
    for want in load_truth(path.stem)["tables"]:
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
        assert is_rule(rule) and is_rule_line("  " + rule), rule
    # Two strokes or one stand for a blank cell; text beside strokes is a cell.
    for not_rule in ("-", "--", "—", "——", "- -", "规章 ---", "---1", "", "|  |"):
        assert not is_rule(not_rule), not_rule
    assert bars_to_pipes("│规章│0│├──┼──┤") == "|规章|0||──|──|"
    assert bars_to_pipes("规章 | 0") == "规章 | 0"


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
