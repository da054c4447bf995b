"""Spreadsheet speed and memory: import and export of many members, each beside the time
openpyxl alone takes to read (read-only mode) or write (write-only mode) the same rows.

Each run is a fresh subprocess, so its peak memory (the process's maximum resident size) is its
own; times are medians over the runs.

The import is measured twice over: inside its process (`import_file` alone, as before), and as
the whole command a person waits for, `python -m anso_desktop import FILE --table members --db
DB`, timed from outside (process start, imports, backup and exit included) beside the openpyxl
read timed the same way (a `python -c` of the read); once into a register holding the demo's
organizations (every row goes through the likely-match rules: with an empty register they have
nothing to compare with), and once more, the same file into the same database (every row found,
all unchanged).

The export is measured the same two ways: `export_workbook` inside its process beside openpyxl's
write-only write of the same rows, and the whole command `python -m anso_desktop export FILE
--table members --db DB` beside a whole process writing exactly the same headers and cells
(the same values and types) with openpyxl's write-only writer.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
from dataclasses import dataclass
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


# The rows of the export's Members sheet, as its cells hold them (labels for choices and
# countries), with its headers: what the openpyxl process of the whole-command comparison writes.
_DUMP_ROWS = r"""
import pickle, sys
sys.path.insert(0, sys.argv[3])
from anso_desktop.app import open_services
from anso_desktop.spreadsheets.export import fetch_rows
from anso_desktop.tables import MEMBERS
services = open_services(sys.argv[2])
columns = MEMBERS.sheet_columns
rows = [[c.value(r) for c in columns] for r in fetch_rows(services, MEMBERS)]
rows = [[(c.display(v) if v is not None and c.kind.name in ("CHOICE", "COUNTRY") else v)
         for c, v in zip(columns, row)] for row in rows]
with open(sys.argv[1], "wb") as out:
    pickle.dump(([c.header for c in columns], rows), out)
print("{}")
"""

# A whole process writing those rows with openpyxl's write-only writer: start-up, reading the
# rows (a pickle, the cheapest way to have them) and the write, timed from outside.
_WRITE_PROCESS = r"""
import pickle, sys
from openpyxl import Workbook
with open(sys.argv[2], "rb") as source:
    headers, rows = pickle.load(source)
workbook = Workbook(write_only=True)
sheet = workbook.create_sheet("Members")
sheet.append(headers)
for row in rows:
    sheet.append(row)
workbook.save(sys.argv[1])
"""


def _export_command(target: Path, database: Path, folder: Path, output: Path) -> Timed:
    command = [sys.executable, "-m", "anso_desktop", "export", str(target), "--table", "members"]
    return run_timed([*command, "--db", str(database)], output, command_environment(folder))


def _run(code: str, *arguments: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Timed:
    """A whole process as its caller sees it."""

    seconds: float  # from just before it is started to just after it was waited for
    peak_mb: float | None  # its own maximum resident size (from wait4), where the system says
    stdout: str


def command_environment(folder: Path) -> dict[str, str]:
    """The environment of a command under test: headless, its data (logs, settings) in `folder`."""
    data = folder / "data"
    data.mkdir(exist_ok=True)
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ANSO_DATA_DIR": str(data)}


# Runs a command as its own child and reports how long it ran and its peak memory. The wrapper is
# small when it starts the command, and that matters: a child's ru_maxrss counts the memory of the
# process it was forked from until it execs, so a command started straight from the benchmark
# (which has Qt and big registers loaded by then) would inherit the benchmark's size.
_WRAPPER = r"""
import json, os, subprocess, sys, time
stdout, stderr, command = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(stdout, "w", encoding="utf-8") as out, open(stderr, "w", encoding="utf-8") as err:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=out, stderr=err)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / (1024 ** 2 if sys.platform == "darwin" else 1024)
    else:  # Windows: the time only
        returncode = process.wait()
        seconds = time.perf_counter() - start
        peak = None
print(json.dumps({"seconds": seconds, "returncode": returncode, "peak_mb": peak}))
"""


def run_timed(command: list[str], stdout: Path, environment: dict[str, str]) -> Timed:
    """Run `command`, its output into `stdout` (no pipe to fill and stall it), timed from outside
    it (start-up and exit included) by a small wrapper process, which reads the command's own
    peak memory from `wait4`'s resource usage of that one child, as /usr/bin/time -v does."""
    stderr = Path(f"{stdout}.stderr")
    wrapper = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(stdout), str(stderr), *command],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=ROOT,
    )
    result = json.loads(wrapper.stdout.strip().splitlines()[-1])
    text = stdout.read_text(encoding="utf-8")
    if result["returncode"] != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {result['returncode']}:\n"
            f"{text[-2000:]}{stderr.read_text(encoding='utf-8')[-2000:]}"
        )
    return Timed(result["seconds"], result["peak_mb"], text)


_SUMMARY = re.compile(r"(\d+) new, (\d+) changed, (\d+) unchanged rows were imported")


def _import_command(source: Path, database: Path, folder: Path, output: Path) -> Timed:
    command = [sys.executable, "-m", "anso_desktop", "import", str(source), "--table", "members"]
    return run_timed([*command, "--db", str(database)], output, command_environment(folder))


def _counts(result: Timed) -> tuple[int, int, int]:
    found = _SUMMARY.search(result.stdout)
    assert found, result.stdout[:2000]
    new, changed, unchanged = (int(group) for group in found.groups())
    return new, changed, unchanged


def spreadsheet_benchmarks(rows: int, folder: Path, runs: int = 3) -> list[Measurement]:
    source = folder / f"members-{rows}.xlsx"
    _run(_MAKE_FILE, str(source), str(rows))
    imports, reads, exports, writes = [], [], [], []
    export_commands: list[Timed] = []
    write_processes: list[Timed] = []
    registered = 0
    commands: list[Timed] = []
    again: list[Timed] = []
    read_processes: list[Timed] = []
    for run in range(runs):
        # The whole command, into a register (the demo's organizations), then the same file again.
        register = folder / f"command-import-{rows}-{run}.sqlite"
        run_timed(
            [sys.executable, "-m", "anso_desktop", "demo", "--db", str(register)],
            folder / f"demo-{run}.txt",
            command_environment(folder),
        )
        with sqlite3.connect(register) as connection:
            (registered,) = connection.execute("SELECT count(*) FROM organizations").fetchone()
        connection.close()
        first = _import_command(source, register, folder, folder / f"import-{run}-first.txt")
        assert _counts(first) == (rows, 0, 0), first.stdout[:2000]
        commands.append(first)
        second = _import_command(source, register, folder, folder / f"import-{run}-again.txt")
        assert _counts(second) == (0, 0, rows), second.stdout[:2000]
        again.append(second)
        # The same read, once timed inside its process and once from outside it.
        baseline = run_timed(
            [sys.executable, "-c", _READ_BASELINE, str(source), str(ROOT)],
            folder / f"read-{run}.txt",
            command_environment(folder),
        )
        read_processes.append(baseline)
        reads.append(json.loads(baseline.stdout.strip().splitlines()[-1]))
        database = folder / f"import-{rows}-{run}.sqlite"
        imports.append(_run(_IMPORT, str(source), str(database)))
        exported = folder / f"export-{rows}-{run}.xlsx"
        exports.append(_run(_EXPORT, str(exported), str(database)))
        writes.append(
            _run(_WRITE_BASELINE, str(folder / f"openpyxl-{rows}-{run}.xlsx"), str(database))
        )
        # The same export as the whole command, beside a whole process writing the same cells.
        exported = folder / f"export-command-{rows}-{run}.xlsx"
        export_commands.append(
            _export_command(exported, database, folder, folder / f"export-{run}.txt")
        )
        assert f"Exported {rows} members" in export_commands[-1].stdout
        cells = folder / f"export-rows-{rows}.pickle"
        if not cells.exists():
            _run(_DUMP_ROWS, str(cells), str(database))
        write_processes.append(
            run_timed(
                [sys.executable, "-c", _WRITE_PROCESS, str(folder / f"w-{run}.xlsx"), str(cells)],
                folder / f"write-{run}.txt",
                command_environment(folder),
            )
        )

    def median(results: list[dict[str, float]], key: str) -> float:
        return statistics.median(result[key] for result in results)

    def peak(results: list[Timed]) -> float | None:
        peaks = [result.peak_mb for result in results]
        return max(peaks) if all(p is not None for p in peaks) else None  # type: ignore[type-var]

    read_process = statistics.median(result.seconds for result in read_processes)
    return [
        Measurement(
            f"`anso-desktop import` {rows:,} members into a register of {registered} "
            "organizations, likely matches on, whole command vs a process of the openpyxl "
            "read-only read",
            statistics.median(result.seconds for result in commands),
            baseline=read_process,
            goal_ratio=0.5,
            peak_mb=peak(commands),
            goal_mb=300,
        ),
        Measurement(
            f"`anso-desktop import` of the same {rows:,} members again (all found, unchanged), "
            "whole command vs a process of the openpyxl read-only read",
            statistics.median(result.seconds for result in again),
            baseline=read_process,
            goal_ratio=0.5,
            peak_mb=peak(again),
            goal_mb=300,
        ),
        Measurement(
            f"import {rows:,} members (read, check, upsert, commit) vs openpyxl read-only read",
            median(imports, "seconds"),
            baseline=median(reads, "seconds"),
            goal_ratio=0.6,
            peak_mb=max(result["peak_mb"] for result in imports),
            goal_mb=300,
        ),
        Measurement(
            f"`anso-desktop export` {rows:,} members, whole command vs a process of the "
            "openpyxl write-only write of the same rows and columns",
            statistics.median(result.seconds for result in export_commands),
            baseline=statistics.median(result.seconds for result in write_processes),
            goal_ratio=0.5,
            peak_mb=peak(export_commands),
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
