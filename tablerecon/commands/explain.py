"""``tablerecon explain FILE --table ID [--row KEY]``: why the numbers sit where they do.

When a reviewer doubts a cell, the answer is in the solver's record (what was read, which
placements were possible, which identity or hint ruled each out); this prints that record
instead of making anyone re-run the solver in their head.
"""

from __future__ import annotations

import argparse

from rich.console import Console

from tablerecon.commands import path_text
from tablerecon.commands.show import EXIT_DOC_ERRORS, EXIT_OK, fail, load, select
from tablerecon.models import Table
from tablerecon.render.cells import short_row
from tablerecon.render.terminal import explain_view


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("explain", help="explain how a table's numbers were placed")
    p.add_argument("file", metavar="FILE", type=path_text, help="report text (UTF-8, UTF-16 or GB18030)")
    p.add_argument(
        "--table", metavar="ID", required=True, help="requests, review_litigation, active_20_1, ..."
    )
    p.add_argument("--row", metavar="KEY", help="one row in detail (canonical key, e.g. new_received)")
    p.set_defaults(func=run)


def find_row(table: Table, key: str) -> int | None:
    """The row by canonical key, or by the short label ``show`` prints."""
    if key in table.rows:
        return table.rows.index(key)
    shorts = [short_row(k) for k in table.rows]
    return shorts.index(key) if key in shorts else None


def run(args: argparse.Namespace) -> int:
    report = load(args.file)
    if isinstance(report, str):
        return fail(report)
    tables = select(report, args.table)
    if isinstance(tables, str):
        return fail(tables)
    table = tables[0]
    row = None
    if args.row is not None:
        row = find_row(table, args.row)
        if row is None:
            return fail(
                f"{args.file}: table {table.table} has no row {args.row!r} (rows: {', '.join(table.rows)})"
            )
    Console(highlight=False).print(explain_view(table, row))
    return EXIT_DOC_ERRORS if report.errors else EXIT_OK
