"""A small streaming .xlsx writer for exports: exactly the features an export uses (text,
numbers, dates, amounts, rates, percentages; a bold frozen header; column widths; an autofilter), written straight
into the zip as the rows come.

Why not a general library: a whole-database export is mostly writing cells, and the general
writers spend most of their time per cell on features an export never uses. This writer decides
each column's cell format once, builds each row's XML with one string join, pastes plain text
without escaping (most text needs none) and hands the zip a few hundred rows at a time. Text is always an inline string, so it can never be read
as a formula.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EXCEL_EPOCH = date(1899, 12, 30)
# Characters XML 1.0 forbids: dropped (a spreadsheet cell cannot hold them anyway).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

STYLE_TEXT = 0
STYLE_HEADER = 1
STYLE_DATE = 2
STYLE_MONEY = 3
STYLE_RATE = 4
STYLE_PERCENT = 5
#: The same in bold, for a row that totals the rows above it (numbers and text share one).
STYLE_BOLD = {STYLE_TEXT: 6, STYLE_DATE: 7, STYLE_MONEY: 8, STYLE_RATE: 9, STYLE_PERCENT: 10}
RATE_FORMAT = "0.000000"


def _xf(number_format: int, font: int = 0) -> str:
    applied = (' applyNumberFormat="1"' if number_format else "") + (
        ' applyFont="1"' if font else ""
    )
    return f'<xf numFmtId="{number_format}" fontId="{font}" fillId="0" borderId="0" xfId="0"{applied}/>'


# numFmtId 164 dates, 165 amounts, 166 rates; 10 is Excel's built-in "0.00%" (0.6 shows 60.00%).
_NUMBER_FORMATS = (0, 164, 165, 166, 10)
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}">
<numFmts count="3"><numFmt numFmtId="164" formatCode="d mmm yyyy"/><numFmt numFmtId="165" formatCode="#,##0.00"/><numFmt numFmtId="166" formatCode="{RATE_FORMAT}"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF4"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellStyleXfs>
<cellXfs count="11">{_xf(0)}<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>{"".join(_xf(n) for n in _NUMBER_FORMATS[1:])}{"".join(_xf(n, 1) for n in _NUMBER_FORMATS)}</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text_cell(reference: str, text: str, style: int = STYLE_TEXT) -> str:
    text = _ILLEGAL.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


# Text that needs more than pasting into the XML: a control character, markup, or white space
# at an end (kept with xml:space). Most cells have none, and skip the escaping altogether.
_NEEDS_CARE = re.compile(r"[\x00-\x1f&<>\ufffe\uffff]|^\s|\s$")
_EXCEL_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()
#: Rows gathered before they go into the zip (a write per row costs more than the row).
_ROWS_PER_WRITE = 500
CellMaker = Callable[[str, Any], str]


def _cell_maker(kind: str, bold: bool) -> CellMaker:
    """How a value of this kind becomes a cell: decided once per column, not per cell."""
    if kind == "date":
        style = STYLE_BOLD[STYLE_DATE] if bold else STYLE_DATE

        def date_cell(reference: str, value: Any) -> str:
            day = value.date() if isinstance(value, datetime) else value
            return f'<c r="{reference}" s="{style}"><v>{day.toordinal() - _EXCEL_EPOCH_ORDINAL}</v></c>'

        return date_cell
    if kind in _NUMBER_STYLES:
        style = STYLE_BOLD[_NUMBER_STYLES[kind]] if bold else _NUMBER_STYLES[kind]
        return lambda reference, value: (
            f'<c r="{reference}" s="{style}"><v>{Decimal(value)}</v></c>'
        )
    if kind == "number":
        styled = f' s="{STYLE_BOLD[STYLE_TEXT]}"' if bold else ""
        return lambda reference, value: f'<c r="{reference}"{styled}><v>{value}</v></c>'
    style = STYLE_BOLD[STYLE_TEXT] if bold else STYLE_TEXT
    styled = f' s="{style}"' if style else ""
    search = _NEEDS_CARE.search

    def text_cell(reference: str, value: Any) -> str:
        text = value if type(value) is str else str(value)
        if search(text):
            return _text_cell(reference, text, style)
        return f'<c r="{reference}"{styled} t="inlineStr"><is><t>{text}</t></is></c>'

    return text_cell


#: Kinds written as a number in a format of their own: "percent" is a fraction (0.6 is 60%).
_NUMBER_STYLES = {"money": STYLE_MONEY, "rate": STYLE_RATE, "percent": STYLE_PERCENT}


class SheetWriter:
    """Rows go in one at a time; `close` finishes the sheet."""

    def __init__(
        self,
        stream: IO[bytes],
        headers: Sequence[str],
        widths: Sequence[float],
        kinds: Sequence[str],
    ) -> None:
        self._stream = stream
        self._letters = [column_letter(i) for i in range(len(headers))]
        self._makers = [_cell_maker(kind, False) for kind in kinds]
        self._bold = [_cell_maker(kind, True) for kind in kinds]
        self._row = 1
        self._pending: list[str] = []
        cols = "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{width:.1f}" customWidth="1"/>'
            for i, width in enumerate(widths)
        )
        header = "".join(
            _text_cell(f"{letter}1", text, STYLE_HEADER)
            for letter, text in zip(self._letters, headers, strict=True)
        )
        self._write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>"
            f'<row r="1">{header}</row>'
        )

    def _write(self, text: str) -> None:
        self._stream.write(text.encode("utf-8"))

    def add_row(self, values: Iterable[Any], bold: bool = False) -> None:
        """One row; `bold` for a total (the summary's "Total CNY" rows)."""
        self._row += 1
        number = self._row
        makers = self._bold if bold else self._makers
        cells = "".join(
            [
                make(f"{letter}{number}", value)
                for letter, make, value in zip(self._letters, makers, values, strict=False)
                if value is not None and value != ""
            ]
        )
        self._pending.append(f'<row r="{number}">{cells}</row>')
        if len(self._pending) >= _ROWS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._pending).encode())
        self._pending.clear()

    @property
    def rows(self) -> int:
        """Data rows written (the header not counted)."""
        return self._row - 1

    def close(self) -> str:
        """Finish the sheet; returns its filter range for the workbook's defined name."""
        self._flush()
        last = f"{self._letters[-1]}{max(self._row, 2)}"
        self._write(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>')
        self._stream.close()
        return f"$A$1:${self._letters[-1]}${max(self._row, 2)}"


class WorkbookWriter:
    """Sheets one after another into a zip; `close` writes the workbook's index."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[tuple[str, str]] = []  # (name, filter range)

    def add_sheet(
        self, name: str, headers: Sequence[str], widths: Sequence[float], kinds: Sequence[str]
    ) -> SheetWriter:
        number = len(self._sheets) + 1
        stream = self._zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self._sheets.append((name, ""))
        return SheetWriter(stream, headers, widths, kinds)

    def finish_sheet(self, writer: SheetWriter) -> None:
        name, _ = self._sheets[-1]
        self._sheets[-1] = (name, writer.close())

    def close(self) -> None:
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(self._sheets, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{escape(_quote_sheet(name))}!{ref}</definedName>"
            for i, (name, ref) in enumerate(self._sheets)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_RELS}"><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>'
            f"<definedNames>{names}</definedNames></workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(self._sheets) + 1)
        )
        styles_id = len(self._sheets) + 1
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{relations}<Relationship Id="rId{styles_id}" Type="{_RELS}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self._sheets) + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        self._zip.close()


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"
