"""Instructions per report, counted by valgrind's callgrind: the engine and the floor on the
same generated files, each in its own process, counting only the work after a warm-up.

Timings on a shared VM move by a third between runs of the same code; an instruction count
moves by less than 0.1%, so this is the measure to compare two versions of the engine with:

    .venv/bin/python -m bench.instructions --count 30
    .venv/bin/python -m bench.instructions --count 30 --style glued --json bench/results/instructions.json

It needs valgrind (Debian's ``valgrind``, which ships ``callgrind_control``), takes about a
minute for 30 reports, and is not part of ``pytest bench``: an instruction is not a second
(cache misses and numpy's vectorised loops weigh differently), so the timed benchmarks stay the
reference for reports per second.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.workload import ROOT, floor, write_generated
from tablerecon.synth import STYLES

#: Files each child reads before counting starts: imports, caches of labels and templates.
WARM_UP = 2
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
_KINDS = ("engine", "floor")


class ValgrindMissing(RuntimeError):
    """valgrind or callgrind_control is not installed."""


def _instrument(on: bool) -> None:
    """Turn callgrind's instrumentation of this process on or off (it starts off)."""
    subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], check=True, capture_output=True
    )


def _child(kind: str, paths: list[Path]) -> None:
    """Run under valgrind: warm up, then do the counted work between the two switches."""
    if kind == "engine":
        from tablerecon import extract_text

        texts = [p.read_text(encoding="utf-8") for p in paths]
        for text in texts[:WARM_UP]:
            extract_text(text)
        _instrument(True)
        for text in texts:
            extract_text(text)
        _instrument(False)
    else:
        floor(paths[:WARM_UP])
        _instrument(True)
        floor(paths)
        _instrument(False)


def count_instructions(kind: str, directory: Path, count: int) -> int:
    """Instructions the engine (or the floor) executes on the first ``count`` files of
    ``directory``, after its warm-up."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise ValgrindMissing("valgrind is not installed (Debian: apt-get install valgrind)")
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            kind,
            "--dir",
            str(directory),
            "--count",
            str(count),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    found = _COLLECTED.findall(done.stderr)
    if done.returncode != 0 or not found:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"callgrind run of the {kind} failed (exit {done.returncode}): {tail[0]}")
    return int(found[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=30, help="reports counted (default 30)")
    parser.add_argument("--style", choices=STYLES, default="cell_per_line")
    parser.add_argument("--seed", type=int, default=20_000)
    parser.add_argument("--json", type=Path, help="also write the counts here")
    parser.add_argument("--child", choices=_KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.child:
        _child(args.child, sorted(args.dir.glob("*.txt"))[: args.count])
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_generated(Path(tmp), args.count, args.seed, (args.style,))
        try:
            counts = {kind: count_instructions(kind, Path(tmp), args.count) for kind in _KINDS}
        except (ValgrindMissing, RuntimeError) as err:
            print(f"bench.instructions: {err}", file=sys.stderr)
            return 2
    per_report = {kind: n / args.count for kind, n in counts.items()}
    result = {
        "style": args.style,
        "reports": args.count,
        "seed": args.seed,
        "instructions": counts,
        "per_report": per_report,
        "floor_multiple": per_report["engine"] / per_report["floor"],
    }
    print(
        f"{args.count} {args.style} reports: engine {per_report['engine'] / 1e6:.2f}M instructions a report, "
        f"floor {per_report['floor'] / 1e6:.3f}M, {result['floor_multiple']:.1f}x the floor"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
