"""Exceptions of the public API. Every one carries a message that names the problem and the place."""

from __future__ import annotations


class TableReconError(Exception):
    """Base class of every error tablerecon raises on purpose."""


class DecodeError(TableReconError):
    """The input bytes are not text in a supported encoding (UTF-8, UTF-16 with BOM, GB18030)."""


class InputTooLargeError(TableReconError):
    """The input exceeds the configured size limit; it is refused rather than read into memory."""


class TemplateError(TableReconError):
    """A template data file is missing or malformed."""
