"""One self-contained HTML page: every table as a coloured grid beside the source text.

A reviewer checks a reconstruction by looking at where each number came from, so every cell
and every source line carry ``data-line`` and hovering or clicking either side lights up the
other. The page has its CSS and script inline and loads nothing: it can be mailed, archived
or opened offline. All text from the document is escaped.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from tablerecon.models import Report, Table
from tablerecon.render.cells import (
    CellView,
    cell_views,
    column_groups,
    format_number,
    row_label,
    short_column,
    short_row,
)

#: The class a cell and its source line get while highlighted; the browser test looks for it.
HIGHLIGHT_CLASS = "hl"

_CSS = """
:root { --read: #e8f5e9; --read-fg: #1b5e20; --blank: #9e9e9e; --inferred: #ffe082;
        --unknown: #e1bee7; --viol: #d32f2f; --amb: #1565c0; --hl: #ff6f00; --hl-bg: #fff3b0; }
* { box-sizing: border-box; }
body { margin: 0; color: #212121; background: #fafafa;
       font: 14px/1.45 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; }
header { padding: 10px 16px; background: #263238; color: #eceff1; }
header h1 { margin: 0 0 6px; font-size: 16px; font-weight: 600; word-break: break-all; }
.legend span { display: inline-block; margin: 2px 8px 2px 0; padding: 0 6px; border-radius: 3px; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; padding: 16px; }
.tables { min-width: 0; }
article { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 10px 12px;
          margin-bottom: 16px; overflow-x: auto; }
article h2 { margin: 0; font-size: 15px; }
article h2 small, .meta { color: #616161; font-weight: normal; font-size: 12px; }
.title { margin: 2px 0 6px; }
table.grid { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.grid th, .grid td { border: 1px solid #e0e0e0; padding: 2px 6px; }
.grid thead th { background: #eceff1; font-weight: 600; font-size: 12px; vertical-align: bottom; }
.grid thead small, .grid tbody th small { display: block; color: #757575; font-weight: normal;
          font-family: ui-monospace, monospace; font-size: 11px; }
.grid tbody th { text-align: left; font-weight: normal; max-width: 22em; }
.grid td { text-align: right; cursor: pointer; min-width: 3.5em; }
td.read { background: var(--read); color: var(--read-fg); }
td.blank { color: var(--blank); }
td.inferred { background: var(--inferred); font-weight: 700; }
td.unknown { background: var(--unknown); font-weight: 700; }
td.viol { background: var(--viol); color: #fff; font-weight: 700; }
td.amb { background: var(--amb); color: #fff; font-weight: 700; }
td.hl { outline: 3px solid var(--hl); outline-offset: -3px; }
ul.checks, ul.notes { margin: 6px 0 0; padding-left: 20px; font-size: 13px; }
ul.checks li.bad { color: var(--viol); }
.ok { color: #2e7d32; font-size: 13px; }
.source { position: sticky; top: 0; height: 100vh; overflow: auto; background: #fff;
          border: 1px solid #e0e0e0; border-radius: 6px;
          font: 12px/1.5 ui-monospace, "WenQuanYi Micro Hei Mono", monospace; }
.src { display: flex; white-space: pre-wrap; word-break: break-all; cursor: default; }
.src .ln { flex: none; width: 4.5em; padding-right: 8px; text-align: right; color: #9e9e9e;
           user-select: none; border-right: 1px solid #eeeeee; margin-right: 6px; }
.src.ref { cursor: pointer; }
.src.ref .ln { color: #1b5e20; font-weight: 700; }
.src.hl { background: var(--hl-bg); box-shadow: inset 3px 0 0 var(--hl); }
.errors { color: var(--viol); }
"""

_SCRIPT = """
(function () {
  "use strict";
  var HL = "%s";
  var pinned = null;
  function lit(line) {
    var old = document.querySelectorAll("." + HL);
    for (var i = 0; i < old.length; i++) old[i].classList.remove(HL);
    if (!line) return;
    var hit = document.querySelectorAll('[data-line="' + line + '"]');
    for (var j = 0; j < hit.length; j++) hit[j].classList.add(HL);
  }
  function lineOf(ev) {
    var el = ev.target.closest ? ev.target.closest("[data-line]") : null;
    return el && el.getAttribute("data-line") ? el : null;
  }
  document.addEventListener("mouseover", function (ev) {
    var el = lineOf(ev);
    if (el) lit(el.getAttribute("data-line"));
  });
  document.addEventListener("mouseout", function (ev) {
    if (lineOf(ev)) lit(pinned);
  });
  document.addEventListener("click", function (ev) {
    var el = lineOf(ev);
    if (!el) { pinned = null; lit(null); return; }
    pinned = el.getAttribute("data-line");
    lit(pinned);
    var other = el.classList.contains("src")
      ? document.querySelector('td[data-line="' + pinned + '"]')
      : document.getElementById("L" + pinned);
    if (other) other.scrollIntoView({ block: "center" });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.matches && ev.target.matches("td[data-line]")) ev.target.click();
  });
})();
"""


def source_lines(text: str) -> list[str]:
    """The text's physical lines, numbered as the engine numbers them (1-based, any newline)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _cell(cell: CellView, table: Table) -> str:
    classes: list[str] = [cell.status]
    if cell.violated:
        classes.append("viol")
    if cell.ambiguous:
        classes.append("amb")
    where = f"{table.rows[cell.row]} × {table.columns[cell.column]}: {cell.status}"
    if cell.line is not None:
        where += f", line {cell.line}"
    if cell.violated:
        where += ", in a violated identity"
    if cell.ambiguous:
        where += ", ambiguous"
    attrs = f'class="{" ".join(classes)}" title="{escape(where)}"'
    attrs += f' data-row="{escape(table.rows[cell.row])}" data-col="{escape(table.columns[cell.column])}"'
    if cell.line is not None:
        attrs += f' data-line="{cell.line}" tabindex="0"'
    mark = "*" if cell.status == "inferred" else ""
    return f"<td {attrs}>{escape(cell.text + mark)}</td>"


def _header(table: Table) -> str:
    groups = column_groups(table)
    rows = []
    if any(groups):
        spans: list[tuple[str, int]] = []
        for g in groups:
            if spans and spans[-1][0] == g:
                spans[-1] = (g, spans[-1][1] + 1)
            else:
                spans.append((g, 1))
        cells = "".join(f'<th colspan="{n}">{escape(g.replace("/", " · "))}</th>' for g, n in spans)
        rows.append(f"<tr><th></th>{cells}</tr>")
    heads = []
    for c, key in enumerate(table.columns):
        label = table.column_labels[c] if c < len(table.column_labels) else key
        heads.append(
            f'<th title="{escape(key)}">{escape(label)}<small>{escape(short_column(key))}</small></th>'
        )
    rows.append(f"<tr><th></th>{''.join(heads)}</tr>")
    return f"<thead>{''.join(rows)}</thead>"


def table_html(table: Table) -> str:
    """One table: heading, coloured grid, violated identities and notes."""
    counts = Counter(s for row in table.status for s in row)
    summary = " · ".join(f"{counts.get(s, 0)} {s}" for s in ("read", "blank", "inferred", "unknown"))
    violated = [c for c in table.checks if not c.holds]
    if table.ambiguous:
        summary += f" · ambiguous ({table.alternatives} other assignments)"
    body = []
    for r, row in enumerate(cell_views(table)):
        key = table.rows[r]
        label = (
            f'<th title="{escape(short_row(key))}">{escape(row_label(table, r))}'
            f"<small>{escape(key)}</small></th>"
        )
        body.append(f"<tr>{label}{''.join(_cell(c, table) for c in row)}</tr>")
    parts = [
        f'<article id="table-{escape(table.table)}" data-table="{escape(table.table)}">',
        f"<h2>{escape(table.table)} <small>{escape(table.template)} · "
        f"{len(table.rows)}×{len(table.columns)}</small></h2>",
        f'<p class="title">{escape(table.title)}</p>',
        f'<p class="meta">{escape(summary)}</p>',
        f'<table class="grid">{_header(table)}<tbody>{"".join(body)}</tbody></table>',
    ]
    if violated:
        items = "".join(
            f'<li class="bad">{escape(c.identity)}: residual {escape(format_number(c.residual))}</li>'
            for c in violated
        )
        parts.append(f'<ul class="checks">{items}</ul>')
    elif table.checks:
        parts.append(f'<p class="ok">all {len(table.checks)} identities hold</p>')
    if table.notes:
        parts.append(f'<ul class="notes">{"".join(f"<li>{escape(n)}</li>" for n in table.notes)}</ul>')
    parts.append("</article>")
    return "\n".join(parts)


def _legend() -> str:
    samples = [
        ("read", "background:var(--read);color:var(--read-fg)"),
        ("blank", "color:var(--blank);background:#fff"),
        ("inferred*", "background:var(--inferred);color:#000"),
        ("unknown", "background:var(--unknown);color:#000"),
        ("in a violated identity", "background:var(--viol);color:#fff"),
        ("ambiguous", "background:var(--amb);color:#fff"),
    ]
    spans = "".join(f'<span style="{style}">{escape(name)}</span>' for name, style in samples)
    return f'<div class="legend">{spans} — hover or click a cell or a line to see its source</div>'


def render_page(report: Report, text: str, tables: list[Table] | None = None) -> str:
    """The whole page for one document: ``text`` is its decoded content, for the source pane."""
    shown = report.tables if tables is None else tables
    referenced = {line for t in shown for row in t.lines for line in row if line is not None}
    src = []
    for n, line in enumerate(source_lines(text), start=1):
        cls = "src ref" if n in referenced else "src"
        src.append(
            f'<div class="{cls}" id="L{n}" data-line="{n}"><span class="ln">{n}</span>'
            f'<span class="tx">{escape(line)}</span></div>'
        )
    errors = "".join(f'<p class="errors">error: {escape(e)}</p>' for e in report.errors)
    articles = "\n".join(table_html(t) for t in shown) or "<p>no table found</p>"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>tablerecon · {escape(report.source)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<header><h1>{escape(report.source)} <small>({escape(report.encoding)})</small></h1>"
            f"{_legend()}</header>",
            f'<main><section class="tables">{errors}{articles}</section>',
            f'<section class="source" aria-label="source text">{"".join(src)}</section></main>',
            f"<script>{_SCRIPT % HIGHLIGHT_CLASS}</script>",
            "</body></html>",
            "",
        ]
    )
