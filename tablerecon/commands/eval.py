"""``tablerecon eval DIR [--json] [--max-silent N]``: score extract against the truth beside the inputs.

Exit 1 when silent errors exceed ``--max-silent``: a wrong number the engine presents as sure is
the failure that matters, so CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tablerecon.commands import path_arg
from tablerecon.evaluate import Counts, Evaluation, evaluate_dir, find_inputs

_COLUMNS = (
    ("template", 20), ("docs", 6), ("tables", 11), ("cell acc", 9), ("exact", 8), ("ambig", 7),
    ("infer prec", 13), ("inconsist", 10), ("false al", 9), ("silent", 7),
)  # fmt: skip


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "eval",
        help="run extract on documents with truth files and score the result",
        description="Run extract on every input in DIR that has a truth <stem>.json beside it "
        "(or in --truth) and print, per template and in total: documents, tables found/expected, "
        "cell accuracy (blank = 0), table-exact rate, ambiguity rate, inferred-cell precision, "
        "planted inconsistencies detected, false alarms and silent errors.",
    )
    p.add_argument("directory", metavar="DIR", type=path_arg)
    p.add_argument("--truth", type=path_arg, default=None, metavar="TRUTH_DIR",
                   help="where the truth files are (default: DIR)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--max-silent", type=int, default=0, metavar="N",
                   help="exit 1 when silent errors exceed N (default 0)")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if not directory.is_dir() or (args.truth is not None and not args.truth.is_dir()):
        print(f"tablerecon eval: not a directory: {args.truth or directory}", file=sys.stderr)
        return 2
    if not find_inputs(directory, args.truth):
        print(f"tablerecon eval: no input with a truth file in {directory}", file=sys.stderr)
        return 2
    try:
        ev = evaluate_dir(directory, args.truth)
    except (OSError, ValueError) as exc:  # unreadable or malformed truth file
        print(f"tablerecon eval: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(ev.to_dict(), ensure_ascii=False))
    else:
        print(render(ev))
    silent = ev.total.cells_silent
    if silent > args.max_silent:
        print(f"tablerecon eval: {silent} silent error(s) > --max-silent {args.max_silent}", file=sys.stderr)
        return 1
    return 0


def render(ev: Evaluation, worst: int = 5) -> str:
    """Plain-text report: one line per template, a total line, then the worst documents."""
    lines = [_header("template")]
    for key, counts in sorted(ev.by_template.items()):
        lines.append(_line(key, counts))
    lines.append(_line("total", ev.total))
    if ev.by_style:
        lines.append("")
        lines.append(_header("style"))
        lines.extend(_line(key, counts) for key, counts in sorted(ev.by_style.items()))
    if ev.by_deformation:
        lines.append("")
        lines.append(_header("deformation"))
        lines.extend(_line(key, counts) for key, counts in sorted(ev.by_deformation.items()))
    summary = ev.to_dict(worst)
    if summary["worst_documents"]:
        lines.append("")
        lines.append("worst documents (wrong cells): " + ", ".join(
            f"{d['source']} ({d['wrong_cells']})" for d in summary["worst_documents"]))  # fmt: skip
    for e in summary["errors"]:
        lines.append(f"error: {e['source']}: {e['error']}")
    return "\n".join(lines)


def _header(first: str) -> str:
    names = [first, *(name for name, _w in _COLUMNS[1:])]
    return "".join(
        v.rjust(w) if k else v.ljust(w) for k, (v, (_n, w)) in enumerate(zip(names, _COLUMNS, strict=True))
    )


def _line(name: str, c: Counts) -> str:
    r = c.rates()
    cells = [
        name,
        str(c.documents),
        f"{c.tables_found}/{c.tables_expected}",
        _pct(r["cell_accuracy"]),
        _pct(r["table_exact_rate"]),
        _pct(r["ambiguity_rate"]),
        _pct(r["inferred_precision"]) + f" ({c.inferred_marked})",
        f"{c.inconsistent_detected}/{c.inconsistent_planted}",
        str(c.false_alarms),
        str(c.cells_silent),
    ]
    return "".join(
        v.rjust(w) if k else v.ljust(w) for k, (v, (_n, w)) in enumerate(zip(cells, _COLUMNS, strict=True))
    )


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"
