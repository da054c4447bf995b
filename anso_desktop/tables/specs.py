"""Column specs for members, meetings, decisions and finances.

A column knows its key (the field of the service's data class, and its sort key), its header
(as spelled in the spreadsheets, DESIGN.md), the kind of value, how to read the value from a
record, and the other names a spreadsheet may give its header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, auto
from operator import attrgetter
from typing import Any

from anso_desktop.countries import country_name
from anso_desktop.domain import (
    BudgetPlanStatus,
    DecisionStatus,
    FinanceKind,
    LabelledEnum,
    MeetingKind,
    MeetingMode,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.services.exchange_rates import format_rate
from anso_desktop.tables.formatting import (
    NO_PERCENT,
    format_date,
    format_date_range,
    format_list,
    format_money,
    format_percent,
    report_date_notation,
)


class ValueKind(Enum):
    TEXT = auto()
    LONG_TEXT = auto()
    INTEGER = auto()
    DATE = auto()
    MONEY = auto()
    CHOICE = auto()
    COUNTRY = auto()
    LIST = auto()
    PERCENT = auto()
    #: An exchange rate: exact to six decimals (money stops at two).
    RATE = auto()
    #: Shown only (not imported): derived from other columns, such as a meeting's compact dates.
    DERIVED = auto()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ValueKind = ValueKind.TEXT
    choices: type[LabelledEnum] | None = None
    required: bool = False
    synonyms: tuple[str, ...] = ()
    #: Typical width in characters (grid and spreadsheet).
    width: int = 16
    #: Where the column appears: the on-screen grid, and spreadsheets (export/import/template).
    grid: bool = True
    sheet: bool = True
    #: Whether a printed list shows the column unless the user chooses otherwise.
    printed: bool = False
    #: The service's sort key for this column; None when the list cannot be sorted by it.
    sort_key: str | None = ""
    getter: Callable[[Any], Any] | None = None
    #: `value` itself: the getter, or the attribute named by the key (made once, not per cell).
    value: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The typed value (date, Decimal, enum member, list of str...) of this column in a record.
        object.__setattr__(self, "value", self.getter or attrgetter(self.key))

    def display(self, value: Any) -> str:
        """The value as people read it."""
        if value is None:
            return NO_PERCENT if self.kind is ValueKind.PERCENT else ""
        match self.kind:
            case ValueKind.DATE:
                return format_date(value)
            case ValueKind.MONEY:
                return format_money(value)
            case ValueKind.CHOICE:
                return value.label
            case ValueKind.COUNTRY:
                return country_name(value)
            case ValueKind.LIST:
                return format_list(value)
            case ValueKind.PERCENT:
                return format_percent(value)
            case ValueKind.RATE:
                return format_rate(value)
            case ValueKind.INTEGER:
                return f"{value:,}" if abs(value) >= 10000 else str(value)
            case _:
                return str(value)

    @property
    def numeric(self) -> bool:
        return self.kind in (ValueKind.INTEGER, ValueKind.MONEY, ValueKind.PERCENT, ValueKind.RATE)

    @property
    def sort(self) -> str | None:
        return self.key if self.sort_key == "" else self.sort_key


@dataclass(frozen=True)
class TableSpec:
    name: str
    sheet: str
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.name} has no column '{key}'")

    @property
    def grid_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.grid)

    @property
    def sheet_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.sheet)

    @property
    def printed_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.printed)


def _organizer_names(meeting: Any) -> list[str]:
    return [organizer.name for organizer in meeting.organizers]


def _endorsing_decision(organization: Any) -> str | None:
    """ "4.3": decision 3 of the 4th board meeting, the one that endorsed the organization."""
    decision = organization.endorsement_decision
    return f"{decision.board_meeting.number}.{decision.number}" if decision is not None else None


def _organization_names(decision: Any) -> list[str]:
    return [organization.name for organization in decision.organizations]


# One line per column (the formatter would spread each over eight lines and hide the table).
# fmt: off
MEMBERS = TableSpec(
    name="members", sheet="Members", title="Member organizations",
    columns=(
        Column("name", "Name", required=True, width=48, synonyms=("Organization", "Organisation", "Institution", "Member"), printed=True),
        Column("acronym", "Acronym", width=12, synonyms=("Abbreviation", "Short name"), printed=True),
        Column("country", "Country", ValueKind.COUNTRY, width=16, synonyms=("Nation",), printed=True),
        Column("kind", "Kind", ValueKind.CHOICE, OrganizationKind, width=18, synonyms=("Type", "Category"), printed=True),
        Column("relation", "Relation", ValueKind.CHOICE, Relation, width=10, synonyms=("Member or partner", "Role")),
        Column("status", "Status", ValueKind.CHOICE, MemberStatus, width=15, synonyms=("Membership status",), printed=True),
        Column("applied_on", "Applied", ValueKind.DATE, width=12, synonyms=("Application date", "Applied on")),
        Column("endorsed_on", "Endorsed by GB", ValueKind.DATE, width=14, synonyms=("Endorsed", "Endorsement date")),
        Column("approved_on", "Approved by GA", ValueKind.DATE, width=14, synonyms=("Approved", "Approval date")),
        Column("joined_on", "Joined", ValueKind.DATE, width=12, synonyms=("Active since", "Member since"), printed=True),
        Column("website", "Website", width=28, grid=False, synonyms=("Web", "URL", "Web site")),
        Column("email", "Email", width=28, grid=False, synonyms=("E-mail", "Mail")),
        Column("notes", "Notes", ValueKind.LONG_TEXT, width=40, grid=False, sort_key=None, synonyms=("Remarks", "Comments")),
        Column("endorsement", "Endorsing decision", width=12, grid=False, sort_key=None, getter=_endorsing_decision, synonyms=("Endorsed by decision", "GB decision")),
    ),
)

CONTACTS = TableSpec(
    name="contacts", sheet="Contacts", title="Contacts",
    columns=(
        Column("organization", "Organization", required=True, width=48, getter=lambda c: c.organization.name, synonyms=("Organisation", "Institution", "Member")),
        Column("name", "Name", required=True, width=28, synonyms=("Contact", "Person", "Full name")),
        Column("title", "Title", width=24, synonyms=("Position", "Job title")),
        Column("email", "Email", width=28, synonyms=("E-mail", "Mail")),
        Column("phone", "Phone", width=18, synonyms=("Telephone", "Tel", "Mobile")),
        Column("role", "Role", width=20, synonyms=("Function", "Responsibility")),
    ),
)

# The other names organizations were matched under: the next import of a spelling finds them.
ALIASES = TableSpec(
    name="aliases", sheet="Aliases", title="Aliases",
    columns=(
        Column("record", "Record", required=True, width=48, sort_key=None, getter=lambda a: a.organization.name, synonyms=("Organization", "Organisation", "Member")),
        Column("alias", "Alias", required=True, width=48, sort_key=None, getter=attrgetter("name"), synonyms=("Other name", "Also written as", "Also known as")),
    ),
)

MEETINGS = TableSpec(
    name="meetings", sheet="Meetings", title="Meetings",
    columns=(
        Column("report_dates", "Date(s)", ValueKind.DERIVED, width=11, grid=False, sheet=False, printed=True, sort_key="start_date", getter=lambda m: report_date_notation(m.start_date, m.end_date)),
        Column("dates", "Dates", ValueKind.DERIVED, width=23, sheet=False, sort_key="start_date", getter=lambda m: format_date_range(m.start_date, m.end_date)),
        Column("title", "Title", required=True, width=60, synonyms=("Event", "Event(s)", "Meeting", "Name", "Topic / Theme(s)", "Topic", "Theme"), printed=True),
        Column("kind", "Kind", ValueKind.CHOICE, MeetingKind, width=16, synonyms=("Type",)),
        Column("start_date", "Start date", ValueKind.DATE, required=True, width=12, grid=False, synonyms=("Start", "From", "Date", "Date(s)")),
        Column("end_date", "End date", ValueKind.DATE, width=12, grid=False, synonyms=("End", "To", "Until")),
        Column("mode", "Mode", ValueKind.CHOICE, MeetingMode, width=9, synonyms=("Format", "Online/onsite", "Online/Offline", "Online or onsite", "Online or offline")),
        Column("location", "Location", width=20, synonyms=("Place", "Venue", "City")),
        Column("organizers", "Organizers", ValueKind.LIST, width=40, sort_key=None, getter=_organizer_names, synonyms=("Organizer", "Organisers", "Main Organizer(s)", "Lead Organizer(s)", "Organizer(s)", "Organiser(s)", "Host(s)", "Host", "Co-organizer(s)", "Co-organizers", "Co-organizer", "Co-organiser(s)"), printed=True),
        Column("participants_count", "Participants", ValueKind.INTEGER, width=12, synonyms=("Number of participants", "No. of participants", "Participants (number)", "Attendees")),
        Column("countries_count", "Countries", ValueKind.INTEGER, width=10, synonyms=("Number of countries", "No. of countries", "Countries (number)")),
        Column("notes", "Notes", ValueKind.LONG_TEXT, width=40, grid=False, sort_key=None, synonyms=("Remarks", "Comments")),
    ),
)

BOARD_MEETINGS = TableSpec(
    name="board-meetings", sheet="Board meetings", title="Governing Board meetings",
    columns=(
        Column("number", "Number", ValueKind.INTEGER, required=True, width=8, synonyms=("Board meeting", "GB meeting", "No", "No.")),
        Column("date", "Date", ValueKind.DATE, required=True, width=12, synonyms=("Held on", "Meeting date")),
        Column("mode", "Mode", ValueKind.CHOICE, MeetingMode, width=9, synonyms=("Format",)),
        Column("location", "Location", width=20, synonyms=("Place", "Venue")),
        Column("notes", "Notes", ValueKind.LONG_TEXT, width=50, synonyms=("Remarks",)),
    ),
)

DECISIONS = TableSpec(
    name="decisions", sheet="Decisions", title="Decision register",
    columns=(
        Column("board_meeting", "Board meeting", ValueKind.INTEGER, required=True, width=10, getter=lambda d: d.board_meeting.number, synonyms=("GB meeting", "Meeting", "Board"), printed=True),
        Column("number", "Number", ValueKind.INTEGER, width=8, synonyms=("No", "No.", "#", "Decision number"), printed=True),
        Column("text", "Decision", ValueKind.LONG_TEXT, required=True, width=70, sort_key=None, synonyms=("Text", "Decision text", "Resolution"), printed=True),
        Column("category", "Category", width=14, synonyms=("Area", "Topic")),
        Column("status", "Status", ValueKind.CHOICE, DecisionStatus, width=12, printed=True),
        Column("owner", "Owner", width=18, synonyms=("Responsible", "Follow-up by", "Who"), printed=True),
        Column("due_date", "Due", ValueKind.DATE, width=12, synonyms=("Due date", "Deadline", "By"), printed=True),
        Column("follow_up", "Follow-up", ValueKind.LONG_TEXT, width=30, grid=False, sort_key=None, synonyms=("Follow-up notes", "Progress")),
        Column("organizations", "Organizations", ValueKind.LIST, width=40, grid=False, sort_key=None, getter=_organization_names, synonyms=("Concerns", "Organizations concerned")),
    ),
)

FUNDS = TableSpec(
    name="funds", sheet="Funds", title="Funds",
    columns=(
        Column("name", "Name", required=True, width=28, synonyms=("Fund",)),
        Column("currency", "Currency", required=True, width=9, synonyms=("Cur", "Ccy")),
        Column("initial_capital", "Initial capital", ValueKind.MONEY, required=True, width=18, synonyms=("Capital",)),
        Column("established_on", "Established", ValueKind.DATE, width=12, synonyms=("Since", "Created")),
        Column("partner", "Partner", width=40, getter=lambda f: f.partner.name if f.partner else None, synonyms=("In collaboration with", "Partner organization")),
        Column("notes", "Notes", ValueKind.LONG_TEXT, width=50, synonyms=("Remarks",)),
    ),
)

FINANCES = TableSpec(
    name="finances", sheet="Finances", title="Finances",
    columns=(
        Column("fiscal_year", "Year", ValueKind.INTEGER, required=True, width=7, synonyms=("Fiscal year", "FY")),
        Column("category", "Category", required=True, width=26, synonyms=("Budget line", "Item")),
        Column("kind", "Kind", ValueKind.CHOICE, FinanceKind, required=True, width=12, synonyms=("Type",)),
        Column("amount", "Amount", ValueKind.MONEY, required=True, width=16, synonyms=("Sum", "Value")),
        Column("currency", "Currency", width=9, synonyms=("Cur", "Ccy")),
        Column("funding_source", "Funding source", width=22, synonyms=("Source", "Funded by")),
        Column("entry_date", "Date", ValueKind.DATE, width=12, synonyms=("Entry date", "Booked on")),
        Column("description", "Description", ValueKind.LONG_TEXT, width=50, synonyms=("Details", "Notes")),
        Column("fund", "Fund", width=20, grid=False, sort_key=None, getter=lambda e: e.fund.name if e.fund else None, synonyms=("Charged to",)),
    ),
)

# A year's budget against actual, one line per category and currency (lines and totals alike).
BUDGET_SUMMARY = TableSpec(
    name="budget-summary", sheet="Budget summary", title="Budget against actual",
    columns=(
        Column("category", "Category", width=30, printed=True, getter=lambda line: getattr(line, "category", None) or f"Total {line.currency}"),
        Column("currency", "Currency", width=9, printed=True),
        Column("budget", "Budget", ValueKind.MONEY, width=16, printed=True),
        Column("actual", "Actual", ValueKind.MONEY, width=16, printed=True),
        Column("variance", "Variance", ValueKind.MONEY, width=16, printed=True),
        Column("percent_used", "% used", ValueKind.PERCENT, width=9, printed=True),
    ),
)

EXCHANGE_RATES = TableSpec(
    name="exchange-rates", sheet="Exchange rates", title="Exchange rates",
    columns=(
        Column("fiscal_year", "Year", ValueKind.INTEGER, required=True, width=7, synonyms=("Fiscal year", "FY")),
        Column("currency", "Currency", required=True, width=9, synonyms=("From", "From currency")),
        Column("to_currency", "To currency", required=True, width=11, synonyms=("To", "Into")),
        Column("rate", "Rate", ValueKind.RATE, required=True, width=14, synonyms=("Exchange rate",)),
        Column("note", "Note", ValueKind.LONG_TEXT, width=40, sort_key=None, synonyms=("Notes", "Source")),
    ),
)

BUDGET_PLANS = TableSpec(
    name="budget-plans", sheet="Budget plans", title="Budget plans",
    columns=(
        Column("fiscal_year", "Year", ValueKind.INTEGER, required=True, width=7, synonyms=("Fiscal year", "FY")),
        Column("revision", "Revision", ValueKind.INTEGER, required=True, width=9, synonyms=("Rev", "Rev.")),
        Column("status", "Status", ValueKind.CHOICE, BudgetPlanStatus, width=10),
        Column("based_on", "Based on", width=24, synonyms=("Source",)),
        Column("approved_on", "Approved on", ValueKind.DATE, width=12, synonyms=("Approved", "Approval date")),
        Column("notes", "Notes", ValueKind.LONG_TEXT, width=40, sort_key=None, synonyms=("Remarks",)),
    ),
)

BUDGET_PLAN_LINES = TableSpec(
    name="budget-plan-lines", sheet="Budget plan lines", title="Budget plan lines",
    columns=(
        Column("fiscal_year", "Year", ValueKind.INTEGER, required=True, width=7, sort_key=None, getter=lambda line: line.plan.fiscal_year, synonyms=("Fiscal year", "FY")),
        Column("revision", "Revision", ValueKind.INTEGER, required=True, width=9, sort_key=None, getter=lambda line: line.plan.revision, synonyms=("Rev", "Rev.")),
        Column("category", "Category", required=True, width=26, synonyms=("Budget line", "Item")),
        Column("currency", "Currency", width=9, synonyms=("Cur", "Ccy")),
        Column("amount", "Amount", ValueKind.MONEY, required=True, width=16, synonyms=("Sum", "Value")),
        Column("note", "Note", ValueKind.LONG_TEXT, width=40, sort_key=None, synonyms=("Notes", "Remarks")),
    ),
)
# fmt: on

#: Every table, in the order a whole-database workbook lists them (and imports them: each sheet
#: after the ones it refers to).
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        MEMBERS,
        CONTACTS,
        ALIASES,
        MEETINGS,
        BOARD_MEETINGS,
        DECISIONS,
        FUNDS,
        FINANCES,
        EXCHANGE_RATES,
        BUDGET_PLANS,
        BUDGET_PLAN_LINES,
    )
}
