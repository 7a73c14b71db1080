"""Tables as text browsers draw them: box-drawing characters or ASCII rules."""

from __future__ import annotations

from tablerecon.borders import bars_to_pipes, is_rule, is_rule_line
from tablerecon.normalize import Kind, tokenize


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
