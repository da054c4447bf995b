"""The export writer read back cell by cell with openpyxl: each kind of value comes back as the
value and type it was written as, from a real file."""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from anso_desktop.spreadsheets.xlsx_writer import RATE_FORMAT, WorkbookWriter

KINDS = ["text", "number", "date", "money", "rate", "percent"]
HEADERS = ["Text", "Number", "Date", "Amount", "Rate", "Share"]

#: Excel's limit for the text of one cell.
LONGEST = 32_767


def _write(path: Path, rows: list[list[Any]], bold: Collection[int] = ()) -> None:
    workbook = WorkbookWriter(path)
    sheet = workbook.add_sheet("Cells", HEADERS, [20.7] * len(HEADERS), KINDS)
    for index, row in enumerate(rows):
        sheet.add_row(row, bold=index in bold)
    workbook.finish_sheet(sheet)
    workbook.close()
    assert sheet.rows == len(rows)


def _read_back(path: Path, rows: list[list[Any]], bold: Collection[int] = ()) -> Any:
    _write(path, rows, bold)
    return load_workbook(path)["Cells"]


def _text_back(path: Path, text: str) -> Any:
    return _read_back(path, [[text]])["A2"]


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1)", "=1+1", "+44 20 7946 0000", "-5", "@user", '=HYPERLINK("http://x")'],
)
def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, text: str) -> None:
    cell = _text_back(tmp_path / "formula.xlsx", text)
    assert cell.value == text
    assert cell.data_type == "s"
    with zipfile.ZipFile(tmp_path / "formula.xlsx") as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("text", ["0012", "1e5", "2024-03-01", "TRUE", "12.50", "#N/A"])
def test_text_that_looks_like_a_number_date_or_error_stays_text(tmp_path: Path, text: str) -> None:
    cell = _text_back(tmp_path / "lookalike.xlsx", text)
    assert (cell.value, cell.data_type) == (text, "s")


def test_dates_are_real_dates(tmp_path: Path) -> None:
    rows = [
        [None, None, date(2024, 3, 1)],
        [None, None, date(1900, 3, 1)],
        [None, None, date(2099, 12, 31)],
        [None, None, datetime(2024, 2, 29, 15, 30)],  # a time of day is dropped: a date column
    ]
    sheet = _read_back(tmp_path / "dates.xlsx", rows)
    cells = [sheet.cell(row=row, column=3) for row in range(2, 6)]
    assert [cell.value for cell in cells] == [
        datetime(2024, 3, 1),
        datetime(1900, 3, 1),
        datetime(2099, 12, 31),
        datetime(2024, 2, 29),
    ]
    assert all(cell.is_date and cell.number_format == "d mmm yyyy" for cell in cells)


def test_amounts_are_numbers_with_two_decimals(tmp_path: Path) -> None:
    rows = [
        [None, None, None, Decimal("1234.50")],
        [None, None, None, Decimal("0.10")],
        [None, None, None, Decimal("-99999999.99")],
        [None, None, None, 12],
        [None, None, None, Decimal("0")],
    ]
    sheet = _read_back(tmp_path / "amounts.xlsx", rows)
    cells = [sheet.cell(row=row, column=4) for row in range(2, 7)]
    assert [cell.value for cell in cells] == [1234.5, 0.1, -99999999.99, 12, 0]
    assert all(cell.data_type == "n" for cell in cells)
    assert all(cell.number_format == "#,##0.00" for cell in cells)


def test_rates_percentages_and_counts_are_numbers(tmp_path: Path) -> None:
    sheet = _read_back(
        tmp_path / "numbers.xlsx", [[None, 42, None, None, Decimal("7.123456"), 0.9375]]
    )
    number, rate, share = sheet["B2"], sheet["E2"], sheet["F2"]
    assert (number.value, number.data_type, number.number_format) == (42, "n", "General")
    assert (rate.value, rate.data_type, rate.number_format) == (7.123456, "n", RATE_FORMAT)
    assert (share.value, share.data_type, share.number_format) == (0.9375, "n", "0.00%")


def test_empty_values_leave_the_cell_empty(tmp_path: Path) -> None:
    sheet = _read_back(tmp_path / "empty.xlsx", [[None, None, None, None, None, None], ["", None]])
    for row in (2, 3):
        assert [sheet.cell(row=row, column=c).value for c in range(1, 7)] == [None] * 6
    assert sheet.max_row == 3  # the rows are there, only empty


def test_a_row_shorter_than_the_header_fills_what_it_has(tmp_path: Path) -> None:
    sheet = _read_back(tmp_path / "short.xlsx", [["only text"]])
    assert sheet["A2"].value == "only text"
    assert sheet["B2"].value is None


def test_the_longest_text_a_cell_holds(tmp_path: Path) -> None:
    text = ("Ab&<>\"' 中文 " * 4000)[: LONGEST - 1] + "z"
    assert len(text) == LONGEST
    cell = _text_back(tmp_path / "long.xlsx", text)
    assert cell.value == text


@pytest.mark.parametrize(
    "text",
    [
        "中国科学院 (Chinese Academy of Sciences)",
        "جامعة القاهرة",  # Arabic, right to left
        "Российская академия наук",
        "Ελληνικό Ίδρυμα Έρευνας",
        "תל אביב",
        "मुंबई विश्वविद्यालय",
        "ภาษาไทย",
        "한국과학기술원",
        "東京大学",
        "Université Félix Houphouët-Boigny",
        "Science 🔬🌍👩🏽‍🔬 rocks",  # outside the BMP, a skin tone and a zero-width joiner
        "R&D <Unit> \"A\" 'B'",
    ],
)
def test_every_script_comes_back_as_written(tmp_path: Path, text: str) -> None:
    assert _text_back(tmp_path / "script.xlsx", text).value == text


def test_white_space_at_the_ends_and_inside_is_kept(tmp_path: Path) -> None:
    texts = ["  two spaces before", "after ", "line one\nline two", "a\tb", "\u00a0no-break"]
    sheet = _read_back(tmp_path / "spaces.xlsx", [[text] for text in texts])
    assert [sheet.cell(row=row, column=1).value for row in range(2, 7)] == texts


def test_control_characters_excel_cannot_hold_are_dropped(tmp_path: Path) -> None:
    """XML 1.0 forbids them, so no cell can hold them; tab and line feed stay, the rest go."""
    text = "a\x00b\x01c\x07d\x08e\x0bf\x0cg\x1bh\x1fi\ufffej\uffffk\tl\nm"
    cell = _text_back(tmp_path / "control.xlsx", text)
    assert cell.value == "abcdefghijk\tl\nm"


def test_a_number_or_other_value_in_a_text_column_is_written_as_its_text(tmp_path: Path) -> None:
    sheet = _read_back(tmp_path / "other.xlsx", [[12]])
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("12", "s")


def test_header_is_bold_frozen_and_filtered(tmp_path: Path) -> None:
    sheet = _read_back(tmp_path / "header.xlsx", [["x"], ["y"]])
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet.column_dimensions["A"].width == pytest.approx(20.7)


def test_a_total_row_is_bold_and_keeps_its_formats(tmp_path: Path) -> None:
    sheet = _read_back(
        tmp_path / "total.xlsx",
        [["Total CNY", 3, date(2024, 1, 2), Decimal("10.00"), Decimal("1.5"), 0.5]],
        bold={0},
    )
    cells = list(sheet[2])
    assert all(cell.font.b for cell in cells)
    assert [cell.value for cell in cells] == [
        "Total CNY",
        3,
        datetime(2024, 1, 2),
        10,
        1.5,
        0.5,
    ]
    assert [cell.number_format for cell in cells[2:]] == [
        "d mmm yyyy",
        "#,##0.00",
        RATE_FORMAT,
        "0.00%",
    ]


def test_sheet_names_with_quotes_and_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "sheets.xlsx"
    workbook = WorkbookWriter(path)
    for name in ("Members", "O'Brien & Co", "预算"):
        sheet = workbook.add_sheet(name, ["Name"], [10], ["text"])
        sheet.add_row([name])
        workbook.finish_sheet(sheet)
    workbook.close()
    book = load_workbook(path)
    assert book.sheetnames == ["Members", "O'Brien & Co", "预算"]
    assert [book[name]["A2"].value for name in book.sheetnames] == book.sheetnames


def test_many_rows_stream_in_order(tmp_path: Path) -> None:
    """More rows than one buffered write: none lost, none out of order."""
    rows = [[f"row {n}", n] for n in range(1, 2_502)]
    path = tmp_path / "many.xlsx"
    _write(path, rows)
    sheet = load_workbook(path, read_only=True)["Cells"]
    values = [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [(f"row {n}", n) for n in range(1, 2_502)]
