"""A pane that shows one of several charts, chosen from a list, and saves it as a PNG."""

from __future__ import annotations

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPainter, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from anso_desktop.reports.chart_data import ChartData
from anso_desktop.reports.charts import build_chart, chart_image
from anso_desktop.ui import messages
from anso_desktop.ui.files import ask_save_path

FOLDER_KEY = "charts/folder"


class ChartPane(QWidget):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.charts: list[ChartData] = []
        self.chooser = QComboBox()
        self.chooser.setMinimumContentsLength(40)
        self.chooser.currentIndexChanged.connect(self._show_current)
        self.save_button = QPushButton("Save as &PNG…")
        self.save_button.setToolTip("Save the chart shown as a picture (for a report or a slide)")
        self.save_button.clicked.connect(self.save_png)
        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(240)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #616161; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Chart:"))
        bar.addWidget(self.chooser, 1)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self._stale = False
        self.set_charts([], "No figures to chart yet.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._show_current()

    def set_charts(self, charts: list[ChartData], empty_text: str = "") -> None:
        """Offer `charts`, keeping the same kind of chart chosen when the figures change."""
        previous = self.chooser.currentText().split(" (")[0].split(" ", 1)[-1]
        self.charts = [chart for chart in charts if not chart.empty]
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for chart in self.charts:
            self.chooser.addItem(chart.title)
        same_kind = next(
            (i for i, chart in enumerate(self.charts) if previous and previous in chart.title), 0
        )
        self.chooser.setCurrentIndex(same_kind if self.charts else -1)
        self.chooser.blockSignals(False)
        self.empty.setText(empty_text or "No figures to chart for the current filters.")
        self._show_current()

    def current_chart(self) -> ChartData | None:
        index = self.chooser.currentIndex()
        return self.charts[index] if 0 <= index < len(self.charts) else None

    def _show_current(self) -> None:
        chart = self.current_chart()
        self.save_button.setEnabled(chart is not None)
        self.chooser.setEnabled(bool(self.charts))
        if chart is None:
            self.stack.setCurrentWidget(self.empty)
            return
        if not self.isVisible():
            self._stale = True  # drawn when the pane is shown: charts cost time to build
            return
        self._stale = False
        old = self.view.chart()
        self.view.setChart(build_chart(chart))
        if old is not None:
            old.deleteLater()
        self.stack.setCurrentWidget(self.view)

    def save_png(self) -> None:
        chart = self.current_chart()
        if chart is None:
            return
        name = f"{chart.title.split(' (')[0]}.png".replace("/", "-").replace(":", "")
        target = ask_save_path(
            self, self.settings, FOLDER_KEY, "Save chart as PNG", name, "PNG images (*.png)", ".png"
        )
        if target is None:
            return
        if not chart_image(chart).save(str(target), "PNG"):
            messages.warn(
                self, f"{target} cannot be written: check the folder and its permissions."
            )
            return
