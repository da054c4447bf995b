"""Run every benchmark and write bench/RESULTS.md:

    python3 bench/run.py            full sizes (100k and 1M rows); several minutes
    python3 bench/run.py --quick    small sizes, for a smoke run (numbers not comparable)

Creates or refreshes `.venv` like the README's commands, generates its own synthetic data from a
fixed seed in a temporary folder, and times each path as a median of several runs, beside its
baseline timed in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from main import VENV_DIR, ensure_venv  # noqa: E402

SIZES = {
    "full": {"rows": 100_000, "huge": 1_000_000, "printed": 5_000},
    "quick": {"rows": 2_000, "huge": 10_000, "printed": 1_000},
    # The test suite's smoke run: does every benchmark run and give sane numbers?
    "smoke": {"rows": 300, "huge": 1_000, "printed": 100},
}


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


def run(size: str, output: Path) -> list[object]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from anso_desktop.app import open_services
    from anso_desktop.ui.main_window import tab_classes
    from bench import synthetic
    from bench.gui_bench import startup_benchmark, tab_benchmarks
    from bench.results import TABLE_HEADER

    sizes = SIZES[size]
    tabs = dict(tab_classes())
    big_tab = ("Members", tabs["Members"]) if "Members" in tabs else ("Meetings", tabs["Meetings"])
    measurements = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="anso-bench-") as folder_name:
        folder = Path(folder_name)
        for rows in (sizes["rows"], sizes["huge"]):
            services = open_services(str(folder / f"rows-{rows}.sqlite"))
            if big_tab[0] == "Members":
                synthetic.fill(services.database, organizations=rows)
            else:
                synthetic.fill(services.database, meetings=rows)
            measurements += tab_benchmarks(services, big_tab[1], rows, big_tab[0].lower())
            services.database.dispose()
        from bench.spreadsheet_bench import spreadsheet_benchmarks

        measurements += spreadsheet_benchmarks(
            sizes["rows"], folder, runs=1 if size == "smoke" else 3
        )
        from bench.print_bench import print_benchmark

        measurements += print_benchmark(folder, sizes["printed"], runs=1 if size == "smoke" else 3)
        measurements += startup_benchmark(
            folder / f"rows-{sizes['rows']}.sqlite", folder, runs=3 if size == "smoke" else None
        )
    elapsed = time.perf_counter() - started
    command = "python3 bench/run.py" + ("" if size == "full" else f" --{size}")
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{command}` on {datetime.now():%Y-%m-%d %H:%M} in {elapsed:.0f} s.",
        "",
        f"Machine: {machine_description()}.",
        "",
        "Times are medians of several runs; a ratio compares with the baseline timed in the same run.",
        "",
        TABLE_HEADER,
        *(m.row() for m in measurements),
        "",
    ]
    met = [m for m in measurements if m.met is True]
    missed = [m for m in measurements if m.met is False]
    lines.append(f"Goals met: {len(met)}; not met: {len(missed)}.")
    for m in missed:
        lines.append(f"- not met: {m.name}")
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return measurements


def main() -> int:
    parser = argparse.ArgumentParser(description="Run ANSO Desktop's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="small sizes (numbers not comparable)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does everything run")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "RESULTS.md", help="where to write"
    )
    arguments = parser.parse_args()
    if not _in_venv():
        python = ensure_venv("test")
        return subprocess.run([str(python), __file__, *sys.argv[1:]]).returncode
    size = "smoke" if arguments.smoke else "quick" if arguments.quick else "full"
    for measurement in run(size, arguments.output):
        print(measurement.row())  # type: ignore[attr-defined]
    print(f"Written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
