"""Spreadsheet-safe exports shared by every app."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def neutralise_formula(value) -> str:
    """Return the cell as text that no spreadsheet will evaluate."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Write UTF-8 CSV with a byte-order mark, which spreadsheet programs need to read it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_formula(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise_formula(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Characters XML 1.0 forbids (DOCX and XLSX are XML): control characters other than tab and
# line breaks, and the two non-characters. Text pasted from PDFs often carries them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
