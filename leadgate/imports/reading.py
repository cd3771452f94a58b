"""Read CSV and XLSX files as a stream of rows, refusing files that are not what they claim.

CSV: the encoding is UTF-8 (with or without BOM) when the start of the file
decodes as UTF-8, else Windows-1252/Latin-1; the delimiter is whichever of
comma, semicolon, tab or pipe splits the header line into the most columns.
XLSX: the archive is checked before openpyxl opens it (a zip bomb's inflated
size or ratio is refused), then the first sheet is read in read-only mode,
row by row. Either way memory stays flat whatever the file size.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadgate.core.errors import ValidationFailed

MAX_FILE_BYTES = 2 * 1024**3 - 1  # a 2 GB file is refused
MAX_COLUMNS = 500
MAX_CELL_CHARS = 100_000
MAX_XLSX_INFLATED = 1024**3
MAX_XLSX_RATIO = 200
_SAMPLE = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")


# (1-based data row number, cells); closing the generator closes the file.
Rows = Generator[tuple[int, list[Any]], None, None]


@dataclass
class Sheet:
    headers: list[str]
    rows: Rows
    close: Callable[[], None]
    encoding: str | None = None
    delimiter: str | None = None


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed.on("file", message)


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_headers(headers: list[str]) -> list[str]:
    if len(headers) > MAX_COLUMNS:
        raise _refuse(f"{len(headers)} columns; at most {MAX_COLUMNS} are read")
    cleaned = [h.strip() for h in headers]
    if not any(cleaned):
        raise _refuse("the first row holds no column headers")
    return cleaned


def read_csv(path: Path) -> Sheet:
    with path.open("rb") as raw:
        sample = raw.read(_SAMPLE)
    encoding = detect_encoding(sample)
    handle = path.open("r", encoding=encoding, errors="strict", newline="")
    try:
        first = handle.readline()
    except UnicodeDecodeError as exc:
        handle.close()
        raise _refuse(f"cannot decode the file as {encoding}") from exc
    delimiter = detect_delimiter(first)
    handle.seek(0)
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        headers = _check_headers(next(reader))
    except StopIteration as exc:
        handle.close()
        raise _refuse("the file is empty") from exc
    except (ValidationFailed, csv.Error, UnicodeDecodeError) as exc:
        handle.close()
        if isinstance(exc, ValidationFailed):
            raise
        raise _refuse(f"cannot read the header row: {exc}") from exc

    def rows() -> Rows:
        number = 0
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    number += 1
                    yield number, [_BrokenRow(str(exc))]
                    continue
                except UnicodeDecodeError as exc:
                    raise _refuse(f"row {number + 1}: cannot decode as {encoding}") from exc
                if not "".join(cells).strip():  # blank: no cell holds more than whitespace
                    continue
                number += 1
                yield number, cells  # the reader makes a new list per row
        finally:
            handle.close()

    return Sheet(headers, rows(), handle.close, encoding, delimiter)


class _BrokenRow(str):
    """A row the CSV parser could not read (its cells are unknown)."""

    __slots__ = ()


def is_broken(cells: list[Any]) -> str | None:
    if len(cells) == 1 and isinstance(cells[0], _BrokenRow):
        return str(cells[0])
    return None


def check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse("not an XLSX file (not a zip archive)") from exc
    inflated = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if inflated > MAX_XLSX_INFLATED or inflated / packed > MAX_XLSX_RATIO:
        raise _refuse("the XLSX inflates to an implausible size (a zip bomb?); refused")
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise _refuse("not an XLSX workbook")


def read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refuse(f"cannot read the workbook: {exc}") from exc
    sheet = book.worksheets[0]
    if (sheet.max_column or 0) > MAX_COLUMNS:
        book.close()
        raise _refuse(f"{sheet.max_column} columns; at most {MAX_COLUMNS} are read")
    iterator = sheet.iter_rows(values_only=True)
    try:
        first = next(iterator)
    except StopIteration as exc:
        book.close()
        raise _refuse("the sheet is empty") from exc
    try:
        headers = _check_headers(["" if v is None else str(v) for v in first])
    except ValidationFailed:
        book.close()
        raise

    def rows() -> Rows:
        number = 0
        try:
            for values in iterator:
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                number += 1
                yield number, list(values)
        finally:
            book.close()

    return Sheet(headers, rows(), book.close)


def open_sheet(path: Path, file_name: str | None = None) -> Sheet:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(f"the file is {size} bytes; at most {MAX_FILE_BYTES} are accepted")
    name = (file_name or path.name).lower()
    with path.open("rb") as raw:
        magic = raw.read(4)
    if name.endswith((".xlsx", ".xlsm")) or magic == b"PK\x03\x04":
        return read_xlsx(path)
    return read_csv(path)
