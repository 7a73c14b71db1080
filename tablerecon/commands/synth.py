"""``tablerecon synth --count N --seed S OUT_DIR``: write synthetic reports with their truth."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import get_args

from tablerecon.commands import path_arg
from tablerecon.synth import DEFORMATIONS, Deformations, Style, generate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "synth",
        help="write synthetic flattened reports and their truth",
        description="Write OUT_DIR/<seed>.txt (the report) and OUT_DIR/<seed>.json (its truth) for "
        "seeds S .. S+N-1. The same seed and options always give the same bytes.",
    )
    p.add_argument("out_dir", metavar="OUT_DIR", type=path_arg)
    p.add_argument("--count", type=int, default=100, metavar="N", help="documents to write (default 100)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="first seed (default 0)")
    p.add_argument("--style", choices=get_args(Style), default="cell_per_line", help="flattening style")
    p.add_argument("--format", choices=["2019", "2021"], default=None, help="report format (default: mixed)")
    damage = p.add_mutually_exclusive_group()
    damage.add_argument("--only", choices=DEFORMATIONS, metavar="NAME",
                        help=f"apply exactly this deformation: {', '.join(DEFORMATIONS)}")  # fmt: skip
    damage.add_argument("--clean", action="store_true", help="no deformations at all")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.count < 0:
        print("tablerecon synth: --count must be >= 0", file=sys.stderr)
        return 2
    if args.only:
        deformations = Deformations.only(args.only, style=args.style, format=args.format)
    elif args.clean:
        deformations = Deformations.none(style=args.style, format=args.format)
    else:
        deformations = Deformations(style=args.style, format=args.format)
    out: Path = args.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
        for seed in range(args.seed, args.seed + args.count):
            stem = f"{seed:05d}"
            doc = generate(seed, deformations, source=f"{stem}.txt")
            (out / f"{stem}.txt").write_text(doc.text, encoding="utf-8")
            truth = json.dumps(doc.truth, ensure_ascii=False, indent=1) + "\n"
            (out / f"{stem}.json").write_text(truth, encoding="utf-8")
    except OSError as exc:
        print(f"tablerecon synth: {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.count} document(s) to {out}", file=sys.stderr)
    return 0
