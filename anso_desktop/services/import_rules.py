"""Every table's import rules, in the order a whole-database workbook is imported (each sheet
after the ones it refers to), and the work done once every sheet is in."""

from __future__ import annotations

from anso_desktop.services.decision_import import BoardMeetingImport, DecisionImport
from anso_desktop.services.finance_import import (
    BudgetPlanImport,
    BudgetPlanLineImport,
    ExchangeRateImport,
    FinanceImport,
    FundImport,
    approve_plans,
)
from anso_desktop.services.importing import ImportSession, LateProblem, TableImport
from anso_desktop.services.meeting_import import MeetingImport
from anso_desktop.services.organization_import import (
    AliasImport,
    ContactImport,
    MemberImport,
    keep_aliases,
    link_endorsements,
)

TABLE_IMPORTS: dict[str, TableImport] = {
    rules.table: rules
    for rules in (
        MemberImport(),
        ContactImport(),
        AliasImport(),
        MeetingImport(),
        BoardMeetingImport(),
        DecisionImport(),
        FundImport(),
        FinanceImport(),
        ExchangeRateImport(),
        BudgetPlanImport(),
        BudgetPlanLineImport(),
    )
}


def finish(context: ImportSession) -> tuple[int, list[LateProblem]]:
    """What is done once every row is in: the names rows were matched under kept as aliases,
    endorsing decisions linked, plans approved. Returns the new aliases and the problems."""
    aliases = keep_aliases(context)
    problems = link_endorsements(context)
    if not problems:
        problems = approve_plans(context)
    return aliases, problems
