"""The column specs: one declaration per table of its columns, read by the grid, the Excel import
and export, and the printed lists. Adding a column to all of them is one line here."""

from anso_desktop.tables.specs import (
    BOARD_MEETINGS,
    BUDGET_SUMMARY,
    CONTACTS,
    DECISIONS,
    FINANCES,
    FUNDS,
    MEETINGS,
    MEMBERS,
    TABLES,
    Column,
    TableSpec,
    ValueKind,
)

__all__ = [
    "BOARD_MEETINGS",
    "BUDGET_SUMMARY",
    "CONTACTS",
    "DECISIONS",
    "FINANCES",
    "FUNDS",
    "MEETINGS",
    "MEMBERS",
    "TABLES",
    "Column",
    "TableSpec",
    "ValueKind",
]
