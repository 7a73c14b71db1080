"""Compare rendered text with a reviewed file in tests/snapshots/.

Run with UPDATE_SNAPSHOTS=1 to (re)write the files, then review them by eye (`cat` shows the
colours) before committing; without it a difference fails the test.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def updating() -> bool:
    return os.environ.get("UPDATE_SNAPSHOTS", "") not in ("", "0")


def assert_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run the tests with UPDATE_SNAPSHOTS=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), text.splitlines(), "snapshot", "rendered", lineterm=""
            )
        )
        raise AssertionError(f"{name} differs (UPDATE_SNAPSHOTS=1 to accept after review):\n{diff}")
