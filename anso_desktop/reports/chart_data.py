"""The figures behind the finance charts, as plain data: the Finances tab draws them on screen,
the printed finance summary on paper, and tests read their values without a chart in sight.

Amounts stay Decimal here; only the drawing turns them into the floats a chart plots with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from anso_desktop.services.finances import BudgetSummary


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class BarChartData:
    """Bars per category, one set of bars per series (budget and actual side by side)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    #: The currency every value is in (a chart never mixes two).
    currency: str

    @property
    def empty(self) -> bool:
        return not self.categories


@dataclass(frozen=True)
class LineChartData:
    """A balance over time: one point per change."""

    title: str
    points: tuple[tuple[date, Decimal], ...]
    currency: str

    @property
    def empty(self) -> bool:
        """A balance over time needs two moments at least."""
        return len(self.points) < 2


ChartData = BarChartData | LineChartData


def expenditure_by_category(summary: BudgetSummary, currency: str) -> BarChartData:
    """What was spent on each category in one year and currency (categories with spending)."""
    lines = [line for line in summary.lines_in(currency) if line.actual > 0]
    return BarChartData(
        title=f"{summary.year} expenditure by category ({currency})",
        categories=tuple(line.category for line in lines),
        series=(ChartSeries("Expenditure", tuple(line.actual for line in lines)),),
        currency=currency,
    )


def budget_against_actual(summary: BudgetSummary, currency: str) -> BarChartData:
    """Budget and actual side by side for each category of one year and currency."""
    lines = summary.lines_in(currency)
    return BarChartData(
        title=f"{summary.year} budget against actual ({currency})",
        categories=tuple(line.category for line in lines),
        series=(
            ChartSeries("Budget", tuple(line.budget for line in lines)),
            ChartSeries("Actual", tuple(line.actual for line in lines)),
        ),
        currency=currency,
    )


def fund_balance(name: str, currency: str, history: Sequence[Any]) -> LineChartData:
    """A fund's balance after each change (`history`: points with `on` and `balance`). The
    capital of a fund with no establishment date starts the line on 1 January of its first
    dated change's year."""
    dated = [point.on for point in history if point.on is not None]
    start = date(min(dated).year, 1, 1) if dated else None
    points = tuple(
        (point.on or start, point.balance)
        for point in history
        if point.on is not None or start is not None
    )
    return LineChartData(
        title=f"{name}: balance over time ({currency})",
        points=points,  # type: ignore[arg-type]
        currency=currency,
    )
