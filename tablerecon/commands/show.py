"""``tablerecon show FILE [--table ID] [--lines] [--html OUT.html]``: look at what was rebuilt.

A reviewer must see the tables as tables, with what was read, inferred or left unknown told
apart, before trusting the JSON; ``--html`` puts them beside the source text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from tablerecon.commands import path_text
from tablerecon.errors import TableReconError
from tablerecon.models import Report, Table
from tablerecon.normalize import decode
from tablerecon.pipeline import extract_file
from tablerecon.render.html import render_page
from tablerecon.render.terminal import report_view

EXIT_OK, EXIT_DOC_ERRORS, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("show", help="show each table as a coloured grid, or as an HTML page")
    p.add_argument("file", metavar="FILE", type=path_text, help="report text (UTF-8, UTF-16 or GB18030)")
    p.add_argument("--table", metavar="ID", help="only this table (requests, review_litigation, ...)")
    p.add_argument("--lines", action="store_true", help="show the source line under each read cell")
    p.add_argument("--html", metavar="OUT.html", type=path_text, help="write a self-contained page instead")
    p.set_defaults(func=run)


def fail(message: str) -> int:
    """One line on stderr, never a traceback; the exit code for bad usage or input."""
    print(f"tablerecon: {message}", file=sys.stderr)
    return EXIT_USAGE


def load(path: str) -> Report | str:
    """The document's report, or the one-line reason it could not be read."""
    try:
        return extract_file(path, explain=True)
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    except TableReconError as exc:
        return str(exc) if str(exc).startswith(path) else f"{path}: {exc}"


def select(report: Report, table_id: str | None) -> list[Table] | str:
    """The tables asked for, or why the one asked for is not there."""
    if table_id is None:
        return list(report.tables)
    table = report.table(table_id)
    if table is None:
        found = ", ".join(t.table for t in report.tables) or "none"
        return f"{report.source}: no table {table_id!r} in this document (found: {found})"
    return [table]


def run(args: argparse.Namespace) -> int:
    report = load(args.file)
    if isinstance(report, str):
        return fail(report)
    tables = select(report, args.table)
    if isinstance(tables, str):
        return fail(tables)
    if args.html:
        if Path(args.html).resolve() == Path(args.file).resolve():
            return fail(f"{args.html}: the page would overwrite its own input; name another file")
        try:
            text, _ = decode(Path(args.file).read_bytes())
            Path(args.html).write_text(render_page(report, text, tables), encoding="utf-8")
        except OSError as exc:
            return fail(f"{exc.filename or args.html}: {exc.strerror or exc}")
        except TableReconError as exc:
            return fail(f"{args.file}: {exc}")
        print(f"wrote {args.html} ({len(tables)} table(s))")
    else:
        Console(highlight=False).print(report_view(report, tables, args.lines))
    return EXIT_DOC_ERRORS if report.errors else EXIT_OK
