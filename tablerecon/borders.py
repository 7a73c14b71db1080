"""Table borders drawn in text, as text browsers and converters draw them (w3m and elinks with
box-drawing characters, links and pandoc's grid tables with ``+---+``, Markdown's ``|---|``).

Their vertical bars separate cells as pipes do, so they are read as pipes. Their rule lines
(``├──┼──┤``, ``+----+``, ``| :--- | ---: |``, pandoc's ``------ ------``) separate rows and hold
no cell: such a line is no content and no empty line either, as an empty line would stand for a
blank cell. A rule drawn inside a row (a cell spanning several rows keeps its text on the
rule line between them, ``| （三）不予公开 |-----+-----|``) is dropped from that row likewise.
"""

from __future__ import annotations

import re

#: Vertical bars of box drawing (light, heavy, double, dashed), the broken bar, and the
#: junctions a bar runs through (``├──┼──┤``): each stands where a pipe would, so each is read as
#: one, and a label a spanning cell prints on a rule line (``│（三）不予公开├────┤``) is cut off it.
_BARS = "│┃║╎╏┆┇┊┋¦├┤┼╋┣┫╠╣╬╞╡╪╟╢╫┝┥┠┨┿╂"
_TO_PIPE = str.maketrans(dict.fromkeys(_BARS, "|"))

#: Horizontal strokes a rule is drawn with: ASCII, and box drawing's.
_ASCII_STROKES = "\\-=_~"
_BOX_STROKES = "─━═┄┅┈┉╌╍"
#: Corners and junctions where rules meet bars, and the colons of Markdown's alignment row.
_JUNCTIONS = "+:├┤┬┴┼┌┐└┘╋┣┫┳┻┏┓┗┛╔╗╚╝╠╣╦╩╬╞╡╪╟╢╫╤╧╥╨╒╓╕╖╘╙╛╜╭╮╯╰"
_RULE_CHARS = re.compile(f"[\\s|{_ASCII_STROKES}{_BOX_STROKES}{_JUNCTIONS}]*")
#: What makes such characters a rule: a box-drawing stroke, or one ASCII stroke three times in a
#: row (``--`` and ``-`` alone stand for a blank cell). ``read_borders`` looks for these with
#: ``str.find`` (several times faster than a regex scan of a Chinese text).
_ASCII_RULES = ("---", "===", "___", "~~~")
_RULE_MARK = re.compile("|".join([f"[{_BOX_STROKES}]", *map(re.escape, _ASCII_RULES)]))
#: Any character of box drawing a table is drawn with: bars, junctions, strokes.
_HAS_BOX_DRAWING = re.compile(f"[{_BARS}{_BOX_STROKES}]")


def read_borders(text: str) -> tuple[str, set[int]]:
    """``text`` with its box-drawing bars written as pipes, and the numbers of its lines that are
    only a drawn rule (``rule_lines``). A text of neither costs two quick scans."""
    if _HAS_BOX_DRAWING.search(text):
        text = text.translate(_TO_PIPE)
    elif not any(text.find(strokes) >= 0 for strokes in _ASCII_RULES):
        return text, set()
    return text, rule_lines(text)


def is_rule(text: str) -> bool:
    """Whether ``text`` (a line, or one field of a piped line) is only a drawn rule: strokes,
    junctions, bars and spaces, with a box-drawing stroke or one ASCII stroke three times in a row."""
    return _RULE_CHARS.fullmatch(text) is not None and _RULE_MARK.search(text) is not None


#: A line of rule characters only (not yet known to hold a rule's strokes): found in the whole
#: text by one scan, as a look at every line from Python cost a report more than the rest of
#: reading its rules.
_DRAWN = f"|{_ASCII_STROKES}{_BOX_STROKES}{_JUNCTIONS}"
_RULE_LINE_CANDIDATE = re.compile(f"^[ \\t]*[{_DRAWN}][ \\t{_DRAWN}]*$", re.MULTILINE)


def rule_lines(text: str) -> set[int]:
    """The 1-based numbers of the lines of ``text`` that are only a drawn rule (``is_rule``)."""
    found: set[int] = set()
    line, at = 1, 0
    for candidate in _RULE_LINE_CANDIDATE.finditer(text):
        if _RULE_MARK.search(candidate.group()) is None:
            continue
        line += text.count("\n", at, candidate.start())
        at = candidate.start()
        found.add(line)
    return found
