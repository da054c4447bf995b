"""What a printed list holds, before any page exists: title, filter summary, columns, groups of
rows as text, and totals.

Plain Python (no Qt), built from the column specs through the services, so the command line, the
print preview and the benchmarks print exactly the same document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, auto
from typing import Any

from anso_desktop.countries import country_code, country_name
from anso_desktop.domain import (
    DecisionStatus,
    LabelledEnum,
    MeetingKind,
    MeetingMode,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.errors import UserError
from anso_desktop.reports.chart_data import (
    ChartData,
    budget_against_actual,
    expenditure_by_category,
    fund_balance,
)
from anso_desktop.services import Services
from anso_desktop.services.base import ListQuery
from anso_desktop.services.decisions import ordinal
from anso_desktop.services.finances import BudgetLine, BudgetTotal, currency_code
from anso_desktop.services.register_as_at import day_label, register_as_at
from anso_desktop.tables.formatting import format_date
from anso_desktop.tables.specs import (
    BUDGET_SUMMARY,
    DECISIONS,
    MEETINGS,
    MEMBERS,
    Column,
    TableSpec,
)

ORGANIZATION_NAME = "Alliance of International Science Organizations (ANSO)"

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class RowStyle(Enum):
    NORMAL = auto()
    #: A total line: bold, on a tinted band.
    TOTAL = auto()
    #: A line that needs attention (over budget): printed in red.
    FLAGGED = auto()


@dataclass(frozen=True)
class PrintColumn:
    header: str
    #: Relative width (the spec's typical width in characters).
    weight: int
    numeric: bool = False


@dataclass(frozen=True)
class PrintRow:
    cells: tuple[str, ...]
    style: RowStyle = RowStyle.NORMAL


@dataclass
class PrintGroup:
    """Rows under one heading ("China — 12 organizations"); a list without grouping has one group
    with no heading."""

    heading: str | None
    rows: list[PrintRow] = field(default_factory=list)


@dataclass
class PrintedList:
    title: str
    #: What the list is limited to ("Status: Active · Country: China"), or "All organizations".
    filter_summary: str
    columns: tuple[PrintColumn, ...]
    groups: list[PrintGroup]
    #: A closing line under the table ("79 organizations").
    closing: str = ""
    printed_on: date = field(default_factory=date.today)
    #: How many records the list shows (its total lines are not records).
    record_count: int = 0
    #: Charts printed after the table (the finance summary's), each on its own band.
    charts: tuple[ChartData, ...] = ()


@dataclass(frozen=True)
class Grouping:
    """One way to group a list: the value of each record, its order among groups, and its
    heading."""

    key: str
    label: str
    value: Callable[[Any], Any]
    heading: Callable[[Any], str]
    order: Callable[[Any], Any]
    #: The column the headings make redundant (every row of a group would repeat it).
    column: str | None = None


@dataclass(frozen=True)
class PrintRequest:
    """What to print: the list, the rows (search, filters, sort) and how to lay them out."""

    table: str
    search: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: str | None = None
    descending: bool = False
    group_by: str | None = None
    #: Column keys in print order; None: the spec's printed columns.
    columns: tuple[str, ...] | None = None
    #: The finance summary's charts after its table (budget against actual, expenditure).
    with_charts: bool = True
    #: The member list as it stood on this day (from the history); None: as it is now.
    as_at: date | None = None


def _enum_grouping(key: str, label: str, enum: type[LabelledEnum]) -> Grouping:
    order = {member: position for position, member in enumerate(enum)}
    return Grouping(
        key,
        label,
        value=lambda record: getattr(record, key),
        heading=lambda value: value.label if value is not None else f"No {label.lower()}",
        order=lambda value: order.get(value, len(order)),
        column=key,
    )


def _country_heading(code: str | None) -> str:
    return country_name(code) if code else "No country"


def _month_heading(month: tuple[int, int]) -> str:
    return f"{_MONTH_NAMES[month[1] - 1]} {month[0]}"


def _board_meeting_heading(board_meeting: Any) -> str:
    return f"{ordinal(board_meeting.number)} Governing Board meeting, {format_date(board_meeting.date)}"


@dataclass(frozen=True)
class PrintableList:
    """A list that can be printed, declared once: its spec, its title, what one row is called,
    how it can be grouped and which filters a person may type for it."""

    spec: TableSpec
    title: str
    noun: str
    nouns: str
    #: The filter summary when nothing is filtered.
    everything: str
    #: Groupings by the name the command line's --group-by takes.
    groupings: dict[str, Grouping]
    #: Filters taken from the command line, by option name.
    text_filters: tuple[str, ...]
    #: Filters whose value is one of an enum's members (labels are accepted).
    filter_enums: dict[str, type[LabelledEnum]]


LISTS: dict[str, PrintableList] = {
    "members": PrintableList(
        MEMBERS,
        "Member organizations",
        "organization",
        "organizations",
        "All organizations",
        groupings={
            "country": Grouping(
                "country",
                "Country",
                value=lambda record: record.country,
                heading=_country_heading,
                order=lambda code: (code is None, _country_heading(code).casefold()),
                column="country",
            ),
            "status": _enum_grouping("status", "Status", MemberStatus),
            "kind": _enum_grouping("kind", "Kind", OrganizationKind),
        },
        text_filters=("status", "country", "kind", "relation"),
        filter_enums={"status": MemberStatus, "kind": OrganizationKind, "relation": Relation},
    ),
    "meetings": PrintableList(
        MEETINGS,
        "List of ANSO meetings",
        "meeting",
        "meetings",
        "All meetings",
        groupings={
            "month": Grouping(
                "month",
                "Month",
                value=lambda record: (record.start_date.year, record.start_date.month),
                heading=_month_heading,
                order=lambda month: month,
            ),
            "kind": _enum_grouping("kind", "Kind", MeetingKind),
        },
        text_filters=("year", "kind", "mode"),
        filter_enums={"kind": MeetingKind, "mode": MeetingMode},
    ),
    "decisions": PrintableList(
        DECISIONS,
        "Decision register",
        "decision",
        "decisions",
        "All decisions",
        groupings={
            "board-meeting": Grouping(
                "board-meeting",
                "Board meeting",
                value=lambda record: record.board_meeting,
                heading=_board_meeting_heading,
                order=lambda board_meeting: board_meeting.number,
                column="board_meeting",
            ),
            "status": _enum_grouping("status", "Status", DecisionStatus),
        },
        text_filters=("board_meeting", "status", "owner", "open"),
        filter_enums={"status": DecisionStatus},
    ),
    # The finance summary: lines of budget against actual, grouped by year and currency itself.
    "finances": PrintableList(
        BUDGET_SUMMARY,
        "Budget against actual",
        "category",
        "categories",
        "All years and currencies",
        groupings={},
        text_filters=("year", "currency", "convert_to"),
        filter_enums={},
    ),
}


def count_of(table: str, count: int) -> str:
    printable = LISTS[table]
    return f"{count:,} {printable.noun if count == 1 else printable.nouns}"


def printable_columns(table: str) -> tuple[Column, ...]:
    """The columns a user may choose from for this list, in spec order."""
    spec = LISTS[table].spec
    return tuple(column for column in spec.columns if column.grid or column.printed)


def default_columns(table: str) -> tuple[str, ...]:
    return tuple(column.key for column in LISTS[table].spec.printed_columns)


def _chosen_columns(request: PrintRequest) -> tuple[Column, ...]:
    spec = LISTS[request.table].spec
    keys = list(dict.fromkeys(request.columns or default_columns(request.table)))
    known = {column.key: column for column in printable_columns(request.table)}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise UserError(
            f"The {request.table} list has no column {', '.join(repr(k) for k in unknown)}; "
            f"choose from {', '.join(known)}."
        )
    grouping = _grouping(request)
    if grouping is not None and grouping.column in keys and len(keys) > 1:
        keys.remove(grouping.column)  # the group's heading says it once for all its rows
    # The report's "4.21-23" leaves out the year: where the list spans years and no heading
    # names the month, the full dates say which year.
    if spec is MEETINGS and not _one_year(request) and "report_dates" in keys:
        at = keys.index("report_dates")
        keys[at] = "dates"
        keys = list(dict.fromkeys(keys))
    return tuple(known[key] for key in keys)


def _one_year(request: PrintRequest) -> bool:
    return request.filters.get("year") not in (None, "") or request.group_by == "month"


def _grouping(request: PrintRequest) -> Grouping | None:
    if not request.group_by:
        return None
    offered = LISTS[request.table].groupings
    if request.group_by not in offered:
        choices = ", ".join(offered) or "none"
        raise UserError(
            f"The {request.table} list cannot be grouped by '{request.group_by}'; "
            f"choose from: {choices}."
        )
    return offered[request.group_by]


def build_list(
    services: Services,
    request: PrintRequest,
    progress: Callable[[int], None] | None = None,
) -> PrintedList:
    """The printed form of a list under `request`: every matching record, in groups."""
    if request.table == "finances":
        return build_finance_summary(services, request)
    columns = _chosen_columns(request)
    grouping = _grouping(request)
    query = ListQuery(
        search=request.search,
        filters=dict(request.filters),
        sort=request.sort,
        descending=request.descending,
    )
    groups: dict[Any, PrintGroup] = {}
    order: dict[Any, Any] = {}
    records: Iterable[Any] = services.for_table(request.table).iterate(query)
    as_at = None
    if request.as_at is not None and request.table == "members":
        as_at = register_as_at(services.database, request.as_at, query)
        records = as_at.records
    for count, record in enumerate(records, start=1):
        cells = tuple(column.display(column.value(record)) for column in columns)
        value = grouping.value(record) if grouping is not None else None
        # Board meetings come back as objects: group on their number, head with the object.
        group_key = getattr(value, "id", value)
        group = groups.get(group_key)
        if group is None:
            heading = grouping.heading(value) if grouping is not None else None
            group = groups[group_key] = PrintGroup(heading)
            order[group_key] = grouping.order(value) if grouping is not None else 0
        group.rows.append(PrintRow(cells))
        if progress is not None and count % 500 == 0:
            progress(count)
    ordered = sorted(groups, key=lambda key: order[key])
    result = [groups[key] for key in ordered]
    if grouping is not None:
        for group in result:
            group.heading = f"{group.heading} — {count_of(request.table, len(group.rows))}"
    total = sum(len(group.rows) for group in result)
    closing = count_of(request.table, total)
    if total == 0:
        filtered = request.search.strip() or any(
            value not in (None, "", False) for value in request.filters.values()
        )
        plural = LISTS[request.table].nouns
        closing = f"No {plural} match the filters above." if filtered else f"No {plural} yet."
    if grouping is not None:
        closing += f" in {len(result):,} group{'s' if len(result) != 1 else ''}"
    summary = describe_filters(services, request)
    if as_at is not None and as_at.note():
        summary = f"{summary}\n{as_at.note()}" if summary else as_at.note()
    if request.columns is None:
        columns = _without_empty_columns(columns, result)
    return PrintedList(
        title=_title(request),
        filter_summary=summary,
        columns=tuple(PrintColumn(c.header, c.width, c.numeric) for c in columns),
        groups=result or [PrintGroup(None)],
        closing=closing,
        record_count=total,
    )


def _without_empty_columns(
    columns: tuple[Column, ...], groups: list[PrintGroup]
) -> tuple[Column, ...]:
    """The default columns less those empty on every row (a "Joined" no member has yet): they
    would only take room from the others. The groups' rows lose those cells too. A list with
    no rows keeps its headers."""
    rows = [row for group in groups for row in group.rows]
    kept = [i for i in range(len(columns)) if any(row.cells[i] for row in rows)]
    if not rows or not kept or len(kept) == len(columns):
        return columns
    for group in groups:
        group.rows = [PrintRow(tuple(row.cells[i] for i in kept), row.style) for row in group.rows]
    return tuple(columns[i] for i in kept)


def _title(request: PrintRequest) -> str:
    title = LISTS[request.table].title
    if request.as_at is not None and request.table == "members":
        return f"{title} as at {day_label(request.as_at)}"
    year = request.filters.get("year")
    if year not in (None, ""):
        title = f"{title} {year}"
    if request.group_by:
        label = LISTS[request.table].groupings[request.group_by].label.lower()
        title = f"{title}, by {label}"
    return title


def build_finance_summary(services: Services, request: PrintRequest) -> PrintedList:
    """Budget, actual and variance per category, one group per year and currency with its total;
    currencies are never added together."""
    _grouping(request)  # the summary has its own groups: any other grouping is refused
    if request.search.strip() or request.sort:
        raise UserError(
            "The finance summary has no search or sort of its own: choose a year and a currency."
        )
    year = request.filters.get("year")
    years = [int(year)] if year not in (None, "") else sorted(services.finances.years())
    columns = _chosen_columns(request)
    currency_filter = request.filters.get("currency") or None
    groups: list[PrintGroup] = []
    charts: list[ChartData] = []
    over_budget = 0
    categories = 0
    convert_to = request.filters.get("convert_to") or None
    rates: list[str] = []
    for fiscal_year in years:
        summary = services.finances.budget_vs_actual(fiscal_year, convert_to=convert_to)
        rates += [rate.label for rate in summary.rates]
        for currency in summary.currencies:
            if currency_filter is not None and currency != currency_filter:
                continue
            lines: Sequence[BudgetLine | BudgetTotal] = summary.lines_in(currency)
            group = PrintGroup(f"{fiscal_year} — {currency} — {count_of('finances', len(lines))}")
            for line in lines:
                categories += 1
                over_budget += line.over_budget
                group.rows.append(_summary_row(columns, line))
            total = summary.total_in(currency)
            if total is not None:
                group.rows.append(_summary_row(columns, total))
            groups.append(group)
            if request.with_charts:
                charts.append(budget_against_actual(summary, currency))
                spent = expenditure_by_category(summary, currency)
                if not spent.empty:
                    charts.append(spent)
    if request.with_charts:
        until = date(int(year), 12, 31) if year not in (None, "") else None
        charts += _fund_charts(services, currency_filter, until)
    closing = "No budget or expenditure recorded." if not groups else ""
    if over_budget:
        closing = f"{over_budget} categor{'y' if over_budget == 1 else 'ies'} over budget (in red)."
    elif groups:
        closing = "No category is over budget."
    if rates:
        closing += " Converted at " + "; ".join(rates) + "."
    return PrintedList(
        title=_title(request),
        filter_summary=describe_filters(services, request),
        columns=tuple(PrintColumn(c.header, c.width, c.numeric) for c in columns),
        groups=groups or [PrintGroup(None)],
        closing=closing,
        record_count=categories,
        charts=tuple(charts),
    )


def _fund_charts(services: Services, currency: str | None, until: date | None) -> list[ChartData]:
    """Each fund's balance over time (in the fund's own currency, to the end of the year
    printed), after the year's charts."""
    charts: list[ChartData] = []
    for fund in services.funds.balances(until=until):
        if currency in (None, fund.currency):
            history = services.funds.balance_history(fund.fund_id, until=until)
            chart = fund_balance(fund.name, fund.currency, history)
            if not chart.empty:
                charts.append(chart)
    return charts


def _summary_row(columns: Sequence[Column], line: BudgetLine | BudgetTotal) -> PrintRow:
    style = RowStyle.NORMAL
    if isinstance(line, BudgetTotal):
        style = RowStyle.TOTAL
    elif line.over_budget:
        style = RowStyle.FLAGGED
    return PrintRow(tuple(c.display(c.value(line)) for c in columns), style)


# --- the filter summary under the title ----------------------------------------------------------

_FILTER_LABELS = {
    "status": "Status",
    "country": "Country",
    "kind": "Kind",
    "relation": "Relation",
    "year": "Year",
    "mode": "Mode",
    "upcoming": "Upcoming only",
    "board_meeting_id": "Board meeting",
    "open": "Open only",
    "overdue": "Overdue only",
    "owner": "Owner",
    "category": "Category",
    "currency": "Currency",
    "convert_to": "All amounts in",
}


def describe_filters(services: Services, request: PrintRequest) -> str:
    """ "Status: Active · Country: China · Search: "astro"" — or "All organizations"."""
    parts: list[str] = []
    for name, value in request.filters.items():
        if value in (None, "", False):
            continue
        label = _FILTER_LABELS.get(name, name.replace("_", " ").capitalize())
        enum = LISTS[request.table].filter_enums.get(name)
        if enum is not None:
            text = enum(value).label
        elif name == "country":
            text = country_name(value)
        elif name == "board_meeting_id":
            text = _board_meeting_heading(services.board_meetings.get(int(value)))
        elif isinstance(value, bool) or name in ("upcoming", "overdue"):
            parts.append(label)
            continue
        else:
            text = str(value)
        parts.append(f"{label}: {text}")
    if request.search.strip():
        parts.append(f'Search: "{request.search.strip()}"')
    return " · ".join(parts) if parts else LISTS[request.table].everything


# --- filters given as text (the command line) ---------------------------------------------------


def filters_from_text(services: Services, table: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Turn filters typed by a person ("Active", "South Korea", "4") into the values the
    services filter on; a value that names nothing is refused with a message saying so."""
    filters: dict[str, Any] = {}
    for name, value in given.items():
        if value in (None, False, ""):
            continue
        if name not in LISTS[table].text_filters:
            option = "--" + name.replace("_", "-")
            raise UserError(f"The {table} list has no {option} filter.")
        enum = LISTS[table].filter_enums.get(name)
        try:
            if enum is not None:
                filters[name] = enum.from_text(str(value)).value
            elif name == "country":
                filters[name] = country_code(str(value))
            elif name == "board_meeting":
                filters["board_meeting_id"] = _board_meeting_id(services, value)
            elif name == "year":
                filters[name] = _year(value)
            elif name in ("currency", "convert_to"):
                filters[name] = currency_code(str(value))
            else:
                filters[name] = value
        except ValueError as error:
            raise UserError(f"--{name.replace('_', '-')}: {error}.") from None
    return filters


def _year(value: Any) -> int:
    text = str(value).strip()
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(f"'{text}' is not a year such as 2021")
    return int(text)


def _board_meeting_id(services: Services, number: Any) -> int:
    try:
        wanted = int(number)
    except ValueError:
        raise ValueError(f"'{number}' is not a board meeting number") from None
    board_meeting = services.board_meetings.by_number(wanted)
    if board_meeting is None:
        raise ValueError(f"there is no {ordinal(wanted)} Governing Board meeting")
    return board_meeting.id


def sort_key(table: str, column_key: str) -> str:
    """The service's sort key for a column a person named; refused when it cannot sort."""
    sortable = {column.key: column.sort for column in printable_columns(table) if column.sort}
    if table == "finances" or column_key not in sortable:
        choices = ", ".join(sortable) if table != "finances" else "none (it keeps its own order)"
        raise UserError(
            f"The {table} list cannot be sorted by '{column_key}'; choose from {choices}."
        )
    return str(sortable[column_key])
