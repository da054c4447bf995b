"""Run the whole test suite from a source checkout: `python tests/run.py [pytest arguments]`.

Creates or refreshes `.venv` with the test dependencies, then runs the linter, the formatter check
and pytest. Exits non-zero if any of them fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from main import ensure_venv  # noqa: E402


def main() -> int:
    python = ensure_venv("test")
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    steps = [
        ("ruff check", [str(python), "-m", "ruff", "check", "."]),
        ("ruff format --check", [str(python), "-m", "ruff", "format", "--check", "."]),
        ("pytest", [str(python), "-m", "pytest", *sys.argv[1:]]),
    ]
    failed: list[str] = []
    for name, command in steps:
        print(f"==> {name}", flush=True)
        if subprocess.run(command, cwd=ROOT, env=environment).returncode != 0:
            failed.append(name)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
