"""``tablerecon batch INPUT_DIR --out DATASET``: every report under a directory into DuckDB or Parquet.

Re-running the same command resumes: documents already in the dataset are skipped. The schema
is documented in ``tablerecon.batch``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tablerecon.batch import StoreError, Summary, default_jobs, guess_format, run_batch
from tablerecon.commands import path_text
from tablerecon.pipeline import Limits


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "batch",
        help="extract every report under a directory into a DuckDB file or a Parquet dataset",
        description="Extract every file under INPUT_DIR into DATASET; re-running skips documents "
        "already there (by content hash), so a killed batch resumes where it stopped.",
    )
    p.add_argument(
        "input_dir",
        metavar="INPUT_DIR",
        type=path_text,
        help="directory walked recursively (hidden names skipped)",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="DATASET",
        type=path_text,
        help="a .duckdb file or a Parquet directory",
    )
    p.add_argument(
        "--format",
        choices=("duckdb", "parquet"),
        help="default: parquet when DATASET ends in .parquet or is a directory, else duckdb",
    )
    p.add_argument(
        "--jobs", type=int, metavar="N", help=f"worker processes (default: all {default_jobs()} cores)"
    )
    p.add_argument(
        "--engine", choices=("local", "dask"), default="local", help="process pool or Dask cluster"
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler (tcp://host:8786); default: a LocalCluster"
    )
    p.add_argument("--max-bytes", type=int, metavar="N", help="refuse files larger than this (default 20 MB)")
    p.add_argument("--commit-every", type=int, default=500, metavar="N", help="documents per transaction")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problem = _usage_problem(args)
    if problem:
        print(f"tablerecon: batch: {problem}", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    try:
        with _progress(console, quiet=args.quiet) as show:
            summary = run_batch(
                args.input_dir,
                args.out,
                args.format or guess_format(args.out),
                jobs=args.jobs,
                engine=args.engine,
                scheduler=args.scheduler,
                limits=None if args.max_bytes is None else Limits(max_bytes=args.max_bytes),
                commit_every=args.commit_every,
                progress=show,
            )
    except (StoreError, OSError, ConnectionError) as exc:
        print(f"tablerecon: batch: {_one_line(exc)}", file=sys.stderr)
        return 2
    print(
        f"{args.out}: {summary.processed} document(s) added, {summary.skipped} already there; "
        f"{summary.tables} table(s), {summary.no_tables} without tables, {summary.errors} error(s)"
    )
    return 1 if summary.errors else 0


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.jobs is not None and args.jobs < 1:
        return "--jobs must be at least 1"
    if args.max_bytes is not None and args.max_bytes < 0:
        return "--max-bytes must not be negative"
    if args.commit_every < 1:
        return "--commit-every must be at least 1"
    if args.scheduler and args.engine != "dask":
        return "--scheduler needs --engine dask"
    return None


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def _progress(console: Console, quiet: bool) -> Iterator[Callable[[Summary], None]]:
    """A rich progress bar on a terminal; elsewhere (a log file) a line per commit, at most one
    every ``LOG_SECONDS`` after the first, so a long batch leaves a trace but no flood."""
    if quiet:
        yield lambda s: None
        return
    if not console.is_terminal:
        yield _log_lines()
        return
    bar = Progress(
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} files/s"),
        TextColumn("tables {task.fields[tables]}"),
        TextColumn("[red]errors {task.fields[errors]}"),
        TextColumn("skipped {task.fields[skipped]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    task = bar.add_task("batch", total=None, rate=0.0, tables=0, errors=0, skipped=0)

    def show(s: Summary) -> None:
        bar.update(
            task,
            total=s.files or None,
            completed=s.processed + s.skipped,
            rate=s.rate,
            tables=s.tables,
            errors=s.errors,
            skipped=s.skipped,
        )

    with bar:
        yield show


LOG_SECONDS = 10.0


def _log_lines() -> Callable[[Summary], None]:
    last = {"committed": 0, "at": 0.0}

    def show(s: Summary) -> None:
        now = time.monotonic()
        if s.committed > last["committed"] and (last["committed"] == 0 or now - last["at"] >= LOG_SECONDS):
            last.update(committed=s.committed, at=now)
            print(
                f"tablerecon: batch: {s.committed} committed, {s.processed + s.skipped}/{s.files} files done "
                f"({s.skipped} already there), {s.tables} tables, {s.errors} errors, {s.rate:.1f} files/s",
                file=sys.stderr,
                flush=True,
            )

    return show
