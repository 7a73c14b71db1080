"""Split glued text (every table cell concatenated with no separator) into cells.

Some crawlers write a whole table as one string: ``规章000规范性文件898989第二十条第(五)项…``.
Labels are recovered with the template vocabulary (longest known label first, so an item
ordinal such as ``2.`` that sticks to the previous row's digits goes back to its label);
what lies between labels is either a run of digits, kept whole as a ``RUN`` cell for the
solver to split jointly with the identities, or unknown text.
"""

from __future__ import annotations

import json
import re
from array import array
from functools import cache
from importlib import resources
from itertools import islice
from typing import Any

from tablerecon.cells import MAX_RUN_CHARS, VALUE, Entry, Kind, normalize_label, simplify
from tablerecon.errors import InputTooLargeError
from tablerecon.templates import all_tables

# Digits, separators, signs, decimal points and the units cells carry: a run of glued values.
# Placeholders (/ - —) stand for blank cells inside a run. A run is made of these tokens only and
# holds a digit or a placeholder. (Written as one pattern, ``x*[mark]x*``, the test backtracks
# cubically on a long piece that is not a run; tokens and mark are tested apart instead.)
_RUN_TOKENS = re.compile(r"(?:[\d\s.+\-,/—－–]|万元|元)*")
_RUN_MARK = re.compile(r"[\d/—－–]")
# The same tokens read backwards, to find where the run that ends a piece starts.
_REVERSED_RUN_TOKENS = re.compile(r"(?:[\d\s.+\-,/—－–]|元万|元)*")
_DIGIT = re.compile(r"\d")
_SIGN_OR_MARK = re.compile(r"[+\-/—－–]")
_UNIT = re.compile(r"[元万]")
#: A line is glued when this many known labels touch a digit or another known label.
GLUED_MIN_JOINS = 3
#: Spaces that may stand between a known label and what it touches in a join.
_MOST_SPACES_IN_A_JOIN = 1
#: Where ``normalize`` found a no-break space standing alone between spaces: an empty cell's
#: ``&nbsp;`` where a page's cells were joined by spaces (``get_text(" ")``: ``821 35 \xa0 \xa0
#: 2 1 859``), or a page's spacing. A private-use character, so no other text holds it.
WRITTEN_BLANK = "\ue000"
_ONE_VALUE = re.compile(VALUE)
_LEADING_ZERO = re.compile(r"0\d")  # digits no count is written as: a run


@cache
def vocabulary() -> tuple[str, ...]:
    """Every label the templates know, normalized, longest first."""
    words: set[str] = set()
    for _, spec in all_tables():
        words.update(a for a in spec.anchors)
        words.update(spec.header_words)
        words.add(spec.title)
        words.update(c.label for c in spec.columns if c.label)
        for row in spec.rows:
            words.update(x for x in (row.label, *row.aliases) if x)
    report = json.loads(resources.files("tablerecon.templates").joinpath("report.json").read_text("utf-8"))
    words.update(report["sections"])
    words.update(report["section_variants"])
    normal = {normalize_label(w) for w in words if w}
    return tuple(sorted((w for w in normal if len(w) >= 2), key=len, reverse=True))


@cache
def _pattern() -> re.Pattern[str]:
    """The longest known label starting at a position. Written as a trie (one branch per next
    character) rather than a list of words: the regex engine then tries a handful of branches at
    each position, not every word, and a branch's end is tried last, so the longest word wins."""
    trie: dict[str, dict[str, Any]] = {}
    for word in vocabulary():
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_trie_regex(trie))


def _trie_regex(node: dict[str, dict[str, Any]]) -> str:
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _nbsp_marks_blanks(spaced: str, compact: str, where: array[int], matches: list[re.Match[str]]) -> bool:
    """Whether a line's lone no-break spaces mark its blank cells: every row whose values hold
    one, its label apart from them, fills its table exactly (two at least), and none holds more
    tokens than its table has columns. A page that spaces its cells' paragraphs with them
    (``行政许可 396 \xa0 0 181``) has rows they overfill; then none is read as a blank, since
    one that happens to fill its row (``行政事业性收费 \xa0 35``, a value's spacing beside an
    empty cell that left nothing) cannot be told from a blank."""
    fills = 0
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(compact)
        if m.end() >= end or where[m.end()] - where[m.end() - 1] <= 1:
            continue
        piece = spaced[where[m.end()] : where[end - 1] + 1]
        if WRITTEN_BLANK not in piece:
            continue
        widths = _row_widths().get(m.group(0))
        if not widths:
            continue
        row = _row_tokens(piece.split())
        if row > max(widths):
            return False
        fills += row in widths
    return fills >= _LEAST_ROWS_NBSP_FILLS


#: Rows a lone no-break space must complete before it is read as a blank cell.
_LEAST_ROWS_NBSP_FILLS = 2


def _row_tokens(tokens: list[str]) -> int:
    """How many tokens open a piece that are values, one each, or lone no-break spaces."""
    row = 0
    while row < len(tokens) and (
        tokens[row] == WRITTEN_BLANK
        or (_ONE_VALUE.fullmatch(tokens[row]) and not _LEADING_ZERO.match(tokens[row]))
    ):
        row += 1
    return row


def _written_blanks(piece: str, label: str | None) -> tuple[str, str]:
    """``(run, rest)`` of a piece with lone no-break spaces in it (``WRITTEN_BLANK``): where the
    values opening it and those among them fill the row's table exactly, the values with those
    as blank cells (``14 — — — — — —`` after 1.属于国家秘密: seven cells), then the text after
    them (a heading no template knows, its prose); elsewhere no run, and the piece with them
    read as the spaces they are: a page's spacing (``规章 \xa0 0 0 0``, a label's paragraph of
    its own; ``5 0 0 0 0 0 \xa0 5``, one cell's)."""
    tokens = piece.split()
    row = _row_tokens(tokens)
    if label is None or row not in _row_widths().get(label, ()):
        return "", piece.replace(WRITTEN_BLANK, " ").strip()
    run = " ".join("—" if t == WRITTEN_BLANK else t for t in tokens[:row])
    return run, " ".join(t for t in tokens[row:] if t != WRITTEN_BLANK)


@cache
def _row_widths() -> dict[str, frozenset[int]]:
    """Each row label the templates know (normalized) and the column counts of its tables
    (with and without an optional column). A table whose one row has no label (the review
    table) has its values after its header: its last column's label stands for the row's."""
    widths: dict[str, set[int]] = {}
    for _, spec in all_tables():
        counts = {len(spec.columns), sum(1 for c in spec.columns if not c.optional)}
        labels = [label for row in spec.rows for label in (row.label, *row.aliases) if label]
        if len(spec.rows) == 1 and spec.rows[0].label is None and spec.columns[-1].label:
            labels.append(spec.columns[-1].label)
        for label in labels:
            widths.setdefault(normalize_label(label), set()).update(counts)
    return {label: frozenset(counts) for label, counts in widths.items()}


def _prepare(line: str) -> str:
    """The line in label form, spaces kept: ASCII widths, no pinyin, simplified characters."""
    return simplify(line).replace("“", '"').replace("”", '"')  # tokenize already normalized widths


_WS = re.compile(r"\s+")
_BRACKET = re.compile(r"[()]")


def _compact(text: str) -> tuple[str, array[int]]:
    """Characters of the prepared line without whitespace, and where each came from (an array:
    a list of int objects would cost some 40 bytes a character on a huge line)."""
    where = array("q")
    pos = 0
    for m in _WS.finditer(text):
        where.extend(range(pos, m.start()))
        pos = m.end()
    where.extend(range(pos, len(text)))
    return _WS.sub("", text), where


def _outside_notes(compact: str, matches: list[re.Match[str]]) -> list[re.Match[str]]:
    """Known labels quoted inside an unknown label's bracketed note (…除规范性文件以外…) are part
    of that label, not cells of their own."""
    inside = bytearray(len(compact) + 1)
    opened: list[int] = []
    for bracket in _BRACKET.finditer(compact):
        i, ch = bracket.start(), bracket.group()
        if ch == "(":
            opened.append(i)
        elif opened:
            start = opened.pop()
            if not opened:  # only closed brackets hold a note; a cut-off one (单位: …) does not
                inside[start + 1 : i] = b"\x01" * (i - start - 1)
    return [m for m in matches if not inside[m.start()]]


def split_at_known_labels(text: str) -> list[str]:
    """``text`` (a normalized label) cut before and after each known label in it, longest first
    and left to right; a bracketed note stays with the label before it. Header cells a line ran
    together (``信息内容本年新制作数量本年新公开数量…``) come apart again."""
    pieces: list[str] = []
    pos = 0
    for m in _pattern().finditer(text):
        if m.start() > pos:
            _add_piece(pieces, text[pos : m.start()])
        pieces.append(m.group())
        pos = m.end()
    if pos < len(text):
        _add_piece(pieces, text[pos:])
    return pieces


def _add_piece(pieces: list[str], fragment: str) -> None:
    if fragment.startswith("(") and pieces:
        pieces[-1] += fragment
    else:
        pieces.append(fragment)


def is_run(piece: str) -> bool:
    """Whether a stripped piece is a run of glued values (digits, separators, units, marks)."""
    return _RUN_TOKENS.fullmatch(piece) is not None and _RUN_MARK.search(piece) is not None


#: Values opening a piece before text that is no part of them: the text follows a space (a cell
#: boundary the line kept) and opens with no sign, blank mark or unit of a value, or it is a
#: heading's ordinal (``四、``, ``(二)``, or a doubled ``三`` of ``三三、``) written straight after
#: the values.
_LEADING_RUN = re.compile(
    r"(\d[\d.,]*(?:\s+\d[\d.,]*)*)(?:\s+(?=[^\d\s.+\-,/—－–元万])|(?=[一二三四五六七八九十]+(?:、|$)|\([一二三四五六七八九十]+\)))"
)


def leading_run(piece: str) -> tuple[str, str] | None:
    """``(run, rest)`` of a piece that opens with its row's values and goes on with text no row
    of the table holds (``7816 (二)主动公开政府信息的主要类别…``: the values, then the report's
    next heading and prose); None when it does not open so. Without it the values were read as
    part of that text, and their row blank."""
    m = _LEADING_RUN.match(piece)
    if m is None or len(m.group(1)) > MAX_RUN_CHARS or is_run(piece):
        return None
    return m.group(1), piece[m.end() :].strip()


def trailing_run(piece: str) -> tuple[str, str] | None:
    """``(label, run)`` of unknown text followed by its row's values (其他主动公开文件(…)1010158):
    the label ends with a character that is no digit, separator or mark and is as short as it can
    be; the run holds a digit after its last sign or placeholder. None when the piece does not end
    so. Linear time: the run's start is found on the reversed piece."""
    start = len(piece) - _REVERSED_RUN_TOKENS.match(piece[::-1]).end()  # type: ignore[union-attr]
    last_digit = last_mark = -1
    for m in _DIGIT.finditer(piece, start):
        last_digit = m.start()
    for m in _SIGN_OR_MARK.finditer(piece, start):
        last_mark = m.start()
    if last_digit < 0 or last_mark > last_digit:
        return None
    if start == 0:  # all run tokens: the label can only end with a unit's 元 or 万
        unit = _UNIT.search(piece, 0, last_digit)
        if unit is None:
            return None
        start = unit.end()
    return piece[:start], piece[start:]


def segment_line(line: str, number: int, max_cells: int | None = None) -> list[Entry] | None:
    """Cells of a glued line (``cells.Entry``: not yet placed in the stream), or None when the
    line is not glued table text. More than ``max_cells`` labels on the line raise
    ``InputTooLargeError`` (naming line ``number``) before the cells are made."""
    if len(line) < 24:
        return None
    # Cheap test first: prose rarely holds three known labels, glued tables always do.
    spaced = _prepare(line)
    if sum(1 for _ in islice(_pattern().finditer(spaced), GLUED_MIN_JOINS)) < GLUED_MIN_JOINS:
        return None
    compact, where = _compact(spaced)
    found: list[re.Match[str]] = []
    for m in _pattern().finditer(compact):
        found.append(m)
        if max_cells is not None and len(found) > max_cells:
            raise InputTooLargeError(f"line {number}: more than {max_cells} cells on one line")
    matches = _outside_notes(compact, found)
    joins = sum(
        1
        for k, m in enumerate(matches)
        if m.end() < len(compact)
        # At most one space between (get_text(" ") joins cells so): a wider gap is a laid-out
        # column's edge (pandas' to_string), the row separated, not glued.
        and where[m.end()] - where[m.end() - 1] <= _MOST_SPACES_IN_A_JOIN + 1
        and (
            compact[m.end()].isdigit()
            or compact[m.end()] in "/—－–"
            # Another label glued on, not the same one again (a merged cell an exporter wrote
            # into each column it spans: the row is separated, not glued).
            or (k + 1 < len(matches) and matches[k + 1].start() == m.end() and matches[k + 1][0] != m[0])
        )
    )
    if joins < GLUED_MIN_JOINS:
        return None
    cells: list[Entry] = []
    pos = 0
    blanks_written = WRITTEN_BLANK in spaced and _nbsp_marks_blanks(spaced, compact, where, matches)

    def emit_between(start: int, end: int) -> None:
        if start >= end:
            return
        # Use the original text (with its spaces, which are cell boundaries) for the piece.
        lo = where[start]
        hi = where[end - 1] + 1
        piece = spaced[lo:hi].strip()
        if WRITTEN_BLANK in piece:
            last = cells[-1] if cells else None
            # Only cells apart by spaces are one value a token: the label's too (a glued line
            # padded with no-break spaces, ``行政强制6625 \xa0 07941``, holds runs).
            apart = last is not None and last[0] is Kind.LABEL and where[start] - where[start - 1] > 1
            label = last[1] if blanks_written and apart and last is not None else None
            run, piece = _written_blanks(piece, label)
            if run:
                cells.append((Kind.RUN, run, None, run))
        if not piece:
            return
        lead = leading_run(piece)
        if lead is not None:
            cells.append((Kind.RUN, lead[0], None, lead[0]))
            piece = lead[1]
            if not piece:
                return
        tail = trailing_run(piece)
        label, run = tail if tail else (piece, "")
        if is_run(piece):
            label, run = "", piece
        if len(run) > MAX_RUN_CHARS:
            label, run = piece, ""
        if label:
            cells.append((Kind.LABEL, normalize_label(label), None, ""))
        if run:
            cells.append((Kind.RUN, run, None, run))

    for m in matches:
        emit_between(pos, m.start())
        cells.append((Kind.LABEL, m.group(0), None, ""))
        pos = m.end()
    emit_between(pos, len(compact))
    return cells
