"""``tablerecon extract FILE... [--json]``: the main job, one document at a time.

Every file is read on its own: one that cannot be read, or that makes the engine fail, costs one
line on standard error (``tablerecon: FILE: reason``) and the next file still runs. The exit code
is the worst over the files: 2 when some file could not be read at all (missing, a directory, no
permission, undecodable, over a size limit), else 1 when some document had errors (those of
``Report.errors``, or an internal error), else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from tablerecon.commands import path_text
from tablerecon.errors import DecodeError, InputTooLargeError, TableReconError
from tablerecon.models import utf8_text
from tablerecon.pipeline import Limits, extract_file

EXIT_OK, EXIT_DOC_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("extract", help="reconstruct the tables of one or more documents")
    p.add_argument(
        "files", nargs="+", metavar="FILE", type=path_text, help="report text (UTF-8, UTF-16 or GB18030)"
    )
    p.add_argument("--json", action="store_true", help="print the JSON contract, one object per line")
    defaults = Limits()
    p.add_argument(
        "--max-bytes",
        type=_positive(int),
        default=defaults.max_bytes,
        metavar="N",
        help=f"refuse files larger than N bytes (default {defaults.max_bytes})",
    )
    p.add_argument(
        "--max-seconds",
        type=_positive(float),
        default=defaults.max_seconds,
        metavar="S",
        help=f"seconds per document; what is left undone is reported (default {defaults.max_seconds:g})",
    )
    p.set_defaults(func=run)


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a number above zero, so that a typo is a usage error, not a refusal."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
        return value

    return parse


def run(args: argparse.Namespace) -> int:
    limits = Limits(max_bytes=args.max_bytes, max_seconds=args.max_seconds)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if args.json and reconfigure is not None:
        reconfigure(encoding="utf-8")  # the contract is UTF-8, whatever the console's encoding
    worst = EXIT_OK
    for path in args.files:
        try:
            report = extract_file(path, limits)
            contract = report.to_contract()
            line = json.dumps(contract, ensure_ascii=False) if args.json else None
        except (OSError, DecodeError, InputTooLargeError) as exc:  # the file cannot be read at all
            worst = max(worst, EXIT_UNREADABLE)
            _fail(path, _reason(path, exc), args.json)
            continue
        except TableReconError as exc:
            worst = max(worst, EXIT_DOC_ERRORS)
            _fail(path, _reason(path, exc), args.json)
            continue
        except Exception as exc:  # an engine bug on one document must not stop the others
            worst = max(worst, EXIT_DOC_ERRORS)
            _fail(path, f"{path}: internal error: {type(exc).__name__}: {_one_line(str(exc))}", args.json)
            continue
        if report.errors:
            worst = max(worst, EXIT_DOC_ERRORS)
        if line is not None:
            print(line)
            for err in report.errors:
                print(f"tablerecon: {path}: {_one_line(err)}", file=sys.stderr)
        else:
            _print_summary(contract)
    return worst


def _fail(path: str, message: str, as_json: bool) -> None:
    """One line on standard error; in JSON mode also the file's object, so every file has a line."""
    print(f"tablerecon: {message}", file=sys.stderr)
    if as_json:
        reason = message.removeprefix(f"{path}: ")
        print(json.dumps({"source": utf8_text(path), "tables": [], "errors": [reason]}, ensure_ascii=False))


def _reason(path: str, exc: BaseException) -> str:
    """The error's message, starting with the file's name (the API's messages already do)."""
    if isinstance(exc, TableReconError):
        text = _one_line(str(exc))
    elif isinstance(exc, OSError):
        text = _one_line(exc.strerror or str(exc))
    else:
        text = _one_line(str(exc))
    return text if text.startswith(f"{path}:") else f"{path}: {text}"


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "(no message)"


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
