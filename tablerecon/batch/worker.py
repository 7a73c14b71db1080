"""The work done for each file, in a worker process: hash it, extract it, turn the report into
rows. Never raises: a failure is the document's error row."""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Sequence

from tablerecon.batch.rows import CellRow, CheckRow, Chunk, DocResult, make_chunk
from tablerecon.models import Report, utf8_text
from tablerecon.pipeline import Limits, extract_file

_HASH_BLOCK = 1 << 20
_HEAD_BYTES = 9000  # where a report's title is: its first ~3000 characters


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
    shown = utf8_text(path)  # a file name that is not UTF-8 fits no string column
    try:
        digest, size, head = file_digest(path, keep=_HEAD_BYTES)
    except OSError as exc:
        return DocResult(content_hash=None, path=shown, error=error_reason(exc))
    fmt = _input_format(path, head)
    try:
        report = extract_file(path, limits)
        return _document(report, shown, digest, size, fmt, head)
    except Exception as exc:  # a bad document is a row, never a stopped batch
        return DocResult(content_hash=digest, path=shown, format=fmt, n_bytes=size, error=error_reason(exc))


def process_chunk(paths: Sequence[str], limits: Limits | None = None) -> Chunk:
    """Several files per task, so that pickling overhead stays small next to the work."""
    return make_chunk([process_file(p, limits) for p in paths])


def error_reason(exc: BaseException) -> str:
    """The error column: the exception's class (DecodeError, InputTooLargeError...) and message."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return utf8_text(f"{type(exc).__name__}: {exc}") if str(exc) else type(exc).__name__


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
