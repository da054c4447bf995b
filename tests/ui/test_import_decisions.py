"""The import wizard's rows to decide: a row that may be a record already there (a weak likely
match) shows as Undecided, Import waits until every such row is decided, and "Same as …" or
"New" goes into the check and the import. Real workbooks, the demo database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from anso_desktop.services import Services
from anso_desktop.spreadsheets import Outcome
from anso_desktop.ui.dialogs.import_wizard import (
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    ImportWizard,
    imported_text,
)
from tests.ui.test_import_wizard import (  # the wizard's fixture and page helpers
    TIMEOUT,
    next_page,
    open_wizard,  # noqa: F401  (a fixture)
    organization_names,
    outcomes,
    write_workbook,
)

PAS = "Pakistan Academy of Sciences"
PAS_AS_WRITTEN = "Pakistan Academy of Science"
MAS = "Mongolian Academy of Sciences"
MAS_AS_WRITTEN = "Mongolian Academy of Science"
SHEET = "Partners"


def weak_match(services: Services, name: str) -> int:
    """The one record `name` may be, which the register cannot take as sure."""
    (candidate,) = services.organizations.likely_matches(name)
    assert not candidate.strong, f"{name} is matched for sure: choose a spelling that is not"
    return candidate.record.id


def checked(qtbot: Any, wizard: ImportWizard) -> ImportWizard:
    next_page(qtbot, wizard, wizard.MAPPING)
    next_page(qtbot, wizard, wizard.PREVIEW)
    return wizard


def wait(qtbot: Any, wizard: ImportWizard) -> None:
    qtbot.waitUntil(lambda: not wizard.busy, timeout=TIMEOUT)


def details(wizard: ImportWizard, label: str) -> str:
    return next(row.details for row in wizard.preview_model.rows if row.label == label)


def import_it(qtbot: Any, wizard: ImportWizard) -> None:
    assert wizard.import_button.isEnabled()
    wizard.import_button.click()
    qtbot.waitUntil(lambda: wizard.report is not None, timeout=TIMEOUT)


def test_an_undecided_row_said_to_be_the_record_it_is_updates_that_record(
    qtbot: Any,
    tmp_path: Path,
    open_wizard: Callable[..., ImportWizard],  # noqa: F811
    demo_services: Services,
) -> None:
    pas = weak_match(demo_services, PAS_AS_WRITTEN)
    assert demo_services.organizations.get(pas).name == PAS
    before = demo_services.organizations.count()
    path = write_workbook(
        tmp_path / "partners.xlsx",
        [["Name", "Country", "Website"], [PAS_AS_WRITTEN, "Pakistan", "www.paspk.org"]],
        sheet=SHEET,
    )
    wizard = checked(qtbot, open_wizard(path))

    assert outcomes(wizard) == {PAS_AS_WRITTEN: Outcome.UNDECIDED}
    assert f"may be '{PAS}' (a similar name (98%))" in details(wizard, PAS_AS_WRITTEN)
    model = wizard.preview_model
    outcome_column = model.headers().index("Outcome")
    assert model.index(0, outcome_column).data() == OUTCOME_LABELS[Outcome.UNDECIDED] == "Undecided"
    background = model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == OUTCOME_COLOURS[Outcome.UNDECIDED][0]
    assert wizard.counts_label.text() == "0 new, 0 changed, 0 unchanged, 1 undecided, 0 errors"
    assert wizard.shown_outcomes() == {Outcome.UNDECIDED}
    assert "nothing is written until every row is decided" in wizard.preview_note.text()
    assert not wizard.import_button.isEnabled()
    panel = wizard.decisions
    assert panel.isVisible()
    assert panel.pending() == [(SHEET, 2)]
    assert panel.choices(SHEET, 2) == [
        "Decide…",
        f"Same as “{PAS}” — a similar name (98%)",
        "New — add it as a new organization",
    ]

    panel.decide(SHEET, 2, pas)  # the rows are checked again with the decision
    assert wizard.busy
    wait(qtbot, wizard)
    assert outcomes(wizard) == {PAS_AS_WRITTEN: Outcome.CHANGED}
    assert details(wizard, PAS_AS_WRITTEN) == f"Same as “{PAS}”, as you chose"
    assert wizard.options(dry_run=False).matches == {(SHEET, 2): pas}
    import_it(qtbot, wizard)

    assert demo_services.organizations.count() == before  # no new organization
    assert PAS_AS_WRITTEN not in organization_names(demo_services)
    record = demo_services.organizations.get(pas)
    assert (record.name, record.website) == (PAS, "www.paspk.org")
    assert demo_services.organizations.aliases(pas) == [PAS_AS_WRITTEN]
    assert wizard.report is not None and wizard.report.aliases_added == 1
    assert "1 other name was kept" in imported_text(wizard.report)


def test_an_undecided_row_said_to_be_new_adds_an_organization(
    qtbot: Any,
    tmp_path: Path,
    open_wizard: Callable[..., ImportWizard],  # noqa: F811
    demo_services: Services,
) -> None:
    pas = weak_match(demo_services, PAS_AS_WRITTEN)
    before = demo_services.organizations.count()
    path = write_workbook(
        tmp_path / "partners.xlsx",
        [["Name", "Country", "Website"], [PAS_AS_WRITTEN, "Pakistan", "www.paspk.org"]],
        sheet=SHEET,
    )
    wizard = checked(qtbot, open_wizard(path))
    assert not wizard.import_button.isEnabled()
    wizard.decisions.decide(SHEET, 2, None)
    wait(qtbot, wizard)
    assert outcomes(wizard) == {PAS_AS_WRITTEN: Outcome.NEW}
    assert details(wizard, PAS_AS_WRITTEN) == "New, as you chose"
    assert wizard.options(dry_run=False).new_rows == {(SHEET, 2)}
    import_it(qtbot, wizard)

    assert demo_services.organizations.count() == before + 1
    added = demo_services.organizations.find_by_name(PAS_AS_WRITTEN)
    assert added is not None and added.id != pas
    assert added.website == "www.paspk.org"
    assert demo_services.organizations.get(pas).website is None  # the other one is untouched
    assert demo_services.organizations.aliases(pas) == []


def test_import_waits_until_every_row_is_decided(
    qtbot: Any,
    tmp_path: Path,
    open_wizard: Callable[..., ImportWizard],  # noqa: F811
    demo_services: Services,
) -> None:
    pas = weak_match(demo_services, PAS_AS_WRITTEN)
    weak_match(demo_services, MAS_AS_WRITTEN)
    path = write_workbook(
        tmp_path / "partners.xlsx",
        [
            ["Name", "Country"],
            [PAS_AS_WRITTEN, "Pakistan"],
            ["Mongolian University of Science and Technology", "Mongolia"],
            [MAS_AS_WRITTEN, "Mongolia"],
        ],
        sheet=SHEET,
    )
    wizard = checked(qtbot, open_wizard(path))
    assert wizard.decisions.pending() == [(SHEET, 2), (SHEET, 4)]
    wizard.decisions.decide(SHEET, 2, pas)
    assert not wizard.busy  # one row still to decide: no check yet
    assert not wizard.import_button.isEnabled()
    wizard.check_button.click()  # Check again: with the decision made so far
    wait(qtbot, wizard)
    assert outcomes(wizard)[PAS_AS_WRITTEN] is Outcome.UNCHANGED
    assert outcomes(wizard)[MAS_AS_WRITTEN] is Outcome.UNDECIDED
    assert not wizard.import_button.isEnabled()
    assert wizard.decisions.rows == [(SHEET, 2), (SHEET, 4)]  # a decided row can be changed

    wizard.decisions.all_new_button.click()  # the rest are new
    wait(qtbot, wizard)
    assert outcomes(wizard)[MAS_AS_WRITTEN] is Outcome.NEW
    assert wizard.import_button.isEnabled()

    wizard.decisions.decide(SHEET, 2, None)  # changed: checked again before Import is offered
    assert not wizard.import_button.isEnabled()
    wait(qtbot, wizard)
    assert outcomes(wizard)[PAS_AS_WRITTEN] is Outcome.NEW
    import_it(qtbot, wizard)
    assert {PAS_AS_WRITTEN, MAS_AS_WRITTEN} <= organization_names(demo_services)


def test_another_file_forgets_the_decisions(
    qtbot: Any,
    tmp_path: Path,
    open_wizard: Callable[..., ImportWizard],  # noqa: F811
    demo_services: Services,
) -> None:
    first = write_workbook(
        tmp_path / "partners.xlsx", [["Name", "Country"], [PAS_AS_WRITTEN, "Pakistan"]], SHEET
    )
    wizard = checked(qtbot, open_wizard(first))
    wizard.decisions.decide(SHEET, 2, None)
    wait(qtbot, wizard)
    second = write_workbook(
        tmp_path / "more.xlsx", [["Name", "Country"], [MAS_AS_WRITTEN, "Mongolia"]], SHEET
    )
    wizard.go_back()
    wizard.go_back()
    wizard.set_path(second)
    wait(qtbot, wizard)
    assert wizard.decisions.rows == []
    assert wizard.options(dry_run=True).new_rows == frozenset()
    checked(qtbot, wizard)
    assert outcomes(wizard) == {MAS_AS_WRITTEN: Outcome.UNDECIDED}
