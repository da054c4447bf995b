"""Lay a printed list out on pages and paint it: on a PDF file, a printer or the print preview.

The layout is done in full before the first stroke, so every footer can say "Page X of Y" and no
row is split across pages. QtGui only (no widgets): the command line prints with an offscreen
QGuiApplication.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from anso_desktop import __version__
from anso_desktop.errors import UserError
from anso_desktop.reports.chart_data import ChartData
from anso_desktop.reports.column_widths import share_the_width
from anso_desktop.reports.documents import (
    ORGANIZATION_NAME,
    PrintedList,
    PrintRow,
    RowStyle,
)
from anso_desktop.tables.formatting import format_date

PAPER_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "Letter": QPageSize.PageSizeId.Letter,
}
MARGIN_MM = 14.0
#: The height of a printed chart (two fit a portrait A4 page under the header).
CHART_HEIGHT_MM = 105.0
#: A column needing at most this share of the line is never wrapped.
#: A header at most this share of the line is never broken between its words.
SHORT_HEADER = 0.25

#: How much wider (device pixels) Qt's line layout makes a text than its advance: a column
#: kept for a word gets it too, or the word breaks after a hyphen.
_LAYOUT_SLACK = 1.0

_INK = QColor("#1d1d1f")
_MUTED = QColor("#5f6368")
_RULE = QColor("#c8ccd1")
_HEADER_BAND = QColor("#e8edf3")
_GROUP_BAND = QColor("#f3f5f8")
_TOTAL_BAND = QColor("#eef1f4")
_FLAGGED = QColor("#b3261e")


@dataclass(frozen=True)
class PageSetup:
    """Paper and orientation: A4 or Letter, portrait or landscape."""

    paper: str = "A4"
    landscape: bool = False

    def page_layout(self) -> QPageLayout:
        if self.paper not in PAPER_SIZES:
            raise UserError(f"Unknown paper size '{self.paper}'; choose A4 or Letter.")
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.landscape
            else QPageLayout.Orientation.Portrait
        )
        return QPageLayout(
            QPageSize(PAPER_SIZES[self.paper]),
            orientation,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )


@dataclass(frozen=True)
class _Placed:
    """One band on a page: a group heading or a table row, at `top` with `height`."""

    top: float
    height: float
    row: PrintRow | None = None
    heading: str | None = None


@dataclass
class _Page:
    bands: list[_Placed] = field(default_factory=list)
    closing_top: float | None = None
    #: Charts on this page: top, height and what to draw.
    charts: list[tuple[float, float, ChartData]] = field(default_factory=list)


class _Fonts:
    """The document's fonts, measured on the device they print on."""

    def __init__(self, device: QPagedPaintDevice) -> None:
        base = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        base.setStyleHint(QFont.StyleHint.SansSerif)
        # Kerning off: wide tables print faster and columns of numbers line up the same.
        base.setKerning(False)

        def sized(points: float, bold: bool = False, italic: bool = False) -> QFont:
            font = QFont(base)
            font.setPointSizeF(points)
            font.setBold(bold)
            font.setItalic(italic)
            return font

        self.small = sized(7.5)
        self.title = sized(15, bold=True)
        self.subtitle = sized(9)
        self.column_header = sized(8.5, bold=True)
        self.body = sized(9)
        self.bold = sized(9, bold=True)
        self.group = sized(10, bold=True)
        self.closing = sized(9, italic=True)
        self.metrics = {
            id(font): QFontMetricsF(font, device)
            for font in (
                self.small,
                self.title,
                self.subtitle,
                self.column_header,
                self.body,
                self.bold,
                self.group,
                self.closing,
            )
        }

    def of(self, font: QFont) -> QFontMetricsF:
        return self.metrics[id(font)]


class ListRenderer:
    """Paginates one printed list for one device, then paints it page by page."""

    def __init__(self, document: PrintedList, device: QPagedPaintDevice) -> None:
        self.document = document
        self.device = device
        rect = device.pageLayout().paintRectPixels(device.resolution())
        self.width = float(rect.width())
        self.height = float(rect.height())
        self.mm = device.resolution() / 25.4
        self.fonts = _Fonts(device)
        self._advances: dict[int, dict[str, float]] = {}
        self.padding_x = 1.4 * self.mm
        self.padding_y = 0.9 * self.mm
        self.column_widths = self._column_widths()
        self.header_height = self._header_height()
        self.footer_height = self.fonts.of(self.fonts.small).height() + 3 * self.mm
        self.column_header_height = self._row_height(
            tuple(column.header for column in document.columns), self.fonts.column_header
        )
        self.pages = self._paginate()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    # --- measuring -----------------------------------------------------------------------------

    def _advance(self, font: QFont, text: str) -> float:
        """The width of `text` on one line; cached, since lists repeat their values (countries,
        statuses) thousands of times."""
        cache = self._advances.setdefault(id(font), {})
        width = cache.get(text)
        if width is None:
            width = cache[text] = self.fonts.of(font).horizontalAdvance(text)
        return width

    def _column_widths(self) -> list[float]:
        """Each column as wide as its widest value, if the page allows; if not, the widest
        columns give way (their text wraps) until the table fits. A column keeps at least its
        longest word ("ANSO-RWIT", "COMSATS" never break mid-word) and its header, while the
        page has room for every column's; the free-text columns shrink instead."""
        columns = self.document.columns
        padding = 2 * self.padding_x
        natural = [
            self._advance(self.fonts.column_header, column.header) + padding for column in columns
        ]
        # A header stays on one line if it is short; a long one may break between its words.
        header_floor = [
            header if header <= SHORT_HEADER * self.width else longest_word
            for header, longest_word in (
                (
                    self._advance(self.fonts.column_header, column.header) + padding,
                    max(self._advance(self.fonts.column_header, w) for w in column.header.split())
                    + padding,
                )
                for column in columns
            )
        ]
        # Wrapping breaks between words (and after a hyphen): a word is what a space ends.
        longest_word = list(header_floor)
        for group in self.document.groups:
            for row in group.rows:
                font = self._font_of(row)
                for index, text in enumerate(row.cells):
                    if text:
                        natural[index] = max(natural[index], self._advance(font, text) + padding)
                        for word in text.split():
                            width = self._advance(font, word) + padding + _LAYOUT_SLACK
                            longest_word[index] = max(longest_word[index], width)
        weights = [float(max(column.weight, 4)) for column in columns]
        return share_the_width(natural, header_floor, longest_word, weights, self.width)

    def _header_height(self) -> float:
        fonts = self.fonts
        summary = fonts.of(fonts.subtitle).boundingRect(
            QRectF(0, 0, self.width, 1e6),
            int(Qt.TextFlag.TextWordWrap),
            self.document.filter_summary,
        )
        return (
            fonts.of(fonts.small).height()
            + 1.5 * self.mm
            + fonts.of(fonts.title).height()
            + 1.0 * self.mm
            + summary.height()
            + 4 * self.mm
        )

    def _row_height(self, cells: tuple[str, ...], font: QFont) -> float:
        metrics = self.fonts.of(font)
        line = metrics.height()
        tallest = line
        for text, width in zip(cells, self.column_widths, strict=True):
            inner = width - 2 * self.padding_x
            # Most cells fit on one line: measuring the advance is far cheaper than wrapping.
            if not text or ("\n" not in text and self._advance(font, text) <= inner + 0.01):
                continue
            wrapped = metrics.boundingRect(
                QRectF(0, 0, inner, 1e6), self._wrap_flags(font, text, inner), text
            ).height()
            tallest = max(tallest, wrapped)
        return tallest + 2 * self.padding_y

    def _wrap_flags(self, font: QFont, text: str, inner: float, numeric: bool = False) -> int:
        """Wrap between words; a word wider than its column (a long acronym or web address)
        breaks where it must rather than being cut off."""
        flags = _CELL_RIGHT if numeric else _CELL_LEFT
        if any(self._advance(font, word) > inner + 0.01 for word in text.split()):
            flags |= int(Qt.TextFlag.TextWrapAnywhere)
        return flags

    def _font_of(self, row: PrintRow) -> QFont:
        return self.fonts.bold if row.style is RowStyle.TOTAL else self.fonts.body

    # --- pagination ----------------------------------------------------------------------------

    def _paginate(self) -> list[_Page]:
        body_top = self.header_height + self.column_header_height
        limit = self.height - self.footer_height
        # A row taller than a whole page is clipped to it: the only row ever cut short.
        tallest = limit - body_top
        group_height = self.fonts.of(self.fonts.group).height() + 2.4 * self.mm
        pages = [_Page()]
        y = body_top

        def new_page() -> None:
            nonlocal y
            pages.append(_Page())
            y = body_top

        for group in self.document.groups:
            heights = [
                min(self._row_height(r.cells, self._font_of(r)), tallest) for r in group.rows
            ]
            if group.heading is not None:
                # A heading never ends a page: it keeps its first row with it.
                first = heights[0] if heights else 0.0
                if y + group_height + first > limit and y > body_top:
                    new_page()
                pages[-1].bands.append(_Placed(y, group_height, heading=group.heading))
                y += group_height
            for row, height in zip(group.rows, heights, strict=True):
                if y + height > limit:
                    new_page()
                    if group.heading is not None:
                        heading = f"{group.heading} (continued)"
                        pages[-1].bands.append(_Placed(y, group_height, heading=heading))
                        y += group_height
                pages[-1].bands.append(_Placed(y, height, row=row))
                y += height
        if self.document.closing:
            closing_height = self.fonts.of(self.fonts.closing).height() + 3 * self.mm
            if y + closing_height > limit:
                new_page()
            pages[-1].closing_top = y + 2 * self.mm
            y += closing_height
        # Charts follow the table, two to a portrait page; one never straddles a page.
        chart_height = min(CHART_HEIGHT_MM * self.mm, (limit - body_top) * 0.95)
        for chart in self.document.charts:
            gap = 4 * self.mm
            if y + gap + chart_height > limit:
                new_page()
            pages[-1].charts.append((y + gap, chart_height, chart))
            y += gap + chart_height
        return pages

    # --- painting ------------------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        wanted: Callable[[int], bool] = lambda number: True,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Paint every wanted page (numbered from 1), a new page between them; returns how many
        were painted."""
        painted = 0
        for number, page in enumerate(self.pages, start=1):
            if not wanted(number):
                continue
            if painted:
                self.device.newPage()
            self._paint_page(painter, page, number)
            painted += 1
            if progress is not None:
                progress(number, self.page_count)
        return painted

    def _paint_page(self, painter: QPainter, page: _Page, number: int) -> None:
        fonts = self.fonts
        document = self.document
        mm = self.mm
        # The page header: who, when, what, and which rows.
        painter.setPen(_MUTED)
        painter.setFont(fonts.small)
        small = fonts.of(fonts.small).height()
        painter.drawText(QRectF(0, 0, self.width, small), _LEFT, ORGANIZATION_NAME)
        painter.drawText(
            QRectF(0, 0, self.width, small),
            _RIGHT,
            f"Printed {format_date(document.printed_on)}",
        )
        y = small + 1.5 * mm
        painter.setPen(_INK)
        painter.setFont(fonts.title)
        title_height = fonts.of(fonts.title).height()
        painter.drawText(QRectF(0, y, self.width, title_height), _LEFT, document.title)
        y += title_height + 1.0 * mm
        painter.setPen(_MUTED)
        painter.setFont(fonts.subtitle)
        painter.drawText(
            QRectF(0, y, self.width, self.header_height - y),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
            document.filter_summary,
        )
        rule_y = self.header_height - 2 * mm
        painter.setPen(QPen(_INK, 0.3 * mm))
        painter.drawLine(0, rule_y, self.width, rule_y)

        if page.bands or number == 1:  # a page of charts only has no table to head
            self._paint_column_header(painter)
        for band in page.bands:
            if band.heading is not None:
                self._paint_heading(painter, band)
            elif band.row is not None:
                self._paint_row(painter, band)
        if page.charts:
            from anso_desktop.reports.charts import paint_chart  # Qt Charts load only for charts

            for top, height, chart in page.charts:
                paint_chart(painter, QRectF(0, top, self.width, height), chart)
        if page.closing_top is not None:
            painter.setPen(_INK)
            painter.setFont(fonts.closing)
            painter.drawText(
                QRectF(0, page.closing_top, self.width, fonts.of(fonts.closing).height()),
                _LEFT,
                document.closing,
            )
        # The footer: the list's title, and where this page stands.
        footer_top = self.height - small
        painter.setPen(QPen(_RULE, 0.2 * mm))
        painter.drawLine(0, footer_top - 1.5 * mm, self.width, footer_top - 1.5 * mm)
        painter.setPen(_MUTED)
        painter.setFont(fonts.small)
        painter.drawText(QRectF(0, footer_top, self.width, small), _LEFT, document.title)
        painter.drawText(
            QRectF(0, footer_top, self.width, small),
            _RIGHT,
            f"Page {number} of {self.page_count}",
        )

    def _paint_column_header(self, painter: QPainter) -> None:
        top = self.header_height
        painter.fillRect(QRectF(0, top, self.width, self.column_header_height), _HEADER_BAND)
        painter.setFont(self.fonts.column_header)
        painter.setPen(_INK)
        x = 0.0
        for column, width in zip(self.document.columns, self.column_widths, strict=True):
            height = self.column_header_height
            header_font = self.fonts.column_header
            self._cell(painter, x, top, width, height, column.header, column.numeric, header_font)
            x += width
        painter.setPen(QPen(_INK, 0.25 * self.mm))
        bottom = top + self.column_header_height
        painter.drawLine(0, bottom, self.width, bottom)

    def _paint_heading(self, painter: QPainter, band: _Placed) -> None:
        painter.fillRect(
            QRectF(0, band.top + 0.8 * self.mm, self.width, band.height - 0.8 * self.mm),
            _GROUP_BAND,
        )
        painter.setFont(self.fonts.group)
        painter.setPen(_INK)
        painter.drawText(
            QRectF(
                self.padding_x, band.top + 0.8 * self.mm, self.width, band.height - 0.8 * self.mm
            ),
            _LEFT,
            band.heading or "",
        )

    def _paint_row(self, painter: QPainter, band: _Placed) -> None:
        row = band.row
        assert row is not None
        if row.style is RowStyle.TOTAL:
            painter.fillRect(QRectF(0, band.top, self.width, band.height), _TOTAL_BAND)
        font = self._font_of(row)
        painter.setFont(font)
        painter.setPen(_FLAGGED if row.style is RowStyle.FLAGGED else _INK)
        x = 0.0
        columns = self.document.columns
        for text, column, width in zip(row.cells, columns, self.column_widths, strict=True):
            if text:
                self._cell(painter, x, band.top, width, band.height, text, column.numeric, font)
            x += width
        painter.setPen(QPen(_RULE, 0.15 * self.mm))
        bottom = band.top + band.height
        painter.drawLine(0, bottom, self.width, bottom)

    def _cell(
        self,
        painter: QPainter,
        x: float,
        top: float,
        width: float,
        height: float,
        text: str,
        numeric: bool,
        font: QFont,
    ) -> None:
        inner = width - 2 * self.padding_x
        rect = QRectF(x + self.padding_x, top + self.padding_y, inner, height - 2 * self.padding_y)
        if "\n" not in text and self._advance(font, text) <= inner + 0.01:
            # One line, as measured; with word wrap on, Qt's layout (a pixel wider than the
            # advance) would break "ANSO-RWIT" after its hyphen in a column just wide enough.
            painter.drawText(rect, _RIGHT_TOP if numeric else _LEFT_TOP, text)
            return  # fits on its line: nothing to clip
        # Wrapped text stays inside its own cell (a row cut to one page's height is clipped).
        painter.save()
        painter.setClipRect(QRectF(x, top, width, height))
        painter.drawText(rect, self._wrap_flags(font, text, inner, numeric), text)
        painter.restore()


_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT_TOP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
_RIGHT_TOP = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
_CELL_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
_CELL_RIGHT = int(
    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
)


def ensure_gui_application() -> None:
    """Printing needs a Qt application (fonts, the PDF engine, and widgets for the charts) but no
    screen: the command line starts one on Linux's offscreen platform, so it prints on a server
    or over SSH too."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    if QGuiApplication.instance() is not None:
        return
    arguments = ["anso-desktop"]
    if sys.platform.startswith("linux") and "QT_QPA_PLATFORM" not in os.environ:
        arguments += ["-platform", "offscreen"]
    global _application
    _application = QApplication(arguments)


_application: object | None = None


def render(
    document: PrintedList,
    device: QPagedPaintDevice,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Paint `document` on a printer or PDF writer already set up; returns the pages painted
    (the printer's page range, if one was chosen, is honoured)."""
    renderer = ListRenderer(document, device)
    ranges = device.pageRanges()
    painter = QPainter()
    if not painter.begin(device):
        raise UserError("The printer could not be started; check that it is ready.")
    try:
        return renderer.paint(
            painter,
            wanted=(lambda n: True) if ranges.isEmpty() else ranges.contains,
            progress=progress,
        )
    finally:
        painter.end()


def write_pdf(
    document: PrintedList,
    path: Path,
    setup: PageSetup | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write `document` to a PDF file; returns its page count. The file appears whole or not at
    all: pages go to a temporary file beside it, renamed when complete."""
    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise UserError(f"{path.name}: a printed list is saved as a .pdf file.")
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.touch()
    except OSError as error:
        raise UserError(f"Cannot write {path}: {error.strerror or error}.") from None
    writer = QPdfWriter(str(partial))
    writer.setResolution(300)
    writer.setTitle(document.title)
    writer.setCreator(f"ANSO Desktop {__version__}")
    writer.setPageLayout((setup or PageSetup()).page_layout())
    try:
        try:
            pages = render(document, writer, progress)
        finally:
            del writer  # lets go of the file before it is renamed (Windows holds it open)
        try:
            partial.replace(path)
        except OSError as error:
            raise UserError(f"Cannot write {path}: {error.strerror or error}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return pages
