"""The command line: the window by default, and headless subcommands for scripts and tests.

Exit codes: 0 done; 1 refused (bad file, bad rows, failed check; nothing written); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from anso_desktop import APP_NAME, __version__
from anso_desktop.errors import UserError
from anso_desktop.logs import configure_logging
from anso_desktop.paths import DB_ENV_VAR

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

log = logging.getLogger(__name__)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anso-desktop",
        description=f"{APP_NAME}: ANSO's meetings, members, board decisions and finances. "
        "Without a command, opens the window.",
        epilog="Exit codes: 0 done, 1 refused (nothing written), 2 wrong usage.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    database_option = argparse.ArgumentParser(add_help=False)
    database_option.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,  # keep a --db given before the command
        help=f"database file or SQLAlchemy URL (default: ${DB_ENV_VAR}, else the per-user file)",
    )
    parser.add_argument(
        "--db", metavar="PATH_OR_URL", help="database file or SQLAlchemy URL (also after COMMAND)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser(
        "demo", parents=[database_option], help="load the 2021 annual report's data (idempotent)"
    )
    commands.add_parser("check", parents=[database_option], help="check the database's integrity")
    backup = commands.add_parser(
        "backup", parents=[database_option], help="copy the whole database to a SQLite file"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = commands.add_parser(
        "restore",
        parents=[database_option],
        help="replace the database's contents with a backup (the current data is backed up first)",
    )
    restore.add_argument("file", type=Path, metavar="FILE")

    from anso_desktop.tables.specs import TABLES

    import_ = commands.add_parser(
        "import",
        parents=[database_option],
        help="import a workbook (.xlsx, .xlsm, .csv): all of it or nothing",
        description="Import a workbook. Rows are matched to existing records by their natural "
        "key and updated; unknown columns are ignored and named in the warnings. Any bad row "
        "refuses the whole file (exit 1) and nothing is written.",
    )
    import_.add_argument("file", type=Path, metavar="FILE")
    import_.add_argument(
        "--table",
        choices=list(TABLES),
        help="the table the file holds (default: every sheet named after a table)",
    )
    import_.add_argument("--sheet", help="the sheet to read (default: the table's, or the first)")
    import_.add_argument("--year", type=int, help="the year of dates written without one (4.21-23)")
    import_.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    import_.add_argument("--json", action="store_true", help="print the report as JSON")
    import_.add_argument(
        "--new-if-unsure",
        action="store_true",
        help="import rows that only may be a record already there as new records",
    )
    import_.add_argument(
        "--match",
        action="append",
        default=[],
        metavar="ROW=ID",
        type=_row_match,
        help="row ROW (or SHEET:ROW) is the record ID already there (repeatable)",
    )
    export = commands.add_parser(
        "export", parents=[database_option], help="export tables to an .xlsx workbook"
    )
    export.add_argument("file", type=Path, metavar="FILE.xlsx")
    export.add_argument(
        "--table",
        action="append",
        choices=list(TABLES),
        help="a table to export (repeatable; default: all of them, one sheet each)",
    )
    export.add_argument(
        "--template", action="store_true", help="an empty template of the --table, with drop-downs"
    )
    export.add_argument(
        "--history", action="store_true", help="add a History sheet: every change, field by field"
    )
    _add_print_parser(commands, database_option)
    history_ = commands.add_parser(
        "history",
        parents=[database_option],
        help="list the change sets, newest first, with their changes field by field",
    )
    history_.add_argument("--table", help="only changes of this table (members, meetings, ...)")
    history_.add_argument(
        "--record", type=int, metavar="ID", help="only this record (with --table)"
    )
    history_.add_argument("--since", type=_iso_date, metavar="DATE", help="on or after this day")
    history_.add_argument("--who", metavar="NAME", help="only changes by this person (or login)")
    history_.add_argument("--json", action="store_true", help="print the change sets as JSON")
    undo = commands.add_parser(
        "undo",
        parents=[database_option],
        help="undo a whole change set (refused if a record it touched changed since)",
    )
    undo.add_argument("change_set", type=int, metavar="CHANGE_SET_ID")
    undo.add_argument("--dry-run", action="store_true", help="say what it would do; write nothing")
    undo.add_argument("--json", action="store_true", help="print the result as JSON")
    duplicates = commands.add_parser(
        "duplicates",
        parents=[database_option],
        help="list pairs of likely duplicate members or meetings, best first",
    )
    duplicates.add_argument("table", choices=["members", "meetings"])
    duplicates.add_argument("--json", action="store_true", help="print the pairs as JSON")
    merge = commands.add_parser(
        "merge",
        parents=[database_option],
        help="merge two members or meetings into one, moving every link to KEEP_ID",
        description="Merge OTHER_ID into KEEP_ID: the survivor keeps its values and takes the "
        "other's where it has none; every link moves to it and the other's names become its "
        "aliases. Refused (exit 1, nothing written) when the two cannot be one.",
    )
    merge.add_argument("table", choices=["members", "meetings"])
    merge.add_argument("keep_id", type=int, metavar="KEEP_ID")
    merge.add_argument("other_id", type=int, metavar="OTHER_ID")
    merge.add_argument(
        "--take",
        action="append",
        default=None,
        metavar="FIELD",
        help="take this field's value from OTHER_ID (repeatable; default: only its blanks)",
    )
    merge.add_argument("--dry-run", action="store_true", help="say what would move; write nothing")
    merge.add_argument("--json", action="store_true", help="print what was done as JSON")
    return parser


def _row_match(text: str) -> tuple[str | None, int, int]:
    """ "12=5" or "Members:12=5": row 12 (of that sheet) is record 5."""
    where, equals, record = text.rpartition("=")
    sheet, colon, row = where.rpartition(":")
    try:
        if not equals or int(record) <= 0 or int(row) <= 0:
            raise ValueError
        return (sheet if colon else None), int(row), int(record)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not ROW=ID (a row number and a record id, e.g. 12=5)"
        ) from None


def _add_print_parser(commands: Any, database_option: argparse.ArgumentParser) -> None:
    print_ = commands.add_parser(
        "print",
        parents=[database_option],
        help="print a list to a PDF file",
        description="Print the member list, the meeting list, the decision register or the "
        "finance summary to a PDF file, with the same layout as File > Print in the window.",
    )
    print_.add_argument("list", choices=["members", "meetings", "decisions", "finances"])
    print_.add_argument("--pdf", type=Path, required=True, metavar="FILE.pdf")
    print_.add_argument(
        "--group-by",
        metavar="FIELD",
        help="members: country, status or kind; meetings: month or kind; "
        "decisions: board-meeting or status",
    )
    filters = print_.add_argument_group("filters")
    filters.add_argument("--status", help="members or decisions with this status")
    filters.add_argument("--country", help="members of this country (name or ISO code)")
    filters.add_argument("--kind", help="members or meetings of this kind")
    filters.add_argument("--relation", help="members: member or partner")
    filters.add_argument("--year", help="meetings of this year; the finance summary of this year")
    filters.add_argument("--mode", help="meetings: online, onsite or hybrid")
    filters.add_argument("--board-meeting", metavar="N", help="decisions of the Nth board meeting")
    filters.add_argument("--owner", help="decisions followed up by this owner")
    filters.add_argument("--open", action="store_true", help="decisions still open")
    filters.add_argument("--currency", help="finance summary: one currency only")
    filters.add_argument(
        "--convert-to",
        metavar="CURRENCY",
        help="finance summary: every amount in this currency, at the rates entered per year",
    )
    filters.add_argument("--search", default="", help="only rows containing this text")
    layout = print_.add_argument_group("layout")
    layout.add_argument(
        "--sort", metavar="COLUMN", help="sort by this column (e.g. name, joined_on)"
    )
    layout.add_argument("--descending", action="store_true", help="sort the other way")
    layout.add_argument(
        "--columns", metavar="A,B,...", help="the columns to print, in order (column keys)"
    )
    layout.add_argument(
        "--no-charts", action="store_true", help="finances: the table only, without its charts"
    )
    layout.add_argument(
        "--as-at",
        type=_iso_date,
        metavar="DATE",
        help="members: the register as it stood on that day (YYYY-MM-DD), from the history",
    )
    layout.add_argument("--paper", choices=["A4", "Letter"], default="A4")
    layout.add_argument("--landscape", action="store_true")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _database_argument(arguments: argparse.Namespace) -> str | None:
    return getattr(arguments, "db", None)


def _command_demo(arguments: argparse.Namespace) -> int:
    from anso_desktop.app import open_services
    from anso_desktop.services.demo import load_demo

    services = open_services(_database_argument(arguments))
    services.database.require_writable()
    report = load_demo(services)
    where = services.database.location.describe()
    if report.total == 0:
        print(f"The demo data is already in {where}; nothing added.")
    else:
        added = ", ".join(f"{count} {name}" for name, count in report.added.items() if count)
        print(f"Loaded the 2021 annual report into {where}: {added}.")
    return EXIT_OK


def _command_check(arguments: argparse.Namespace) -> int:
    from anso_desktop.storage.database import Database
    from anso_desktop.storage.integrity import check_database

    database = Database.open(_database_argument(arguments))
    report = check_database(database)
    print(f"Database: {report.database}")
    if report.revision:
        print(f"Schema: {report.revision}")
    for table, count in report.row_counts.items():
        print(f"  {table}: {count} rows")
    if report.ok:
        print("OK: no problems found.")
        return EXIT_OK
    for problem in report.problems:
        print(f"Problem: {problem}", file=sys.stderr)
    return EXIT_REFUSED


def _command_backup(arguments: argparse.Namespace) -> int:
    from anso_desktop.app import open_services
    from anso_desktop.storage.backup import backup

    services = open_services(_database_argument(arguments))
    target = backup(services.database, arguments.file)
    print(f"Backed up {services.database.location.describe()} to {target}.")
    return EXIT_OK


def _command_restore(arguments: argparse.Namespace) -> int:
    from anso_desktop.app import open_services
    from anso_desktop.storage.maintenance import restore

    services = open_services(_database_argument(arguments))
    services.database.require_writable()
    restore(services.database, arguments.file)
    print(f"Restored {services.database.location.describe()} from {arguments.file}.")
    return EXIT_OK


def _command_import(arguments: argparse.Namespace) -> int:
    import json

    from anso_desktop.app import open_services
    from anso_desktop.spreadsheets import ImportOptions, import_file

    services = open_services(_database_argument(arguments))
    services.database.require_writable()  # a dry run too: it tries the writes, then undoes them
    report = import_file(
        services,
        arguments.file,
        ImportOptions(
            table=arguments.table,
            sheet=arguments.sheet,
            year=arguments.year,
            dry_run=arguments.dry_run,
            new_if_unsure=arguments.new_if_unsure,
            matches={(sheet, row): record for sheet, row, record in arguments.match},
        ),
    )
    if arguments.json:
        print(json.dumps(report.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    return EXIT_REFUSED if report.refused else EXIT_OK


def _command_duplicates(arguments: argparse.Namespace) -> int:
    import json

    from anso_desktop.app import open_services

    services = open_services(_database_argument(arguments))
    pairs = services.merges.duplicates(arguments.table)
    if arguments.json:
        print(json.dumps([pair.to_dict() for pair in pairs], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not pairs:
        print(f"No likely duplicates among the {arguments.table}.")
    for pair in pairs:
        print(
            f"{pair.score:3d}  #{pair.first.id} '{pair.first.name}'  and  "
            f"#{pair.second.id} '{pair.second.name}': {pair.reason}"
        )
    return EXIT_OK


def _command_merge(arguments: argparse.Namespace) -> int:
    import json

    from anso_desktop.app import open_services

    services = open_services(_database_argument(arguments))
    if not arguments.dry_run:
        services.database.require_writable()
    result = services.merges.merge(
        arguments.table,
        arguments.keep_id,
        arguments.other_id,
        take_from_other=arguments.take,
        dry_run=arguments.dry_run,
    )
    if arguments.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.summary())
    return EXIT_OK


def _command_export(arguments: argparse.Namespace) -> int:
    from anso_desktop.app import open_services
    from anso_desktop.spreadsheets import export_template, export_workbook

    if arguments.template:
        if not arguments.table or len(arguments.table) != 1:
            print("Error: --template needs exactly one --table.", file=sys.stderr)
            return EXIT_USAGE
        path = export_template(arguments.file, arguments.table[0])
        print(f"Wrote the {arguments.table[0]} template to {path}.")
        return EXIT_OK
    services = open_services(_database_argument(arguments))
    report = export_workbook(
        services, arguments.file, arguments.table, with_history=arguments.history
    )
    rows = ", ".join(f"{count} {name}" for name, count in report.rows.items())
    if arguments.history:
        rows += f", {report.history_rows} history rows"
    print(f"Exported {rows} to {report.path}.")
    return EXIT_OK


def _command_print(arguments: argparse.Namespace) -> int:
    from anso_desktop.app import open_services
    from anso_desktop.reports import documents
    from anso_desktop.reports.rendering import PageSetup, ensure_gui_application, write_pdf

    ensure_gui_application()
    services = open_services(_database_argument(arguments))
    table = arguments.list
    given = {
        name: getattr(arguments, name)
        for name in (
            "status",
            "country",
            "kind",
            "relation",
            "year",
            "mode",
            "board_meeting",
            "owner",
            "open",
            "currency",
            "convert_to",
        )
    }
    columns = None
    if arguments.columns:
        columns = tuple(key.strip() for key in arguments.columns.split(",") if key.strip())
    request = documents.PrintRequest(
        table=table,
        search=arguments.search,
        filters=documents.filters_from_text(services, table, given),
        sort=documents.sort_key(table, arguments.sort) if arguments.sort else None,
        descending=arguments.descending,
        group_by=arguments.group_by,
        columns=columns,
        with_charts=not arguments.no_charts,
        as_at=arguments.as_at,
    )
    document = documents.build_list(services, request)
    pages = write_pdf(document, arguments.pdf, PageSetup(arguments.paper, arguments.landscape))
    what = documents.count_of(table, document.record_count)
    print(f"Printed {what} on {pages} page{'s' if pages != 1 else ''} to {arguments.pdf}.")
    return EXIT_OK


def _command_history(arguments: argparse.Namespace) -> int:
    import json

    from anso_desktop.app import open_services
    from anso_desktop.services.history import HistoryFilter, database_table

    if arguments.record is not None and arguments.table is None:
        print("Error: --record needs --table (members, meetings, ...).", file=sys.stderr)
        return EXIT_USAGE
    services = open_services(_database_argument(arguments))
    query = HistoryFilter(
        table=database_table(arguments.table) if arguments.table else None,
        record=arguments.record,
        since=arguments.since,
        who=arguments.who,
    )
    change_sets = services.history.change_sets(query)
    if arguments.json:
        print(json.dumps([c.to_dict() for c in change_sets], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not change_sets:
        print("No changes on record match.")
    for change_set in change_sets:
        login = f" ({change_set.login})" if change_set.login else ""
        undone = f"  [undone by #{change_set.undone_by}]" if change_set.undone_by else ""
        print(
            f"#{change_set.id}  {change_set.local_time:%Y-%m-%d %H:%M}  {change_set.who}{login}"
            f"  {change_set.source}: {change_set.summary()}{undone}"
        )
        for change in change_set.changes[:50]:
            fields = "; ".join(
                f"{name}: {old!r} -> {new!r}" for name, (old, new) in change.fields.items()
            )
            print(f"    {change.action} {change.table} {change.record}  {fields}")
        if len(change_set.changes) > 50:
            print(f"    ... and {len(change_set.changes) - 50:,} more rows (--json lists them all)")
    return EXIT_OK


def _command_undo(arguments: argparse.Namespace) -> int:
    import json

    from anso_desktop.app import open_services

    services = open_services(_database_argument(arguments))
    services.database.require_writable()
    result = services.undo.undo(arguments.change_set, dry_run=arguments.dry_run)
    if arguments.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.summary())
    return EXIT_OK


def _source_of(arguments: argparse.Namespace) -> str:
    """Where a command's changes come from, as the history names it ("import members.xlsx")."""
    file = getattr(arguments, "file", None)
    if arguments.command in ("import", "restore") and file is not None:
        return f"{arguments.command} {Path(file).name}"
    if arguments.command in ("demo", "merge"):
        return arguments.command
    return f"command {arguments.command}"


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _command_demo,
    "check": _command_check,
    "backup": _command_backup,
    "restore": _command_restore,
    "import": _command_import,
    "export": _command_export,
    "print": _command_print,
    "duplicates": _command_duplicates,
    "merge": _command_merge,
    "history": _command_history,
    "undo": _command_undo,
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    try:
        arguments = parser.parse_args(arguments_list)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if arguments.command is None:
        from anso_desktop.app import run_gui

        # The window sets up logging once it has painted (start-up speed), and shows its errors.
        return run_gui(_database_argument(arguments), [sys.argv[0], *arguments_list])
    log_file = configure_logging()
    from anso_desktop.storage import history

    history.set_default_source(_source_of(arguments))
    try:
        from anso_desktop.storage.credentials import for_command_line

        arguments.db = for_command_line(_database_argument(arguments))  # a password, if asked
        return _COMMANDS[arguments.command](arguments)
    except UserError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("Interrupted; nothing was written.", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:  # a bug: log it whole, tell the user briefly
        log.exception("Unexpected error in %s", arguments.command)
        print(
            f"Unexpected error: {type(error).__name__}: {error}\n"
            f"Details are in the log file {log_file}.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
