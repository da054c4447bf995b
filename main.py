"""Run ANSO Desktop from a source checkout: `python main.py` is `anso-desktop`.

On first use (and whenever pyproject.toml changes) it creates or refreshes the virtual environment
`.venv` beside this file and re-runs itself inside it, so a fresh machine needs only Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV_DIR = ROOT / ".venv"
_STAMP_NAME = ".anso-installed"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV_DIR / scripts / ("python.exe" if os.name == "nt" else "python")


def _wanted_stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {extras}"


def ensure_venv(extras: str = "") -> Path:
    """Create `.venv` if missing and install the project into it (editable, with `extras`) when
    pyproject.toml or the wanted extras changed since the last install. Returns its python."""
    python = venv_python()
    if not python.exists():
        print(f"Creating the virtual environment in {VENV_DIR} ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    stamp_file = VENV_DIR / _STAMP_NAME
    wanted = _wanted_stamp(extras)
    digest = wanted.split()[0]
    installed = [
        line
        for line in (stamp_file.read_text().splitlines() if stamp_file.exists() else [])
        if line.split()[0] == digest
    ]
    # An install with more extras also serves a run that needs fewer (the test set includes all).
    if wanted not in installed and _wanted_stamp("test") not in installed:
        print("Installing ANSO Desktop and its dependencies ...", file=sys.stderr)
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--editable",
                target,
            ],
            check=True,
        )
        stamp_file.write_text("\n".join([*installed, wanted]) + "\n")
    return python


def _inside_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV_DIR.resolve()


if __name__ == "__main__":
    if not _inside_venv():
        python = ensure_venv()
        completed = subprocess.run([str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
        sys.exit(completed.returncode)
    from anso_desktop.cli import main

    sys.exit(main())
