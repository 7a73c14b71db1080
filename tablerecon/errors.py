"""Exceptions of the public API. Every one carries a message that names the problem and the place
(the input's name, and the line or byte offset where one is known), so that a caller can print it
as one line and a user can act on it without a traceback."""

from __future__ import annotations


class TableReconError(Exception):
    """Base class of every error tablerecon raises on purpose."""


class DecodeError(TableReconError):
    """The input bytes are not text in a supported encoding (UTF-8, UTF-16 with BOM, GB18030)."""


class InputTooLargeError(TableReconError):
    """The input exceeds a configured size limit (``Limits.max_bytes`` or ``Limits.max_cells``);
    it is refused rather than read into memory or searched for minutes."""


class TimeBudgetError(TableReconError):
    """The document's time budget (``Limits.max_seconds``) ran out. The ``extract_*`` functions
    do not raise it: they record it in ``Report.errors`` with the tables finished before it."""


class UnreadableInputError(TableReconError, OSError):
    """The input file cannot be read: missing, a directory, no permission, or an I/O error.

    Also an ``OSError`` (with ``errno`` and ``filename`` set), so that callers that caught the
    operating system's error before this class existed still do.
    """

    def __str__(self) -> str:
        # OSError would format "[Errno n] ..." from the attributes; the message already says it.
        return str(self.args[0]) if self.args else ""


class TemplateError(TableReconError):
    """A template data file is missing or malformed."""
