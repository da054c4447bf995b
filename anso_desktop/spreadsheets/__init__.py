"""Excel import and export, built on the column specs. No Qt here: the command line and the
window's wizard call the same functions."""

from anso_desktop.spreadsheets.export import ExportReport, export_template, export_workbook
from anso_desktop.spreadsheets.importer import Cancelled, ImportOptions, import_file, parse_only
from anso_desktop.spreadsheets.reading import WorkbookError
from anso_desktop.spreadsheets.report import ImportReport, Outcome, RowIssue, RowResult

__all__ = [
    "Cancelled",
    "ExportReport",
    "ImportOptions",
    "ImportReport",
    "Outcome",
    "RowIssue",
    "RowResult",
    "WorkbookError",
    "export_template",
    "export_workbook",
    "import_file",
    "parse_only",
]
