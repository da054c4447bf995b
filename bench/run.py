"""Run every benchmark and write bench/RESULTS.md:

    python3 bench/run.py            full sizes (100k and 1M rows); several minutes
    python3 bench/run.py --quick    small sizes, for a smoke run (numbers not comparable)
    python3 bench/run.py --only spreadsheets,duplicates
                                    some groups only; their lines replace (or join) those of
                                    the table already in RESULTS.md, marked with their date

Creates or refreshes `.venv` like the README's commands, generates its own synthetic data from a
fixed seed in a temporary folder, and times each path as a median of several runs, beside its
baseline timed in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from main import VENV_DIR, ensure_venv  # noqa: E402

SIZES = {
    "full": {"rows": 100_000, "huge": 1_000_000, "printed": 5_000},
    "quick": {"rows": 2_000, "huge": 10_000, "printed": 1_000},
    # The test suite's smoke run: does every benchmark run and give sane numbers?
    "smoke": {"rows": 300, "huge": 1_000, "printed": 100},
}


#: The groups of benchmarks, in the order they run and are listed.
GROUPS = ("tabs", "spreadsheets", "duplicates", "history", "print", "startup")


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV_DIR.resolve()


def machine_description() -> str:
    from importlib.metadata import version

    packages = ", ".join(
        f"{name} {version(name)}" for name in ("PySide6-Essentials", "SQLAlchemy", "openpyxl")
    )
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{packages}"
    )


def run(size: str, output: Path, only: tuple[str, ...] = GROUPS) -> list[object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from anso_desktop.app import open_services
    from anso_desktop.ui.main_window import tab_classes
    from bench import synthetic
    from bench.gui_bench import startup_benchmark, tab_benchmarks

    sizes = SIZES[size]
    runs = 1 if size == "smoke" else 3
    tabs = dict(tab_classes())
    big_tab = ("Members", tabs["Members"]) if "Members" in tabs else ("Meetings", tabs["Meetings"])
    measurements = []
    started = time.perf_counter()
    load_at_start = _load_average()

    def register(folder: Path, rows: int) -> Any:
        services = open_services(str(folder / f"rows-{rows}.sqlite"))
        if big_tab[0] == "Members":
            synthetic.fill(services.database, organizations=rows)
        else:
            synthetic.fill(services.database, meetings=rows)
        return services

    with tempfile.TemporaryDirectory(prefix="anso-bench-") as folder_name:
        folder = Path(folder_name)
        if "tabs" in only:
            for rows in (sizes["rows"], sizes["huge"]):
                services = register(folder, rows)
                measurements += tab_benchmarks(services, big_tab[1], rows, big_tab[0].lower())
                services.database.dispose()
        if "spreadsheets" in only:
            from bench.spreadsheet_bench import spreadsheet_benchmarks

            measurements += spreadsheet_benchmarks(sizes["rows"], folder, runs=runs)
        if "duplicates" in only:
            from bench.matching_bench import duplicates_benchmark

            measurements += duplicates_benchmark(sizes["rows"], folder, runs=runs)
        if "history" in only:
            from bench.history_bench import CACHE, history_benchmarks

            cache = None if size == "smoke" else CACHE  # its million-row database is kept
            measurements += history_benchmarks(sizes["rows"], folder, runs=runs, cache=cache)
        if "print" in only:
            from bench.print_bench import print_benchmark

            measurements += print_benchmark(folder, sizes["printed"], runs=runs)
        if "startup" in only:
            database = folder / f"rows-{sizes['rows']}.sqlite"
            if not database.exists():
                register(folder, sizes["rows"]).database.dispose()
            measurements += startup_benchmark(database, folder, runs=3 if size == "smoke" else None)
    elapsed = time.perf_counter() - started
    load = _load_text(load_at_start, _load_average())
    command = "python3 bench/run.py" + ("" if size == "full" else f" --{size}")
    if tuple(only) != GROUPS:
        command += f" --only {','.join(only)}"
    if tuple(only) != GROUPS and output.exists():
        text = merged_report(
            output.read_text(encoding="utf-8"), measurements, command, elapsed, load
        )
    else:
        text = full_report(measurements, command, elapsed, load)
    output.write_text(text, encoding="utf-8")
    return measurements


def _load_average() -> float | None:
    """The machine's one-minute load: other work running beside the benchmarks disturbs them."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _load_text(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return ""
    return f", load average {start:.1f} at the start and {end:.1f} at the end"


def _verdicts(rows: list[str]) -> list[str]:
    met = [row for row in rows if row.rstrip(" |").endswith("| met")]
    missed = [_name_of(row) for row in rows if row.rstrip(" |").endswith("**not met**")]
    return [
        f"Goals met: {len(met)}; not met: {len(missed)}.",
        *(f"- not met: {name}" for name in missed),
    ]


def full_report(measurements: list[Any], command: str, elapsed: float, load: str = "") -> str:
    from bench.results import TABLE_HEADER

    rows = [m.row() for m in measurements]
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{command}` on {datetime.now():%Y-%m-%d %H:%M} in {elapsed:.0f} s{load}.",
        "",
        f"Machine: {machine_description()}.",
        "",
        "Times are medians of several runs; a ratio compares with the baseline timed in the same run.",
        "",
        TABLE_HEADER,
        *rows,
        "",
        *_verdicts(rows),
    ]
    return "\n".join(lines) + "\n"


_MEASURED_ON = re.compile(r" \(measured \d{4}-\d{2}-\d{2}\)$")


def _name_of(row: str) -> str:
    """A table row's measurement name, without the date a partial run marks it with."""
    return _MEASURED_ON.sub("", row.split(" | ")[0].removeprefix("| "))


def merged_report(
    existing: str,
    measurements: list[Any],
    command: str,
    elapsed: float,
    load: str = "",
) -> str:
    """`existing` RESULTS.md with the lines of a partial run put in: a line of the same
    measurement is replaced, a new one follows the line before it in this run (else ends the
    table); each is marked with the day it was measured, and a note says which run made them."""
    lines = existing.rstrip("\n").split("\n")
    table = [i for i, line in enumerate(lines) if line.startswith("| ")]
    head, rows = table[:2], [lines[i] for i in table[2:]]
    before, after = lines[: head[0]], lines[table[-1] + 1 :]
    today = f"{datetime.now():%Y-%m-%d}"
    new_rows = [m.row() for m in measurements]
    new_names = [_name_of(row) for row in new_rows]
    previous = -1
    for number, (name, row) in enumerate(zip(new_names, new_rows, strict=True)):
        row = row.replace(f"| {name} |", f"| {name} (measured {today}) |", 1)
        names = [_name_of(r) for r in rows]
        if name in names:
            previous = names.index(name)
            rows[previous] = row
            continue
        if previous < 0:  # before the first of this run's lines already there, else at the end
            following = [names.index(n) for n in new_names[number + 1 :] if n in names]
            previous = following[0] if following else len(rows)
        else:
            previous += 1
        rows.insert(previous, row)
    note = (
        f'Lines marked "measured {today}" were made by `{command}` on '
        f"{datetime.now():%Y-%m-%d %H:%M} in {elapsed:.0f} s{load} "
        f"(machine: {machine_description()})."
    )
    again = f'Lines marked "measured {today}" were made by `{command}` '  # replaced, not piled up
    before = [line for line in before if not line.startswith(again)]
    while before and before[-1] == "":
        before.pop()
    before += ["", note, ""]
    after = [line for line in after if not line.startswith(("Goals met:", "- not met:"))]
    while after and after[-1] == "":
        after.pop()
    return (
        "\n".join([*before, *(lines[i] for i in head), *rows, *after, "", *_verdicts(rows)]) + "\n"
    )


def _groups(text: str) -> tuple[str, ...]:
    chosen = {name.strip() for name in text.split(",") if name.strip()}
    unknown = chosen - set(GROUPS)
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown group(s) {', '.join(sorted(unknown)) or '(none)'}: choose from "
            + ", ".join(GROUPS)
        )
    return tuple(name for name in GROUPS if name in chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run ANSO Desktop's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="small sizes (numbers not comparable)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does everything run")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "RESULTS.md", help="where to write"
    )
    parser.add_argument(
        "--only",
        metavar="GROUP,...",
        type=_groups,
        default=GROUPS,
        help=f"run only these groups ({', '.join(GROUPS)}); their lines are merged into the "
        "table already in --output",
    )
    arguments = parser.parse_args()
    if not _in_venv():
        python = ensure_venv("test")
        return subprocess.run([str(python), __file__, *sys.argv[1:]]).returncode
    size = "smoke" if arguments.smoke else "quick" if arguments.quick else "full"
    for measurement in run(size, arguments.output, arguments.only):
        print(measurement.row())  # type: ignore[attr-defined]
    print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
