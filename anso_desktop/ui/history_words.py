"""The history in a secretary's words, for History… of a record and Recent changes.

The change sets come as the history service reads them (column names, values as stored); the
`ChangeWords` here turn them into the grid's column headers, dates as the grid writes them,
choices by their labels, and a linked record by its name rather than its id. No Qt here: the
wording runs off the GUI thread (naming a linked record is a query), and is tested without a window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Boolean, Date, DateTime

from anso_desktop.countries import country_name
from anso_desktop.errors import UserError
from anso_desktop.services import Services
from anso_desktop.services.decisions import ordinal
from anso_desktop.services.exchange_rates import format_rate
from anso_desktop.services.history import DATABASE_TABLES, ChangeSetView, RowChange
from anso_desktop.storage.history import PARTS
from anso_desktop.storage.models import Base
from anso_desktop.storage.types import Money, Rate
from anso_desktop.tables import TABLES
from anso_desktop.tables.formatting import format_date, format_money

#: What a row of each table is called: one (as a sentence starts), and several.
NOUNS: dict[str, tuple[str, str]] = {
    "members": ("Organization", "organizations"),
    "meetings": ("Meeting", "meetings"),
    "board-meetings": ("Board meeting", "board meetings"),
    "decisions": ("Decision", "decisions"),
    "funds": ("Fund", "funds"),
    "finances": ("Finance entry", "finance entries"),
    "exchange-rates": ("Exchange rate", "exchange rates"),
    "budget-plans": ("Budget plan", "budget plans"),
    "contacts": ("Contact", "contacts"),
    "aliases": ("Other name", "other names"),
    "meeting-organizers": ("Organizer", "organizers"),
    "decision-organizations": ("Organization concerned", "organizations concerned"),
    "budget-plan-lines": ("Budget line", "budget lines"),
    "distinct-pairs": ("Pair marked “not a duplicate”", "pairs marked “not a duplicate”"),
}
_RECORD_VERBS = {"insert": "created", "update": "changed", "delete": "deleted"}
_PART_VERBS = {"insert": "added", "update": "changed", "delete": "removed"}
# Short tables, a few entries a line (the formatter would give each its own).
# fmt: off
#: Columns that point at another record (column -> that record's table): shown by its name.
REFERENCES: dict[str, str] = {
    "organization_id": "members", "partner_id": "members", "fund_id": "funds",
    "board_meeting_id": "board-meetings", "endorsement_decision_id": "decisions",
    "approval_meeting_id": "meetings", "meeting_id": "meetings", "decision_id": "decisions",
    "plan_id": "budget-plans",
}
#: The columns that name a row of each table (what `ChangeWords.name` reads).
_NAMING: dict[str, tuple[str, ...]] = {
    "members": ("name",), "funds": ("name",), "contacts": ("name",), "aliases": ("name",),
    "meeting-organizers": ("name",), "meetings": ("title",), "board-meetings": ("number",),
    "decisions": ("board_meeting_id", "number", "text"), "finances": ("category", "fiscal_year"),
    "exchange-rates": ("currency", "to_currency", "fiscal_year"),
    "budget-plans": ("fiscal_year", "revision"), "budget-plan-lines": ("category", "currency"),
    "decision-organizations": ("organization_id",),
}
# fmt: on
#: Columns for the program's bookkeeping, not a person's: an organizer's place in the list.
_UNSHOWN = frozenset({"position"})
_LONGEST_VALUE = 300
_SHORT_TEXT = 70
SOURCES = {"window": "Window", "command": "Command line"}


def humanize(column: str) -> str:
    """ "applied_on" -> "Applied on": a column the grid does not show, in words."""
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _spec_position(table: str, column: str) -> int | None:
    """Where the column specs put the column (its grid and spreadsheet order), if they have it."""
    keys = [spec_column.key for spec_column in TABLES[table].columns] if table in TABLES else []
    for candidate in (column, column.removesuffix("_id")):
        if candidate in keys:
            return keys.index(candidate)
    return None


def field_label(table: str, column: str) -> str:
    """The grid's header for the column where one matches, else the column name in words."""
    position = _spec_position(table, column)
    if position is not None:
        return TABLES[table].columns[position].header
    return humanize(column.removesuffix("_id") if column in REFERENCES else column)


def field_order(table: str, column: str) -> tuple[int, str]:
    """Fields in the order the grid shows them; the others after, alphabetically."""
    position = _spec_position(table, column)
    return (position if position is not None else 1_000, column)


def when_text(moment: datetime, today: date | None = None) -> str:
    """ "Today, 14:05", "Yesterday, 09:30", "9 Oct 2021, 16:20" (local time)."""
    today = today or date.today()
    day = moment.date()
    words = {today: "Today"}
    if today.toordinal() > 1:
        words[date.fromordinal(today.toordinal() - 1)] = "Yesterday"
    return f"{words.get(day) or format_date(day)}, {moment:%H:%M}"


def who_text(change_set: ChangeSetView) -> str:
    if change_set.login and change_set.login != change_set.who:
        return f"{change_set.who} (login {change_set.login})"
    return change_set.who


def source_text(source: str) -> str:
    """Where a change came from, as the list shows it ("Window", "Undo of #12", "Edit member")."""
    if source.startswith("undo #"):
        return f"Undo of {source.removeprefix('undo ')}"
    return SOURCES.get(source, source)


def counts_text(change_set: ChangeSetView) -> str:
    """ "12 organizations added, 3 organizations changed": what a change set did, in words."""
    verbs = {"insert": "added", "update": "changed", "delete": "deleted"}
    parts = [
        f"{counted(count, table)} {verbs.get(action, action)}"
        for (table, action), count in change_set.counts.items()
    ]
    return ", ".join(parts) or "nothing changed"


def undo_note(change_set: ChangeSetView) -> str:
    """ "undone by #12", "undoes #7" or ""."""
    notes = []
    if change_set.undoes is not None:
        notes.append(f"undoes #{change_set.undoes}")
    if change_set.undone_by is not None:
        notes.append(f"undone by #{change_set.undone_by}")
    return ", ".join(notes)


@dataclass(frozen=True)
class FieldLine:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RowLine:
    """One row's change in words: "Contact “Dr Amina Khan” added", and its fields."""

    title: str
    action: str
    fields: list[FieldLine]
    #: Whether the row is the record the History… dialog is about (not one of its parts).
    own: bool = False


class ChangeWords:
    """Words for the rows of change sets. Names of linked records are read once each, so it is
    meant for one dialog's background work at a time (it keeps what it read)."""

    def __init__(self, services: Services, record: tuple[str, int] | None = None) -> None:
        self.services = services
        self.record = record
        self._fetched: dict[tuple[str, int], Any] = {}

    def row(self, change: RowChange) -> RowLine:
        owner_column = PARTS.get(DATABASE_TABLES.get(change.table, ""), ("", ""))[1]
        fields = [
            FieldLine(
                field_label(change.table, column),
                self.value(change.table, column, old),
                self.value(change.table, column, new),
            )
            for column, (old, new) in sorted(
                change.fields.items(), key=lambda item: field_order(change.table, item[0])
            )
            if column != owner_column and column not in _UNSHOWN
        ]
        own = self.record is not None and change.part_of is None
        own = own and (change.table, change.record) == self.record
        if own:
            title = _RECORD_VERBS[change.action].capitalize()
        else:
            verbs = _PART_VERBS if change.part_of is not None else _RECORD_VERBS
            title = f"{self.label(change.table, change)} {verbs[change.action]}"
            if change.part_of is not None and self.record is None:
                owner_table, owner_id = change.part_of
                if owner_id is not None:
                    title += f" — of {self.reference(owner_table, owner_id)}"
        return RowLine(title, change.action, fields, own)

    def label(self, table: str, change: RowChange) -> str:
        """ "Contact “Dr Amina Khan”": the row's noun and name."""
        values = {
            k: new if change.action != "delete" else old for k, (old, new) in change.fields.items()
        }
        record_id = change.record if isinstance(change.record, int) else None
        if isinstance(change.record, dict):
            values = {**change.record, **values}
        name = self.name(table, values, record_id)
        noun = NOUNS.get(table, (humanize(table), ""))[0]
        return f"{noun} {name}" if name else noun

    def reference(self, table: str, record_id: int) -> str:
        """A linked record in words ("Organization “IAC”"), or its number once it is gone."""
        name = self.name(table, {}, record_id)
        return f"{NOUNS.get(table, (humanize(table), ''))[0]} {name or f'#{record_id}'}"

    def name(self, table: str, values: Mapping[str, Any], record_id: int | None) -> str:
        wanted = _NAMING.get(table, ())
        if not wanted:
            return f"#{record_id}" if record_id is not None else ""
        if any(values.get(key) is None for key in wanted) and record_id is not None:
            found = self._fetch(table, record_id)
            if found is not None:
                values = {key: values.get(key) or getattr(found, key, None) for key in wanted}
        if any(values.get(key) is None for key in wanted):
            return f"#{record_id}" if record_id is not None else ""
        return self._phrase(table, values)

    def _phrase(self, table: str, values: Mapping[str, Any]) -> str:
        match table:
            case "board-meetings":
                return f"{ordinal(int(values['number']))} Governing Board meeting"
            case "decisions":
                meeting = self.name("board-meetings", {}, int(values["board_meeting_id"]))
                return f"no. {values['number']} of the {meeting}: “{_short(values['text'])}”"
            case "finances":
                return f"“{values['category']}”, {values['fiscal_year']}"
            case "exchange-rates":
                pair = f"{values['currency']} to {values['to_currency']}"
                return f"{pair}, {values['fiscal_year']}"
            case "budget-plans":
                return f"{values['fiscal_year']}, revision {values['revision']}"
            case "budget-plan-lines":
                return f"“{values['category']}” ({values['currency']})"
            case "decision-organizations":
                return self.name("members", {}, int(values["organization_id"])) or ""
        return f"“{_short(values[_NAMING[table][0]])}”"

    def value(self, table: str, column: str, value: Any) -> str:
        """A stored value as the grid would show it ("" when empty)."""
        if value is None or value == "":
            return ""
        if column in REFERENCES and isinstance(value, int):
            table = REFERENCES[column]
            name = self.name(table, {}, value)
            if name.startswith("“") and name.endswith("”"):
                return name[1:-1]  # the field says what it is: "Fund: Science Fund"
            return name if table == "board-meetings" else self.reference(table, value)
        known = Base.metadata.tables.get(DATABASE_TABLES.get(table, table))
        kind = known.c[column].type if known is not None and column in known.c else None
        try:
            enum_class = getattr(kind, "enum_class", None)
            if enum_class is not None:
                return str(getattr(enum_class(value), "label", value))
            if isinstance(kind, Boolean):
                return "Yes" if value else "No"
            if isinstance(kind, Money):
                return format_money(Decimal(str(value)))
            if isinstance(kind, Rate):
                return format_rate(Decimal(str(value)))
            if isinstance(kind, DateTime):
                return when_text(datetime.fromisoformat(str(value)))
            if isinstance(kind, Date):
                return format_date(date.fromisoformat(str(value)[:10]))
        except (ValueError, InvalidOperation):
            pass  # not what the column holds now (an older schema's value): shown as it is
        if column == "country":
            return country_name(str(value))
        text = " ".join(str(value).split())
        return text if len(text) <= _LONGEST_VALUE else text[: _LONGEST_VALUE - 1] + "…"

    def _fetch(self, table: str, record_id: int) -> Any | None:
        key = (table, record_id)
        if key not in self._fetched:
            self._fetched[key] = None
            try:
                if table == "contacts":
                    self._fetched[key] = self.services.organizations.contact(record_id)
                else:
                    self._fetched[key] = self.services.for_table(table).get(record_id)
            except (UserError, KeyError):
                pass  # deleted since, or a table with no service: named by its number
        return self._fetched[key]


def _short(text: Any) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= _SHORT_TEXT else words[: _SHORT_TEXT - 1].rstrip() + "…"


# --- headings ----------------------------------------------------------------------------------


def change_set_heading(change_set: ChangeSetView, own: Sequence[RowLine] = ()) -> str:
    """ "9 Oct 2021, 16:20 · Maria Santos · Edit organization · #12 (undone by #15)"."""
    parts = [when_text(change_set.local_time), who_text(change_set), source_text(change_set.source)]
    parts += [line.title.lower() for line in own if line.action != "update"]
    note = undo_note(change_set)
    return " · ".join(parts) + f" · #{change_set.id}" + (f" ({note})" if note else "")


def change_set_title(change_set: ChangeSetView) -> str:
    """ "#12 · 9 Oct 2021, 16:20 · Maria Santos · Edit organization (undone by #15)"."""
    note = undo_note(change_set)
    return (
        f"#{change_set.id} · {when_text(change_set.local_time)} · {who_text(change_set)} · "
        f"{source_text(change_set.source)}{f' ({note})' if note else ''}"
    )


def counted(count: int, table: str) -> str:
    """ "1 organization", "3 contacts": rows of a table, by its noun."""
    one, several = NOUNS.get(table, (humanize(table), table))
    return f"{count:,} {one.lower() if count == 1 else several}"


#: What undoing does to rows (the undo's counts), as a verb, in the order a question lists them.
_UNDO_VERBS = {"put back": "put back", "restored": "restore", "removed": "remove"}


def undo_plan_text(counts: Mapping[tuple[str, str], int]) -> str:
    """ "It would put back 1 organization as it was, and remove 2 contacts and 1 other name."

    Worded here rather than taken from the undo's own summary, which names the change set again
    (the question has just named it).
    """
    groups = []
    for done, verb in _UNDO_VERBS.items():
        rows = {table: n for (table, what), n in counts.items() if what == done and n}
        if not rows:
            continue
        group = f"{verb} {_listed([counted(n, table) for table, n in rows.items()])}"
        if done == "put back":
            group += " as it was" if sum(rows.values()) == 1 else " as they were"
        groups.append(group)
    if not groups:
        return "Nothing would change."
    if len(groups) == 1:
        return f"It would {groups[0]}."
    return f"It would {', '.join(groups[:-1])}, and {groups[-1]}."


def undo_question(change_set: ChangeSetView, counts: Mapping[tuple[str, str], int]) -> str:
    """What Undo… asks: which change set, what undoing it would do, and that it can be undone."""
    return (
        f"Undo change set #{change_set.id} — {source_text(change_set.source)}, by "
        f"{who_text(change_set)}, {when_text(change_set.local_time)}?\n\n"
        f"{undo_plan_text(counts)}\n\n"
        "The undo is itself recorded, and can be undone here in turn."
    )


def _listed(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
