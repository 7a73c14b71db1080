"""Page furniture in the text of a PDF: running headers and footers, and page numbers.

``pdftotext`` and other extractors mark each page break with a form feed. The lines that open
and close each page there are often no part of the report: a page number (``- 4 -``, ``第4页``,
``4/8``), or a header or footer every page repeats (a browser's print of a page adds its date,
title and address). Inside a table they are worse than noise: a long footer reads as prose and
ends the table; a page number reads as one of a row's values. They are found by their place
(next to a page break), and by their form (a page number's) or by repeating at page breaks.

Where the pages were joined without form feeds (``"\n".join`` of each page's text), furniture
is what repeats through the document in a form no table line has: a page number, an address,
a time of day, or a long line (a report's title) on three pages or more.
"""

from __future__ import annotations

import re

#: Lines looked at on each side of a page break: a footer and a page number, a header and a date
#: (PyMuPDF and mutool print all four at the end of the page).
_EDGE_LINES = 4
#: A page number once its digits are written ``#`` and its spaces dropped: ``-#-``, ``—#—``,
#: ``第#页``, ``第#页共#页``, ``#/#``, ``page#of#``.
_PAGE_NUMBER = re.compile(
    r"[-—–_~·.]*(?:第#页(?:/?共#页)?|#/#|#of#|page#(?:of#)?|p\.?#|[-—–_~·]+#[-—–_~·]+)[-—–_~·.]*",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
#: A line with a letter or a CJK character: only such lines are taken for a running header or
#: footer (a row of numbers at the foot of two pages is the table's, however alike).
_WORDS = re.compile(r"[^\W\d_]")


def page_furniture(text: str) -> set[int]:
    """The 1-based numbers of the lines of ``text`` that are page furniture (see the module
    docstring); none when the text has no page breaks."""
    if "\f" not in text:
        return _repeated_furniture(text) if any(mark in text for mark in _FURNITURE_MARKS) else set()
    lines = text.split("\n")
    breaks = [n for n, line in enumerate(lines) if "\f" in line]
    bounds = [0, *breaks, len(lines)]
    # Each page break's edges: the last lines of the page it ends, the first of the one it opens.
    pages = zip(bounds, bounds[1:], bounds[2:], strict=False)
    edges = [_edge_lines(lines, at, start, end) for start, at, end in pages]
    # A header or footer repeats at most page breaks (its page number or date aside).
    where: dict[str, set[int]] = {}
    for before, after in edges:
        for n in before + after:
            where.setdefault(_key(lines[n]), set()).add(n)
    most = max(2, (len(breaks) + 1) // 2)
    furniture = {
        n
        for key, numbers in where.items()
        if _PAGE_NUMBER.fullmatch(key) or (len(numbers) >= most and _WORDS.search(key))
        for n in numbers
    }
    furniture.update(_bare_page_numbers(lines, edges, most))
    return {n + 1 for n in furniture}


def _edge_lines(lines: list[str], at: int, start: int, end: int) -> tuple[list[int], list[int]]:
    """The last non-empty lines of the page ``start:at`` and the first of the page ``at:end``
    (a form feed opens line ``at``): 0-based line numbers."""
    before = [n for n in range(at - 1, start - 1, -1) if lines[n].strip()][:_EDGE_LINES]
    after = [n for n in range(at, end) if lines[n].replace("\f", "").strip()][:_EDGE_LINES]
    return before, after


def _key(line: str) -> str:
    """A line as compared across page breaks: digits as ``#``, no spaces or form feeds."""
    return _DIGITS.sub("#", _SPACES.sub("", line.replace("\f", "")))


#: Longest bare number taken for a page number.
_PAGE_NUMBER_DIGITS = 4


def _bare_page_numbers(lines: list[str], edges: list[tuple[list[int], list[int]]], most: int) -> set[int]:
    """Lines of a bare number at the foot of pages that count the pages: from 1 up, the number
    less its page's index the same on ``most`` pages in a row or more. A bare number elsewhere,
    or one that does not count the pages, may be a table's value and is kept."""
    found: dict[int, dict[int, int]] = {}  # the number less its page's index -> page -> line
    for page, (before, _) in enumerate(edges):
        for n in before:
            stripped = lines[n].strip()
            if stripped.isdigit() and len(stripped) <= _PAGE_NUMBER_DIGITS and int(stripped) >= 1:
                found.setdefault(int(stripped) - page, {})[page] = n
    numbered: set[int] = set()
    for pages in found.values():
        run: list[int] = []
        for page in sorted(pages):
            run = [*run, page] if run and page == run[-1] + 1 else [page]
            if len(run) >= most:
                numbered.update(pages[p] for p in run)
    return numbered


#: What furniture a text without page breaks holds, found by a quick look (a regex over the whole
#: text costs more than reading a short report's tables): an address, or a page written 第#页.
_FURNITURE_MARKS = ("://", "www.", "页")
#: Furniture on a line's key (digits ``#``, no spaces): an address, a time of day, a page.
_FURNITURE_KEY = re.compile(r"://|www\.|#:#|第#页")
#: Times a line must repeat through a text without page breaks to be furniture.
_REPEATS = 3
#: A line this long repeated that often is a running header or footer (a report's title), not a
#: table's: a table's long labels stand once.
_LONG_LINE = 20


def _repeated_furniture(text: str) -> set[int]:
    """Furniture in a text whose pages were joined without form feeds (see the module
    docstring): 1-based numbers of the lines."""
    where: dict[str, list[int]] = {}
    for n, line in enumerate(text.split("\n"), start=1):
        key = _key(line)
        if key:
            where.setdefault(key, []).append(n)
    return {
        n
        for key, numbers in where.items()
        if len(numbers) >= _REPEATS
        and (_PAGE_NUMBER.fullmatch(key) or _FURNITURE_KEY.search(key) or len(key) >= _LONG_LINE)
        for n in numbers
    }
