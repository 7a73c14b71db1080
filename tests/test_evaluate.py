"""Eval arithmetic on small hand-made (truth, contract) pairs, and the eval command's exit codes."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tablerecon import evaluate
from tablerecon.cli import main
from tablerecon.evaluate import Counts, evaluate_dir, find_inputs, score_document, score_pairs, values_equal
from tablerecon.synth import Deformations, generate

ROW_SUM = "review: total = upheld + corrected + other + pending"


def truth_table(**extra: Any) -> dict[str, Any]:
    return {
        "table": "review_litigation",
        "template": "review-litigation",
        "rows": ["count"],
        "columns": ["review_upheld", "review_corrected", "review_total"],
        "cells": [[3, None, 3]],
        **extra,
    }


def found_table(
    cells: list[list[Any]], status: list[list[str]], *, ambiguous: bool = False, holds: bool = True
) -> dict[str, Any]:
    return {
        "table": "review_litigation",
        "template": "review-litigation",
        "rows": ["count"],
        "columns": ["review_upheld", "review_corrected", "review_total"],
        "cells": cells,
        "cell_status": status,
        "checks": [{"identity": ROW_SUM, "holds": holds, "residual": 0 if holds else 1}],
        "ambiguous": ambiguous,
        "alternatives": int(ambiguous),
    }


def doc(*tables: dict[str, Any], source: str = "x.txt") -> dict[str, Any]:
    return {"source": source, "tables": list(tables), "errors": []}


def total_of(truth: dict[str, Any], contract: dict[str, Any] | None) -> Counts:
    return score_pairs([(truth, contract)]).total


def test_exact_table_blank_equals_zero() -> None:
    c = total_of(doc(truth_table()), doc(found_table([[3, 0, 3]], [["read", "read", "read"]])))
    assert (c.cells, c.cells_right, c.tables_exact, c.cells_silent) == (3, 3, 1, 0)
    assert c.rates()["cell_accuracy"] == 1.0


def test_wrong_cell_marked_read_is_silent() -> None:
    c = total_of(doc(truth_table()), doc(found_table([[3, 0, 4]], [["read", "blank", "read"]])))
    assert (c.cells_right, c.cells_silent, c.tables_exact) == (2, 1, 0)


def test_wrong_blank_is_silent_too() -> None:
    c = total_of(doc(truth_table()), doc(found_table([[None, None, 3]], [["blank", "blank", "read"]])))
    assert c.cells_silent == 1


def test_ambiguous_wrong_cell_is_not_silent() -> None:
    found = found_table([[3, 0, 4]], [["read", "read", "read"]], ambiguous=True)
    c = total_of(doc(truth_table()), doc(found))
    assert (c.cells_silent, c.tables_ambiguous, c.tables_exact) == (0, 1, 0)
    assert c.rates()["ambiguity_rate"] == 1.0


def test_unknown_wrong_cell_is_not_silent() -> None:
    c = total_of(doc(truth_table()), doc(found_table([[3, 0, None]], [["read", "blank", "unknown"]])))
    assert (c.cells_right, c.cells_silent) == (2, 0)


def test_ambiguous_table_with_right_cells_is_not_exact() -> None:
    found = found_table([[3, 0, 3]], [["read", "read", "read"]], ambiguous=True)
    assert total_of(doc(truth_table()), doc(found)).tables_exact == 0


def test_inferred_precision_and_recall() -> None:
    truth = doc(truth_table(inferred=[["count", "review_upheld"]]))
    # upheld inferred right, total inferred wrong
    found = found_table([[3, 0, 5]], [["inferred", "blank", "inferred"]])
    c = total_of(truth, doc(found))
    assert (c.inferred_marked, c.inferred_marked_right) == (2, 1)
    assert c.rates()["inferred_precision"] == 0.5
    assert (c.inferred_truth, c.inferred_found) == (1, 1)
    assert c.cells_silent == 1  # the wrong inferred total


def test_inferred_cell_outside_the_truth_counts_as_wrong() -> None:
    found = found_table([[3, 0, 3]], [["read", "blank", "read"]])
    found["rows"].append("extra_row_1")
    found["cells"].append([1, 1, 2])
    found["cell_status"].append(["inferred", "read", "read"])
    c = total_of(doc(truth_table()), doc(found))
    assert (c.inferred_marked, c.inferred_marked_right) == (1, 0)


def test_planted_inconsistency_detected() -> None:
    truth = doc(truth_table(cells=[[3, None, 4]], source_inconsistent=[ROW_SUM]))
    found = found_table([[3, None, 4]], [["read", "blank", "read"]], holds=False)
    c = total_of(truth, doc(found))
    assert (c.inconsistent_planted, c.inconsistent_detected, c.false_alarms) == (1, 1, 0)
    assert c.tables_exact == 1


def test_planted_inconsistency_repaired_is_missed_and_wrong() -> None:
    truth = doc(truth_table(cells=[[3, None, 4]], source_inconsistent=[ROW_SUM]))
    found = found_table([[3, None, 3]], [["read", "blank", "inferred"]], holds=True)
    c = total_of(truth, doc(found))
    assert (c.inconsistent_planted, c.inconsistent_detected, c.cells_silent) == (1, 0, 1)


def test_false_alarm() -> None:
    found = found_table([[3, None, 3]], [["read", "blank", "read"]], holds=False)
    c = total_of(doc(truth_table()), doc(found))
    assert (c.false_alarms, c.inconsistent_planted) == (1, 0)


def test_missing_table_and_missing_output() -> None:
    c = total_of(doc(truth_table()), doc())
    assert (c.tables_expected, c.tables_found, c.cells_missing, c.cells_silent) == (1, 0, 3, 0)
    ev = score_pairs([(doc(truth_table()), None)])
    assert ev.documents[0].error == "no output"
    assert ev.documents[0].wrong_cells == 3


def test_missing_column_is_wrong_but_not_silent() -> None:
    found = found_table([[3, 0]], [["read", "read"]])
    found["columns"] = ["review_upheld", "review_corrected"]
    c = total_of(doc(truth_table()), doc(found))
    assert (c.cells_missing, c.cells_right, c.cells_silent) == (1, 2, 0)


def test_per_template_and_total() -> None:
    active = {
        "table": "active_20_8",
        "template": "active-2019",
        "rows": ["fees"],
        "columns": ["prev_items", "change"],
        "cells": [[179, -2]],
    }
    active_found = {
        **copy.deepcopy(active),
        "cell_status": [["read", "read"]],
        "checks": [],
        "ambiguous": False,
    }
    active_found["cells"] = [[179, 2]]
    pairs = [
        (doc(truth_table(), active), doc(found_table([[3, 0, 3]], [["read"] * 3]), active_found)),
        (
            doc(truth_table()),
            doc(found_table([[3, 0, 3]], [["read"] * 3]), {**active_found, "table": "active_20_9"}),
        ),
    ]
    ev = score_pairs(pairs)
    assert ev.by_template["review-litigation"].documents == 2
    assert ev.by_template["active-2019"].documents == 1
    assert ev.by_template["active-2019"].cells_silent == 1
    assert ev.by_template["active-2019"].tables_extra == 1
    assert ev.total.documents == 2
    assert ev.total.tables_expected == 3
    assert ev.total.cells == 3 + 2 + 3
    summary = ev.to_dict()
    assert summary["total"]["cells_silent"] == 1
    assert summary["worst_documents"] == [{"source": "x.txt", "wrong_cells": 1}]


def test_values_equal() -> None:
    assert values_equal(None, 0) and values_equal(0, None) and values_equal(950125.6165, 950125.6165)
    assert not values_equal(1, None) and not values_equal("1", 1) and not values_equal(True, 1)


def test_score_document_per_template_documents_flag() -> None:
    by_template, wrong = score_document(doc(truth_table()), doc())
    assert list(by_template) == ["review-litigation"] and by_template["review-litigation"].documents == 1
    assert wrong == 3


# --------------------------------------------------------------------------------------------
# Directory runs and the command


def contract_from_truth(truth: dict[str, Any], wrong: int = 0) -> dict[str, Any]:
    """A perfect engine's output, with ``wrong`` cells of the first table corrupted (marked read)."""
    tables = []
    for k, t in enumerate(truth["tables"]):
        cells = copy.deepcopy(t["cells"])
        status = [["read" if v is not None else "blank" for v in row] for row in cells]
        if k == 0:
            for j in range(min(wrong, len(cells[0]))):
                cells[0][j] = (cells[0][j] or 0) + 1
        failing = bool(t.get("source_inconsistent"))
        tables.append(
            {
                "table": t["table"],
                "template": t["template"],
                "rows": t["rows"],
                "columns": t["columns"],
                "cells": cells,
                "cell_status": status,
                "checks": [{"identity": "x", "holds": not failing, "residual": 0}],
                "ambiguous": False,
                "alternatives": 0,
            }
        )
    return {"source": truth["source"], "tables": tables, "errors": []}


def write_corpus(folder: Path, seeds: range) -> None:
    for seed in seeds:
        d = generate(seed, Deformations(wrong_total=0.5), source=f"{seed:05d}.txt")
        (folder / f"{seed:05d}.txt").write_text(d.text, encoding="utf-8")
        (folder / f"{seed:05d}.json").write_text(json.dumps(d.truth, ensure_ascii=False), encoding="utf-8")


def fake_engine(wrong: int) -> Any:
    def run(path: Path) -> dict[str, Any]:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return contract_from_truth(truth, wrong)

    return run


def test_find_inputs_prefers_txt(tmp_path: Path) -> None:
    for name in ("a.json", "a.html", "a.txt", "b.json", "b.html", "c.txt"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [(i.name, t.name) for i, t in find_inputs(tmp_path)] == [("a.txt", "a.json"), ("b.html", "b.json")]


def test_evaluate_dir_with_a_perfect_engine(tmp_path: Path) -> None:
    write_corpus(tmp_path, range(6))
    ev = evaluate_dir(tmp_path, extract=fake_engine(0))
    assert ev.total.documents == 6
    assert ev.total.cells_right == ev.total.cells and ev.total.cells_silent == 0
    assert ev.total.inconsistent_detected == ev.total.inconsistent_planted > 0
    assert ev.total.false_alarms == 0


def test_evaluate_dir_records_engine_crashes(tmp_path: Path) -> None:
    write_corpus(tmp_path, range(2))

    def crash(path: Path) -> dict[str, Any]:
        raise RuntimeError("boom")

    ev = evaluate_dir(tmp_path, extract=crash)
    assert [d.error for d in ev.documents] == ["RuntimeError: boom"] * 2
    assert ev.total.tables_found == 0


def test_eval_command_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    write_corpus(tmp_path, range(3))
    monkeypatch.setattr(evaluate, "_engine", fake_engine(0))
    assert main(["eval", str(tmp_path)]) == 0
    assert "total" in capsys.readouterr().out
    monkeypatch.setattr(evaluate, "_engine", fake_engine(2))
    assert main(["eval", str(tmp_path), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["total"]["cells_silent"] == 6
    assert main(["eval", str(tmp_path), "--max-silent", "6"]) == 0
    assert main(["eval", str(tmp_path / "nowhere")]) == 2


@pytest.mark.parametrize(
    "truth",
    [
        "[1]",
        "null",
        "{}",
        '{"tables": null}',
        '{"tables": ["x"]}',
        '{"tables": [{"table": "requests"}]}',
        '{"tables": [{"table": "requests", "template": "requests-2021", "rows": ["total"], '
        '"columns": ["total"], "cells": []}]}',
        '{"tables": [{"table": "requests", "template": "requests-2021", "rows": ["total"], '
        '"columns": ["total"], "cells": [[1]], "inferred": 5}]}',
        '{"synth": {"deformations": 5}, "tables": []}',
        "[" * 100_000 + "]" * 100_000,
        "not json",
    ],
)
def test_a_truth_file_that_is_none_is_one_line_and_exit_2(
    truth: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Valid JSON of the wrong shape was an internal error somewhere in the scoring (TypeError,
    KeyError, IndexError, RecursionError for deep nesting); now the file and its first problem."""
    (tmp_path / "doc.txt").write_text("规章 | 1 | 2 | 3 |", encoding="utf-8")
    (tmp_path / "doc.json").write_text(truth, encoding="utf-8")
    assert main(["eval", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a truth file" in err[0] and "doc.json" in err[0], err


def test_a_truth_is_paired_with_its_own_stem_and_only_a_regular_file_is_read(tmp_path: Path) -> None:
    """``rep[1].json`` was scored against ``rep1.txt`` (its stem taken as a glob pattern), and
    a truth that is a FIFO blocked eval forever."""
    for name in ("rep[1].json", "rep[1].txt", "rep1.txt", "b.txt"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    os.mkfifo(tmp_path / "b.json")
    assert [(i.name, t.name) for i, t in find_inputs(tmp_path)] == [("rep[1].txt", "rep[1].json")]


def _shared_score() -> Any:
    path = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score.py"
    if not path.exists():
        pytest.skip("shared/tools/score.py is not beside the checkout")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_agrees_with_the_shared_scorer(tmp_path: Path) -> None:
    """Same definitions as shared/tools/score.py, so the two tools never disagree on a run."""
    score = _shared_score()
    write_corpus(tmp_path, range(8))
    run = fake_engine(3)
    outputs = tmp_path / "out.jsonl"
    contracts = []
    for k, (path, _truth) in enumerate(find_inputs(tmp_path)):
        contract = run(path)
        if k % 3 == 1:
            contract["tables"][-1]["ambiguous"] = True
        if k % 4 == 2:
            contract["tables"].pop(1)
        contracts.append(contract)
    outputs.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in contracts), encoding="utf-8")
    theirs, _ = score.score(str(tmp_path), str(outputs))
    it = iter(contracts)
    ev = evaluate_dir(tmp_path, extract=lambda _p: next(it))
    ours = ev.total
    assert ours.cells == theirs["cells"]
    assert ours.cells_right == theirs["cells_right"]
    assert ours.cells_silent == theirs["cells_silent"]
    assert ours.tables_exact == theirs["tables_exact"]
    assert ours.tables_ambiguous == theirs["tables_ambiguous"]
    assert ours.false_alarms == theirs["false_alarms"]
    assert ours.inconsistent_detected == theirs["inconsistent_flagged"]
    assert ours.inferred_found == theirs["inferred_found"]


def test_synthetic_documents_are_also_tallied_per_deformation() -> None:
    damaged = doc(truth_table())
    damaged["synth"] = {"deformations": ["lost_value", "units"]}
    clean = doc(truth_table())
    clean["synth"] = {"deformations": []}
    wrong = doc(found_table([[3, 0, 4]], [["read", "read", "read"]]))
    right = doc(found_table([[3, 0, 3]], [["read", "read", "read"]]))
    ev = score_pairs([(damaged, wrong), (clean, right), (doc(truth_table()), right)])
    assert sorted(ev.by_deformation) == ["lost_value", "none", "units"]
    assert ev.by_deformation["lost_value"].cells_silent == ev.by_deformation["units"].cells_silent == 1
    assert ev.by_deformation["none"].cells_silent == 0 and ev.by_deformation["none"].documents == 1
    assert ev.total.documents == 3
