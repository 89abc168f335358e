"""Spreadsheet files to rows of text: CSV (UTF-8 or the GB18030 that Excel writes in China)
and XLSX (first sheet)."""

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook

from dispatch.errors import ImportRejected
from dispatch.i18n import N_

# A field as long as the file: the request's size limit bounds it, not the csv module's 128 KB.
csv.field_size_limit(2**31 - 1)
# Rows with nothing in them (formatted but empty) are read, up to this many per row allowed.
BLANK_ROWS_PER_ROW = 10


def read_table(filename: str, content: bytes, max_rows: int) -> list[list[str]]:
    """All rows of the file as text, the header row first; refused past `max_rows` rows under
    the header, before the rest of the file is read."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _within(_read_xlsx(content), max_rows)
    if name.endswith(".csv"):
        return _within(_read_csv(content), max_rows)
    raise ImportRejected(
        [_whole_file(N_("“%(name)s” is neither a .csv nor a .xlsx file"), name=filename)]
    )


def _within(rows: Iterator[list[str]], max_rows: int) -> list[list[str]]:
    kept: list[list[str]] = []  # blank ones too: the rows keep the numbers the file shows
    filled = 0
    for row in rows:
        kept.append(row)
        filled += any(cell.strip() for cell in row)
        if filled > max_rows + 1 or len(kept) > (max_rows + 1) * BLANK_ROWS_PER_ROW:
            too_long = N_("the file has more than %(n)s rows: split it into smaller files")
            raise ImportRejected([_whole_file(too_long, n=max_rows)])
    return kept


def _read_csv(content: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _csv_rows(text)
    raise ImportRejected([_whole_file(N_("the file is neither UTF-8 nor GB18030 text"))])


def _csv_rows(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:  # a quote left open, a NUL character
        unreadable = N_("the file is not readable CSV: %(error)s")
        raise ImportRejected([_whole_file(unreadable, error=str(error))]) from error


def _read_xlsx(content: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected(
            [_whole_file(N_("the file is not a readable XLSX: %(error)s"), error=str(error))]
        ) from error
    return _xlsx_rows(workbook)


def _xlsx_rows(workbook: Any) -> Iterator[list[str]]:
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed as numbers come back as 13812345678.0
    return str(value).strip()


def problem(row: int, column: str, template: str, /, **params: object) -> dict[str, Any]:
    """A problem of a row and column: the sentence in English, and its template and values
    for a page to say it in the reader's language (see ImportRejected)."""
    message = template % params if params else template
    return {
        "row": row,
        "column": column,
        "message": message,
        "template": template,
        "params": params,
    }


def _whole_file(template: str, **params: object) -> dict[str, Any]:
    """A problem of the whole file: row 0."""
    return problem(0, "", template, **params)
