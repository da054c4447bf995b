"""Opening a workbook someone sent, safely: every way a file can be wrong gets a clear refusal
before any row is read, and nothing can make the reader use unbounded memory or time.

.xlsx and .xlsm are read with calamine (a compiled reader: fast, and its XML parser expands no
entities); formulas come back as the values Excel last computed. .csv is read with the csv module.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anso_desktop.errors import UserError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 1_100_000
MAX_COLUMNS = 200
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx, or an old .xls
_XML_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".csv")


class WorkbookError(UserError):
    """The file cannot be imported at all; the message says which file and why."""


@dataclass
class Sheet:
    name: str
    #: The cells as Python values, row by row (str, int, float, bool, date, datetime or None).
    rows: list[list[Any]]


def sheet_names(path: Path) -> list[str]:
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() == ".csv":
        return [path.stem]
    return list(_open_calamine(path).sheet_names)


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The rows of one sheet (the first, or the one named)."""
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() == ".csv":
        return Sheet(path.stem, _read_csv(path))
    workbook = _open_calamine(path)
    names = list(workbook.sheet_names)
    name = sheet if sheet is not None else (names[0] if names else None)
    if name is None:
        raise WorkbookError(f"{path.name} has no sheets.")
    if name not in names:
        raise WorkbookError(
            f"{path.name} has no sheet '{sheet}'; its sheets are {', '.join(names)}."
        )
    return Sheet(name, _read_calamine_sheet(workbook, name, path))


def read_sheets(path: Path) -> list[Sheet]:
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() == ".csv":
        return [Sheet(path.stem, _read_csv(path))]
    workbook = _open_calamine(path)
    return [
        Sheet(name, _read_calamine_sheet(workbook, name, path)) for name in workbook.sheet_names
    ]


def _check_file(path: Path) -> None:
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise WorkbookError(
            f"{path.name} is not a workbook this program reads (use .xlsx, .xlsm or .csv)."
        )
    if not path.is_file():
        raise WorkbookError(f"{path} does not exist.")
    size = path.stat().st_size
    if size == 0:
        raise WorkbookError(f"{path.name} is empty (0 bytes).")
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{path.name} is {size // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    if path.suffix.lower() == ".csv":
        return
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_MAGIC):
        raise WorkbookError(
            f"{path.name} is password-protected (or an old-style .xls file). "
            "Save it in Excel without a password, as .xlsx, and import that."
        )
    if not head.startswith(_ZIP_MAGIC):
        raise WorkbookError(
            f"{path.name} is not an Excel workbook (an .xlsx file is a zip archive; this one is "
            "not — perhaps a CSV or HTML file renamed .xlsx)."
        )
    _check_zip(path)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names:
                raise WorkbookError(f"{path.name} is a zip archive but not an Excel workbook.")
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > 10 * 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
                    raise WorkbookError(
                        f"{path.name} unpacks to far more than it holds ({member.filename}: "
                        f"{ratio:.0f} times its size) and is refused as a possible zip bomb."
                    )
            if total > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookError(
                    f"{path.name} unpacks to {total // (1024 * 1024)} MB, over the "
                    f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB limit."
                )
            for member in members:
                if member.filename.endswith(".xml") or member.filename.endswith(".rels"):
                    with archive.open(member) as handle:
                        start = handle.read(4096)
                    if any(token in start for token in _XML_DECLARATIONS):
                        raise WorkbookError(
                            f"{path.name} contains XML declarations ({member.filename}) that a "
                            "workbook never needs; refused as a possible XML bomb."
                        )
    except zipfile.BadZipFile:
        raise WorkbookError(
            f"{path.name} is damaged or incomplete (perhaps cut off while being copied)."
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise WorkbookError(f"{path.name} is damaged and cannot be read ({error}).") from None


def _open_calamine(path: Path) -> Any:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise WorkbookError(f"{path.name} is password-protected.") from None
    except Exception as error:  # the reader's own errors: a file it cannot make sense of
        raise WorkbookError(f"{path.name} cannot be read as a workbook: {error}") from None


def _read_calamine_sheet(workbook: Any, name: str, path: Path) -> list[list[Any]]:
    try:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
            raise WorkbookError(
                f"Sheet '{name}' of {path.name} has {sheet.height:,} rows and {sheet.width} "
                f"columns; the limits are {MAX_ROWS:,} rows and {MAX_COLUMNS} columns."
            )
        return [list(row) for row in sheet.iter_rows()]
    except WorkbookError:
        raise
    except Exception as error:
        raise WorkbookError(f"Sheet '{name}' of {path.name} cannot be read: {error}") from None


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            content = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise WorkbookError(f"{path.name} is not text.")
    if "\x00" in content:
        raise WorkbookError(f"{path.name} is not a CSV text file.")
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(content), dialect)]
    except csv.Error as error:
        raise WorkbookError(f"{path.name} cannot be read as CSV: {error}.") from None
    if len(rows) > MAX_ROWS or any(len(row) > MAX_COLUMNS for row in rows[:1000]):
        raise WorkbookError(
            f"{path.name} is over the limits of {MAX_ROWS:,} rows or {MAX_COLUMNS} columns."
        )
    return [[cell if cell != "" else None for cell in row] for row in rows]
