"""Fixtures for the window tests: real widgets (offscreen), a real SQLite file with the demo data,
and helpers that drive a real dialog without its modal loop."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack

from anso_desktop.app import open_services
from anso_desktop.services import Services
from anso_desktop.services.demo import load_demo
from anso_desktop.ui import messages
from anso_desktop.ui.dialogs.base import RecordDialog

DialogT = TypeVar("DialogT", bound=RecordDialog[Any])


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2021 annual report loaded once; each test gets its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    services = open_services(str(path))
    load_demo(services)
    services.database.dispose()
    return path


@pytest.fixture
def demo_services(demo_file: Path, tmp_path: Path) -> Iterator[Services]:
    copy = tmp_path / "anso.sqlite"
    shutil.copy(demo_file, copy)
    services = open_services(str(copy))
    yield services
    services.database.dispose()


@pytest.fixture
def empty_services(tmp_path: Path) -> Iterator[Services]:
    services = open_services(str(tmp_path / "empty.sqlite"))
    yield services
    services.database.dispose()


@pytest.fixture
def undo_stack(qtbot: Any) -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: Any, demo_services: Services, settings: QSettings) -> Any:
    """The main window on the demo data, shown (as the tests of its menus and dialogs need)."""
    from anso_desktop.ui.main_window import MainWindow

    widget = MainWindow(demo_services, settings)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Answer message boxes without showing them; records what was asked."""
    asked: dict[str, Any] = {
        "confirm": True,
        "conflict": messages.ConflictChoice.RELOAD,
        "seen": [],
    }

    def confirm(_parent: Any, text: str, action: str = "Delete") -> bool:
        asked["seen"].append(("confirm", text))
        return bool(asked["confirm"])

    def conflict(_parent: Any, text: str) -> messages.ConflictChoice:
        asked["seen"].append(("conflict", text))
        return asked["conflict"]

    def note(kind: str) -> Callable[..., None]:
        return lambda _parent, text, *args, **kwargs: asked["seen"].append((kind, text))

    monkeypatch.setattr(messages, "confirm", confirm)
    monkeypatch.setattr(messages, "conflict", conflict)
    monkeypatch.setattr(messages, "inform", note("inform"))
    monkeypatch.setattr(messages, "warn", note("warn"))
    monkeypatch.setattr(messages, "error", note("error"))
    return asked


def drive_dialog(
    monkeypatch: pytest.MonkeyPatch,
    dialog_class: type[DialogT],
    fill: Callable[[DialogT], None],
    opened: list[DialogT] | None = None,
) -> None:
    """Make `dialog_class.ask` build the real dialog, let `fill` type into its widgets, and press
    Save — without the modal loop. The dialog stays reachable through `opened`."""

    def ask(cls: type[DialogT], parent: Any, services: Services, record: Any = None) -> Any:
        dialog = cls(services, record, parent)
        if opened is not None:
            opened.append(dialog)
        fill(dialog)
        dialog.accept()
        return dialog.saved if dialog.result() == dialog.DialogCode.Accepted else None

    monkeypatch.setattr(dialog_class, "ask", classmethod(ask))
