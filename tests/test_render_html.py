"""The HTML page of `show --html`: self-contained, every cell tied to its source line, all text
escaped. The browser test (test_html_browser.py) checks that the page also behaves."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SEED_004

from tablerecon import extract_file, extract_text
from tablerecon.cli import main
from tablerecon.normalize import decode
from tablerecon.render.html import render_page, source_lines


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text, for assertions."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def seed004_page() -> str:
    text, _ = decode(SEED_004.read_bytes())
    return render_page(extract_file(SEED_004), text)


def test_page_loads_nothing(seed004_page: str) -> None:
    for needle in ("<link", " src=", " href=", "@import", "url(", "http://", "https://"):
        assert needle not in seed004_page


def test_every_read_cell_points_at_an_existing_source_line(seed004_page: str) -> None:
    tags = parse(seed004_page).tags
    line_ids = {a.get("id") for t, a in tags if t == "div" and (a.get("id") or "").startswith("L")}
    cells = [a for t, a in tags if t == "td"]
    report = extract_file(SEED_004)
    assert len(cells) == sum(len(t.rows) * len(t.columns) for t in report.tables)
    read = [a for a in cells if "read" in (a.get("class") or "").split()]
    assert read and all(a.get("data-line") for a in read)
    assert all(f"L{a['data-line']}" in line_ids for a in cells if a.get("data-line"))
    inferred = [a for a in cells if "inferred" in (a.get("class") or "").split()]
    assert {(a["data-row"], a["data-col"]) for a in inferred} == {
        ("new_received", "legal_service"),
        ("unable_needs_creation", "research"),
    }


def test_source_pane_numbers_lines_as_the_engine_does(seed004_page: str) -> None:
    text, _ = decode(SEED_004.read_bytes())
    tags = parse(seed004_page).tags
    lines = [a for t, a in tags if t == "div" and "src" in (a.get("class") or "").split()]
    assert len(lines) == len(source_lines(text))
    requests = extract_file(SEED_004).table("requests")
    assert requests is not None
    first = requests.lines[0][0]
    assert first is not None
    assert source_lines(text)[first - 1].strip() == "4742"


def test_source_lines_handle_every_newline() -> None:
    assert source_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]


def test_all_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & "quoted" <b>'
    text, _ = decode(SEED_004.read_bytes())
    text = text.replace("2019年南通市人民政府信息公开工作年度报告", hostile, 1)
    report = extract_text(text, source='<img onerror="x">.txt')
    page = render_page(report, text)
    assert "<script>alert" not in page and "<img onerror" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot; &lt;b&gt;" in page
    assert page.count("<script>") == 1  # only the page's own


def test_violations_and_ambiguity_are_marked() -> None:
    data = Path(__file__).resolve().parent / "data" / "render"
    for name, cls, count in (("violated_review.txt", "viol", 5), ("ambiguous_active.txt", "amb", 3)):
        path = data / name
        text, _ = decode(path.read_bytes())
        tags = parse(render_page(extract_file(path), text)).tags
        marked = [a for t, a in tags if t == "td" and cls in (a.get("class") or "").split()]
        assert len(marked) == count, name


def test_show_html_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.html"
    assert main(["show", str(SEED_004), "--html", str(out), "--table", "requests"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}")
    page = out.read_text(encoding="utf-8")
    assert 'data-table="requests"' in page and 'data-table="review_litigation"' not in page


def test_show_html_cli_unwritable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(SEED_004), "--html", str(tmp_path / "no" / "such" / "dir.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
