"""Subcommands of the ``tablerecon`` CLI, one module each.

Each module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
``run(args) -> int`` returning the exit code (0 ok, 1 some documents had errors, 2 bad usage
or unreadable input).
"""

import argparse
from pathlib import Path

COMMANDS: tuple[str, ...] = ("extract", "synth", "eval", "batch", "show", "explain")


def path_text(text: str) -> str:
    """An argparse ``type`` for a path argument: an empty one names no file (``--out ''`` wrote
    into the current directory), so it is a usage error."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no file")
    return text


def path_arg(text: str) -> Path:
    """``path_text`` as a ``Path``."""
    return Path(path_text(text))
