"""tablerecon: rebuild the tables of Chinese government information-disclosure annual
reports (政府信息公开工作年度报告) from text that scrapers flattened.

    >>> from tablerecon import extract_file
    >>> report = extract_file("corpus/seeds/004_cee6ea4c640e5fe0.txt")
    >>> report.table("requests").cell("new_received", "total")
    4971.0

The pipeline runs one way: normalize -> find -> match -> solve -> emit.
"""

from tablerecon.caches import clear_caches
from tablerecon.errors import (
    DecodeError,
    InputTooLargeError,
    TableReconError,
    TemplateError,
    TimeBudgetError,
    UnreadableInputError,
)
from tablerecon.models import Check, Report, Table
from tablerecon.pipeline import Limits, extract_bytes, extract_file, extract_text

__all__ = [
    "Check",
    "DecodeError",
    "InputTooLargeError",
    "Limits",
    "Report",
    "Table",
    "TableReconError",
    "TemplateError",
    "TimeBudgetError",
    "UnreadableInputError",
    "clear_caches",
    "extract_bytes",
    "extract_file",
    "extract_text",
]
__version__ = "0.1.0"
