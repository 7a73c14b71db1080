"""The closing summary: one plain-text table per benchmark family, and the scaling plot."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def _table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, "-" * len(line), *body])


def _fmt(v: object) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def polynomial_exponent(points: list[dict[str, Any]]) -> float | None:
    """Least-squares slope of log(time) over log(size) on the last four points before the first
    bound: the degree of the polynomial the cost grows like once fixed overheads no longer
    dominate (the smallest tables take about the same 1-3 ms whatever their size)."""
    before: list[dict[str, Any]] = []
    for p in points:
        if p["bound"] and p["bound"] != "solutions":
            break
        if p["size"] > 0 and p["seconds"] > 0:
            before.append(p)
    pts = [(math.log(p["size"]), math.log(p["seconds"])) for p in before[-4:]]
    if len(pts) < 3:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else None


def render_summary(data: dict[str, Any]) -> str:
    parts: list[str] = []
    e2e = data.get("end_to_end", {})
    if e2e:
        rows = [
            [
                name,
                d["docs"],
                d["tables"],
                d["engine_seconds"],
                d["reports_per_second"],
                d["floor_seconds"],
                d["floor_reports_per_second"],
                d["floor_multiple"],
            ]
            for name, d in e2e.items()
        ]
        parts.append(
            "End to end, one core (engine = extract_file; floor = read, decode, split lines, find numbers)\n"
            + _table(
                ["corpus", "docs", "tables", "engine s", "reports/s", "floor s", "floor rep/s", "x floor"],
                rows,
            )
        )
    latency = data.get("table_latency")
    if latency:
        parts.append(
            "Solver time per table on the generated corpus (solve_table, ms)\n"
            + _table(
                ["tables", "p50", "p90", "p99", "max", "tables > 5 ms"],
                [
                    [
                        latency["tables"],
                        latency["p50_ms"],
                        latency["p90_ms"],
                        latency["p99_ms"],
                        latency["max_ms"],
                        latency["over_5ms"],
                    ]
                ],
            )
        )
        by_style = data.get("table_latency_by_style", {})
        if by_style:
            parts[-1] += "\n" + _table(
                ["style", "tables", "p50", "p90", "p99", "max", "tables > 5 ms"],
                [
                    [k, v["tables"], v["p50_ms"], v["p90_ms"], v["p99_ms"], v["max_ms"], v["over_5ms"]]
                    for k, v in by_style.items()
                ],
            )
        slow = latency.get("slowest", [])
        if slow:
            parts.append("Slowest tables\n" + _table(["ms", "table"], [[s["ms"], s["table"]] for s in slow]))
    cpsat = data.get("cpsat")
    if cpsat:
        parts.append(
            "Engine against CP-SAT (exact reference, one worker)\n"
            + _table(
                [
                    "compared",
                    "skipped",
                    "disagree",
                    "engine s",
                    "cp-sat s",
                    "ratio",
                    "median table ratio",
                    "order-dep.",
                ],
                [
                    [
                        cpsat["tables_compared"],
                        sum(cpsat["tables_skipped"].values()),
                        len(cpsat["disagreements"]),
                        cpsat["engine_seconds"],
                        cpsat["cpsat_seconds"],
                        cpsat["ratio_total"],
                        cpsat["ratio_median_table"] or float("nan"),
                        cpsat["order_dependent_components"],
                    ]
                ],
            )
        )
        for reason, n in cpsat["tables_skipped"].items():
            parts.append(f"  skipped {n}: {reason}")
        for name, tables in cpsat.get("known_deviations", {}).items():
            parts.append(f"  known deviation {name}: {len(tables)} table(s), e.g. {tables[0]}")
        for d in cpsat["disagreements"][:20]:
            parts.append("  DISAGREE " + d)
    scaling = data.get("scaling", {})
    for sweep, points in scaling.items():
        exponent = polynomial_exponent(points)
        rows = [
            [
                p["size"],
                p["seconds"] * 1000,
                p["candidates"],
                1e6 * p["seconds"] / p["candidates"] if p["candidates"] else float("nan"),
                p["unknown"],
                p["bound"] or "",
            ]
            for p in points
        ]
        parts.append(
            f"Scaling: {sweep} (time ~ size^{exponent:.2f} just before the bound)\n"
            if exponent is not None
            else f"Scaling: {sweep}\n"
        )
        parts[-1] += _table(["size", "ms", "candidates", "us/candidate", "unknown cells", "bound"], rows)
    known = {"end_to_end", "table_latency", "table_latency_by_style", "cpsat", "scaling", "machine"}
    for key, value in data.items():
        if key not in known and isinstance(value, dict):
            parts.append(f"{key}\n" + _table(list(value), [list(value.values())]))
    return "\n\n".join(parts)


def write_plot(data: dict[str, Any], path: Path) -> Path | None:
    """Time per table against size, one panel per sweep, bound-hit points marked; None without
    matplotlib (the ``bench`` extra)."""
    scaling = data.get("scaling", {})
    if not scaling:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter, ScalarFormatter
    except ImportError:
        return None
    n = len(scaling)
    cols = min(n, 3)
    fig, axes = plt.subplots(
        math.ceil(n / cols), cols, figsize=(5 * cols, 4 * math.ceil(n / cols)), squeeze=False
    )
    styles = {
        "placements": ("x", "tab:red", "placements bound (SolveLimits.max_placements)"),
        "nodes/checks": ("X", "tab:purple", "nodes/checks bound, noted"),
        "time (no note)": ("s", "tab:orange", "time bound, no note"),
        "solutions": ("^", "tab:green", "solutions cap (ambiguity)"),
    }
    for ax, (sweep, points) in zip(axes.flat, scaling.items(), strict=False):
        xs = [p["size"] for p in points]
        ys = [p["seconds"] * 1000 for p in points]
        ax.plot(xs, ys, "o-", color="tab:blue", label="solve_table", zorder=1)
        for bound, (marker, color, label) in styles.items():
            hit = [(x, y) for x, y, p in zip(xs, ys, points, strict=True) if p["bound"] == bound]
            if hit:
                hx, hy = zip(*hit, strict=True)
                ax.scatter(hx, hy, marker=marker, color=color, s=90, label=label, zorder=2)
        max_ms = 1000 * points[0].get("max_seconds", 2.0)
        ax.axhline(max_ms, color="grey", linestyle=":", linewidth=1)
        exponent = polynomial_exponent(points)
        title = sweep if exponent is None else f"{sweep}\n(~size^{exponent:.1f} before the bound)"
        ax.set_title(title, fontsize=9)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(sorted(set(xs)))
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel(points[0].get("axis", "size"))
        ax.set_ylabel("ms per table (dotted: max_seconds)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle("tablerecon solver: time per table as tables grow (SolveLimits defaults)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
