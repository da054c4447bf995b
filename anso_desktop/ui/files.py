"""Where to save a file the user makes (a workbook, a PDF, a picture): asked in the folder used
last time for that kind of file, with the file type's suffix added if it was typed without."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget


def ask_save_path(
    parent: QWidget | None,
    settings: QSettings | None,
    folder_key: str,
    title: str,
    name: str,
    file_filter: str,
    suffix: str,
) -> Path | None:
    """The path chosen (its folder remembered under `folder_key`), or None if cancelled."""
    remembered = settings.value(folder_key) if settings is not None else None
    folder = Path(str(remembered or Path.home()))
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name), file_filter)
    if not chosen:
        return None
    path = Path(chosen) if Path(chosen).suffix.lower() == suffix else Path(f"{chosen}{suffix}")
    if settings is not None:
        settings.setValue(folder_key, str(path.parent))
    return path
