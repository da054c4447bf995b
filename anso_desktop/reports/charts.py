"""Qt Charts from chart data: one builder for the Finances tab, the PNG a user saves and the
printed finance summary, so all three show the same chart.

Needs a QApplication (charts are graphics widgets); the command line starts one offscreen.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene

from anso_desktop.reports.chart_data import BarChartData, ChartData, LineChartData

#: Budget in slate blue, actual in amber: told apart in colour and in grey print alike.
SERIES_COLOURS = (QColor("#4a6fa5"), QColor("#e0a030"), QColor("#5b8c5a"))
#: The size a chart is laid out at (screen pixels) before it is scaled onto paper or an image.
LAYOUT_SIZE = QSizeF(900, 520)


def _scale(values: list[Decimal]) -> tuple[Decimal, str]:
    """Plot in millions or thousands when amounts are large, so axis labels stay short."""
    largest = max((abs(v) for v in values), default=Decimal(0))
    if largest >= 10_000_000:
        return Decimal(1_000_000), " million"
    if largest >= 10_000:
        return Decimal(1_000), " thousand"
    return Decimal(1), ""


def build_chart(data: ChartData) -> QChart:
    chart = QChart()
    chart.setTitle(data.title)
    title_font = QFont(chart.titleFont())
    title_font.setPointSizeF(11)
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    if isinstance(data, BarChartData):
        _fill_bars(chart, data)
    else:
        _fill_line(chart, data)
    return chart


def _fill_bars(chart: QChart, data: BarChartData) -> None:
    divisor, unit = _scale([v for series in data.series for v in series.values])
    bars = QHorizontalBarSeries()
    # Horizontal bars are drawn bottom up: categories and series reversed, they read top down
    # like the summary table (budget above actual), and the legend is turned back to match.
    for index, series in reversed(list(enumerate(data.series))):
        bar_set = QBarSet(series.name)
        # Charts plot floats: fine for drawing; every figure a person reads stays Decimal.
        bar_set.append([float(value / divisor) for value in reversed(series.values)])
        bar_set.setColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
        bar_set.setBorderColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
        bars.append(bar_set)
    chart.legend().setReverseMarkers(True)
    bars.setBarWidth(0.8)
    chart.addSeries(bars)
    categories = QBarCategoryAxis()
    categories.setTruncateLabels(False)  # a category's name is what the bar means
    categories.append(list(reversed(data.categories)))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(categories)
    amounts = QValueAxis()
    amounts.setLabelFormat("%.0f" if divisor > 1 else "%.2f")
    amounts.setTitleText(f"{data.currency}{unit}")
    largest = max((float(v / divisor) for series in data.series for v in series.values), default=0)
    amounts.setRange(0, largest * 1.05 or 1.0)  # the longest bar short of the edge
    chart.addAxis(amounts, Qt.AlignmentFlag.AlignBottom)
    bars.attachAxis(amounts)
    amounts.applyNiceNumbers()
    chart.legend().setVisible(len(data.series) > 1)


def _fill_line(chart: QChart, data: LineChartData) -> None:
    divisor, unit = _scale([balance for _on, balance in data.points])
    line = QLineSeries()
    line.setName("Balance")
    pen = QPen(SERIES_COLOURS[0])
    pen.setWidthF(2.5)
    line.setPen(pen)
    # A balance moves in steps: level until the next change, then straight up or down.
    previous: float | None = None
    for on, balance in data.points:
        moment = float(QDateTime(datetime.combine(on, time(12))).toMSecsSinceEpoch())
        if previous is not None:
            line.append(moment, previous)
        previous = float(balance / divisor)
        line.append(moment, previous)
    chart.addSeries(line)
    dates = QDateTimeAxis()
    dates.setFormat("MMM yyyy")
    dates.setTickCount(min(max(len(data.points), 2), 6))
    chart.addAxis(dates, Qt.AlignmentFlag.AlignBottom)
    line.attachAxis(dates)
    amounts = QValueAxis()
    amounts.setLabelFormat("%.1f" if unit else "%.0f")
    amounts.setTitleText(f"{data.currency}{unit}")
    balances = [float(balance / divisor) for _on, balance in data.points]
    # From zero (an overdrawn fund shows below it) to a little over the highest balance.
    amounts.setRange(min(0.0, min(balances)), max(balances) * 1.05 or 1.0)
    chart.addAxis(amounts, Qt.AlignmentFlag.AlignLeft)
    line.attachAxis(amounts)
    amounts.applyNiceNumbers()
    chart.legend().setVisible(False)


def paint_chart(painter: QPainter, target: QRectF, data: ChartData) -> None:
    """Draw the chart into `target` of any painter (a PDF page, a printer, an image)."""
    scene = QGraphicsScene()
    chart = build_chart(data)
    scene.addItem(chart)
    size = QSizeF(LAYOUT_SIZE.width(), LAYOUT_SIZE.width() * target.height() / target.width())
    chart.resize(size)
    scene.setSceneRect(QRectF(0, 0, size.width(), size.height()))
    scene.render(painter, target, scene.sceneRect())


def chart_image(data: ChartData, width: int = 1800) -> QImage:
    """The chart as a picture (Save as PNG…), drawn at twice the screen size for a sharp print."""
    height = round(width * LAYOUT_SIZE.height() / LAYOUT_SIZE.width())
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_chart(painter, QRectF(0, 0, width, height), data)
    painter.end()
    return image
