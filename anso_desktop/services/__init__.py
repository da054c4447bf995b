"""Use cases per area, with their validation. Plain Python: never imports Qt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anso_desktop.services.budget_plans import BudgetPlanService
from anso_desktop.services.decisions import BoardMeetingService, DecisionService
from anso_desktop.services.exchange_rates import ExchangeRateService
from anso_desktop.services.finances import FinanceEntryService, FundService
from anso_desktop.services.history import HistoryService
from anso_desktop.services.meetings import MeetingService
from anso_desktop.services.merging import MergeService
from anso_desktop.services.organizations import OrganizationService
from anso_desktop.services.undo import UndoService
from anso_desktop.storage.database import Database


@dataclass(frozen=True)
class Services:
    """Every area's service over one database: what the UI and the command line are handed."""

    database: Database
    organizations: OrganizationService
    meetings: MeetingService
    board_meetings: BoardMeetingService
    decisions: DecisionService
    finances: FinanceEntryService
    funds: FundService
    exchange_rates: ExchangeRateService
    budget_plans: BudgetPlanService
    merges: MergeService
    history: HistoryService
    undo: UndoService

    @classmethod
    def over(cls, database: Database) -> Services:
        return cls(
            database=database,
            organizations=OrganizationService(database),
            meetings=MeetingService(database),
            board_meetings=BoardMeetingService(database),
            decisions=DecisionService(database),
            finances=FinanceEntryService(database),
            funds=FundService(database),
            exchange_rates=ExchangeRateService(database),
            budget_plans=BudgetPlanService(database),
            merges=MergeService(database),
            history=HistoryService(database),
            undo=UndoService(database),
        )

    def for_table(self, table: str) -> Any:
        """The service whose records make up a table of the column specs ("members" are the
        organizations). Contacts and budget plan lines belong to their parents' services."""
        return getattr(self, _SERVICE_OF_TABLE[table])


#: Table (as the column specs name it) -> the attribute of `Services` that keeps its records.
_SERVICE_OF_TABLE = {
    "members": "organizations",
    "meetings": "meetings",
    "board-meetings": "board_meetings",
    "decisions": "decisions",
    "funds": "funds",
    "finances": "finances",
    "exchange-rates": "exchange_rates",
    "budget-plans": "budget_plans",
}
