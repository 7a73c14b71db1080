"""The page of `show --html` in a real browser: clicking a cell lights its source line and
clicking a source line lights its cell.

Needs Debian's `chromium` and `chromium-driver` and the pip package `selenium`. Outside CI the
test is skipped when they are missing; in CI (CI=true) a missing browser is a failure, so the
behaviour can never go untested there. The screenshot for the README (docs/img/show_html.png)
is rewritten with UPDATE_SNAPSHOTS=1 (or when absent); otherwise it goes to a temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEED_004
from snapshot import updating

from tablerecon import extract_file
from tablerecon.normalize import decode
from tablerecon.render.html import HIGHLIGHT_CLASS, render_page

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = ROOT / "docs" / "img" / "show_html.png"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)


def unavailable(reason: str) -> None:
    """Fail in CI, where the browser is installed on purpose; skip on a developer's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            unavailable(f"{path} is not installed (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("the selenium package is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    browser = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def classes(element: Any) -> list[str]:
    return str(element.get_attribute("class") or "").split()


def test_click_highlights_source_line_and_back(driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    report = extract_file(SEED_004)
    requests = report.table("requests")
    assert requests is not None
    row, col = requests.rows.index("new_received"), requests.columns.index("natural_person")
    line = requests.lines[row][col]
    assert line is not None

    text, _ = decode(SEED_004.read_bytes())
    page = tmp_path / "show.html"
    page.write_text(render_page(report, text), encoding="utf-8")
    driver.get(page.as_uri())

    article = driver.find_element(By.CSS_SELECTOR, 'article[data-table="requests"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", article)
    cell = article.find_element(By.CSS_SELECTOR, 'td[data-row="new_received"][data-col="natural_person"]')
    assert cell.get_attribute("data-line") == str(line)
    cell.click()
    source = driver.find_element(By.ID, f"L{line}")
    assert HIGHLIGHT_CLASS in classes(source)
    assert HIGHLIGHT_CLASS in classes(cell)
    assert "4742" in source.text

    # The other way: a source line lights the cell read from it, and only that line stays lit.
    total_row = requests.rows.index("carried_over")
    total_line = requests.lines[total_row][requests.columns.index("total")]
    assert total_line is not None
    driver.find_element(By.ID, f"L{total_line}").click()
    lit = driver.find_elements(By.CSS_SELECTOR, f"td.{HIGHLIGHT_CLASS}")
    assert [(c.get_attribute("data-row"), c.get_attribute("data-col")) for c in lit] == [
        ("carried_over", "total")
    ]
    assert HIGHLIGHT_CLASS not in classes(source)

    # Back to the first cell for the README's picture.
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", article)
    cell.click()
    shot = SCREENSHOT if updating() or not SCREENSHOT.exists() else tmp_path / "show_html.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
