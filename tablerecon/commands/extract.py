"""``tablerecon extract FILE... [--json]``: the main job, one document at a time."""

from __future__ import annotations

import argparse
import json
import sys

from tablerecon.errors import TableReconError
from tablerecon.pipeline import extract_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("extract", help="reconstruct the tables of one or more documents")
    p.add_argument("files", nargs="+", metavar="FILE", help="report text (UTF-8, UTF-16 or GB18030)")
    p.add_argument("--json", action="store_true", help="print the JSON contract, one object per line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.files:
        try:
            report = extract_file(path)
        except (OSError, TableReconError) as exc:
            failures += 1
            print(f"tablerecon: {path}: {_reason(exc)}", file=sys.stderr)
            if args.json:
                print(
                    json.dumps({"source": path, "tables": [], "errors": [_reason(exc)]}, ensure_ascii=False)
                )
            continue
        failures += bool(report.errors)
        if args.json:
            print(json.dumps(report.to_contract(), ensure_ascii=False))
        else:
            _print_summary(report.to_contract())
    if failures == len(args.files) and all(not _exists(p) for p in args.files):
        return 2
    return 1 if failures else 0


def _exists(path: str) -> bool:
    import os

    return os.path.isfile(path)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _print_summary(contract: dict[str, object]) -> None:
    tables = contract["tables"]
    assert isinstance(tables, list)
    print(f"{contract['source']}: {len(tables)} table(s)")
    for t in tables:
        statuses = [s for row in t["cell_status"] for s in row]
        failed = [c["identity"] for c in t["checks"] if not c["holds"]]
        print(
            f"  {t['table']:<18} {t['template']:<18} {len(t['rows'])}x{len(t['columns'])}"
            f"  inferred={statuses.count('inferred')} unknown={statuses.count('unknown')}"
            f"  ambiguous={t['ambiguous']}  violated={len(failed)}"
        )
    for err in contract["errors"]:  # type: ignore[attr-defined]
        print(f"  error: {err}")
