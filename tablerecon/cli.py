"""The ``tablerecon`` command line: one subcommand per module in ``tablerecon.commands``.

Errors are printed as one line each, never as a traceback; exit codes are documented in
``tablerecon.commands`` (0 ok, 1 some documents had errors, 2 bad usage or unreadable input;
with several files the worst applies). An error that escapes a command is a bug: it is one line,
``tablerecon: internal error: TYPE: message``, exit 1; ``TABLERECON_DEBUG=1`` shows its traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from tablerecon import __version__
from tablerecon.allocator import keep_freed_memory
from tablerecon.commands import COMMANDS
from tablerecon.errors import TableReconError

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
    _never_unencodable()
    keep_freed_memory()  # see tablerecon.allocator: long runs otherwise fault arrays in again
    # What the imports allocated lives as long as the command: frozen, the garbage collector
    # need not walk it again (a full collection in a long run: ~37 -> ~6 ms). Thawed on the way
    # out, so that the interpreter's last collection (and a caller's process) sees it as before.
    gc.freeze()
    try:
        return _run(args)
    finally:
        gc.unfreeze()


def _never_unencodable() -> None:
    """Text the terminal's encoding cannot show (CJK on a latin-1 console, the grid's own
    marks on GBK) is written as escapes rather than failing the command. ``extract --json``
    writes UTF-8 whatever the console, as its contract asks."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _discard_stdout() -> None:
    """Point standard output at the null device, so that Python's flush at exit cannot fail
    again after an error writing it has been reported."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is no file (captured): nothing to flush
        pass


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a full disk fails here, inside the command, not at exit
    except KeyboardInterrupt:
        print("tablerecon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python's exit flush from failing.
        _discard_stdout()
        return EXIT_OK
    except OSError as exc:  # the output cannot be written (a full disk, a device gone)
        _discard_stdout()
        where = f"{exc.filename}: " if exc.filename else "cannot write the output: "
        print(f"tablerecon: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except TableReconError as exc:  # a command that left an input error to us
        print(f"tablerecon: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get("TABLERECON_DEBUG"):
            raise
        print(
            f"tablerecon: internal error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr
        )
        return EXIT_DOC_ERRORS
    return code


if __name__ == "__main__":
    sys.exit(main())
