"""File › Print… for any tab: the print dialog, then a preview, a printer or a PDF file.

The document is read off the GUI thread (a long list is thousands of records); a PDF file is also
painted there. A preview or a printer is painted on the GUI thread, as Qt's print support needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QDialog, QWidget

# The document is built and painted on worker threads; Qt for Python's import hook is not
# thread-safe, so what they use is imported here, on the GUI thread.
from anso_desktop.reports.documents import PrintedList, build_list, count_of, describe_filters
from anso_desktop.reports.rendering import PageSetup, render, write_pdf
from anso_desktop.ui import messages
from anso_desktop.ui.dialogs.print_dialog import PrintAction, PrintChoice, PrintDialog
from anso_desktop.ui.files import ask_save_path
from anso_desktop.ui.tasks import Progress

if TYPE_CHECKING:
    from anso_desktop.ui.main_window import MainWindow
    from anso_desktop.ui.tabs.base import RecordTab

PDF_FILTER = "PDF documents (*.pdf)"
FOLDER_KEY = "print/folder"


def print_tab(window: MainWindow, tab: RecordTab) -> None:
    """Ask how to print the tab's list as it is filtered, then do it."""
    services = window.services
    if services is None:
        return
    request = tab.print_request()
    choice = PrintDialog.ask(
        window,
        request,
        describe_filters(services, request),
        tab.print_row_count(),
        window.settings,
    )
    if choice is None:
        return
    if choice.action is PrintAction.PDF:
        save_pdf(window, choice)
        return

    def build(progress: Progress) -> PrintedList:
        return build_list(services, choice.request, lambda done: progress.report(done, 0))

    window.run_task(
        "Preparing the list…", build, lambda document: _on_paper(window, document, choice)
    )


def save_pdf(window: MainWindow, choice: PrintChoice) -> None:
    services = window.services
    assert services is not None
    target = ask_save_path(
        window, window.settings, FOLDER_KEY, "Save as PDF", choice.file_name(), PDF_FILTER, ".pdf"
    )
    if target is None:
        return

    def write(document: PrintedList, progress: Progress | None) -> str:
        report = None if progress is None else progress.report
        pages = write_pdf(
            document,
            target,
            choice.setup,
            None if report is None else lambda page, total: report(page, total, f"Page {page}…"),
        )
        what = count_of(choice.request.table, document.record_count)
        return (
            f"{target.name} was saved: {what} on {pages} page{'' if pages == 1 else 's'}.\n\n"
            f"It is in {target.parent}."
        )

    def built(document: PrintedList) -> None:
        if document.charts:
            # Charts are Qt widgets, painted on the GUI thread only (a page or two of summary).
            messages.inform(window, write(document, None))
            return
        window.run_task(
            "Saving the PDF…",
            lambda progress: write(document, progress),
            lambda summary: messages.inform(window, summary),
        )

    window.run_task(
        "Preparing the list…",
        lambda progress: build_list(
            services, choice.request, lambda done: progress.report(done, 0)
        ),
        built,
    )


def new_printer(document: PrintedList, setup: PageSetup) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(setup.page_layout())
    printer.setDocName(document.title)
    printer.setCreator("ANSO Desktop")
    return printer


def preview_dialog(
    parent: QWidget, document: PrintedList, printer: QPrinter
) -> QPrintPreviewDialog:
    """The preview, repainted whenever the user turns the page or changes the paper in it."""
    dialog = QPrintPreviewDialog(printer, parent)
    # The dialog paints on the printer without owning it: it lives as long as the dialog.
    dialog.printer_in_use = printer  # type: ignore[attr-defined]
    dialog.setWindowTitle(f"Print preview — {document.title}")
    dialog.paintRequested.connect(lambda device: render(document, device))
    dialog.resize(900, 1000)
    return dialog


def preview_page_count(dialog: QPrintPreviewDialog) -> int:
    widget = dialog.findChild(QPrintPreviewWidget)
    return widget.pageCount() if widget is not None else 0


def run_modal(dialog: QDialog) -> int:
    """Run a print or preview dialog; tests patch this to look at the dialog instead."""
    return dialog.exec()


def _on_paper(window: MainWindow, document: PrintedList, choice: PrintChoice) -> None:
    printer = new_printer(document, choice.setup)
    if choice.action is PrintAction.PREVIEW:
        run_modal(preview_dialog(window, document, printer))
        return
    dialog = QPrintDialog(printer, window)
    dialog.setWindowTitle(f"Print {document.title}")
    if run_modal(dialog) == QDialog.DialogCode.Accepted:
        pages = render(document, printer)
        window.statusBar().showMessage(
            f"Sent {pages} page{'' if pages == 1 else 's'} of {document.title} to the printer.",
            8000,
        )
