"""The Members tab's detail pane names the other spellings an organization was matched under
(by a merge or an import), and follows undo."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QUndoStack

from anso_desktop.services import Services
from anso_desktop.services.organizations import OrganizationData
from anso_desktop.ui import undo
from anso_desktop.ui.tabs.member_details import aliases_text
from anso_desktop.ui.tabs.members import MembersTab
from tests.ui.test_members_tab import select

PAS = "Pakistan Academy of Sciences"
CUBA = "Cuban Academy of Sciences"
SPELLINGS = ("Pakistan Academy of Science", "Pakistan Acad. of Sciences & Arts")


@pytest.fixture
def merged_twice(demo_services: Services) -> list[Any]:
    """The Pakistan Academy typed in twice more, and both merged into it."""
    organizations, merges = demo_services.organizations, demo_services.merges
    pas = organizations.find_by_name(PAS)
    assert pas is not None
    results = []
    for spelling in SPELLINGS:
        other = organizations.create(OrganizationData(name=spelling, country="PK"))
        results.append(merges.merge("members", pas.id, other.id))
    return results


@pytest.fixture
def tab(qtbot: Any, demo_services: Services, undo_stack: QUndoStack) -> MembersTab:
    widget = MembersTab(demo_services, undo_stack)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_pane_names_the_other_spellings(merged_twice: list[Any], tab: MembersTab) -> None:
    select(tab, PAS)
    facts = tab.facts.text()
    assert (
        "Also written as: Pakistan Acad. of Sciences &amp; Arts; Pakistan Academy of Science"
        in (facts)
    )
    assert tab.shown_aliases == sorted(SPELLINGS)
    select(tab, CUBA)
    assert "Also written as" not in tab.facts.text()


def test_undoing_the_merge_takes_the_spelling_away(
    merged_twice: list[Any], tab: MembersTab, undo_stack: QUndoStack, demo_services: Services
) -> None:
    undo_stack.push(undo.merged(demo_services, merged_twice[-1], tab.refresh, tab))
    select(tab, PAS)
    assert "Arts" in tab.facts.text()
    undo_stack.undo()
    select(tab, PAS)
    assert tab.shown_aliases == ["Pakistan Academy of Science"]
    assert "Arts" not in tab.facts.text()


def test_a_long_list_of_spellings_is_cut_short() -> None:
    spellings = [f"Academy {n}" for n in range(1, 9)]
    assert aliases_text(spellings) == (
        "Also written as: Academy 1; Academy 2; Academy 3; Academy 4; Academy 5; Academy 6 "
        "and 2 more"
    )
    assert aliases_text(["PAS Lahore"]) == "Also written as: PAS Lahore"
