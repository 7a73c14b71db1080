"""Snapshot tests of what `show` and `explain` print, colours included.

The snapshots in tests/snapshots/ are ANSI text: `cat` one to review it. They change when the
engine's output changes, on purpose: a reviewer then looks at the new grids before accepting
them with UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, SEED_004
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.style import Style
from rich.text import Text
from snapshot import assert_snapshot, updating
from test_styles import REVIEW_HEADER

from tablerecon import extract_file, extract_text
from tablerecon.cli import main
from tablerecon.models import PlacementOption, Report, Table
from tablerecon.render.cells import ambiguous_cells, cell_views, short_column, violated_cells
from tablerecon.render.terminal import (
    AMBIGUOUS_STYLE,
    STATUS_STYLES,
    VIOLATED_STYLE,
    Checks,
    Grid,
    Legend,
    explain_view,
    report_view,
)

DATA = Path(__file__).resolve().parent / "data" / "render"
VIOLATED = DATA / "violated_review.txt"
AMBIGUOUS = DATA / "ambiguous_active.txt"
SVG = ROOT / "docs" / "img" / "show_terminal.svg"


def console(width: int = 100) -> Console:
    return Console(record=True, width=width, force_terminal=True, color_system="truecolor", highlight=False)


def render(renderable: RenderableType, width: int = 100) -> str:
    c = console(width)
    c.print(renderable)
    return c.export_text(styles=True)


def styled(text: str, style: Style) -> re.Pattern[str]:
    """``text`` (right-justified in its cell) in ``style``, as the snapshots' colour system writes it."""
    prefix = render(Text("X", style=style)).split("X")[0]
    return re.compile(re.escape(prefix) + r" *" + re.escape(text) + re.escape("\x1b[0m"))


def extract(path: Path) -> Report:
    """The report, named by its path in the repository so snapshots do not depend on the checkout."""
    report = extract_file(path, explain=True)
    return report.model_copy(update={"source": path.relative_to(ROOT).as_posix()})


@pytest.fixture(scope="module")
def seed004() -> Report:
    return extract(SEED_004)


@pytest.fixture(scope="module")
def violated() -> Report:
    return extract(VIOLATED)


@pytest.fixture(scope="module")
def ambiguous() -> Report:
    return extract(AMBIGUOUS)


def table(report: Report, table_id: str) -> Table:
    t = report.table(table_id)
    assert t is not None, f"{report.source}: no {table_id}"
    return t


def test_seed004_show_snapshot(seed004: Report) -> None:
    requests = table(seed004, "requests")
    inferred = {
        (requests.rows[r], requests.columns[c])
        for r, row in enumerate(requests.status)
        for c, s in enumerate(row)
        if s == "inferred"
    }
    assert inferred == {("new_received", "legal_service"), ("unable_needs_creation", "research")}
    out = render(report_view(seed004))
    # Both inferred cells carry the inferred colour and mark.
    assert len(styled("5*", STATUS_STYLES["inferred"]).findall(out)) == 1
    assert len(styled("1*", STATUS_STYLES["inferred"]).findall(out)) == 1
    assert_snapshot("show_seed004.ansi", out)


def test_seed004_requests_with_lines_snapshot(seed004: Report) -> None:
    out = render(report_view(seed004, [table(seed004, "requests")], show_lines=True))
    assert "L204" in out and "L480" in out
    assert_snapshot("show_seed004_requests_lines.ansi", out)


def test_violated_identity_snapshot(violated: Report) -> None:
    review = table(violated, "review_litigation")
    broken = [c for c in review.checks if not c.holds]
    assert [(c.identity, c.residual) for c in broken] == [
        ("review: total = upheld + corrected + other + pending", 1.0)
    ]
    assert violated_cells(review) == {(0, c) for c in range(5)}
    out = render(report_view(violated))
    assert styled("229!", VIOLATED_STYLE).search(out)
    assert "residual" in out and "+1" in out
    assert_snapshot("show_violated_review.ansi", out)


def test_ambiguous_snapshot(ambiguous: Report) -> None:
    active = table(ambiguous, "active_20_1")
    assert active.ambiguous
    assert ambiguous_cells(active) == {(0, 0), (0, 1), (0, 2)}
    out = render(report_view(ambiguous))
    assert len(styled("?~", AMBIGUOUS_STYLE).findall(out)) == 3
    assert "regulations: read 1 (line 8), 6 (line 9); 3 placements possible" in Text.from_ansi(out).plain
    assert_snapshot("show_ambiguous_active.ansi", out)


def test_explain_inferred_row_snapshot(seed004: Report) -> None:
    requests = table(seed004, "requests")
    out = render(explain_view(requests, requests.rows.index("unable_needs_creation")))
    assert "constraint graph" in out and "research = 1" in out
    assert_snapshot("explain_seed004_unable_needs_creation.ansi", out)


def test_explain_table_overview_snapshot(seed004: Report) -> None:
    out = render(explain_view(table(seed004, "requests")))
    assert "placements" in out
    assert_snapshot("explain_seed004_requests.ansi", out)


def test_explain_says_whether_a_search_stopped_at_a_bound(seed004: Report) -> None:
    complete = Text.from_ansi(render(explain_view(table(seed004, "requests")))).plain
    assert "search: complete" in complete
    # A 200-digit glued run under the 15-column header: more splits than the bound allows.
    report = extract_text(REVIEW_HEADER + "1234567890" * 20 + "\n五、存在的主要问题及改进情况\n")
    stopped = Text.from_ansi(render(explain_view(table(report, "review_litigation")))).plain
    assert "search: stopped at a bound" in stopped


def test_explain_ambiguous_row_snapshot(ambiguous: Report) -> None:
    active = table(ambiguous, "active_20_1")
    out = render(explain_view(active, 0))
    assert "equally good" in out
    assert_snapshot("explain_ambiguous_regulations.ansi", out)


def with_options(t: Table) -> Table:
    """The requests table as the solver will record it once `options` is filled."""
    r = t.rows.index("carried_over")
    p = t.placements[r]
    options = (
        PlacementOption(columns=(0, 1, 6), verdict="chosen"),
        PlacementOption(columns=(0, 2, 6), gap_cost=2, verdict="costlier"),
        PlacementOption(columns=(0, 1, 5), verdict="violates a row identity"),
        PlacementOption(
            columns=(1, 2, 6), lost_column=0, lost_value=0.0, verdict="excluded by column identities"
        ),
    )
    placements = list(t.placements)
    placements[r] = p.model_copy(update={"options": options})
    return t.model_copy(update={"placements": placements})


def test_explain_renders_recorded_options() -> None:
    t = with_options(table(extract_file(SEED_004), "requests"))
    out = render(explain_view(t, t.rows.index("carried_over")))
    for verdict in ("chosen", "costlier", "violates a row identity", "excluded by column identities"):
        assert verdict in out
    assert "did not record" not in out
    assert "1 placement(s) broke the row's own sum" in out
    assert_snapshot("explain_with_options.ansi", out)


def test_tied_options_mark_ambiguous_cells() -> None:
    t = table(extract_file(SEED_004), "requests")
    r = t.rows.index("carried_over")
    options = (
        PlacementOption(columns=(0, 1, 6), verdict="chosen"),
        PlacementOption(columns=(0, 2, 6), verdict="tied"),
    )
    placements = list(t.placements)
    placements[r] = placements[r].model_copy(update={"options": options})
    tied = t.model_copy(update={"placements": placements, "ambiguous": True})
    assert ambiguous_cells(tied) == {(r, 1), (r, 2)}
    assert [c.ambiguous for c in cell_views(tied)[r]] == [False, True, True, False, False, False, False]


@pytest.mark.parametrize("width", [80, 100])
def test_grids_fit_the_width(seed004: Report, width: int) -> None:
    out = render(report_view(seed004, show_lines=True), width)
    plain = Text.from_ansi(out).plain
    assert max(cell_len(line) for line in plain.splitlines()) <= width
    review = table(seed004, "review_litigation")
    # Fifteen columns never squeeze: every header is shown whole, in chunks.
    for key in review.columns:
        assert short_column(key) in plain
    assert "…" not in plain


def test_legend_names_every_status_in_two_short_lines() -> None:
    plain = Text.from_ansi(render(Legend(), 60)).plain
    for word in ("read", "blank", "inferred", "unknown", "violated", "ambiguous"):
        assert word in plain
    assert len(plain.splitlines()) == 2


def test_grid_of_a_table_without_columns(seed004: Report) -> None:
    t = table(seed004, "active_20_9")
    empty = Table(
        table=t.table,
        template=t.template,
        title=t.title,
        rows=t.rows,
        row_labels=t.row_labels,
        columns=[],
        values=t.values[:, :0],
        status=[[] for _ in t.rows],
        lines=[[] for _ in t.rows],
    )
    assert "no columns" in render(Grid(empty))


def test_readme_terminal_svg(seed004: Report) -> None:
    """The README's picture of `show`: seed 004's requests grid. Only the grid, checks and
    legend: SVG viewers draw CJK text narrower than the terminal cells rich lays out."""
    requests = table(seed004, "requests")
    c = Console(record=True, width=80, force_terminal=True, color_system="truecolor", highlight=False)
    c.print(Group(Grid(requests), Checks(requests.checks), Legend()))
    svg = c.export_svg(title="tablerecon show corpus/seeds/004_….txt --table requests")
    assert "5*" in svg and "1*" in svg
    if updating() or not SVG.exists():
        SVG.parent.mkdir(parents=True, exist_ok=True)
        SVG.write_text(svg, encoding="utf-8")
    else:
        assert SVG.read_text(encoding="utf-8") == svg, "stale: UPDATE_SNAPSHOTS=1 to rewrite"


# --- the commands ---------------------------------------------------------------------------


def test_show_cli_prints_grids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(SEED_004), "--table", "requests", "--lines"]) == 0
    out = capsys.readouterr().out
    assert "new received" in out and "L204" in out and "in a violated identity" in out


def test_show_cli_unknown_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(SEED_004), "--table", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no table 'nope'" in err and "requests" in err


def test_show_cli_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["show", str(tmp_path / "absent.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_show_cli_undecodable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\xd8")  # UTF-16 BOM then a lone surrogate
    assert main(["show", str(bad)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_show_cli_document_errors_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    lines = SEED_004.read_text(encoding="utf-8").split("\n")
    cut.write_text("\n".join(lines[179:300]), encoding="utf-8")
    assert main(["show", str(cut)]) == 1
    assert "error:" in capsys.readouterr().out


def test_explain_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SEED_004), "--table", "requests", "--row", "new_received"]) == 0
    out = capsys.readouterr().out
    assert "numbers read" in out and "legal_service = 5" in out and "blank-line hints" in out


def test_explain_cli_accepts_short_row_label(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SEED_004), "--table", "requests", "--row", "unable: create"]) == 0
    assert "unable_needs_creation" in capsys.readouterr().out


def test_explain_cli_unknown_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SEED_004), "--table", "requests", "--row", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "new_received" in err


def test_explain_cli_needs_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["explain", str(SEED_004)])
    assert exc.value.code == 2


def test_show_cli_document_without_tables(capsys: pytest.CaptureFixture[str]) -> None:
    # A 2020 excerpt whose only table is no standard one (seed 000 now gives its prose statistics).
    prose = ROOT / "corpus" / "dev" / "036_shandong_jining_renshe_2020_excerpt.txt"
    assert main(["show", str(prose)]) == 0
    assert "no table found" in capsys.readouterr().out
