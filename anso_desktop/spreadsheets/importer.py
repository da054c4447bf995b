"""Importing a workbook: read each sheet (`parsing.py`), check every row, match it to the
record it is — by natural key, or by the register's likely matches, or as a person said — then
save it through its table's import rules (`services/import_rules.py`), all in one transaction;
and report each row. The engine is the same for every table and never touches the database
itself: what a table's key, matches and saving are lives with its service.

Nothing is written unless every row is sound and decided: the report lists sheet, row, column
and message for every bad row, the candidates of every undecided one, and the transaction is
rolled back. Re-importing the same file changes nothing (every row is "unchanged").
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from anso_desktop.errors import UserError, ValidationError
from anso_desktop.services import Services, matching
from anso_desktop.services.history import recorded_as
from anso_desktop.services.import_rules import TABLE_IMPORTS, finish
from anso_desktop.services.importing import (
    DatabaseRefused,
    ImportSession,
    RowRefused,
    TableImport,
)
from anso_desktop.services.matching import Candidate, RecordRef
from anso_desktop.spreadsheets.parsing import (
    ImportOptions,
    ParsedRow,
    ParsedSheet,
    header_of,
    read_for_import,
)
from anso_desktop.spreadsheets.reading import WorkbookError
from anso_desktop.spreadsheets.report import (
    ImportReport,
    MatchedRow,
    Outcome,
    RowIssue,
    UndecidedRow,
)

ProgressCallback = Callable[[int, int, str], None]
Params = ParamSpec("Params")
Result = TypeVar("Result")
PROGRESS_EVERY = 200


class _Rollback(Exception):
    """Raised inside the transaction to undo it: errors were found, or it is a dry run."""


class Cancelled(Exception):
    """The user cancelled; the transaction was rolled back."""


def _problems(sheet: ParsedSheet, refusal: RowRefused | UserError) -> list[tuple[str, str]]:
    """A row's refusal as the report lists it: (column header, message) pairs."""
    if isinstance(refusal, RowRefused):
        return [(sheet.header_of(refusal.column), refusal.message)]
    if isinstance(refusal, ValidationError):
        return [(sheet.header_of(field), message) for field, message in refusal.errors.items()]
    return [("", refusal.message)]


# --- the import ------------------------------------------------------------------------------


def _cycle_collector_paused(function: Callable[Params, Result]) -> Callable[Params, Result]:
    """Run `function` with Python's cycle collector paused. Reading and checking a large file
    makes hundreds of thousands of small lists, dicts and tuples that live until the import
    ends; the collector would walk them again and again as they pile up (a fifth of a 100,000-row
    import's time), and they form no cycles it could free. Reference counting still frees
    everything else as usual; the collector resumes, if it was on, when the import returns."""

    @wraps(function)
    def paused(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@_cycle_collector_paused
def import_file(
    services: Services,
    path: Path,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import `path`; the report says what was (or, with errors or a dry run, would be) done."""
    options = options or ImportOptions()
    path = Path(path)
    report = ImportReport(file=path, dry_run=options.dry_run)
    parsed = read_for_import(path, options, report)
    _check_matches(options, parsed)
    total = sum(len(sheet.rows) for sheet in parsed)
    try:
        with recorded_as(f"import {path.name}"), services.database.transaction() as session:
            context = ImportSession(services, session)
            done = 0
            for sheet in parsed:
                table = TABLE_IMPORTS[sheet.spec.name]

                def step(sheet: ParsedSheet = sheet) -> None:
                    nonlocal done
                    if cancelled is not None and cancelled():
                        raise Cancelled
                    done += 1
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress(done, total, f"Importing {sheet.sheet}…")

                if table.bulk:
                    _import_sheet_in_bulk(context, options, table, sheet, report, step)
                    continue
                seen, found = _exact_claims(context, table, sheet)
                pending = table.new_rows_index()
                for row in sheet.rows:
                    step()
                    _import_row(context, options, table, sheet, row, seen, pending, found, report)
            _warn_of_unused_matches(options, report)
            if not report.refused:
                report.aliases_added, late = finish(context)
                for sheet_name, row_number, key, message in late:
                    spec = next(p.spec for p in parsed if p.sheet == sheet_name)
                    report.errors.append(
                        RowIssue(sheet_name, row_number, header_of(spec, key), message)
                    )
            if report.refused or options.dry_run:
                raise _Rollback
            if report.inserted or report.updated or report.aliases_added:
                # The backup holds the database as it was before the import: written now, from
                # another connection, it reads what is committed (SQLite in WAL mode), and only
                # for an import that is about to change something.
                from anso_desktop.storage.backup import automatic_backup

                report.backup = automatic_backup(services.database, reason="before-import")
            report.written = True
    except _Rollback:
        pass
    if progress is not None:
        progress(total, total, "Done")
    return report


def _refuse(
    report: ImportReport,
    sheet: ParsedSheet,
    row: ParsedRow,
    label: str,
    issues: list[tuple[str, str]],
) -> None:
    for column, message in issues:
        report.errors.append(RowIssue(sheet.sheet, row.number, column, message))
    report.rows.add(sheet.sheet, row.number, label, Outcome.ERROR, [m for _, m in issues])


class _Undecided(Exception):
    """The row may be a record already there, but not surely: a person decides."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        super().__init__("undecided")
        self.candidates = tuple(candidates)


def _likely_record(
    context: ImportSession,
    options: ImportOptions,
    table: TableImport,
    sheet: ParsedSheet,
    row: ParsedRow,
    report: ImportReport,
    claimed: Mapping[Hashable, int],
    pending: Any,
    key: Hashable = None,
) -> Any:
    """The record a row is though its key finds none: the one a person chose (`--match`), else
    the one strong likely match (reported as matched, with its reason); None for a new record.
    Raises `_Undecided` for a weak or ambiguous match, unless told to take such rows as new.
    Records other rows of the file are already are no candidates; a new row that is likely an
    earlier new row of the file is refused (a file never brings one record twice)."""
    chosen_id = options.match_of(sheet.sheet, row.number)
    if chosen_id is not None:
        record = table.by_id(context, chosen_id)
        if record is None:
            raise RowRefused("", f"there is no {table.noun} #{chosen_id} to match it to")
        reference = RecordRef(record.id, table.name_of(record))
        report.matched.append(MatchedRow(sheet.sheet, row.number, reference, "chosen by hand"))
        return record
    if (sheet.sheet, row.number) in options.new_rows:
        return None
    candidates = []
    for candidate in table.likely(context, row.values, key):
        other_row = claimed.get(("record", candidate.record.id), row.number)
        if other_row == row.number:
            candidates.append(candidate)
        elif candidate.strong:  # surely the record another row of the file is
            raise RowRefused(
                "",
                f"is the same {table.noun} as row {other_row} ('{candidate.record.name}': "
                f"{candidate.reason})",
            )
    chosen = matching.decide(candidates)
    if chosen is not None:
        report.matched.append(MatchedRow(sheet.sheet, row.number, chosen.record, chosen.reason))
        return table.by_id(context, chosen.record.id)
    if candidates and not options.new_if_unsure:
        raise _Undecided(candidates[:5])
    if pending is not None:
        _refuse_repeats(pending.see(row.number, row.values, key), options, table)
    return None


def _refuse_repeats(
    earlier: Sequence[Candidate], options: ImportOptions, table: TableImport
) -> None:
    """A new row likely the same as an earlier new row of the file (ids are row numbers)."""
    for candidate in earlier:
        said = f"row {candidate.record.id} ('{candidate.record.name}': {candidate.reason})"
        if candidate.strong:
            raise RowRefused("", f"repeats {said}, the same {table.noun}")
        if not options.new_if_unsure:
            raise RowRefused(
                "",
                f"may be the same {table.noun} as {said}; correct the file, or import with "
                "--new-if-unsure to keep both",
            )


def _exact_claims(
    context: ImportSession, table: TableImport, sheet: ParsedSheet
) -> tuple[dict[Hashable, int], dict[int, Any]]:
    """The records rows find by their exact key, claimed before any row is matched by
    likeness (a likely match never takes the record another row of the file is), and each
    record found by row number, so the rows are not looked up twice."""
    claimed: dict[Hashable, int] = {}
    found: dict[int, Any] = {}
    for row in sheet.rows:
        if row.errors:
            continue
        try:
            record = table.find(context, table.key(row.values))
        except (RowRefused, UserError, TypeError, ValueError, KeyError):
            continue
        if record is not None:
            claimed.setdefault(("record", record.id), row.number)
            found[row.number] = record
    return claimed, found


def _check_matches(options: ImportOptions, parsed: Sequence[ParsedSheet]) -> None:
    """`--match` names a sheet that is there, and says which one when there are several."""
    names = {sheet.sheet for sheet in parsed}
    for sheet, row in options.matches:
        if sheet is None and len(parsed) > 1:
            raise UserError(
                f"--match {row}=…: the file has several sheets ({', '.join(sorted(names))}); "
                f"say which, as --match SHEET:{row}=ID."
            )
        if sheet is not None and sheet not in names:
            raise UserError(
                f"--match {sheet}:{row}=…: the file has no sheet '{sheet}' to import "
                f"(it has {', '.join(sorted(names))})."
            )


def _warn_of_unused_matches(options: ImportOptions, report: ImportReport) -> None:
    used = {(m.sheet, m.row) for m in report.matched if m.reason == "chosen by hand"}
    used_rows = {row for _, row in used}
    for sheet, row in options.matches:
        if (sheet, row) in used or (sheet is None and row in used_rows):
            continue
        where = f"{sheet}:{row}" if sheet else str(row)
        report.warnings.append(
            f"--match {where}=…: row {row} is not one to match (it is not there, or it found "
            "its record by its own key); ignored."
        )


def _matched_values(table: TableImport, values: dict[str, Any]) -> dict[str, Any]:
    """What a row taken as another spelling of a record changes: its filled cells, but not the
    record's name (the row's spelling becomes an alias). A blank cell of a partner's sheet says
    nothing about the register's value, so it erases nothing."""
    return {
        key: value
        for key, value in values.items()
        if key not in table.kept_on_match and value not in (None, "", [], ())
    }


def _claim(claimed: dict[Hashable, int], record: Any, row: ParsedRow, table: TableImport) -> None:
    """Two rows of a file are never the same record."""
    key = ("record", record.id)
    earlier = claimed.get(key)
    if earlier is not None and earlier != row.number:
        raise RowRefused(
            "",
            f"is the same {table.noun} as row {earlier} ('{table.name_of(record)}')",
        )
    claimed[key] = row.number


def _leave_undecided(
    report: ImportReport,
    sheet: ParsedSheet,
    row: ParsedRow,
    label: str,
    candidates: Sequence[Candidate],
) -> None:
    report.undecided.append(UndecidedRow(sheet.sheet, row.number, label, tuple(candidates)))
    report.rows.add(
        sheet.sheet,
        row.number,
        label,
        Outcome.UNDECIDED,
        [f"may be '{c.record.name}' ({c.reason})" for c in candidates],
    )


def _add_problem(row: ParsedRow, column: str, message: str) -> None:
    """A problem of the row, unless its column was refused already (a cell that could not be
    read is not also "missing")."""
    if column not in {refused for refused, _ in row.errors}:
        row.errors.append((column, message))


def _import_row(
    context: ImportSession,
    options: ImportOptions,
    table: TableImport,
    sheet: ParsedSheet,
    row: ParsedRow,
    seen: dict[Hashable, int],
    pending: Any,
    found: Mapping[int, Any],
    report: ImportReport,
) -> None:
    label = (
        table.label(row.values)
        if not row.errors
        else str(row.values.get("name") or row.values.get("title") or "")
    )
    if row.errors:
        try:
            table.key(row.values)
        except RowRefused as refusal:  # every problem of the row, not only the first
            _add_problem(row, sheet.header_of(refusal.column), refusal.message)
        except (TypeError, ValueError, KeyError, AttributeError):  # from cells already refused
            pass
        _refuse(report, sheet, row, label, row.errors)
        return
    try:
        key = table.key(row.values)
        if seen.get(key, row.number) != row.number:
            raise RowRefused("", f"repeats row {seen[key]} (the same {table.noun})")
        seen[key] = row.number
        record = found.get(row.number) or table.find(context, key)
        values = row.values
        if record is None:
            record = _likely_record(context, options, table, sheet, row, report, seen, pending, key)
            if record is not None:
                values = _matched_values(table, values)
                table.matched(context, record, row.values)
        if record is not None:
            _claim(seen, record, row, table)
        current = table.data_of(record) if record is not None else None
        data = table.build(context, values, current)
        if current is not None and table.comparable(data) == table.comparable(current):
            report.unchanged += 1
            report.rows.add(sheet.sheet, row.number, label, Outcome.UNCHANGED)
            table.after_save(context, record, row.values, row.number, sheet.sheet)
            return
        with context.savepoint():
            saved = (
                table.create(context, data)
                if record is None
                else table.update(context, record, data)
            )
        table.after_save(context, saved, row.values, row.number, sheet.sheet)
    except _Undecided as undecided:
        _leave_undecided(report, sheet, row, label, undecided.candidates)
        return
    except (RowRefused, UserError) as refusal:
        _refuse(report, sheet, row, label, _problems(sheet, refusal))
        return
    if record is None:
        report.inserted += 1
        report.rows.add(sheet.sheet, row.number, label, Outcome.NEW)
    else:
        report.updated += 1
        report.rows.add(sheet.sheet, row.number, label, Outcome.CHANGED)


def _import_sheet_in_bulk(
    context: ImportSession,
    options: ImportOptions,
    table: TableImport,
    sheet: ParsedSheet,
    report: ImportReport,
    step: Callable[[], None],
) -> None:
    """The same outcome as row by row, at a fraction of the cost: existing records are read in
    a few queries, rows are checked without the database, and new records are inserted in one
    flush. Name clashes are found through the natural key (within the file and against the
    database); the database's own constraints still guard the flush."""
    keyed: list[tuple[ParsedRow, Hashable | None, str]] = []
    seen: dict[Hashable, int] = {}
    for row in sheet.rows:
        label = table.label(row.values) if not row.errors else str(row.values.get("name") or "")
        try:
            key = table.key(row.values)
        except RowRefused as refusal:  # listed beside the row's cell errors: every problem
            _add_problem(row, sheet.header_of(refusal.column), refusal.message)
            keyed.append((row, None, label))
            continue
        if row.errors:
            keyed.append((row, None, label))
            continue
        if key in seen:
            row.errors.append(("", f"repeats row {seen[key]} (the same {table.noun})"))
        else:
            seen[key] = row.number
        keyed.append((row, key, label))
    existing = table.find_many(context, list(seen))
    pending = table.new_rows_index()
    claimed: dict[Hashable, int] = {}
    for row, key, _ in keyed:
        if key is not None and key in existing and not row.errors:
            claimed[("record", existing[key].id)] = row.number
    new_records: list[Any] = []
    for row, key, label in keyed:
        step()
        if row.errors:
            _refuse(report, sheet, row, label, row.errors)
            continue
        record = existing.get(key)
        values = row.values
        try:
            if record is None:
                record = _likely_record(
                    context, options, table, sheet, row, report, claimed, pending, key
                )
                if record is not None:
                    _claim(claimed, record, row, table)
                    values = _matched_values(table, values)
                    table.matched(context, record, row.values)
            current = table.data_of(record) if record is not None else None
            data = table.check(context, table.build(context, values, current), record)
        except _Undecided as undecided:
            _leave_undecided(report, sheet, row, label, undecided.candidates)
            continue
        except (RowRefused, ValidationError) as refusal:
            _refuse(report, sheet, row, label, _problems(sheet, refusal))
            continue
        if record is None:
            record = table.new_record(context, data, key)
            new_records.append(record)
            report.inserted += 1
            outcome = Outcome.NEW
        elif table.comparable(data) == table.comparable(current):
            report.unchanged += 1
            outcome = Outcome.UNCHANGED
        else:
            table.apply(context, record, data)
            report.updated += 1
            outcome = Outcome.CHANGED
        report.rows.add(sheet.sheet, row.number, label, outcome)
        table.after_save(context, record, row.values, row.number, sheet.sheet)
    if report.refused:
        return  # nothing will be written: no need to flush
    try:
        table.write_many(context, new_records)
    except DatabaseRefused as refusal:
        raise WorkbookError(
            f"The database refused sheet '{sheet.sheet}': {refusal.message}"
        ) from None


@_cycle_collector_paused
def parse_only(path: Path, options: ImportOptions) -> tuple[ImportReport, list[ParsedSheet]]:
    """Read and check the file without touching the database (the wizard's first look)."""
    report = ImportReport(file=Path(path), dry_run=True)
    return report, read_for_import(Path(path), options, report)


__all__ = ["Cancelled", "ImportOptions", "import_file", "parse_only"]
