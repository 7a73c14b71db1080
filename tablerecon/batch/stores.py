"""Where the rows go: a DuckDB file or a Parquet dataset, each committing a group of documents
at once so that a kill never leaves one half written."""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Literal, Protocol

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tablerecon.batch.rows import COLUMNS

Format = Literal["duckdb", "parquet"]


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

        self.path = path
        try:
            self.con = duckdb.connect(str(path))
            for name, cols in COLUMNS.items():
                spec = ", ".join(f"{c} {sql}" for c, sql, _ in cols)
                self.con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({spec})")
        except duckdb.Error as exc:
            raise StoreError(str(exc).splitlines()[0]) from exc

    def known(self) -> tuple[set[str], set[str]]:
        import duckdb

        try:
            rows = self.con.execute("SELECT content_hash, path FROM documents").fetchall()
        except duckdb.Error as exc:  # a table of that name but not ours
            raise StoreError(f"{self.path}: not a tablerecon dataset: {str(exc).splitlines()[0]}") from exc
        return {h for h, _ in rows if h is not None}, {p for h, p in rows if h is None}

    def write(self, tables: dict[str, Any]) -> None:
        import duckdb

        try:
            self.con.begin()
            for name, table in tables.items():
                cols = ", ".join(c for c, _, _ in COLUMNS[name])
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
            try:
                t = pq.read_table(part / "documents.parquet", columns=["content_hash", "path"])
            except (OSError, pa.ArrowException) as exc:  # a part damaged, or not ours
                raise StoreError(f"{part}: not a readable part of a tablerecon dataset: {exc}") from exc
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
