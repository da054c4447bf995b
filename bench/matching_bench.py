"""The duplicate finder over a large register: `anso-desktop duplicates members` timed as the
whole command a person waits for (process start included), with its peak memory.

The register is the synthetic one (bench/synthetic.py, inserted directly) plus a few hundred
planted near-duplicates of its names: "The " + name, name + " (ACRONYM)", name + ", Country" and
a one-letter typo. Every run checks that each planted pair is listed, so the benchmark cannot pass
by finding nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from sqlalchemy import insert

from bench.results import Measurement
from bench.spreadsheet_bench import command_environment, run_timed

#: The kinds of near-duplicate planted, in turn.
PLANTED_KINDS = ("leading The", "acronym in brackets", "country after a comma", "one-letter typo")
_TYPO_FIELDS_TO_AVOID = frozenset({"Sciences"})  # a generic word: see `_typo`


def planted_count(rows: int) -> int:
    """A few hundred at full size, a tenth of the register at small sizes."""
    count = min(300, max(len(PLANTED_KINDS) * 2, rows // 10))
    return count - count % len(PLANTED_KINDS)


def _typo(name: str) -> str:
    """One letter of the field word changed ("Academy of Physics" -> "Academy of Phyrics")."""
    words = name.split()
    field = words[2]
    middle = len(field) // 2
    letter = field[middle]
    replacement = "e" if letter != "e" else "a"
    words[2] = field[:middle] + replacement + field[middle + 1 :]
    return " ".join(words)


def planted_rows(
    rows: list[dict[str, object]], count: int
) -> tuple[list[dict[str, object]], list[tuple[str, str, str]]]:
    """Near-duplicates of `count` of the register's `rows` (spread over it), and the pairs they
    make: (original name, planted name, kind)."""
    from anso_desktop.countries import country_name
    from anso_desktop.storage.models import fold_for_search, normalize_name

    step = max(1, len(rows) // (2 * count))  # room for the rows a typo passes over
    planted: list[dict[str, object]] = []
    pairs: list[tuple[str, str, str]] = []
    candidates = iter(range(0, len(rows), step))
    while len(planted) < count:
        kind = PLANTED_KINDS[len(planted) % len(PLANTED_KINDS)]
        original = rows[next(candidates)]
        name = str(original["name"])
        if kind == "one-letter typo":
            while name.split()[2] in _TYPO_FIELDS_TO_AVOID:
                original = rows[next(candidates)]
                name = str(original["name"])
            duplicate = _typo(name)
        elif kind == "leading The":
            duplicate = f"The {name}"
        elif kind == "acronym in brackets":
            duplicate = f"{name} ({original['acronym']})"
        else:
            duplicate = f"{name}, {country_name(str(original['country']))}"
        planted.append(
            {
                **original,
                "name": duplicate,
                "normalized_name": normalize_name(duplicate),
                "search_text": fold_for_search(f"{duplicate} | {original['acronym']}"),
            }
        )
        pairs.append((name, duplicate, kind))
    return planted, pairs


def make_register(path: Path, rows: int) -> list[tuple[str, str, str]]:
    """A database of `rows` synthetic organizations and the planted near-duplicates; returns
    the planted pairs."""
    from anso_desktop.app import open_services
    from anso_desktop.storage.models import Organization
    from bench import synthetic

    services = open_services(str(path))
    try:
        synthetic.fill(services.database, organizations=rows)
        planted, pairs = planted_rows(synthetic.organization_rows(rows), planted_count(rows))
        with services.database.connection() as connection:
            connection.execute(insert(Organization), planted)
    finally:
        services.database.dispose()
    return pairs


def duplicates_benchmark(rows: int, folder: Path, runs: int = 3) -> list[Measurement]:
    database = folder / f"duplicates-{rows}.sqlite"
    pairs = make_register(database, rows)
    command = [sys.executable, "-m", "anso_desktop", "duplicates", "members", "--json"]
    command += ["--db", str(database)]
    environment = command_environment(folder)
    seconds, peaks, listed = [], [], 0
    for run in range(runs):
        output = folder / f"duplicates-{rows}-{run}.json"
        result = run_timed(command, output, environment)
        found = json.loads(output.read_text(encoding="utf-8"))
        names = {frozenset((pair["first"]["name"], pair["second"]["name"])) for pair in found}
        missed = [(kind, a, b) for a, b, kind in pairs if frozenset((a, b)) not in names]
        assert not missed, (
            f"{len(missed)} of {len(pairs)} planted duplicates not found: {missed[:5]}"
        )
        seconds.append(result.seconds)
        peaks.append(result.peak_mb)
        listed = len(found)
    total = rows + len(pairs)
    peak = max(peaks) if all(p is not None for p in peaks) else None
    return [
        Measurement(
            f"`anso-desktop duplicates members`, whole command, {total:,} organizations "
            f"({len(pairs)} planted near-duplicates, all found; {listed} pairs listed)",
            statistics.median(seconds),
            goal=10.0,
            peak_mb=peak,
            goal_mb=500,
        )
    ]


if __name__ == "__main__":  # .venv/bin/python -m bench.matching_bench ROWS: one run, printed
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="anso-bench-") as name:
        for measurement in duplicates_benchmark(int(sys.argv[1]), Path(name), runs=1):
            print(measurement.row())
