"""The ``tablerecon`` command line: one subcommand per module in ``tablerecon.commands``.

Errors are printed as one line each, never as a traceback; exit codes are documented in
``tablerecon.commands``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tablerecon import __version__
from tablerecon.commands import COMMANDS

EXIT_OK, EXIT_DOC_ERRORS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tablerecon",
        description="Rebuild the tables of Chinese government information-disclosure annual reports.",
    )
    parser.add_argument("--version", action="version", version=f"tablerecon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"tablerecon.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("tablerecon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
