"""The generator's promises: truth consistent with the identities (unless a source error was
planted, and then named exactly), byte-identical output per seed, and each deformation visible
in the text when it is switched on."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablerecon.cli import main
from tablerecon.synth import DEFORMATIONS, STYLES, Deformations, SynthDoc, generate
from tablerecon.templates import expand_identities, load_template

SEEDS = range(12)


def failing_identities(table: dict[str, Any]) -> list[str]:
    spec = next(s for s in load_template(table["template"]).tables if s.table == table["table"])
    eqs = expand_identities(spec, table["rows"], table["columns"])
    cells = table["cells"]
    return [e.name for e in eqs if abs(sum(c * float(cells[i][j] or 0) for i, j, c in e.terms)) > 1e-9]


def cells_of(doc: SynthDoc) -> list[Any]:
    return [v for t in doc.truth["tables"] for row in t["cells"] for v in row]


def nonempty_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), style=st.sampled_from(STYLES))
def test_truth_satisfies_identities_unless_a_source_error_was_planted(seed: int, style: str) -> None:
    doc = generate(seed, Deformations(style=style, wrong_total=0.3, lost_value=0.5, totals_blank=0.3))
    for table in doc.truth["tables"]:
        assert failing_identities(table) == table.get("source_inconsistent", [])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_planted_source_error_names_the_identities_it_breaks(seed: int) -> None:
    doc = generate(seed, Deformations.only("wrong_total"))
    broken = [t for t in doc.truth["tables"] if t.get("source_inconsistent")]
    assert len(broken) == 1
    assert all(name in failing_identities(broken[0]) for name in broken[0]["source_inconsistent"])


@pytest.mark.parametrize("style", STYLES)
def test_same_seed_gives_same_bytes(style: str) -> None:
    d = Deformations(style=style)
    for seed in SEEDS:
        a, b = generate(seed, d), generate(seed, d)
        assert a.text.encode() == b.text.encode()
        assert json.dumps(a.truth) == json.dumps(b.truth)
    assert generate(1, d).text != generate(2, d).text


def test_truth_has_every_table_of_its_format() -> None:
    expected = {
        "2019": {"active_20_1", "active_20_5", "active_20_6", "active_20_8", "active_20_9", "requests",
                 "review_litigation"},
        "2021": {"active_20_1", "active_20_5", "active_20_6", "active_20_8", "requests", "review_litigation"},
    }  # fmt: skip
    for fmt in ("2019", "2021"):
        doc = generate(3, Deformations(format=fmt))
        tables = doc.truth["tables"]
        assert {t["table"] for t in tables} == expected[fmt]
        for t in tables:
            assert t["template"].endswith(fmt) or t["template"] == "review-litigation"
            assert len(t["cells"]) == len(t["rows"])
            assert all(len(r) == len(t["columns"]) for r in t["cells"])
            for key in ("inferred",):
                for r, c in t.get(key, []):
                    assert r in t["rows"] and c in t["columns"]


def test_clean_document_has_every_cell_and_no_damage() -> None:
    for seed in SEEDS:
        doc = generate(seed, Deformations.none())
        assert doc.deformations == ()
        assert None not in cells_of(doc)
        assert "\n\n\n" not in doc.text
        assert all("inferred" not in t and "source_inconsistent" not in t for t in doc.truth["tables"])


def test_deformations_do_not_change_the_numbers() -> None:
    """Switching damage on must not redraw the values, or comparisons across settings mean nothing."""
    for seed in SEEDS:
        clean = generate(seed, Deformations.none())
        damage = {"padded_values": 1.0, "fullwidth": 1.0, "split_labels": 1.0, "units": 1.0}
        damaged = generate(seed, Deformations.none().model_copy(update=damage))
        assert cells_of(clean) == cells_of(damaged)


def test_seed_004_style_blank_hint_is_one_extra_empty_line_per_blank() -> None:
    """As in seed 004: a blank cell adds exactly one empty line to the single separator."""
    for seed in SEEDS:
        doc = generate(seed, Deformations.only("blanks_hinted", format="2019"))
        clean = generate(seed, Deformations.none(format="2019"))
        blanks = sum(v is None for v in cells_of(doc))
        extra = doc.text.count("\n") - clean.text.count("\n")
        # each blank drops its value line and separator (2 lines) and adds one empty line
        assert extra == -blanks


def _new_lines(doc: SynthDoc, clean: SynthDoc) -> set[str]:
    return set(doc.text.split("\n")) - set(clean.text.split("\n"))


_NUMBER_LINE = re.compile(r"^[-0-9０-９.]+$")
SIGNS: dict[str, Callable[[SynthDoc, SynthDoc], bool]] = {
    "blanks_hinted": lambda d, c: "\n\n\n" in d.text and None in cells_of(d),
    "blanks_unhinted": lambda d, c: (
        None in cells_of(d)
        and "\n\n\n" not in d.text
        and len(nonempty_lines(d.text)) < len(nonempty_lines(c.text))
    ),
    "placeholders": lambda d, c: any(line.strip() in {"/", "-", "—"} for line in d.text.split("\n")),
    "lost_value": lambda d, c: (
        any(t.get("inferred") for t in d.truth["tables"])
        and len(nonempty_lines(d.text)) < len(nonempty_lines(c.text))
    ),
    "stray_blank_lines": lambda d, c: "\n\n\n" in d.text and None not in cells_of(d),
    "split_labels": lambda d, c: len(nonempty_lines(d.text)) > len(nonempty_lines(c.text)),
    "inner_spaces": lambda d, c: any(
        line.replace(" ", "") in c.text.split("\n") for line in _new_lines(d, c)
    ),
    "padded_values": lambda d, c: any(
        line != line.strip() and _NUMBER_LINE.match(line.strip()) for line in d.text.split("\n")
    ),
    "traditional_pinyin": lambda d, c: (
        "開" in d.text
        and re.search(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", d.text) is not None
    ),
    "fullwidth": lambda d, c: "（" in d.text and re.search("[０-９]", d.text) is not None,
    "units": lambda d, c: re.search(r"^\d+(?:\.\d+)?(?:万元|元)$", d.text, re.MULTILINE) is not None,
    "truncated_headers": lambda d, c: any(
        any(full.startswith(line) and len(line) < len(full) for full in c.text.split("\n") if full)
        for line in _new_lines(d, c)
        if line
    ),
    "extra_rows": lambda d, c: "extra_row_1" in d.truth["tables"][0]["rows"] and "其他主动公开文件" in d.text,
    "totals_blank": lambda d, c: any(
        col == "total" for t in d.truth["tables"] for _r, col in t.get("inferred", [])
    ),
    "wrong_total": lambda d, c: any(failing_identities(t) for t in d.truth["tables"]),
}


def test_every_deformation_has_a_check() -> None:
    assert set(SIGNS) == set(DEFORMATIONS)


@pytest.mark.parametrize("name", DEFORMATIONS)
def test_each_deformation_shows_in_the_text_when_enabled(name: str) -> None:
    applied = 0
    for seed in SEEDS:
        doc = generate(seed, Deformations.only(name))
        clean = generate(seed, Deformations.none())
        assert set(doc.deformations) <= {name}
        if name in doc.deformations:
            applied += 1
            assert SIGNS[name](doc, clean), f"{name} applied but not visible (seed {seed})"
    assert applied >= len(SEEDS) * 3 // 4, f"{name} applied in only {applied} of {len(SEEDS)} documents"


def test_row_per_line_style_writes_one_table_row_per_line() -> None:
    doc = generate(7, Deformations.none(style="row_per_line", format="2019"))
    lines = doc.text.split("\n")
    assert "规章 | " in doc.text
    row = next(line for line in lines if line.startswith("一、本年新收政府信息公开申请数量 |"))
    assert row.count("|") == 8  # label and 7 values, each closed by a pipe


def test_glued_style_concatenates_cells() -> None:
    doc = generate(7, Deformations.none(style="glued", format="2019"))
    requests = next(t for t in doc.truth["tables"] if t["table"] == "requests")
    first = "".join(str(v) for v in requests["cells"][0])
    assert "一、本年新收政府信息公开申请数量" + first in doc.text


def test_synth_command_writes_text_and_truth_pairs(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    assert main(["synth", "--count", "3", "--seed", "40", str(out)]) == 0
    stems = sorted(p.stem for p in out.iterdir())
    assert stems == ["00040", "00040", "00041", "00041", "00042", "00042"]
    truth = json.loads((out / "00041.json").read_text(encoding="utf-8"))
    assert truth["source"] == "00041.txt"
    assert (out / "00041.txt").read_text(encoding="utf-8") == generate(41, Deformations(), "00041.txt").text


def test_only_rejects_unknown_names() -> None:
    with pytest.raises(KeyError):
        Deformations.only("sunspots")
