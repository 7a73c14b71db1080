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

The package: ``rows`` (the schema and a document's rows), ``worker`` (one file into rows),
``stores`` (DuckDB and Parquet writers), ``run`` (walking, workers, commits).
"""

from tablerecon.batch.rows import (
    SCHEMAS,
    TABLES,
    CellRow,
    CheckRow,
    Chunk,
    DocResult,
    arrow_tables,
    make_chunk,
)
from tablerecon.batch.run import (
    COMMIT_EVERY,
    COMMIT_SECONDS,
    TASK_SIZE,
    Engine,
    Summary,
    default_jobs,
    iter_files,
    run_batch,
)
from tablerecon.batch.stores import (
    DuckDBStore,
    Format,
    ParquetStore,
    Store,
    StoreError,
    guess_format,
    open_store,
)
from tablerecon.batch.worker import file_digest, process_chunk, process_file

__all__ = [
    "COMMIT_EVERY",
    "COMMIT_SECONDS",
    "SCHEMAS",
    "TABLES",
    "TASK_SIZE",
    "CellRow",
    "CheckRow",
    "Chunk",
    "DocResult",
    "DuckDBStore",
    "Engine",
    "Format",
    "ParquetStore",
    "Store",
    "StoreError",
    "Summary",
    "arrow_tables",
    "default_jobs",
    "file_digest",
    "guess_format",
    "iter_files",
    "make_chunk",
    "open_store",
    "process_chunk",
    "process_file",
    "run_batch",
]
