"""How one line of text is cut into cell texts: at pipes and tabs, or, on a line of spaced
words, into a row's label and its values.

Flattened tables put a whole row on one line in many shapes (``规章 0 0 0``, values opening
the next row's label, a merged cell written into each column it spans, a group's label beside
the row's), and telling them apart takes rules of their own. They live here, apart from the
document level (``normalize``: which lines are read, how their cells are placed), and lean on
``cells`` for what each piece is and on ``segment``'s vocabulary for the labels the templates
know.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from tablerecon.borders import is_rule
from tablerecon.cells import (
    NOTE,
    REVERSED_VALUE,
    VALUE,
    is_label,
    normalize_label,
    parse_number,
    to_ascii_width,
)
from tablerecon.segment import split_at_known_labels, vocabulary
from tablerecon.templates import all_tables

_WS = re.compile(r"\s+")
_CELL_SEPARATOR = re.compile(r"[|\t]")
# A row on one line, ``label 1 2 3``, matched on the reversed line: the longest run of values
# and the whitespace before it, then the label's last character. Matching forwards with a lazy
# label backtracks quadratically on long lines of numbers.
_REVERSED_TRAILING_NUMBERS = re.compile(rf"{REVERSED_VALUE}(?:\s+{REVERSED_VALUE})*\s+(?=[^\s\d.+-])")
#: The values of such a run, each with the unit after it (``75394432.52 元``, as pypdf spaces it).
_VALUES = re.compile(VALUE)
_DIGIT = re.compile(r"\d")
#: A line of two or more values and nothing else, whitespace between them.
_SEPARATE_NUMBERS = re.compile(rf"{VALUE}(?:\s+{VALUE})+")
#: A number of several digits that starts with 0 (not 0.5): a sign of digits glued together.
_LEADING_ZERO = re.compile(r"(?<![\d.,])0\d")
#: Most characters of a one-line row's label outside its bracketed notes: longer is prose that
#: happens to end in numbers. Notes do not count, as some reports print the template's
#: instructions in the label (``规范性文件(行政机关制定发布的决定、公告…)``, 100+ characters).
_ROW_LABEL_CHARS = 80


def split_line(line: str, open_rows: bool = False) -> list[str]:
    """Split a physical line into cell texts: pipes and tabs separate cells, and a label
    followed by whitespace-separated numbers (``规章 0 0 0``) is a row on one line.
    ``open_rows``: the document's rows of pipes close with no pipe (``规章| 0| 5``, as python's
    html2text writes them), so a row's last pipe opens its last field, empty or not."""
    if "|" in line or "\t" in line:
        pieces = _CELL_SEPARATOR.split(line)
        if any(p.strip() for p in pieces):
            # Empty fields are kept, at the ends too (tokenize reads them as the row's blanks);
            # what follows a closing pipe is no field, nor what precedes an opening one (a pipe
            # that starts the line, as in ``| 规章 | 0 |``; `` |  | 7 |`` opens with an empty field).
            closing = not open_rows or line.lstrip(" ").startswith("|")
            if closing and not pieces[-1].strip() and line.rstrip(" ").endswith("|"):
                pieces.pop()
            if line.startswith("|") and not pieces[0]:
                pieces.pop(0)
            # A rule drawn across the row's other cells (a spanning cell's text on a rule line)
            # is no field of it. A field of known labels apart by spaces (a heading and the
            # header's words before a row's values, a Markdown table run into a paragraph) is
            # a cell each.
            fields = [p for p in pieces if not is_rule(p)]
            if any(" " in f.strip() and is_label(f) for f in fields):
                fields = [part for f in fields for part in _known_labels_apart(f)]
            return merged_once(fields)
        return [""]
    stripped = line.strip()  # the line is already in ASCII widths
    words = stripped.split()
    if len(words) >= _MERGED_COPIES and words.count(words[0]) == len(words) and is_label(words[0]):
        return [words[0]]  # a merged cell written into each column it spans, spaces between
    if _SEPARATE_NUMBERS.fullmatch(stripped):
        # A row of values with no label (the review row: ``0 9 0 2 11 …``). A count written
        # with a leading zero (``230 000023``) is digits glued together, not cells: kept whole.
        return [line] if _LEADING_ZERO.search(stripped) else _VALUES.findall(stripped)
    row = _trailing_numbers(stripped)
    if row is not None:
        lead, label = _leading_values(row[0])
        label = _once_each(label)
        if _label_core_chars(label) <= _ROW_LABEL_CHARS:
            first = _known_label_then_value(label)
            if first is not None:
                return [*lead, *first, *_VALUES.findall(row[1])]
            parts = _known_label_parts(label)
            if len(parts) == 1:
                parts = _spanning_pieces(label) or parts
            # A cell spanning columns written into each (pandas' to_string): one label, read once.
            parts = [part for k, part in enumerate(parts) if not k or part != parts[k - 1]]
            return [*lead, *parts, *_VALUES.findall(row[1])]
    if not stripped[:1].isdigit() and " " not in stripped:
        # Most lines: one label, with no value before or inside it.
        return _known_label_then_value(stripped) or [line]
    lead, rest = _leading_values(stripped)
    if lead:
        return [*lead, rest]
    head, _, after = stripped.partition(" ")
    glued = _known_label_then_value(head)
    if glued is not None and (_SEPARATE_NUMBERS.fullmatch(after.strip()) or _VALUES.fullmatch(after.strip())):
        return [*glued, *_VALUES.findall(after)]  # ``行政规范性文件88 55 698``
    spanning = _spanning_pieces(stripped)
    if spanning is not None:
        return spanning
    head = stripped.partition(" ")[0]
    if _COLUMN_GAP.search(stripped) or (
        head[:1] in _GROUP_OPENINGS
        and len(head) <= _GROUP_LABEL_CHARS
        and normalize_label(head) in _group_labels()
    ):
        # Known labels laid out in columns with no value (a header ``信息内容  本年制发件数  本年
        # 废止件数``, as w3m, lynx and pandoc print it): a cell each. Read as one label, the
        # header named no column, and a 2021 table was read by the 2019 layout. So too a group's
        # label and a row's with no value (``三、本年度办理结果 (一)予以公开``, all blank): read as
        # one label, the row matched none and its blank cells were unknown.
        parts = _known_label_parts(stripped)
        if len(parts) > 1:
            return parts
    tail = _TRAILING_WORDS.fullmatch(stripped) if " " in stripped else None
    if tail is not None and is_label(tail.group(2)):
        # A row's line that ends with a few words of another cell (``2.没有现成信息… 3 0 0 0 0 0 3
        # 提供``: the end of the group's label 无法提供, laid out beside it): the row, then those.
        row_cells = split_line(tail.group(1))
        if len(row_cells) > 2:  # a label and two values at least: a row, not a sentence's number
            return [*row_cells, tail.group(2)]
    return [line]


#: A line that ends with a digit, then spaces and a few words with no digit.
_TRAILING_WORDS = re.compile(r"(.*\d)\s+([^\d\s]{2,8})")


#: A label's text, then a number glued to its end: ``行政规范性文件88``, ``行政事业性收费9116.36``.
_LABEL_THEN_NUMBER = re.compile(r"(.*[^\d\s.,+\-])(\d+(?:\.\d+)?)")


def _known_label_then_value(text: str) -> list[str] | None:
    """``[label, value]`` where ``text`` is a label the templates know with a number glued to its
    end, as a PDF's text writes a row's first value against its label (``行政规范性文件88 55
    698``): the label was read with the digits, and the row lost its values. None otherwise."""
    if not text[-1:].isdigit():
        return None
    m = _LABEL_THEN_NUMBER.fullmatch(text)
    if m is None or normalize_label(m.group(1)) not in _known_labels():
        return None
    return [m.group(1), m.group(2)]


def label_then_run(line: str) -> tuple[tuple[str, ...], str] | None:
    """``(labels, digits)`` where a line is only a label the templates know with whole digits
    glued to its end (``行政许可000``, ``规章1213``): a row whose cells a flattening ran into one
    string, one row a line. The digits are the row's values run together, which the solver
    splits over its columns (or says it cannot): read as one number, ``000`` filled one cell
    and left the others blank, and ``3960181`` would have been one value. A number with a
    point (``行政事业性收费9116.36``) is one value, and a line with spaces is no such row.

    The label may be a group's before its first row's (``(三)不予公开1.属于国家秘密130000013``:
    the group's merged cell run into the row's), all known: then each is a label."""
    stripped = line.strip()
    if " " in stripped or "\t" in stripped or not stripped[-1:].isdigit():
        return None
    m = _LABEL_THEN_NUMBER.fullmatch(stripped)
    if m is None or not m.group(2).isdigit():
        return None
    label = normalize_label(m.group(1))
    if label in _known_labels():
        return (m.group(1),), m.group(2)
    parts = split_at_known_labels(label) if len(label) <= _MOST_CHARS_OF_TWO_LABELS else []
    if len(parts) < 2 or not all(part in _known_labels() for part in parts):
        return None
    return tuple(parts), m.group(2)


#: Longer text before a number is prose, not a group's label and a row's run together.
_MOST_CHARS_OF_TWO_LABELS = 120


def _once_each(label: str) -> str:
    """A row label with each run of copies of one word kept once: a merged cell that pandas'
    to_string writes into each column it spans, spaces between (``一、本年新收… 一、本年新收…
    一、本年新收… 80 1 0``). The copies made the label too long for a row's, and it was prose."""
    words = label.split()
    if len(words) < 2 or all(a != b for a, b in itertools.pairwise(words)):
        return label
    return " ".join(w for k, w in enumerate(words) if not k or w != words[k - 1] or not is_label(w))


#: Values opening a line before a label (``1 0 0 0 0 0 1 2.申请人逾期…``): two or more, each
#: followed by spaces; the label opens with no digit, or with an ordinal (``2.``) before words.
_LEADING_VALUES = re.compile(rf"(?:{VALUE}\s+){{2,}}(?=\D|\d+\.\D)")


def _leading_values(text: str) -> tuple[list[str], str]:
    """The values that open a stripped line, and the label after them: how a text that puts a
    row's values on the line of the next row's label (``get_text(" ")`` of a page whose cells
    hold line breaks) writes them. Without the cut, the values were read into that label, and
    their row was blank. No values, and the whole text, where the line does not open so."""
    m = _LEADING_VALUES.match(text)
    # Blank marks alone are no row's values: a header's empty corner cells (pandas' ``NaN NaN
    # 结果维持 …``) before the labels over the columns.
    if m is None or not _DIGIT.search(m.group()) or not is_label(text[m.end() :]):
        return [], text
    return _VALUES.findall(m.group()), text[m.end() :]


#: Copies of one text on a line of spaced words that make it a merged cell written into each
#: column it spans (pandas' to_string: a caption over four columns); two may be the first line of
#: two wrapped header cells (本年新 over 制作数量, 本年新 over 公开数量).
_MERGED_COPIES = 3


def merged_once(pieces: list[str]) -> list[str]:
    """A row's fields with its label kept once where a merged cell was written into each column
    it spans (python-docx, pandas' read_html): ``一、本年新收…`` three times, then the values.
    Only the labels before a row's first value: a header's repeated cell may stand over values
    repeated as well (a merged value cell), and the two must keep lining up. A row number before
    the label (a data frame's index, a 序号 column: ``| 3 | 规范性文件 | 89 |``) is no value."""
    if len(pieces) > 2 and _ROW_NUMBER.fullmatch(pieces[0].strip()) and is_label(pieces[1].strip()):
        pieces = pieces[1:]
    kept = pieces[:1]
    for k, piece in enumerate(pieces[1:], start=1):
        text = piece.strip()
        if parse_number(to_ascii_width(text)) is not None:
            return [*kept, *pieces[k:]] if len(kept) < k else pieces
        if text == kept[-1].strip() and is_label(text):
            continue
        kept.append(piece)
    return pieces  # no value: a header or a caption, left as it is


#: A row number: a few digits alone.
_ROW_NUMBER = re.compile(r"\d{1,4}")


#: A gap between cells laid out in columns: more than one space.
_COLUMN_GAP = re.compile(r"\s{2,}")
#: Spaces in a row label tried as the boundaries between labels (_known_label_parts); a label
#: with more is left whole (real ones hold one or two: a group's label, then the row's).
_MAX_LABEL_SPACES = 8


def _known_labels_apart(field: str) -> list[str]:
    """A field of known labels apart by spaces, each word one or more of them run together
    (``四、政府信息公开行政复议、行政诉讼情况 行政复议行政诉讼``: a heading and the header's first
    words before a row's values, a Markdown table run into a paragraph), cut into them; any
    other field as it is."""
    words = field.split()
    if len(words) < 2:
        return [field]
    parts = [part for word in words for part in split_at_known_labels(normalize_label(word))]
    return parts if all(part in _known_labels() for part in parts) else [field]


def _known_label_parts(label: str) -> list[str]:
    """A row label that is known labels joined by spaces, cut into them: a table cell each
    before the text was flattened (``三、本年度办理结果 (一)予以公开``: the group, then the row, as a
    pipe-separated row gives them). Only a cut that leaves every part a known label is made, so
    a label with spaces inside (``商业 企业``), or any part unknown, stays whole. Where wide gaps
    lay the cells out in columns, they alone are tried first: the cells' own text may be spaced
    a character apart (inscriptis: ``三 、本 年 度 办 理 结 果      （ 一 ） 予以公开``)."""
    columns = _COLUMN_GAP.split(label)
    if len(columns) > 1 and all(normalize_label(part) in _known_labels() for part in columns):
        return columns
    spaces = list(_WS.finditer(label))
    if not spaces or len(spaces) > _MAX_LABEL_SPACES:
        return [label]
    starts = [0, *(m.end() for m in spaces)]
    ends = [*(m.start() for m in spaces), len(label)]
    known = _known_labels()
    # parts[i]: parts that cut label[starts[i]:] into known labels, the first as short as it can
    # be; None where it cannot be cut so. Worked from the right, each start trying every end.
    parts: list[list[str] | None] = [None] * len(starts) + [[]]
    for i in range(len(starts) - 1, -1, -1):
        for j in range(i, len(starts)):
            rest = parts[j + 1]
            piece = label[starts[i] : ends[j]]
            if rest is not None and normalize_label(piece) in known:
                parts[i] = [piece, *rest]
                break
    found = parts[0]
    return found if found is not None and len(found) > 1 else [label]


#: More characters than any group's label has (21: (二)通过不同渠道和方式回应解读的情况): a
#: longer word is none, and is not normalized to be looked up.
_GROUP_LABEL_CHARS = 24
#: What a group's label opens with, as read: its number (三、) or its bracket ((三), （三）).
_GROUP_OPENINGS = frozenset("一二三四五六七八九十(（")

#: Most pieces a line of cells spanning rows is cut into (``_spanning_pieces``).
_MAX_SPANNING_PIECES = 4


def _spanning_pieces(stripped: str) -> list[str] | None:
    """The pieces of a line that prints, side by side, a few characters of each of several cells
    spanning rows: a group's label, a sub-group's, the row's (``三、本年度 (四)无法
    1.本机关不掌握相关政``, a PDF's wrapped cells), each on its way down its column; None where
    the line is not so. Read as one label, it opened with 三、 and ended the table as a section
    heading would. Only a line that opens with a piece of a group's label, and whose every part
    is a piece of a label the templates know, is cut."""
    words = stripped.split()
    if not 2 <= len(words) <= _MAX_SPANNING_PIECES:
        return None
    first, known = normalize_label(words[0]), _known_labels()
    if first in known or normalize_label(stripped) in known or not any(first in g for g in _group_labels()):
        return None  # a known label with a space inside (（三）不予 公开) is one
    if all(len(w) >= 2 and any(normalize_label(w) in label for label in known) for w in words[1:]):
        return words
    return None


@cache
def _group_labels() -> tuple[str, ...]:
    """The labels of the templates' group rows (三、本年度办理结果, (四)无法提供), normalized."""
    return tuple(
        {normalize_label(r.label) for _, spec in all_tables() for r in spec.rows if r.group and r.label}
    )


@cache
def _known_labels() -> frozenset[str]:
    """The templates' labels, normalized (``segment.vocabulary``)."""
    return frozenset(vocabulary())


def _trailing_numbers(text: str) -> tuple[str, str] | None:
    """``(label, numbers)`` of a stripped line ``label 1 2 3``: the label ends with a character
    that is no digit, sign or point, and takes as little as it can. None when not such a row."""
    m = _REVERSED_TRAILING_NUMBERS.match(text[::-1])
    if m is None:
        return None
    cut = len(text) - m.end()
    return text[:cut], text[cut:].strip()


def _label_core_chars(label: str) -> int:
    """Characters of ``label`` outside its bracketed notes, to three levels of nesting (a pass
    each: the work stays linear in the line, however deep a hostile one nests), and outside the
    spaces between its parts (a group's label and a row's, padded to their columns)."""
    if len(label) <= _ROW_LABEL_CHARS:
        return len(label)
    label = _WS.sub("", label)
    for _ in range(3):
        label = NOTE.sub("", label)
    return len(label)


def pieces_bound(line: str) -> int:
    """Most pieces ``split_line`` can cut a line into, counted without cutting it."""
    if "|" in line or "\t" in line:
        return line.count("|") + line.count("\t") + 1
    return sum(1 for _ in _WS.finditer(line)) + 1
