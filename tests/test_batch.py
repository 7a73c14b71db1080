"""``tablerecon batch``: the dataset holds exactly what ``extract_file`` gives for each file, bad
files become error rows, a SIGKILLed batch resumes with nothing lost or duplicated, and the Dask
engine writes the same rows as the process pool."""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tablerecon.batch import Chunk, ParquetStore, file_digest, process_chunk, process_file, run_batch
from tablerecon.cli import main
from tablerecon.pipeline import Limits, extract_file
from tablerecon.solve import SolveLimits
from tablerecon.synth import Deformations, generate

SEED_004 = Path(__file__).resolve().parents[1] / "corpus" / "seeds" / "004_cee6ea4c640e5fe0.txt"
N_SYNTH = 960
N_VARIANTS = 40
MAX_BYTES = 60_000  # small, so that one file of the corpus is over the limit
# Past the solver's time bound results depend on machine load: in-process runs raise it, and the
# documents are ones solved far within the CLI's default.
LIMITS = Limits(max_bytes=MAX_BYTES, solve=SolveLimits(max_seconds=30))
JOBS = 2
Rows = dict[str, Counter[tuple[Any, ...]]]


def make_corpus(root: Path, n_synth: int = N_SYNTH, n_variants: int = N_VARIANTS) -> list[Path]:
    """Synthetic reports in every style, copies of seed 004 with numbers changed, and bad files."""
    files: list[Path] = []

    def put(rel: str, data: bytes) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        files.append(p)

    for i in range(n_synth):
        data = synth_text(i).encode("gb18030" if i % 10 in (3, 7) else "utf-8")
        put(f"synth/{i // 100:02d}/s{i:05d}.txt", data)
    seed = SEED_004.read_bytes()
    for i in range(n_variants):
        # A prose number made unique, and a table value changed (so some identities fail).
        text = seed.replace(b"2174", str(10_000 + i).encode(), 1).replace(
            b"\n4742\n", f"\n{4742 + i}\n".encode()
        )
        put(f"seed004/v{i:03d}.txt", text)
    put("bad/invalid_bytes.txt", seed[:500] + b"\xff\xfe\x81\x20\xff\xff" * 50)
    put("bad/empty.txt", b"")
    put("bad/huge.txt", seed * 3)  # over MAX_BYTES
    put("bad/binary.bin", bytes(range(256)) * 40)
    put("bad/prose.txt", "二〇一九年政府信息公开工作年度报告\n本年度未收到申请。\n".encode())
    (root / ".hidden").mkdir()
    (root / ".hidden" / "skipped.txt").write_bytes(seed)  # hidden: never walked
    return files


def synth_text(i: int) -> str:
    """Two styles at the engine's ~15 ms a document: damaged one-cell-a-line reports and clean
    pipe rows. Damage that can run the solver into its time bound (glued text, blanks dropped
    without trace) is left out: slow, and past the bound the result depends on machine load."""
    if i % 10 < 5:
        return generate(i, Deformations(style="cell_per_line", blanks_unhinted=0)).text
    return generate(i, Deformations.none(style="row_per_line")).text


def copy_files(files: Sequence[Path], old: Path, new: Path) -> set[str]:
    """Copies under another input directory; returns the original paths."""
    for p in files:
        target = new / p.relative_to(old)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(p.read_bytes())
    return {str(p) for p in files}


def relocated(rows: Rows, old: Path, new: Path) -> Rows:
    """The same rows with their paths under another input directory."""

    def move(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(v.replace(f"{old}/", f"{new}/") if isinstance(v, str) else v for v in row)

    return {name: Counter({move(r): n for r, n in c.items()}) for name, c in rows.items()}


def reference(path: str) -> tuple[Any, ...]:
    """What the public API says about one file: the expected rows, built without batch.py."""
    digest = file_digest(path)[0]
    try:
        report = extract_file(path, LIMITS)
    except Exception as exc:
        return (path, digest, "error", type(exc).__name__, [], [])
    cells = []
    checks = []
    for t in report.to_contract()["tables"]:
        for i, row in enumerate(t["rows"]):
            for j, col in enumerate(t["columns"]):
                v = t["cells"][i][j]
                value = None if v is None else float(v)
                status, line = t["cell_status"][i][j], t["cell_lines"][i][j]
                cells.append((digest, path, t["table"], t["template"], row, col, value, status, line, i, j))
        checks += [(digest, t["table"], c["identity"], c["holds"], float(c["residual"])) for c in t["checks"]]
    status = "ok" if report.tables else "no_tables"
    return (path, digest, status, len(report.tables), cells, checks)


def read_rows(con: duckdb.DuckDBPyConnection, source: Callable[[str], str]) -> Rows:
    """Every row of the three tables, as multisets, so duplicates show."""
    out: Rows = {}
    for name in ("documents", "cells", "checks"):
        rows = con.execute(f"SELECT * FROM {source(name)}").fetchall()
        out[name] = Counter(tuple(_canonical(v) for v in r) for r in rows)
    return out


def _canonical(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def duckdb_rows(path: Path) -> Rows:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return read_rows(con, lambda name: name)
    finally:
        con.close()


def parquet_rows(path: Path) -> Rows:
    con = duckdb.connect()
    return read_rows(con, lambda name: f"read_parquet('{path}/part-*/{name}.parquet')")


def subset(rows: Rows, paths: set[str]) -> Rows:
    """The rows of some documents (documents and cells by path, checks by hash)."""
    hashes = {r[0] for r in rows["documents"] if r[1] in paths}
    return {
        "documents": Counter({r: n for r, n in rows["documents"].items() if r[1] in paths}),
        "cells": Counter({r: n for r, n in rows["cells"].items() if r[1] in paths}),
        "checks": Counter({r: n for r, n in rows["checks"].items() if r[0] in hashes}),
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("batch") / "in"
    files = make_corpus(root)
    return root, sorted(str(p) for p in files)


@pytest.fixture(scope="module")
def expected(corpus: tuple[Path, list[str]]) -> dict[str, tuple[Any, ...]]:
    with ProcessPoolExecutor(JOBS) as pool:
        return {r[0]: r for r in pool.map(reference, corpus[1], chunksize=16)}


@pytest.fixture(scope="module")
def full(corpus: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Rows:
    """The whole corpus through the local engine, in this process."""
    out = tmp_path_factory.mktemp("full") / "reports.duckdb"
    summary = run_batch(corpus[0], out, jobs=JOBS, limits=LIMITS, commit_every=200)
    assert summary.processed == len(corpus[1]) and summary.skipped == 0
    return duckdb_rows(out)


def test_batch_matches_extract_file_on_every_file(
    corpus: tuple[Path, list[str]], expected: dict[str, tuple[Any, ...]], full: Rows
) -> None:
    paths = corpus[1]
    assert len(paths) >= 1000
    assert len({e[1] for e in expected.values()}) == len(paths), "the corpus must not repeat a content"
    docs = {r[1]: r for r in full["documents"]}
    assert sorted(docs) == paths and all(n == 1 for n in full["documents"].values())
    want_cells: Counter[tuple[Any, ...]] = Counter()
    want_checks: Counter[tuple[Any, ...]] = Counter()
    for path, (_, digest, status, detail, cells, checks) in expected.items():
        row = docs[path]
        assert row[0] == digest and row[8] == status, (path, row)
        if status == "error":
            assert row[9].startswith(detail), row
        else:
            assert row[10] == detail
        want_cells.update(cells)
        want_checks.update(checks)
    assert full["cells"] == want_cells
    assert full["checks"] == want_checks
    assert sum(full["cells"].values()) > 150_000


def test_bad_files_are_rows_not_failures(corpus: tuple[Path, list[str]], full: Rows) -> None:
    docs = {Path(r[1]).name: r for r in full["documents"]}
    assert docs["invalid_bytes.txt"][8] == "error" and docs["invalid_bytes.txt"][9].startswith("DecodeError")
    assert docs["huge.txt"][8] == "error" and docs["huge.txt"][9].startswith("InputTooLargeError")
    assert docs["binary.bin"][8] == "error"
    assert docs["empty.txt"][8] == "no_tables" and docs["empty.txt"][10] == 0
    assert docs["prose.txt"][8] == "no_tables"
    assert "skipped.txt" not in docs


def test_document_columns_are_filled(full: Rows) -> None:
    """template_year from the templates, report_year from the title, style and encoding known."""
    rows = [r for r in full["documents"] if "/synth/" in r[1]]
    assert {r[2] for r in rows} == {"2019", "2021"}
    assert all(r[3] is not None and 2019 <= r[3] <= 2030 for r in rows)
    assert {r[6] for r in rows} == {"utf-8", "gb18030"}
    styles = Counter(r[5] for r in rows)
    assert styles["cell_per_line"] > 400 and styles["row_per_line"] > 400, styles
    v = next(r for r in full["documents"] if r[1].endswith("v000.txt"))
    assert v[2:9] == ("2019", 2019, "text", "cell_per_line", "utf-8", v[7], "ok")


def _cli(args: Sequence[str], quiet: bool = True) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "tablerecon.cli", "batch", *args, "--jobs", str(JOBS)]
    return subprocess.Popen(cmd + ["--quiet"] * quiet, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_after_first_commit(args: Sequence[str]) -> int:
    """Run the batch and SIGKILL it, as a crash or the OOM killer would, once it reports a commit
    (off a terminal it logs one line per commit); return how many files it said were committed."""
    proc = _cli(args, quiet=False)
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    m = re.search(r"batch: (\d+) committed", line)
    assert m, line
    return int(m.group(1))


def test_killed_duckdb_batch_resumes_without_loss_or_duplicates(
    corpus: tuple[Path, list[str]], full: Rows, tmp_path: Path
) -> None:
    root = corpus[0]
    files = [p for d in ("00", "01", "02") for p in sorted((root / "synth" / d).iterdir())]
    files += sorted((root / "bad").iterdir())
    src = tmp_path / "in"
    want = relocated(subset(full, copy_files(files, root, src)), root, src)
    out = tmp_path / "killed.duckdb"
    reported = _kill_after_first_commit(
        [str(src), "--out", str(out), "--max-bytes", str(MAX_BYTES), "--commit-every", "20"]
    )
    partial = duckdb_rows(out)
    n = sum(partial["documents"].values())
    assert reported <= n < len(files), n
    assert partial == subset(want, {r[1] for r in partial["documents"]}), "a half-written document"

    done = _cli([str(src), "--out", str(out), "--max-bytes", str(MAX_BYTES)])
    stdout, stderr = done.communicate()
    assert done.returncode == _exit_code(want, partial), stderr
    assert f"{len(files) - n} document(s) added, {n} already there" in stdout.decode()
    assert duckdb_rows(out) == want


def _exit_code(want: Rows, before: Rows) -> int:
    """1 when the documents left for the second run include an error, as the CLI promises."""
    done = {r[1] for r in before["documents"]}
    return int(any(r[8] == "error" for r in want["documents"] if r[1] not in done))


def test_killed_parquet_batch_resumes_without_loss_or_duplicates(
    corpus: tuple[Path, list[str]], full: Rows, tmp_path: Path
) -> None:
    root = corpus[0]
    files = sorted((root / "synth" / "03").iterdir()) + sorted((root / "bad").iterdir())
    src = tmp_path / "in"
    want = relocated(subset(full, copy_files(files, root, src)), root, src)
    out = tmp_path / "ds.parquet"
    reported = _kill_after_first_commit(
        [str(src), "--out", str(out), "--max-bytes", str(MAX_BYTES), "--commit-every", "10"]
    )
    n_parts = len(list(out.glob("part-*")))
    partial = parquet_rows(out)
    assert reported <= sum(partial["documents"].values()) < len(files)
    assert partial == subset(want, {r[1] for r in partial["documents"]})
    done = _cli([str(src), "--out", str(out), "--max-bytes", str(MAX_BYTES)])
    done.communicate()
    assert done.returncode == _exit_code(want, partial)
    assert len(list(out.glob("part-*"))) > n_parts and not list(out.glob(".tmp-*"))
    assert parquet_rows(out) == want


def test_dask_engine_writes_the_same_rows(corpus: tuple[Path, list[str]], full: Rows, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    src = corpus[0] / "synth" / "01"
    out = tmp_path / "dask.duckdb"
    summary = run_batch(src, out, engine="dask", jobs=JOBS, limits=LIMITS, dask_processes=False)
    assert summary.processed == len(list(src.iterdir())) and summary.errors == 0
    assert duckdb_rows(out) == subset(full, {str(p) for p in src.iterdir()})


def crash_on_marked(paths: Sequence[str], limits: Limits | None) -> Chunk:
    """A worker that dies the way a segfault or the OOM killer would, on one file."""
    if any(p.endswith("crash.txt") for p in paths):
        os._exit(1)
    return process_chunk(paths, limits)


def test_a_dying_worker_costs_one_error_row(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    files = sorted((corpus[0] / "synth" / "02").iterdir())[:30]
    for p in files:
        (src / p.name).write_bytes(p.read_bytes())
    (src / "s00215crash.txt").write_bytes(b"this file kills its worker")
    out = tmp_path / "crash.duckdb"
    summary = run_batch(src, out, jobs=JOBS, worker=crash_on_marked)
    assert summary.processed == 31 and summary.errors == 1
    rows = duckdb_rows(out)
    errors = [r for r in rows["documents"] if r[8] == "error"]
    assert [Path(r[1]).name for r in errors] == ["s00215crash.txt"]
    assert errors[0][9].startswith("WorkerCrashed")
    assert {r[8] for r in rows["documents"]} == {"ok", "error"}


def test_duplicates_hidden_files_and_the_dataset_itself_are_skipped(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    text = generate(7).text.encode()
    (src / "a.txt").write_bytes(text)
    (src / "b.txt").write_bytes(text)  # same content: one document
    (src / ".c.txt").write_bytes(text + b"x")
    out = src / "out.duckdb"  # inside the input directory: not walked
    assert main(["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert main(["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    rows = duckdb_rows(out)
    assert [r[1] for r in rows["documents"]] == [str(src / "a.txt")]


@pytest.mark.parametrize("dataset", ["out.duckdb", "out.parquet"])
def test_a_file_name_that_is_not_utf8_is_a_row_like_any(tmp_path: Path, dataset: str) -> None:
    """A name whose bytes are not UTF-8 stopped the whole batch (internal error: the path fits
    no string column), and with it every other file. Its path is stored with \\xNN escapes,
    and a second run finds it already there."""
    src = tmp_path / "in"
    src.mkdir()
    (src / os.fsdecode(b"n\xff.txt")).write_text(generate(7).text, encoding="utf-8")
    (src / "ok.txt").write_text(generate(8).text, encoding="utf-8")
    out = tmp_path / dataset
    assert main(["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    rows = duckdb_rows(out) if dataset.endswith(".duckdb") else parquet_rows(out)
    paths = {r[1]: r[8] for r in rows["documents"]}
    assert paths[str(src / "n\\xff.txt")] == "ok" and paths[str(src / "ok.txt")] == "ok"
    assert {r[1] for r in rows["cells"]} >= {str(src / "n\\xff.txt"), str(src / "ok.txt")}
    assert main(["batch", str(src), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    again = duckdb_rows(out) if dataset.endswith(".duckdb") else parquet_rows(out)
    assert again["documents"] == rows["documents"]


def test_a_dataset_that_is_not_ours_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each was an internal error (BinderException, ArrowInvalid, ValueError): a DuckDB file
    with a documents table of another shape, a Parquet part that is no Parquet, a scheduler
    address that is no address."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(generate(7).text, encoding="utf-8")
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE documents (x INTEGER)")
    con.close()
    broken = tmp_path / "broken.parquet"
    (broken / "part-000001-deadbeef").mkdir(parents=True)
    (broken / "part-000001-deadbeef" / "documents.parquet").write_text("garbage")
    runs = [
        ["batch", str(src), "--out", str(other), "--quiet"],
        ["batch", str(src), "--out", str(broken), "--quiet"],
        [
            "batch",
            str(src),
            "--out",
            str(tmp_path / "d.duckdb"),
            "--engine",
            "dask",
            "--scheduler",
            "not a url",
        ],
    ]
    for args in runs:
        assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and not any("internal error" in line for line in err), err
    assert str(other) in err[0] and "not a tablerecon dataset" in err[0]
    assert "part-000001-deadbeef" in err[1] and "cannot reach the Dask scheduler" in err[2]


def test_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path / "missing"), "--out", str(tmp_path / "x.duckdb")]) == 2
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "x.duckdb"), "--jobs", "0"]) == 2
    (tmp_path / "not.duckdb").write_text("not a database")
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "not.duckdb"), "--quiet"]) == 2
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "d"), "--scheduler", "tcp://x:1"]) == 2
    held = ParquetStore(tmp_path / "held.parquet")  # another batch writing this dataset
    try:
        assert main(["batch", str(tmp_path), "--out", str(tmp_path / "held.parquet"), "--quiet"]) == 2
    finally:
        held.close()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 5 and "Traceback" not in err
    assert "another batch is writing this dataset" in err


def test_process_file_never_raises(tmp_path: Path) -> None:
    missing = process_file(str(tmp_path / "nope.txt"))
    assert missing.status == "error" and missing.content_hash is None
    assert missing.error is not None and missing.error.startswith("FileNotFoundError")


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("001_pingtan_2019_page.txt", 2019),
        ("001_pingtan_2019_page.html", 2019),
        ("012_wuhan_donghu_sthj_2023_excerpt.txt", 2023),
    ],
)
def test_style_and_year_of_real_pages(name: str, year: int) -> None:
    """Style is the engine's own per-table reading; the year comes from the page title."""
    path = SEED_004.parents[1] / "dev" / name
    row = process_file(str(path))
    assert row.status == "ok" and row.report_year == year
    assert row.style == next(iter({t.style for t in extract_file(path).tables}))
    assert row.format == ("html" if name.endswith(".html") else "text")
