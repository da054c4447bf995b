"""The finance charts are built from the figures: series values, one currency per chart, the
scale of the axis, a PNG that is a picture of them, and their place in the printed summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QHorizontalBarSeries, QLineSeries, QValueAxis
from PySide6.QtGui import QImage

from anso_desktop.domain import FinanceKind
from anso_desktop.reports.chart_data import (
    budget_against_actual,
    expenditure_by_category,
    fund_balance,
)
from anso_desktop.reports.charts import build_chart, chart_image
from anso_desktop.reports.documents import PrintRequest, build_list
from anso_desktop.reports.rendering import write_pdf
from anso_desktop.services import Services
from anso_desktop.services.finances import FinanceEntryData
from tests.pdf_text import page_texts


def add(services: Services, category: str, kind: FinanceKind, amount: str, currency: str) -> None:
    services.finances.create(
        FinanceEntryData(2021, category, kind, Decimal(amount), currency=currency)
    )


def books(services: Services) -> None:
    add(services, "Travel", FinanceKind.BUDGET, "0.10", "CNY")
    add(services, "Travel", FinanceKind.BUDGET, "0.20", "CNY")
    add(services, "Travel", FinanceKind.EXPENDITURE, "0.25", "CNY")
    add(services, "Events", FinanceKind.BUDGET, "100.00", "CNY")
    add(services, "Events", FinanceKind.EXPENDITURE, "0.00", "CNY")
    add(services, "Events", FinanceKind.EXPENDITURE, "40.00", "USD")


def test_chart_data_comes_from_the_summary_one_currency_each(services: Services) -> None:
    books(services)
    summary = services.finances.budget_vs_actual(2021)
    cny = budget_against_actual(summary, "CNY")
    assert cny.categories == ("Events", "Travel")
    assert [(s.name, s.values) for s in cny.series] == [
        ("Budget", (Decimal("100.00"), Decimal("0.30"))),
        ("Actual", (Decimal("0.00"), Decimal("0.25"))),
    ]
    assert cny.title == "2021 budget against actual (CNY)"
    spent = expenditure_by_category(summary, "CNY")
    assert spent.categories == ("Travel",)  # nothing spent on events in CNY
    usd = expenditure_by_category(summary, "USD")
    assert usd.series[0].values == (Decimal("40.00"),) and usd.currency == "USD"


def test_the_qt_chart_plots_those_values(qapp: Any, services: Services) -> None:
    books(services)
    data = budget_against_actual(services.finances.budget_vs_actual(2021), "CNY")
    chart = build_chart(data)
    (series,) = chart.series()
    assert isinstance(series, QHorizontalBarSeries)
    plotted = {
        bar_set.label(): [bar_set.at(i) for i in range(bar_set.count())]
        for bar_set in series.barSets()
    }
    # Drawn bottom up, so the first category of the table is the top bar: values reversed.
    assert plotted == {"Budget": [0.3, 100.0], "Actual": [0.25, 0.0]}
    # Sets too (budget drawn above actual), the legend turned back to read budget first.
    assert [bar_set.label() for bar_set in series.barSets()] == ["Actual", "Budget"]
    assert chart.legend().reverseMarkers()
    categories = next(a for a in chart.axes() if isinstance(a, QBarCategoryAxis))
    assert categories.categories() == ["Travel", "Events"]
    amounts = next(a for a in chart.axes() if isinstance(a, QValueAxis))
    assert amounts.titleText() == "CNY"


def test_large_amounts_are_plotted_in_millions(qapp: Any) -> None:
    class Point:
        def __init__(self, on: date, balance: str) -> None:
            self.on, self.balance = on, Decimal(balance)

    history = [Point(date(2021, 1, 1), "50000000.00"), Point(date(2021, 12, 31), "51250000.00")]
    chart = build_chart(fund_balance("STIC endowment", "CNY", history))
    (line,) = chart.series()
    assert isinstance(line, QLineSeries)
    # In steps: level until the change, then up.
    assert [round(line.at(i).y(), 2) for i in range(line.count())] == [50.0, 50.0, 51.25]
    assert line.at(1).x() == line.at(2).x() > line.at(0).x()
    amounts = next(a for a in chart.axes() if isinstance(a, QValueAxis))
    assert amounts.titleText() == "CNY million"
    assert amounts.min() == 0 and 51.25 < amounts.max() <= 60  # the whole line in view


def test_a_saved_png_is_a_picture_of_the_chart(
    qapp: Any, services: Services, tmp_path: Path
) -> None:
    books(services)
    data = budget_against_actual(services.finances.budget_vs_actual(2021), "CNY")
    path = tmp_path / "chart.png"
    assert chart_image(data).save(str(path), "PNG")
    image = QImage(str(path))
    assert image.width() == 1800 and image.height() > 900
    # Not a blank page: the bars' own colours are in it.
    colours = {image.pixelColor(x, y).name() for x in range(0, 1800, 9) for y in range(0, 1040, 9)}
    assert "#4a6fa5" in colours and "#e0a030" in colours


def test_the_printed_summary_carries_its_charts(
    qapp: Any, services: Services, tmp_path: Path
) -> None:
    books(services)
    document = build_list(services, PrintRequest("finances", filters={"year": 2021}))
    assert [chart.title for chart in document.charts] == [
        "2021 budget against actual (CNY)",
        "2021 expenditure by category (CNY)",
        "2021 budget against actual (USD)",
        "2021 expenditure by category (USD)",
    ]  # no fund here: no balance chart
    path = tmp_path / "summary.pdf"
    write_pdf(document, path)
    text = "\n".join(page_texts(path))
    for chart in document.charts:
        assert chart.title in text
    plain = build_list(
        services, PrintRequest("finances", filters={"year": 2021}, with_charts=False)
    )
    assert plain.charts == ()


def test_the_printed_summary_ends_with_each_funds_balance(
    qapp: Any, services: Services, tmp_path: Path
) -> None:
    from anso_desktop.services.finances import FundData

    fund = services.funds.create(
        FundData("STIC Endowment", "CNY", Decimal("50000000.00"), date(2021, 1, 1))
    )
    services.finances.create(
        FinanceEntryData(
            2021,
            "Investment earnings",
            FinanceKind.INCOME,
            Decimal("1250000.00"),
            "CNY",
            fund_id=fund.id,
            entry_date=date(2021, 12, 1),
        )
    )
    books(services)
    document = build_list(services, PrintRequest("finances", filters={"year": 2021}))
    balance = document.charts[-1]
    assert balance.title == "STIC Endowment: balance over time (CNY)"
    assert balance.points[-1] == (date(2021, 12, 1), Decimal("51250000.00"))
    usd_only = build_list(
        services, PrintRequest("finances", filters={"year": 2021, "currency": "USD"})
    )
    assert not any(chart.title.startswith("STIC") for chart in usd_only.charts)
    path = tmp_path / "summary.pdf"
    write_pdf(document, path)
    assert "STIC Endowment: balance over time (CNY)" in "\n".join(page_texts(path))


def test_an_undated_funds_capital_starts_its_line_on_1_january(qapp: Any) -> None:
    class Point:
        def __init__(self, on: date | None, balance: str) -> None:
            self.on, self.balance = on, Decimal(balance)

    undated = [Point(None, "50000000.00"), Point(date(2021, 12, 31), "52000000.00")]
    data = fund_balance("STIC Endowment", "CNY", undated)
    assert data.points == (
        (date(2021, 1, 1), Decimal("50000000.00")),
        (date(2021, 12, 31), Decimal("52000000.00")),
    )
    assert fund_balance("Empty", "CNY", [Point(None, "100.00")]).empty  # one moment: no line
    overdrawn = [Point(date(2021, 1, 1), "100.00"), Point(date(2021, 6, 1), "-40.00")]
    chart = build_chart(fund_balance("Overdrawn", "CNY", overdrawn))
    amounts = next(a for a in chart.axes() if isinstance(a, QValueAxis))
    assert amounts.min() <= -40
