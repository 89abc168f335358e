"""Text that goes into spreadsheets and CSV files: shown by the spreadsheet program, never run.

A client named `=HYPERLINK(...)` would otherwise become a live formula in the monthly report
or the audit export (OWASP's "CSV injection"). A text that a spreadsheet would read as a
formula gets a leading apostrophe, which spreadsheets show as text and hide.
"""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """The value, with a text that could start a formula made plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values: list[object]) -> list[object]:
    return [inert(value) for value in values]
