"""The printed member list: from the database to a finished PDF (read, group, lay out, paint),
grouped by country as staff print it for a Governing Board meeting."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench import synthetic
from bench.results import Measurement


def print_benchmark(folder: Path, members: int, runs: int = 3) -> list[Measurement]:
    from PySide6.QtGui import QGuiApplication

    from anso_desktop.app import open_services
    from anso_desktop.reports.documents import PrintRequest, build_list
    from anso_desktop.reports.rendering import write_pdf

    _application = QGuiApplication.instance() or QGuiApplication(sys.argv)
    services = open_services(str(folder / f"print-{members}.sqlite"))
    synthetic.fill(services.database, organizations=members)
    request = PrintRequest("members", group_by="country")
    timings: list[float] = []
    pages = 0
    for run in range(runs):
        start = time.perf_counter()
        document = build_list(services, request)
        pages = write_pdf(document, folder / f"members-{run}.pdf")
        timings.append(time.perf_counter() - start)
    services.database.dispose()
    del _application
    return [
        Measurement(
            f"printed member list, {members:,} members by country, to PDF ({pages} pages)",
            statistics.median(timings),
        )
    ]
