"""Batch extraction of a directory of reports into a DuckDB file or a Parquet dataset.

The logic here does not depend on how the engine works: it walks files, hashes them, runs
``extract_file`` on each in a worker process (or on a Dask cluster) and writes the rows. Every
failure of one document becomes a row, so a bad file never stops a batch of 100k.

Dataset schema (the same columns in DuckDB tables and in Parquet files)::

    documents      one row per distinct document content
      content_hash   VARCHAR  sha256 of the file bytes, hex; the key (NULL only if unreadable)
      path           VARCHAR  path as walked (INPUT_DIR joined with the relative path)
      template_year  VARCHAR  '2019' / '2021' from the matched template ids, 'mixed', or NULL
      report_year    INTEGER  year named in the report's title (…2019年…年度报告), or NULL
      format         VARCHAR  input format: 'text' or 'html' (NULL when unreadable)
      style          VARCHAR  how the tables were flattened, as the engine read them:
                              'cell_per_line', 'row_per_line', 'glued', 'html', 'mixed'
                              (tables differ), or NULL when no table was read
      encoding       VARCHAR  codec the bytes were decoded with (NULL when not decoded)
      n_bytes        BIGINT   file size
      status         VARCHAR  'ok' (tables found), 'no_tables', or 'error' (not processed)
      error          VARCHAR  why it failed (status 'error'), or the report's table errors
      n_tables       INTEGER  tables found
    cells          one row per table cell of every 'ok' document
      content_hash, path, table_id, template, row_key, column_key,
      value        DOUBLE   NULL when the cell is blank or unknown
      status       VARCHAR  read | blank | inferred | unknown
      line         INTEGER  1-based source line of a read cell, else NULL
      row_index, column_index  INTEGER  position in the table, for rebuilding matrices in order
    checks         one row per arithmetic identity of every table
      content_hash, table_id, identity VARCHAR, holds BOOLEAN, residual DOUBLE

A DuckDB dataset is one file with these three tables. A Parquet dataset is a directory of
``part-NNNNNN-<id>/`` directories, each holding ``documents.parquet``, ``cells.parquet`` and
``checks.parquet`` for one committed group of documents; read them with a glob such as
``DATASET/part-*/cells.parquet`` (which leaves out the ``.tmp-*`` directory being written).

Resuming: a document whose content hash is already in the dataset is skipped (an unreadable
file, which has no hash, by its path), so re-running a killed batch does only the rest. A
group of documents is committed all at once (one DuckDB transaction; one directory rename), so
a kill never leaves a document half written. Error rows count as done; delete them to retry.
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import hashlib
import math
import multiprocessing
import os
import re
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tablerecon.models import Report
from tablerecon.pipeline import Limits, extract_file

Format = Literal["duckdb", "parquet"]
Engine = Literal["local", "dask"]

#: Files handed to a worker at once: big enough to amortize inter-process overhead, small
#: enough that progress moves smoothly.
TASK_SIZE = 8
#: Documents per commit, and the longest wait before committing what is there.
COMMIT_EVERY = 500
COMMIT_SECONDS = 5.0

_HASH_BLOCK = 1 << 20
_HEAD_BYTES = 9000  # where a report's title is: its first ~3000 characters

# --------------------------------------------------------------------------------------------
# Rows


class CellRow(NamedTuple):
    content_hash: str
    path: str
    table_id: str
    template: str
    row_key: str
    column_key: str
    value: float | None
    status: str
    line: int | None
    row_index: int
    column_index: int


class CheckRow(NamedTuple):
    content_hash: str
    table_id: str
    identity: str
    holds: bool
    residual: float


@dataclass(frozen=True)
class DocResult:
    """Everything a worker sends back for one file: its documents row and its cells and checks."""

    content_hash: str | None
    path: str
    template_year: str | None = None
    report_year: int | None = None
    format: str | None = None
    style: str | None = None
    encoding: str | None = None
    n_bytes: int | None = None
    status: Literal["ok", "no_tables", "error"] = "error"
    error: str | None = None
    n_tables: int = 0
    cells: list[CellRow] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)

    def document_row(self) -> tuple[Any, ...]:
        return (
            self.content_hash,
            self.path,
            self.template_year,
            self.report_year,
            self.format,
            self.style,
            self.encoding,
            self.n_bytes,
            self.status,
            self.error,
            self.n_tables,
        )


# Column name, DuckDB type, Arrow type: one source for both writers.
_COLUMNS: dict[str, list[tuple[str, str, Any]]] = {
    "documents": [
        ("content_hash", "VARCHAR", pa.string()),
        ("path", "VARCHAR", pa.string()),
        ("template_year", "VARCHAR", pa.string()),
        ("report_year", "INTEGER", pa.int32()),
        ("format", "VARCHAR", pa.string()),
        ("style", "VARCHAR", pa.string()),
        ("encoding", "VARCHAR", pa.string()),
        ("n_bytes", "BIGINT", pa.int64()),
        ("status", "VARCHAR", pa.string()),
        ("error", "VARCHAR", pa.string()),
        ("n_tables", "INTEGER", pa.int32()),
    ],
    "cells": [
        ("content_hash", "VARCHAR", pa.string()),
        ("path", "VARCHAR", pa.string()),
        ("table_id", "VARCHAR", pa.string()),
        ("template", "VARCHAR", pa.string()),
        ("row_key", "VARCHAR", pa.string()),
        ("column_key", "VARCHAR", pa.string()),
        ("value", "DOUBLE", pa.float64()),
        ("status", "VARCHAR", pa.string()),
        ("line", "INTEGER", pa.int32()),
        ("row_index", "INTEGER", pa.int32()),
        ("column_index", "INTEGER", pa.int32()),
    ],
    "checks": [
        ("content_hash", "VARCHAR", pa.string()),
        ("table_id", "VARCHAR", pa.string()),
        ("identity", "VARCHAR", pa.string()),
        ("holds", "BOOLEAN", pa.bool_()),
        ("residual", "DOUBLE", pa.float64()),
    ],
}
TABLES = tuple(_COLUMNS)
SCHEMAS: dict[str, Any] = {name: pa.schema([(c, t) for c, _, t in cols]) for name, cols in _COLUMNS.items()}


@dataclass(frozen=True)
class Chunk:
    """What a task sends back: its documents (for counting) and their rows as Arrow tables.

    Workers build the Arrow tables themselves: turning Python rows into columns is the costliest
    step after extraction, and done in the parent it caps a many-core batch at one core's pace.
    """

    documents: list[DocResult]  # without their cells and checks, which are in ``tables``
    tables: dict[str, Any]


def make_chunk(results: Sequence[DocResult]) -> Chunk:
    docs = [replace(r, cells=[], checks=[]) for r in results]
    return Chunk(docs, arrow_tables(results))


def arrow_tables(results: Sequence[DocResult]) -> dict[str, Any]:
    """The rows of some documents as one Arrow table per dataset table."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        "documents": [r.document_row() for r in results],
        "cells": [c for r in results for c in r.cells],
        "checks": [c for r in results for c in r.checks],
    }
    out = {}
    for name, schema in SCHEMAS.items():
        if not rows[name]:
            out[name] = schema.empty_table()
            continue
        columns = list(zip(*rows[name], strict=True))
        out[name] = pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema
        )
    return out


# --------------------------------------------------------------------------------------------
# The worker


def file_digest(path: str | os.PathLike[str], keep: int = 0) -> tuple[str, int, bytes]:
    """sha256 hex, size, and the first ``keep`` bytes; streamed, so a huge file costs no memory."""
    h = hashlib.sha256()
    size = 0
    head = bytearray()
    with open(path, "rb") as f:
        while block := f.read(_HASH_BLOCK):
            h.update(block)
            size += len(block)
            if len(head) < keep:
                head += block[: keep - len(head)]
    return h.hexdigest(), size, bytes(head)


def process_file(path: str, limits: Limits | None = None) -> DocResult:
    """Extract one file into rows. Never raises: any failure is the document's error row."""
    limits = limits or Limits()
    try:
        digest, size, head = file_digest(path, keep=_HEAD_BYTES)
    except OSError as exc:
        return DocResult(content_hash=None, path=path, error=_reason(exc))
    fmt = _input_format(path, head)
    try:
        report = extract_file(path, limits)
        return _document(report, path, digest, size, fmt, head)
    except Exception as exc:  # a bad document is a row, never a stopped batch
        return DocResult(content_hash=digest, path=path, format=fmt, n_bytes=size, error=_reason(exc))


def process_chunk(paths: Sequence[str], limits: Limits | None = None) -> Chunk:
    """Several files per task, so that pickling overhead stays small next to the work."""
    return make_chunk([process_file(p, limits) for p in paths])


def _reason(exc: BaseException) -> str:
    """The error column: the exception's class (DecodeError, InputTooLargeError...) and message."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _document(report: Report, path: str, digest: str, size: int, fmt: str, head: bytes) -> DocResult:
    cells: list[CellRow] = []
    checks: list[CheckRow] = []
    for t in report.tables:
        for i, row_key in enumerate(t.rows):
            for j, column_key in enumerate(t.columns):
                v = float(t.values[i, j])
                cells.append(
                    CellRow(
                        digest,
                        path,
                        t.table,
                        t.template,
                        row_key,
                        column_key,
                        None if math.isnan(v) else v,
                        t.status[i][j],
                        t.lines[i][j],
                        i,
                        j,
                    )
                )
        checks += [CheckRow(digest, t.table, c.identity, c.holds, float(c.residual)) for c in t.checks]
    return DocResult(
        content_hash=digest,
        path=path,
        template_year=_template_year(report),
        report_year=_report_year(_decoded(head, report.encoding)),
        format=fmt,
        style=_style(report),
        encoding=report.encoding,
        n_bytes=size,
        status="ok" if report.tables else "no_tables",
        error="\n".join(report.errors) or None,
        n_tables=len(report.tables),
        cells=cells,
        checks=checks,
    )


def _decoded(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return ""


def _input_format(path: str, data: bytes) -> str:
    if path.lower().endswith((".html", ".htm")):
        return "html"
    head = data[:2048].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) else "text"


_TEMPLATE_YEAR = re.compile(r"-(\d{4})$")


def _template_year(report: Report) -> str | None:
    """The report format ('2019' or '2021') the matched templates belong to."""
    years = {m.group(1) for t in report.tables if (m := _TEMPLATE_YEAR.search(t.template))}
    if len(years) > 1:
        return "mixed"
    return years.pop() if years else None


_TITLE_YEAR = re.compile(
    r"((?:19|20)\d\d)\s*年度?[^\n。，,;；]{0,40}?(?:政府)?[信資资][息訊讯]公[开開][^\n。]{0,12}?年度[报報]告"
)
_PINYIN_NOTE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[1-5]?\)")


def _report_year(head: str) -> int | None:
    """The year in the title (2019年…政府信息公开工作年度报告), read from the top of the text."""
    m = _TITLE_YEAR.search(_PINYIN_NOTE.sub("", head))
    return int(m.group(1)) if m else None


def _style(report: Report) -> str | None:
    """The document's flattening style: its tables' (as the engine read them), or 'mixed'."""
    styles = {t.style for t in report.tables}
    if len(styles) > 1:
        return "mixed"
    return styles.pop() if styles else None


# --------------------------------------------------------------------------------------------
# Input files


def iter_files(root: str | os.PathLike[str], exclude: Iterable[str | os.PathLike[str]] = ()) -> Iterator[str]:
    """Regular files under ``root`` in a stable order, skipping hidden names and ``exclude``."""
    skip = {os.path.realpath(p) for p in exclude}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and os.path.realpath(os.path.join(dirpath, d)) not in skip
        )
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.startswith(".") or os.path.realpath(path) in skip or not os.path.isfile(path):
                continue
            yield path


# --------------------------------------------------------------------------------------------
# Writers


class Store(Protocol):
    """Where results go. ``write`` commits a group of documents all or nothing."""

    def known(self) -> tuple[set[str], set[str]]:
        """Content hashes already stored, and paths of stored files that had no hash."""
        ...

    def write(self, tables: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class StoreError(Exception):
    """The dataset cannot be opened or written (locked, not a dataset, disk full...)."""


class DuckDBStore:
    """One DuckDB file; each ``write`` is one transaction holding documents, cells and checks."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        import duckdb

        try:
            self.con = duckdb.connect(str(path))
            for name, cols in _COLUMNS.items():
                spec = ", ".join(f"{c} {sql}" for c, sql, _ in cols)
                self.con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({spec})")
        except duckdb.Error as exc:
            raise StoreError(str(exc).splitlines()[0]) from exc

    def known(self) -> tuple[set[str], set[str]]:
        rows = self.con.execute("SELECT content_hash, path FROM documents").fetchall()
        return {h for h, _ in rows if h is not None}, {p for h, p in rows if h is None}

    def write(self, tables: dict[str, Any]) -> None:
        import duckdb

        try:
            self.con.begin()
            for name, table in tables.items():
                cols = ", ".join(c for c, _, _ in _COLUMNS[name])
                self.con.register("_incoming", table)
                self.con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming")
                self.con.unregister("_incoming")
            self.con.commit()
        except duckdb.Error as exc:
            self.con.rollback()
            raise StoreError(str(exc).splitlines()[0]) from exc

    def close(self) -> None:
        self.con.close()


class ParquetStore:
    """A directory of part directories, each renamed into place whole, so each is all or nothing.

    A lock file keeps two batches from writing the same dataset; leftovers of a killed run (the
    ``.tmp-*`` directories) are removed on open.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.root = Path(path)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.root / ".lock", "w")  # noqa: SIM115 - held until close()
        except OSError as exc:
            raise StoreError(f"{path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise StoreError(f"{path}: another batch is writing this dataset") from exc
        for tmp in self.root.glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        parts = sorted(self.parts())
        self.next = int(parts[-1].name.split("-")[1]) + 1 if parts else 0

    def parts(self) -> list[Path]:
        return [p for p in self.root.glob("part-*") if p.is_dir()]

    def known(self) -> tuple[set[str], set[str]]:
        hashes: set[str] = set()
        paths: set[str] = set()
        for part in self.parts():
            t = pq.read_table(part / "documents.parquet", columns=["content_hash", "path"])
            for h, p in zip(t.column(0).to_pylist(), t.column(1).to_pylist(), strict=True):
                if h is None:
                    paths.add(p)
                else:
                    hashes.add(h)
        return hashes, paths

    def write(self, tables: dict[str, Any]) -> None:
        name = f"part-{self.next:06d}-{uuid.uuid4().hex[:8]}"
        tmp = self.root / f".tmp-{name}"
        try:
            tmp.mkdir()
            for table, data in tables.items():
                target = tmp / f"{table}.parquet"
                pq.write_table(data, target)
                with open(target, "rb") as f:
                    os.fsync(f.fileno())
            os.rename(tmp, self.root / name)
            _fsync_dir(self.root)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(f"{self.root}: {exc.strerror or exc}") from exc
        self.next += 1

    def close(self) -> None:
        self._lock.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def guess_format(out: str | os.PathLike[str]) -> Format:
    """Parquet for a ``.parquet`` name or an existing directory, DuckDB otherwise."""
    p = Path(out)
    return "parquet" if p.suffix.lower() == ".parquet" or p.is_dir() else "duckdb"


def open_store(out: str | os.PathLike[str], fmt: Format) -> Store:
    if fmt == "duckdb":
        if Path(out).is_dir():
            raise StoreError(f"{out}: is a directory; use --format parquet or a .duckdb file name")
        return DuckDBStore(out)
    if Path(out).exists() and not Path(out).is_dir():
        raise StoreError(f"{out}: exists and is not a directory")
    return ParquetStore(out)


# --------------------------------------------------------------------------------------------
# Running


class Todo(NamedTuple):
    path: str
    content_hash: str | None
    suspect: bool = False  # in flight when a worker died; run alone to find the culprit


@dataclass
class Summary:
    """Counts of one run, also what the progress bar shows."""

    files: int = 0
    processed: int = 0
    committed: int = 0
    skipped: int = 0
    tables: int = 0
    errors: int = 0
    no_tables: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.processed / elapsed if elapsed > 0 else 0.0


Progress = Callable[[Summary], None]
Worker = Callable[[Sequence[str], Limits | None], Chunk]


def default_jobs() -> int:
    """The cores this process may use (the affinity mask, which containers narrow)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_batch(
    input_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    fmt: Format | None = None,
    *,
    jobs: int | None = None,
    engine: Engine = "local",
    scheduler: str | None = None,
    limits: Limits | None = None,
    commit_every: int = COMMIT_EVERY,
    commit_seconds: float = COMMIT_SECONDS,
    progress: Progress | None = None,
    worker: Worker = process_chunk,
    dask_processes: bool = True,
) -> Summary:
    """Extract every file under ``input_dir`` not yet in ``out``; return what was done.

    Raises ``StoreError`` when the dataset cannot be opened or written, ``OSError`` when the
    input directory cannot be listed, and ``ConnectionError`` when the Dask scheduler cannot be
    reached. ``worker`` is the function tasks run (tests swap it to simulate crashes).

    Workers are spawned, not forked, so a script calling this needs the usual
    ``if __name__ == "__main__":`` guard.
    """
    jobs = jobs or default_jobs()
    if not os.path.isdir(input_dir):
        raise NotADirectoryError(f"{input_dir}: not a directory")
    store = open_store(out, fmt or guess_format(out))
    summary = Summary()
    try:
        files = list(iter_files(input_dir, exclude=[out, f"{out}.wal"]))
        summary.files = len(files)
        known_hashes, known_paths = store.known()
        buffer: list[Chunk] = []
        buffered = 0
        last_commit = time.monotonic()

        def flush() -> None:
            nonlocal last_commit, buffered
            if buffer:
                store.write({name: pa.concat_tables([c.tables[name] for c in buffer]) for name in TABLES})
                summary.committed += buffered
                buffer.clear()
                buffered = 0
            last_commit = time.monotonic()

        def collect(chunk: Chunk) -> None:
            nonlocal buffered
            buffer.append(chunk)
            buffered += len(chunk.documents)
            for r in chunk.documents:
                summary.processed += 1
                summary.tables += r.n_tables
                summary.errors += r.status == "error"
                summary.no_tables += r.status == "no_tables"
            if buffered >= commit_every or time.monotonic() - last_commit >= commit_seconds:
                flush()
            if progress:
                progress(summary)

        def todo() -> Iterator[Todo]:
            for path in files:
                try:
                    digest: str | None = file_digest(path)[0]
                except OSError:
                    digest = None
                if (digest in known_hashes) if digest else (path in known_paths):
                    summary.skipped += 1
                    if progress and summary.skipped % 100 == 0:
                        progress(summary)
                    continue
                if digest:
                    known_hashes.add(digest)  # a second copy in this run is skipped too
                else:
                    known_paths.add(path)
                yield Todo(path, digest)

        if progress:
            progress(summary)
        if engine == "dask":
            _run_dask(todo(), limits, jobs, scheduler, collect, dask_processes)
        else:
            _run_local(todo(), limits, jobs, collect, worker)
        flush()
        if progress:
            progress(summary)
    finally:
        store.close()
    return summary


def _crashed(t: Todo, why: str) -> DocResult:
    return DocResult(content_hash=t.content_hash, path=t.path, error=why)


def _run_local(
    todo: Iterator[Todo],
    limits: Limits | None,
    jobs: int,
    collect: Callable[[Chunk], None],
    worker: Worker,
) -> None:
    """A process pool fed a bounded window of tasks, so memory stays flat on any number of files.

    If a worker process dies (segfault, OOM kill), the tasks it took down are re-run one file
    at a time, alone, and the file that kills a worker again is recorded as an error.
    """
    # spawn: the parent holds a DuckDB connection and threads, unsafe to fork; and a spawned
    # worker is our child, so it can see us die (forkserver's workers linger after a SIGKILL).
    ctx = multiprocessing.get_context("spawn")

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            jobs, mp_context=ctx, initializer=_exit_with_parent, initargs=(os.getpid(),)
        )

    pool = new_pool()
    window = jobs * 4
    pending: dict[Future[Chunk], list[Todo]] = {}
    retry: deque[Todo] = deque()
    exhausted = False
    try:
        while True:
            while len(pending) < window and not any(t.suspect for ts in pending.values() for t in ts):
                if retry:
                    if pending:  # a suspect runs alone
                        break
                    task = [retry.popleft()]
                else:
                    task = [] if exhausted else list(islice(todo, TASK_SIZE))
                    if not task:
                        exhausted = True
                        break
                pending[pool.submit(worker, [t.path for t in task], limits)] = task
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                task = pending.pop(fut)
                try:
                    collect(fut.result())
                except BrokenProcessPool:
                    broken = True
                    if len(task) == 1 and task[0].suspect:
                        collect(
                            make_chunk([_crashed(task[0], "WorkerCrashed: the worker died on this file")])
                        )
                    else:
                        retry.extend(t._replace(suspect=True) for t in task)
                except Exception as exc:  # the worker never raises; this is pickling or the like
                    collect(make_chunk([_crashed(t, _reason(exc)) for t in task]))
            if broken:
                for fut, task in pending.items():
                    fut.cancel()
                    retry.extend(t._replace(suspect=True) for t in task)
                pending.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = new_pool()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: when the batch is killed, its workers stop instead of running on.
    What the worker imported lives as long as it does: frozen, no collection walks it again
    (thawed at exit, so that the interpreter's last collection still frees it)."""
    gc.freeze()
    atexit.register(gc.unfreeze)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _process_partition(paths: Sequence[str], limits: Limits | None) -> list[Chunk]:
    """A bag partition is a list; its chunk is returned as the partition's one element."""
    return [process_chunk(paths, limits)]


def _run_dask(
    todo: Iterator[Todo],
    limits: Limits | None,
    jobs: int,
    scheduler: str | None,
    collect: Callable[[Chunk], None],
    processes: bool,
) -> None:
    """The same worker on a Dask cluster, one ``dask.bag`` per wave of files, a few waves in flight."""
    import importlib
    import logging

    # dask's functions carry no annotations; held as Any rather than silenced call by call.
    db: Any = importlib.import_module("dask.bag")
    distributed: Any = importlib.import_module("distributed")

    cluster = None
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    else:
        cluster = distributed.LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = distributed.Client(cluster)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        wave = max(workers, jobs) * TASK_SIZE * 4
        tasks: dict[Any, list[Todo]] = {}
        queue = distributed.as_completed()

        def submit_wave() -> bool:
            items = list(islice(todo, wave))
            if not items:
                return False
            # from_sequence cuts partitions of partition_size in order, as ``parts`` does here.
            parts = [items[i : i + TASK_SIZE] for i in range(0, len(items), TASK_SIZE)]
            bag = db.from_sequence([t.path for t in items], partition_size=TASK_SIZE)
            delayed = bag.map_partitions(_process_partition, limits=limits).to_delayed()
            for d, part in zip(delayed, parts, strict=True):
                fut = client.compute(d)
                tasks[fut] = part
                queue.add(fut)
            return True

        more = submit_wave() and submit_wave()
        for fut in queue:
            task = tasks.pop(fut)
            try:
                (chunk,) = fut.result()
            except Exception as exc:  # a worker lost, a task killed: the files become error rows
                chunk = make_chunk([_crashed(t, _reason(exc)) for t in task])
            collect(chunk)
            if more and queue.count() < wave // TASK_SIZE:
                more = submit_wave()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
