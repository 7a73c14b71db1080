"""The allocator tuning the command line and batch workers apply (tablerecon.allocator)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

import tablerecon.cli
from tests.conftest import SEED_004


def test_the_allocator_is_tuned_where_glibc_is() -> None:
    """In a fresh interpreter, as the command line starts: glibc accepts both thresholds; any
    other C library is left alone and says so."""
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    code = "from tablerecon.allocator import keep_freed_memory; print(keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(glibc)


def test_the_command_line_tunes_it_and_importing_the_library_does_not(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(tablerecon.cli, "keep_freed_memory", lambda: calls.append(True) or True)
    code = "import sys, tablerecon; print('tablerecon.allocator' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert tablerecon.cli.main(["extract", str(SEED_004)]) == 0
    assert calls == [True]
    assert "requests" in capsys.readouterr().out
