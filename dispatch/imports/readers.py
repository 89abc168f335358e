"""Spreadsheet files to rows of text: CSV (UTF-8 or the GB18030 that Excel writes in China)
and XLSX (first sheet)."""

import csv
import io
from datetime import date, datetime, time

from openpyxl import load_workbook

from dispatch.errors import ImportRejected


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """All rows of the file as text, the header row first."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        return _read_csv(content)
    raise ImportRejected(
        [{"row": 0, "column": "", "message": f"{filename!r} is neither a .csv nor a .xlsx file"}]
    )


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text)))
    raise ImportRejected(
        [{"row": 0, "column": "", "message": "the file is neither UTF-8 nor GB18030 text"}]
    )


def _read_xlsx(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected(
            [{"row": 0, "column": "", "message": f"the file is not a readable XLSX: {error}"}]
        ) from error
    sheet = workbook.worksheets[0]
    rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


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
