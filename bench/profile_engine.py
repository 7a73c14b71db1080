"""Profile end-to-end extraction over generated reports with pyinstrument (the ``bench`` extra).

    .venv/bin/python -m bench.profile_engine --style cell_per_line --count 200
    .venv/bin/python -m bench.profile_engine --real --html bench/results/profile.html

Prints the call tree (time per function, children nested) so the step that dominates is named.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.workload import real_corpus
from tablerecon import extract_file, extract_text
from tablerecon.synth import STYLES, Deformations, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--style", choices=[*STYLES, "all"], default="all")
    parser.add_argument(
        "--count", type=int, default=200, help="generated reports (per style with --style all)"
    )
    parser.add_argument("--seed", type=int, default=20_000)
    parser.add_argument("--real", action="store_true", help="profile the real corpus instead")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML page here")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval, seconds")
    args = parser.parse_args(argv)

    from pyinstrument import Profiler

    styles = STYLES if args.style == "all" else (args.style,)
    texts = [
        generate(args.seed + k, Deformations(style=style)).text for style in styles for k in range(args.count)
    ]
    paths = real_corpus() if args.real else []
    extract_text(texts[0] if texts else paths[0].read_text(encoding="utf-8"))  # imports and caches warm
    profiler = Profiler(interval=args.interval)
    profiler.start()
    for path in paths:
        extract_file(path)
    for text in [] if args.real else texts:
        extract_text(text)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
