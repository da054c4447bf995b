"""A tiny run of every benchmark: it runs to the end and its figures are sane. No timing is
asserted here; the goals are judged in bench/RESULTS.md by the full run."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmarks_run_and_report(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = output.read_text(encoding="utf-8")
    assert "Made by `python3 bench/run.py --smoke`" in report
    rows = [line for line in report.splitlines() if line.startswith("| ") and "---" not in line]
    measurements = rows[1:]  # the first is the table's header
    names = [row.split(" | ")[0].lstrip("| ") for row in measurements]
    assert any(name.startswith("first paint") for name in names)
    assert any(name.startswith("search keystroke") for name in names)
    assert any(name.startswith("header-click sort") for name in names)
    assert any(name.startswith("window appears") for name in names)
    # The whole import command, twice (matched the second time), and the duplicate finder, which
    # found what was planted (it asserts so itself: the run would have failed).
    assert any(
        name.startswith("`anso-desktop import` 300 members into a register") for name in names
    )
    assert any(
        name.startswith("`anso-desktop import` of the same 300 members again") for name in names
    )
    duplicates = next(
        name for name in names if name.startswith("`anso-desktop duplicates members`")
    )
    assert "planted near-duplicates, all found" in duplicates
    # One record's history among many changes, and the undo of an import (which checks itself
    # that the register is as before: the run would have failed).
    assert any(name.startswith("history of one member") for name in names)
    assert any(name.startswith("`anso-desktop undo` of an import") for name in names)
    printed = next(name for name in names if name.startswith("printed member list, 100 members"))
    assert "pages)" in printed and int(printed.split("(")[1].split()[0]) >= 2
    for row in measurements:
        milliseconds = float(row.split(" | ")[1].removesuffix(" ms"))
        assert math.isfinite(milliseconds)
        assert 0 < milliseconds < 60_000, row
