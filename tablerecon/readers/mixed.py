"""Text that holds raw HTML. Markdown converters (pandoc's ``gfm`` and ``markdown_strict``)
write the tables Markdown cannot hold, those with cells spanning rows or columns, as HTML inside
text that is otherwise Markdown, often far past the first few KB that ``looks_like_html`` reads,
and keep a Word page's inline markup (``<span style="…">三、…</span>``) in the rest. Read as
text, such a table's numbers sat inside tag lines and titles inside tags; read as a page, the
Markdown around it (its pipe tables too) ran together into a few long labels.

So each table element is read by the HTML reader, and the text around it by the text tokenizer
once its inline tags are dropped, every cell keeping the line it stands on in the whole text.
"""

from __future__ import annotations

import re

from tablerecon.cells import Cell
from tablerecon.normalize import tokenize
from tablerecon.readers.html import html_cells

_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.IGNORECASE)
#: Tags of the markup a page keeps around text (Word's among them), opening or closing, their
#: attributes possibly over several lines: tag names only, so that ``<5`` or ``<注>`` stay text.
_INLINE_TAG = re.compile(
    r"</?(?:span|font|p|div|b|i|u|s|em|strong|small|big|sup|sub|a|br|hr|img|center|label|section"
    r"|article|header|footer|h[1-6]|ul|ol|li|o:p|st1:\w+)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def has_markup(text: str) -> bool:
    """Whether ``text`` holds a table element or inline tags (then read with ``mixed_cells``)."""
    return "<" in text and (_TABLE_TAG.search(text) is not None or _INLINE_TAG.search(text) is not None)


def without_tags(text: str) -> str:
    """``text`` without inline tags, each replaced by the line breaks it held (lines keep their
    numbers)."""
    return _INLINE_TAG.sub(lambda tag: "\n" * tag.group().count("\n"), text)


def raw_tables(text: str) -> list[tuple[int, int]]:
    """Where each outermost ``<table>`` element of ``text`` starts and ends (an unclosed one
    runs to the end of the text); none for text without table elements."""
    spans: list[tuple[int, int]] = []
    depth = start = 0
    for tag in _TABLE_TAG.finditer(text):
        if not tag.group(1):
            if depth == 0:
                start = tag.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, tag.end()))
    if depth:
        spans.append((start, len(text)))
    return spans


def mixed_cells(
    text: str, tables: list[tuple[int, int]], max_cells: int | None = None, deadline: float | None = None
) -> tuple[list[Cell], int]:
    """The cells of ``text`` whose ``tables`` (from ``raw_tables``) are HTML, in order, and its
    line count. Bounds as ``tokenize`` and ``html_cells`` apply them, to the whole text."""
    cells: list[Cell] = []
    at = 0
    for start, end in [*tables, (len(text), len(text))]:
        for begin, stop, read in ((at, start, False), (start, end, True)):
            if begin >= stop:
                continue
            room = None if max_cells is None else max(max_cells - len(cells), 0)
            part = (
                html_cells(text[begin:stop], room, deadline)
                if read
                else tokenize(without_tags(text[begin:stop]), room, deadline)[0]
            )
            shift = text.count("\n", 0, begin)
            for cell in part:
                cell.line += shift
            cells.extend(part)
        at = end
    return cells, text.count("\n") + 1
