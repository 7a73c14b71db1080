"""Subcommands of the ``tablerecon`` CLI, one module each.

Each module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
``run(args) -> int`` returning the exit code (0 ok, 1 some documents had errors, 2 bad usage
or unreadable input).
"""

COMMANDS: tuple[str, ...] = ("extract", "synth", "eval", "batch", "show", "explain")
