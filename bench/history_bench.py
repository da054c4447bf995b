"""The change history at size: one record's history read from a database holding a million
history rows, and the undo of a 100,000-row import beside the import itself.

The history database is built by the program, never by inserting into `changes`: the demo, then
`anso-desktop import` of the spreadsheet bench's 100,000 members (one change set, its history
written by the bulk path), then bulk edits through the program's engine (executemany UPDATEs of
half the members at a time, 5,000 rows a transaction, so the triggers write one update row each)
and single edits (one member, one transaction, one change set each: a dialog's save), until
`changes` holds ten rows per member. It takes a minute or two, so it is kept in bench/.cache, named
after the size and a digest of what wrote it (the migrations, the triggers, this recipe); a
change to any of those builds it anew.

Measured, each in a fresh process:
- `services.history.record_history("members", ID)` alone, after opening, for 20 members with a
  handful of changes each (among them the import's and several bulk edits' change sets, and a
  single edit), checked against the number of change sets and changes the database holds for
  each; the median of every call of every run;
- the whole `anso-desktop history --table members --record ID --json` command, for information;
- `anso-desktop undo` of a 100,000-row import, whole command, beside that `anso-desktop import`
  timed the same way, into a fresh demo register each run; the ratio is the median of each run's
  undo over its own import. Every run checks that the undo removed every imported member and left
  the register's tables as the demo made them (every column but the rows' versions).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.results import Measurement
from bench.spreadsheet_bench import (
    _MAKE_FILE,
    _PRELUDE,
    _counts,
    _import_command,
    _run,
    command_environment,
    run_timed,
)

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"

#: Ten history rows per member in the built database: its insert, 17 bulk edits of half the
#: members (8.5 rows each), and single edits of a member picked at random, half as many as members.
BULK_PASSES = 17
BULK_BATCH = 5000  # rows per bulk edit's transaction (its change set)
#: Members whose history is timed, and the size of their history ("a handful" of changes).
PICKED = 20
HANDFUL = (5, 10)
#: Bumped when the recipe below changes in a way the digest would not see.
RECIPE = 1

# Edits through the program's own engine: each transaction opens its change set as any write
# does, and the triggers write the history. Then the members to time are chosen from what the
# database holds: a handful of history rows each, one of them a single edit.
_EDIT = r"""
import json, random, sys
sys.path.insert(0, sys.argv[-1])
from anso_desktop.app import open_services
from anso_desktop.storage import history
database, rows, picks = sys.argv[1], int(sys.argv[2]), sys.argv[3]
passes, batch, picked, low, high = (int(value) for value in sys.argv[4:9])
services = open_services(database)
database = services.database
with database.connection() as connection:
    ids = [row[0] for row in connection.exec_driver_sql(  # the imported members
        "SELECT row_id FROM changes WHERE table_name = 'organizations' AND action = 'insert' "
        "AND change_set_id = (SELECT max(id) FROM change_sets WHERE source LIKE 'import %') "
        "ORDER BY row_id")]
assert len(ids) == rows, len(ids)
rng = random.Random(2021)
columns = ("website", "email", "notes")
for number in range(passes):
    column = columns[number % len(columns)]
    chosen = sorted(rng.sample(ids, len(ids) // 2))
    for start in range(0, len(chosen), batch):
        values = [
            (f"https://example.org/{number}/{record}" if column == "website"
             else f"office.{number}.{record}@example.org" if column == "email"
             else f"Reviewed in round {number + 1}", record)
            for record in chosen[start : start + batch]
        ]
        with history.recorded_as(f"bulk edit {number + 1}"), database.connection() as connection:
            connection.exec_driver_sql(
                f"UPDATE organizations SET {column} = ?, version = version + 1 WHERE id = ?",
                values,
            )
for number in range(len(ids) // 2):
    record = rng.choice(ids)
    with history.recorded_as("Edit member"), database.connection() as connection:
        connection.exec_driver_sql(
            "UPDATE organizations SET notes = ?, version = version + 1 WHERE id = ?",
            (f"Telephoned the office ({number})", record),
        )
with database.connection() as connection:
    found = connection.exec_driver_sql(
        "SELECT c.record_id, count(*), count(DISTINCT c.change_set_id), "
        "sum(s.source = 'Edit member') FROM changes AS c "
        "JOIN change_sets AS s ON s.id = c.change_set_id "
        "WHERE c.record_table = 'organizations' GROUP BY c.record_id ORDER BY c.record_id"
    ).all()
    total = connection.exec_driver_sql("SELECT count(*) FROM changes").scalar()
    sets = connection.exec_driver_sql("SELECT count(*) FROM change_sets").scalar()
database.dispose()
imported = set(ids)
handful = [row for row in found if row[0] in imported and row[3] and low <= row[1] <= high]
step = max(1, len(handful) // picked)
chosen = handful[::step][:picked]
assert len(chosen) == picked, (len(handful), picked)
with open(picks, "w", encoding="utf-8") as out:
    json.dump({"changes": total, "change_sets": sets,
               "records": [{"id": r, "changes": n, "change_sets": s} for r, n, s, _ in chosen]},
              out)
print("{}")
"""

# One record's history, the call alone timed, for each of the picked members in turn.
_RECORD_HISTORY = (
    _PRELUDE
    + r"""
sys.path.insert(0, sys.argv[3])
from anso_desktop.app import open_services
records = json.loads(open(sys.argv[2], encoding="utf-8").read())["records"]
services = open_services(sys.argv[1])
timings = []
for record in records:
    start = time.perf_counter()
    sets = services.history.record_history("members", record["id"])
    timings.append(time.perf_counter() - start)
    assert len(sets) == record["change_sets"], (record, len(sets))
    assert sum(len(s.changes) for s in sets) == record["changes"], record
print(json.dumps({"seconds": timings, "peak_mb": peak_mb()}))
"""
)


def _digest(rows: int) -> str:
    """What the built database depends on: a change to any of it builds it anew."""
    hashed = hashlib.sha256(
        f"{RECIPE} {rows} {BULK_PASSES} {BULK_BATCH} {PICKED} {HANDFUL}".encode()
    )
    for text in (_EDIT, _MAKE_FILE):
        hashed.update(text.encode())
    sources = sorted((ROOT / "db" / "versions").glob("*.py"))
    sources += [ROOT / "anso_desktop" / "storage" / "history.py", ROOT / "bench" / "synthetic.py"]
    for source in sources:
        hashed.update(source.read_bytes())
    return hashed.hexdigest()[:12]


def _cache_folder(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Built by the benchmarks; rebuilt when missing.\n*\n", encoding="utf-8")
    return cache


def _demo(database: Path, folder: Path) -> None:
    run_timed(
        [sys.executable, "-m", "anso_desktop", "demo", "--db", str(database)],
        folder / f"{database.stem}-demo.txt",
        command_environment(folder),
    )


def _checkpointed(database: Path) -> None:
    """The write-ahead log folded into the file, so the file alone holds the database."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def history_database(
    rows: int, folder: Path, cache: Path | None
) -> tuple[Path, Path, dict[str, Any]]:
    """The members file (the spreadsheet bench's `rows` synthetic members), the database of ten
    history rows per member made from it (built, or found in `cache`), and what that holds:
    {"changes": n, "change_sets": n, "records": the members to time}."""
    place = _cache_folder(cache) if cache is not None else folder
    name = f"history-{rows}-{_digest(rows)}"
    source = place / f"{name}.xlsx"
    database, picks = place / f"{name}.sqlite", place / f"{name}.json"
    if source.exists() and database.exists() and picks.exists():
        return source, database, json.loads(picks.read_text(encoding="utf-8"))
    for stale in place.glob(f"history-{rows}-*"):  # an older recipe's
        stale.unlink()
    building = folder / f"{name}.sqlite"  # built beside the run's files (the import's backup)
    made = building.with_suffix(".xlsx")
    _run(_MAKE_FILE, str(made), str(rows))
    _demo(building, folder)
    imported = _import_command(made, building, folder, folder / "history-import.txt")
    assert _counts(imported) == (rows, 0, 0), imported.stdout[:2000]
    numbers = (BULK_PASSES, BULK_BATCH, PICKED, *HANDFUL)
    held = folder / f"{name}.json"
    _run(_EDIT, str(building), str(rows), str(held), *(str(n) for n in numbers))
    _checkpointed(building)
    if place != folder:  # the database last: a cache is complete when it is there
        shutil.move(made, source)
        shutil.move(held, picks)
        shutil.move(building, database)
    return source, database, json.loads(picks.read_text(encoding="utf-8"))


def _register_state(database: Path) -> dict[str, str]:
    """Each register table's rows (every column but `version`), as a digest: equal digests, the
    same register. The history tables and SQLite's own are left out."""
    state: dict[str, str] = {}
    with sqlite3.connect(database) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT IN ('changes', 'change_sets', 'alembic_version') ORDER BY name"
            )
        ]
        for table in tables:
            columns = [
                row[1]
                for row in connection.execute(f'PRAGMA table_info("{table}")')
                if row[1] != "version"
            ]
            listed = ", ".join(f'"{column}"' for column in columns)
            rows = sorted(
                repr(row) for row in connection.execute(f'SELECT {listed} FROM "{table}"')
            )
            state[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    connection.close()
    return state


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    connection.close()
    return int(count)


def history_benchmarks(
    rows: int, folder: Path, runs: int = 3, cache: Path | None = None
) -> list[Measurement]:
    source, built, held = history_database(rows, folder, cache)
    database = folder / f"history-{rows}.sqlite"  # a copy: opening it may not touch the cache
    shutil.copyfile(built, database)
    records = held["records"]
    picks = folder / "history-records.json"
    picks.write_text(json.dumps(held), encoding="utf-8")
    environment = command_environment(folder)

    calls: list[float] = []
    call_peaks: list[float] = []
    commands, command_peaks = [], []
    for run in range(runs):
        result = _run(_RECORD_HISTORY, str(database), str(picks))
        calls += result["seconds"]  # type: ignore[arg-type]
        call_peaks.append(result["peak_mb"])
        for record in records[run * 3 : run * 3 + 3]:
            output = folder / f"history-{record['id']}.json"
            command = [sys.executable, "-m", "anso_desktop", "history", "--table", "members"]
            command += ["--record", str(record["id"]), "--json", "--db", str(database)]
            timed = run_timed(command, output, environment)
            shown = json.loads(output.read_text(encoding="utf-8"))
            assert len(shown) == record["change_sets"], (record, len(shown))
            assert sum(len(s["changes"]) for s in shown) == record["changes"], record
            commands.append(timed.seconds)
            command_peaks.append(timed.peak_mb)

    imports, undos, ratios, undo_peaks = [], [], [], []
    registered = 0
    for run in range(runs):
        register = folder / f"undo-{rows}-{run}.sqlite"
        _demo(register, folder)
        before = _register_state(register)
        registered = _count(register, "organizations")
        imported = _import_command(source, register, folder, folder / f"undo-import-{run}.txt")
        assert _counts(imported) == (rows, 0, 0), imported.stdout[:2000]
        with sqlite3.connect(register) as connection:
            (change_set,) = connection.execute(
                "SELECT max(id) FROM change_sets WHERE source = ?", (f"import {source.name}",)
            ).fetchone()
        connection.close()
        command = [sys.executable, "-m", "anso_desktop", "undo", str(change_set)]
        undone = run_timed(
            [*command, "--db", str(register)], folder / f"undo-{run}.txt", environment
        )
        with sqlite3.connect(register) as connection:  # the undo's own change set says it
            removed = connection.execute(
                "SELECT count(*) FROM changes WHERE table_name = 'organizations' "
                "AND action = 'delete' AND change_set_id = "
                "(SELECT id FROM change_sets WHERE undoes = ?)",
                (change_set,),
            ).fetchone()[0]
        connection.close()
        assert removed == rows, (removed, undone.stdout[:2000])
        assert _count(register, "organizations") == registered, "the undo left members behind"
        assert _register_state(register) == before, "the undo did not restore the register"
        imports.append(imported.seconds)
        undos.append(undone.seconds)
        ratios.append(undone.seconds / imported.seconds)
        undo_peaks.append(undone.peak_mb)

    def peak(values: list[Any]) -> float | None:
        return max(values) if all(value is not None for value in values) else None

    handful = f"{min(r['changes'] for r in records)}–{max(r['changes'] for r in records)}"
    processes = "1 process" if runs == 1 else f"{runs} processes"
    among = f"{held['changes']:,} history rows in {held['change_sets']:,} change sets"
    return [
        Measurement(
            f"history of one member ({handful} changes), `record_history` call after opening, "
            f"among {among} (median of {len(records)} members × {processes})",
            statistics.median(calls),
            goal=0.1,
            peak_mb=peak(call_peaks),
        ),
        Measurement(
            f"`anso-desktop history --table members --record ID --json`, whole command, "
            f"among {among}",
            statistics.median(commands),
            peak_mb=peak(command_peaks),
        ),
        Measurement(
            f"`anso-desktop undo` of an import of {rows:,} members into a register of "
            f"{registered} organizations (register as before, checked), whole command vs that "
            "`anso-desktop import` (ratio: median of paired runs)",
            statistics.median(undos),
            baseline=statistics.median(imports),
            goal_ratio=1.0,
            peak_mb=peak(undo_peaks),
            paired_ratio=statistics.median(ratios),
        ),
    ]


if __name__ == "__main__":  # .venv/bin/python -m bench.history_bench ROWS: one run, printed
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="anso-bench-") as name:
        for measurement in history_benchmarks(int(sys.argv[1]), Path(name), runs=1, cache=CACHE):
            print(measurement.row())
