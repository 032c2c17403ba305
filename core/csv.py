"""CSV files for spreadsheets, as the organisers open them (Excel in French)."""

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO

from core.text import spreadsheet_safe


def write_csv(out: BinaryIO, header: list, rows: Iterable[list]) -> int:
    """Rows as CSV for spreadsheets (UTF-8 with BOM, ";"), formulas neutralised.

    Returns the number of rows written."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        count += 1
    text.flush()
    text.detach()  # leave `out` open for the caller
    return count
