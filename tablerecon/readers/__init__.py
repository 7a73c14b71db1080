"""Readers that turn non-text inputs (HTML pages) into the same ``Cell`` stream as plain text.

Kept free of imports so that reading plain text never pays for a parser it does not use.
"""
