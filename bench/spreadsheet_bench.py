"""Spreadsheet speed and memory: import and export of many members, each beside the time
openpyxl alone takes to read (read-only mode) or write (write-only mode) the same rows.

Each run is a fresh subprocess, so its peak memory (the process's maximum resident size) is its
own; times are medians over the runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.results import Measurement

ROOT = Path(__file__).resolve().parent.parent

# Shared by the measuring scripts: their own peak memory (VmHWM is not inherited from the
# parent, as ru_maxrss is on Linux).
_PRELUDE = r"""
import json, sys, time


def peak_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_MAKE_FILE = r"""
import sys
sys.path.insert(0, sys.argv[3])
from openpyxl import Workbook
from bench.synthetic import organization_rows
from anso_desktop.countries import country_name
from anso_desktop.domain import MemberStatus, OrganizationKind
rows = organization_rows(int(sys.argv[2]))
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet("Members")
sheet.append(["Name", "Acronym", "Country", "Status", "Kind", "Applied"])
for row in rows:
    sheet.append([row["name"], row["acronym"], country_name(row["country"]),
                  MemberStatus(row["status"]).label, OrganizationKind(row["kind"]).label,
                  row["applied_on"]])
workbook.save(sys.argv[1])
print("{}")
"""

_IMPORT = (
    _PRELUDE
    + r"""
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from anso_desktop.app import open_services
from anso_desktop.spreadsheets import ImportOptions, import_file
services = open_services(sys.argv[2])
start = time.perf_counter()
report = import_file(services, Path(sys.argv[1]), ImportOptions(table="members"))
seconds = time.perf_counter() - start
assert report.written and not report.errors, report.errors[:3]
print(json.dumps({"seconds": seconds, "rows": report.inserted,
                  "peak_mb": peak_mb()}))
"""
)

_READ_BASELINE = (
    _PRELUDE
    + r"""
from openpyxl import load_workbook
start = time.perf_counter()
workbook = load_workbook(sys.argv[1], read_only=True)
rows = sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": rows,
                  "peak_mb": peak_mb()}))
"""
)

_EXPORT = (
    _PRELUDE
    + r"""
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from anso_desktop.app import open_services
from anso_desktop.spreadsheets import export_workbook
services = open_services(sys.argv[2])
start = time.perf_counter()
report = export_workbook(services, Path(sys.argv[1]), ["members"])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": report.rows["members"],
                  "peak_mb": peak_mb()}))
"""
)

_WRITE_BASELINE = (
    _PRELUDE
    + r"""
sys.path.insert(0, sys.argv[3])
from anso_desktop.app import open_services
from anso_desktop.spreadsheets.export import fetch_rows
from anso_desktop.tables import MEMBERS
from openpyxl import Workbook
services = open_services(sys.argv[2])
columns = MEMBERS.sheet_columns
rows = [[c.value(r) for c in columns] for r in fetch_rows(services, MEMBERS)]
rows = [[(c.display(v) if v is not None and c.kind.name in ("CHOICE", "COUNTRY") else v)
         for c, v in zip(columns, row)] for row in rows]
start = time.perf_counter()
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet("Members")
sheet.append([c.header for c in columns])
for row in rows:
    sheet.append(row)
workbook.save(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": len(rows),
                  "peak_mb": peak_mb()}))
"""
)


def _run(code: str, *arguments: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def spreadsheet_benchmarks(rows: int, folder: Path, runs: int = 3) -> list[Measurement]:
    source = folder / f"members-{rows}.xlsx"
    _run(_MAKE_FILE, str(source), str(rows))
    imports, reads, exports, writes = [], [], [], []
    for run in range(runs):
        database = folder / f"import-{rows}-{run}.sqlite"
        imports.append(_run(_IMPORT, str(source), str(database)))
        reads.append(_run(_READ_BASELINE, str(source)))
        exported = folder / f"export-{rows}-{run}.xlsx"
        exports.append(_run(_EXPORT, str(exported), str(database)))
        writes.append(
            _run(_WRITE_BASELINE, str(folder / f"openpyxl-{rows}-{run}.xlsx"), str(database))
        )

    def median(results: list[dict[str, float]], key: str) -> float:
        return statistics.median(result[key] for result in results)

    return [
        Measurement(
            f"import {rows:,} members (read, check, upsert, commit) vs openpyxl read-only read",
            median(imports, "seconds"),
            baseline=median(reads, "seconds"),
            goal_ratio=0.6,
            peak_mb=max(result["peak_mb"] for result in imports),
            goal_mb=300,
        ),
        Measurement(
            f"export {rows:,} members vs openpyxl write-only write of the same rows",
            median(exports, "seconds"),
            baseline=median(writes, "seconds"),
            goal_ratio=0.8,
            peak_mb=max(result["peak_mb"] for result in exports),
            goal_mb=300,
        ),
    ]
