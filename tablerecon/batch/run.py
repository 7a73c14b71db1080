"""A batch run: walk the input, skip what the dataset already holds, hand files to worker
processes (or a Dask cluster), and commit their rows as they come back."""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal, NamedTuple

import pyarrow as pa  # type: ignore[import-untyped]

from tablerecon.allocator import keep_freed_memory
from tablerecon.batch.rows import TABLES, Chunk, DocResult, make_chunk
from tablerecon.batch.stores import Format, guess_format, open_store
from tablerecon.batch.worker import error_reason, file_digest, process_chunk
from tablerecon.models import utf8_text
from tablerecon.pipeline import Limits

Engine = Literal["local", "dask"]

#: Files handed to a worker at once: big enough to amortize inter-process overhead, small
#: enough that progress moves smoothly.
TASK_SIZE = 8
#: Documents per commit, and the longest wait before committing what is there.
COMMIT_EVERY = 500
COMMIT_SECONDS = 5.0


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
                if (digest in known_hashes) if digest else (utf8_text(path) in known_paths):
                    summary.skipped += 1
                    if progress and summary.skipped % 100 == 0:
                        progress(summary)
                    continue
                if digest:
                    known_hashes.add(digest)  # a second copy in this run is skipped too
                else:
                    known_paths.add(utf8_text(path))  # as the dataset stores it
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
    return DocResult(content_hash=t.content_hash, path=utf8_text(t.path), error=why)


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
                    collect(make_chunk([_crashed(t, error_reason(exc)) for t in task]))
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
    (thawed at exit, so that the interpreter's last collection still frees it). Its allocator
    keeps the memory it frees (tablerecon.allocator)."""
    keep_freed_memory()
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
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: no address at all
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
                chunk = make_chunk([_crashed(t, error_reason(exc)) for t in task])
            collect(chunk)
            if more and queue.count() < wave // TASK_SIZE:
                more = submit_wave()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
