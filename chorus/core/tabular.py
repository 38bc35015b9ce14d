"""Read tabular files (CSV in any common encoding, XLSX) safely, for every import.

A bad file raises FileProblem with a message for the person importing; nothing here writes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterable

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _

# Python's csv module refuses cells over 128 KB with a bare error; allow large cells so that the
# importers can report an oversized cell by row and column instead of failing the whole file.
csv.field_size_limit(8 * 1024 * 1024)

BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


ZIP_MAGIC = b"PK\x03\x04"


OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


def max_bytes() -> int:
    return getattr(settings, "CHORUS_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "CHORUS_IMPORT_MAX_ROWS", 100_000)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


def decode_text(data: bytes) -> str:
    """Decode a CSV file: byte-order marks first, then UTF-8, then charset detection."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise FileProblem(_("The file could not be decoded as text.")) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    # UTF-16 without a byte-order mark is valid UTF-8 full of NUL characters.
    if text is not None and "\x00" not in text:
        return text
    best = from_bytes(data).best()
    if best is None:
        raise FileProblem(
            _("The file could not be decoded as text. Save it as CSV (UTF-8) or XLSX and retry.")
        )
    text = str(best)
    if "\x00" in text:
        raise FileProblem(_("The file could not be decoded as text."))
    return text


def _delimiter(text: str) -> str:
    """Guess the delimiter from the header line, where no list of languages can mislead."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _cell_text(value) -> str:
    """Return a spreadsheet cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _collect(rows: Iterable[list], limit: int) -> list[list[str]]:
    """Read rows until the end, refusing a file with more than `limit` data rows."""
    table: list[list[str]] = []
    filled = 0
    for index, row in enumerate(rows):
        cells = [_cell_text(value) for value in row]
        table.append(cells)
        if any(cell.strip() for cell in cells):
            filled += 1
            # The header is one of the filled rows.
            if filled > limit + 1:
                raise FileProblem(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": limit}
                )
        elif index > 10 * (limit + 1):
            # Blank lines cost little, but a file of nothing else must still come to an end.
            raise FileProblem(_("The file has too many empty rows."))
    return table


def _read_csv(data: bytes, limit: int) -> list[list[str]]:
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _collect(reader, limit)
    except csv.Error as error:
        raise FileProblem(
            _("The CSV file could not be read near line %(line)s: a cell is malformed or too long.")
            % {"line": reader.line_num}
        ) from error


def _read_xlsx(data: bytes, limit: int) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # A damaged workbook can fail in any of openpyxl's layers (zip, XML, styles, missing
        # parts): whatever the exception, it means the same thing to the person importing.
        raise FileProblem(
            _("The XLSX file is damaged or incomplete and could not be opened.")
        ) from error
    try:
        if not workbook.worksheets:
            raise FileProblem(_("The XLSX file has no worksheet."))
        return _collect(workbook.worksheets[0].iter_rows(values_only=True), limit)
    except FileProblem:
        raise
    except Exception as error:
        raise FileProblem(
            _("The XLSX file is damaged or incomplete and could not be read.")
        ) from error
    finally:
        workbook.close()


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """Return every row of the file (the header first) as lists of text cells."""
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if len(data) > max_bytes():
        raise FileProblem(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": max_bytes() // (1024 * 1024)}
        )
    lowered = filename.lower()
    if data.startswith(OLE_MAGIC) or lowered.endswith(".xls"):
        raise FileProblem(
            _("Files in the old Excel format (.xls) cannot be read; save it as XLSX or CSV.")
        )
    if data.startswith(ZIP_MAGIC) or lowered.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, max_rows())
    return _read_csv(data, max_rows())
