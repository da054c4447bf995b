"""The Members tab, driven as a secretary would: find and filter organizations, add, edit, delete
and undo, keep contacts, and take several members through the admission lifecycle at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog

from anso_desktop.domain import (
    DecisionStatus,
    MeetingKind,
    MemberStatus,
    OrganizationKind,
    Relation,
)
from anso_desktop.services import Services
from anso_desktop.services.meetings import MeetingData
from anso_desktop.services.organizations import ContactData, OrganizationData
from anso_desktop.ui.dialogs.lifecycle import (
    ApproveDialog,
    EndorseDialog,
    LifecycleDialog,
    StatusChangeDialog,
)
from anso_desktop.ui.dialogs.organization import ContactDialog, OrganizationDialog
from anso_desktop.ui.tabs.member_details import NO_SELECTION
from anso_desktop.ui.tabs.members import MembersTab
from tests.ui.conftest import drive_dialog

CUBA = "Cuban Academy of Sciences"
IAC = "Instituto de Astrofísica de Canarias"
RAS = "Russian Academy of Sciences"
FOURTH_BOARD_MEETING = date(2021, 10, 9)
DEMO_STATUS = "79 organizations · Endorsed by GB 8 · Active 6"
APPLICANTS = (
    "Academy of Sciences of Mozambique",
    "National Academy of Sciences of Sri Lanka",
    "Uganda National Academy of Sciences",
)


@pytest.fixture
def tab(qtbot: Any, demo_services: Services, undo_stack: QUndoStack) -> MembersTab:
    widget = MembersTab(demo_services, undo_stack)
    qtbot.addWidget(widget)
    widget.show()
    # The country filter fills once the rows have painted.
    qtbot.waitUntil(lambda: widget.country_filter.count() > 1, timeout=2000)
    return widget


def names(tab: MembersTab) -> list[str]:
    return [tab.model.record_at(row).name for row in range(tab.model.rowCount())]


def select(tab: MembersTab, *wanted: str) -> None:
    rows = names(tab)
    selection = tab.view.selectionModel()
    selection.clearSelection()
    for name in wanted:
        selection.select(
            tab.model.index(rows.index(name), 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def cell(tab: MembersTab, name: str, key: str) -> str:
    column = [c.key for c in tab.model.columns].index(key)
    return tab.model.index(names(tab).index(name), column).data()


def by_name(services: Services, name: str) -> Any:
    found = services.organizations.find_by_name(name)
    assert found is not None, name
    return services.organizations.get(found.id)


def add_applicants(tab: MembersTab, services: Services) -> list[int]:
    ids = [
        services.organizations.create(
            OrganizationData(
                name=name,
                kind=OrganizationKind.ACADEMY,
                relation=Relation.MEMBER,
                applied_on=date(2021, 6, day),
            )
        ).id
        for day, name in enumerate(APPLICANTS, start=1)
    ]
    tab.refresh()
    return ids


def drive_lifecycle(
    monkeypatch: pytest.MonkeyPatch,
    dialog_class: type[LifecycleDialog[Any]],
    fill: Callable[[Any], None] = lambda _dialog: None,
    opened: list[Any] | None = None,
) -> None:
    """Like `drive_dialog`, for the lifecycle dialogs: build the real one, fill it, press OK."""

    def ask(cls: type[LifecycleDialog[Any]], parent: Any, services: Services, records: Any) -> Any:
        dialog = cls(services, records, parent)
        if opened is not None:
            opened.append(dialog)
        fill(dialog)
        dialog.accept()
        return dialog.chosen if dialog.result() == QDialog.DialogCode.Accepted else None

    monkeypatch.setattr(dialog_class, "ask", classmethod(ask))


def never_asked(monkeypatch: pytest.MonkeyPatch, dialog_class: type[Any]) -> None:
    def ask(*_args: Any) -> None:
        raise AssertionError(f"{dialog_class.__name__} should not have opened")

    monkeypatch.setattr(dialog_class, "ask", classmethod(ask))


# --- the list --------------------------------------------------------------------------------


def test_the_model_passes_qt_model_tests(tab: MembersTab, qtmodeltester: Any) -> None:
    qtmodeltester.check(tab.model, force_py=True)


def test_opens_by_name_with_countries_by_name_and_counts_by_status(tab: MembersTab) -> None:
    assert tab.model.rowCount() == 79
    listed = names(tab)
    assert listed == sorted(listed, key=str.casefold)
    assert [c.header for c in tab.model.columns] == [
        "Name",
        "Acronym",
        "Country",
        "Kind",
        "Relation",
        "Status",
        "Applied",
        "Endorsed by GB",
        "Approved by GA",
        "Joined",
    ]
    assert cell(tab, CUBA, "country") == "Cuba"
    assert cell(tab, CUBA, "status") == "Endorsed by GB"
    assert cell(tab, CUBA, "endorsed_on") == "9 Oct 2021"
    assert cell(
        tab, "United Nations Educational, Scientific and Cultural Organization", "relation"
    ) == ("Partner")
    assert tab.status_text() == DEMO_STATUS


def test_search_filters_as_you_type(qtbot: Any, tab: MembersTab) -> None:
    qtbot.keyClicks(tab.search, "unesco")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=2000)
    assert "United Nations Educational, Scientific and Cultural Organization" in names(tab)
    assert tab.status_text().startswith("3 of 79 organizations · ")
    qtbot.keyClicks(tab.search, "x")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=2000)
    assert tab.stack.currentWidget() is tab.empty_label
    assert "Ctrl+Shift+L" in tab.empty_label.text()
    tab.clear_filters()
    assert tab.model.rowCount() == 79


def test_each_filter(tab: MembersTab) -> None:
    tab.status_filter.setCurrentIndex(tab.status_filter.findData(MemberStatus.ACTIVE.value))
    assert sorted(names(tab)) == [
        "Chinese Academy of Sciences",
        "Hungarian Academy of Sciences",
        "National Science and Technology Development Agency",
        "Pakistan Academy of Sciences",
        RAS,
        "University of Belgrade",
    ]
    assert tab.status_text() == "6 of 79 organizations · Endorsed by GB 8 · Active 6"
    tab.clear_filters()
    assert tab.country_filter.findData("FR") >= 0  # UNESCO's seat
    assert tab.country_filter.findData("DE") == -1  # nobody from Germany: no such choice
    tab.country_filter.setCurrentIndex(tab.country_filter.findText("Argentina"))
    assert sorted(names(tab)) == [
        "Buenos Aires Faculty National Technological University of Argentina",
        "Instituto Argentino de Radioastronomía",
        "Universidad Nacional de San Juan",
    ]
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData(OrganizationKind.UNIVERSITY.value))
    assert len(names(tab)) == 2  # both filters apply
    tab.clear_filters()
    tab.relation_filter.setCurrentIndex(tab.relation_filter.findData(Relation.PARTNER.value))
    partners = names(tab)
    assert "International Union for Conservation of Nature" in partners
    assert "United Nations Educational, Scientific and Cultural Organization" in partners
    assert CUBA not in partners
    tab.clear_filters()
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData(OrganizationKind.ACADEMY.value))
    assert CUBA in names(tab)
    assert "University of Belgrade" not in names(tab)
    tab.status_filter.setCurrentIndex(tab.status_filter.findData(MemberStatus.WITHDRAWN.value))
    assert tab.model.rowCount() == 0
    assert tab.empty_label.text() == (
        "No organizations match the search and filters — press Ctrl+Shift+L to clear them."
    )
    tab.clear_filters()
    filters = (tab.status_filter, tab.country_filter, tab.kind_filter, tab.relation_filter)
    assert [combo.currentIndex() for combo in filters] == [0, 0, 0, 0]
    assert tab.model.rowCount() == 79


def test_empty_register_says_what_to_do(
    qtbot: Any, empty_services: Services, undo_stack: QUndoStack
) -> None:
    tab = MembersTab(empty_services, undo_stack)
    qtbot.addWidget(tab)
    assert tab.stack.currentWidget() is tab.empty_label
    assert tab.empty_label.text() == "No organizations yet — press Ctrl+N to add one."
    assert tab.status_text() == "0 organizations"
    assert not tab.endorse_action.isEnabled()


# --- add, edit, delete -----------------------------------------------------------------------


def test_add_a_member_typing_its_country(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tab: MembersTab, undo_stack: QUndoStack
) -> None:
    def fill(dialog: OrganizationDialog) -> None:
        assert dialog.relation.value() == Relation.MEMBER
        assert dialog.status.currentData() == MemberStatus.APPLICANT  # a new member applies
        assert dialog.status.count() == len(MemberStatus)
        dialog.name_edit.setText("Spanish National Research Council")
        dialog.acronym.setText("CSIC")
        dialog.country.lineEdit().clear()
        qtbot.keyClicks(dialog.country.lineEdit(), "Spain")
        dialog.kind.set_value(OrganizationKind.RESEARCH_INSTITUTE)
        dialog.applied.set_value(date(2022, 3, 1))
        dialog.website.setText("www.csic.es")

    drive_dialog(monkeypatch, OrganizationDialog, fill)
    tab.new_record()
    assert tab.model.rowCount() == 80
    created = tab.selected_records()[0]
    assert (created.name, created.country, created.status) == (
        "Spanish National Research Council",
        "ES",
        MemberStatus.APPLICANT,
    )
    assert cell(tab, created.name, "country") == "Spain"
    assert cell(tab, created.name, "applied_on") == "1 Mar 2022"
    assert tab.status_text() == "80 organizations · Applicant 1 · Endorsed by GB 8 · Active 6"
    assert tab.country_filter.findData("ES") >= 0  # Spain is now a filter choice
    assert "www.csic.es" in tab.facts.text()
    assert undo_stack.undoText() == "Add organization “Spanish National Research Council”"
    undo_stack.undo()
    assert tab.model.rowCount() == 79
    assert tab.status_text() == DEMO_STATUS


def test_the_status_follows_the_relation_and_the_lifecycle(
    tab: MembersTab, demo_services: Services
) -> None:
    dialog = OrganizationDialog(demo_services, by_name(demo_services, CUBA), tab)
    offered = [dialog.status.itemData(i) for i in range(dialog.status.count())]
    assert offered == [MemberStatus.ENDORSED, MemberStatus.APPROVED, MemberStatus.WITHDRAWN]
    assert dialog.status.currentData() == MemberStatus.ENDORSED
    assert "Decision 3 of the 4th Governing Board meeting" in dialog.recorded.text()
    dialog.relation.set_value(Relation.PARTNER)
    assert not dialog.status.isEnabled()
    assert not dialog.endorsed.isEnabled()
    assert dialog.collect().status is None
    dialog.relation.set_value(Relation.MEMBER)
    assert dialog.status.isEnabled()
    assert dialog.collect().status is MemberStatus.ENDORSED
    iucn = by_name(demo_services, "International Union for Conservation of Nature")
    partner = OrganizationDialog(demo_services, iucn, tab)
    assert not partner.status.isEnabled()
    assert partner.recorded.isHidden()


def test_a_refused_field_is_marked_inline_and_the_dialog_stays(
    monkeypatch: pytest.MonkeyPatch, tab: MembersTab, demo_services: Services
) -> None:
    opened: list[OrganizationDialog] = []

    def fill(dialog: OrganizationDialog) -> None:
        dialog.name_edit.setText("CUBAN ACADEMY OF SCIENCES")
        dialog.email.setText("secretariat.at.aci.cu")
        dialog.country.setEditText("Cubaa")

    drive_dialog(monkeypatch, OrganizationDialog, fill, opened)
    tab.new_record()
    dialog = opened[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_text("name") == "'Cuban Academy of Sciences' is already in the register"
    assert "is not an e-mail address" in dialog.error_text("email")
    assert "is not a country name" in dialog.error_text("country")
    assert dialog.error_text("acronym") == ""
    assert tab.model.rowCount() == 79
    dialog.name_edit.setText("Academia de Ciencias de Cuba, Sede Oriente")
    dialog.email.setText("secretariat@aci.cu")
    dialog.country.setEditText("Cuba")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.error_text("email") == ""
    assert demo_services.organizations.count() == 80


def test_edit_the_status_and_undo_it(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    undo_stack: QUndoStack,
    demo_services: Services,
) -> None:
    select(tab, CUBA)

    def fill(dialog: OrganizationDialog) -> None:
        dialog.status.setCurrentIndex(dialog.status.findData(MemberStatus.WITHDRAWN))
        dialog.acronym.setText("ACC")

    drive_dialog(monkeypatch, OrganizationDialog, fill)
    tab.edit_selected()
    edited = by_name(demo_services, CUBA)
    assert (edited.status, edited.acronym) == (MemberStatus.WITHDRAWN, "ACC")
    assert cell(tab, CUBA, "status") == "Withdrawn"
    assert tab.model.index(names(tab).index(CUBA), 0).data(Qt.ItemDataRole.ForegroundRole)
    # Withdrawn → Endorsed is no move a person may make, but undo puts it back as it was.
    undo_stack.undo()
    restored = by_name(demo_services, CUBA)
    assert (restored.status, restored.acronym) == (MemberStatus.ENDORSED, None)
    assert restored.endorsement_decision_id is not None
    assert tab.selected_records()[0].name == CUBA
    undo_stack.redo()
    assert by_name(demo_services, CUBA).status is MemberStatus.WITHDRAWN


def test_a_stale_edit_offers_to_reload(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    demo_services: Services,
    answers: dict[str, Any],
) -> None:
    select(tab, IAC)
    opened: list[OrganizationDialog] = []

    def fill(dialog: OrganizationDialog) -> None:
        # Meanwhile a colleague on another desktop changes the same organization.
        record = dialog.record
        data = OrganizationData.from_record(record)
        demo_services.organizations.update(
            record.id, record.version, OrganizationData(**{**data.__dict__, "email": "iac@iac.es"})
        )
        dialog.email.setText("info@iac.es")

    drive_dialog(monkeypatch, OrganizationDialog, fill, opened)
    tab.edit_selected()
    assert answers["seen"][0][0] == "conflict"
    assert "changed by someone else" in answers["seen"][0][1]
    assert opened[0].email.text() == "iac@iac.es"  # reloaded, nothing overwritten
    assert by_name(demo_services, IAC).email == "iac@iac.es"


def test_delete_asks_and_undo_brings_it_back_with_its_contacts(
    tab: MembersTab, undo_stack: QUndoStack, answers: dict[str, Any], demo_services: Services
) -> None:
    cuba = by_name(demo_services, CUBA)
    for name in ("Luis Velázquez", "Dania Vázquez"):
        demo_services.organizations.add_contact(ContactData(cuba.id, name, role="Focal point"))
    select(tab, CUBA)
    answers["confirm"] = False
    tab.delete_selected()
    assert tab.model.rowCount() == 79
    answers["confirm"] = True
    tab.delete_selected()
    assert answers["seen"][-1] == (
        "confirm",
        f"Delete the organization “{CUBA}”?\n\nYou can undo this with Ctrl+Z.",
    )
    assert CUBA not in names(tab)
    assert tab.status_text() == "78 organizations · Endorsed by GB 7 · Active 6"
    undo_stack.undo()
    back = by_name(demo_services, CUBA)
    assert sorted(c.name for c in back.contacts) == ["Dania Vázquez", "Luis Velázquez"]
    assert (back.status, back.endorsed_on) == (MemberStatus.ENDORSED, FOURTH_BOARD_MEETING)
    assert back.endorsement_decision_id == cuba.endorsement_decision_id
    decision = demo_services.decisions.get(cuba.endorsement_decision_id)
    assert CUBA in [o.name for o in decision.organizations]
    assert tab.status_text() == DEMO_STATUS
    undo_stack.redo()
    assert CUBA not in names(tab)


def test_undoing_a_delete_relinks_meetings_and_funds(
    tab: MembersTab, undo_stack: QUndoStack, answers: dict[str, Any], demo_services: Services
) -> None:
    iucn = "International Union for Conservation of Nature"
    charity = "Overseas Chinese Charity Foundation of China"
    (organized,) = [
        m for m in demo_services.meetings.list().rows if m.organizers[0].name.startswith("IUCN")
    ]
    (fund,) = demo_services.funds.list().rows
    assert fund.partner_id == by_name(demo_services, charity).id
    select(tab, iucn, charity)
    tab.delete_selected()
    assert answers["seen"][-1][1].startswith("Delete these 2 organizations?")
    assert demo_services.meetings.get(organized.id).organizers[0].organization_id is None
    assert demo_services.funds.get(fund.id).partner_id is None
    undo_stack.undo()
    assert tab.model.rowCount() == 79
    organizer = demo_services.meetings.get(organized.id).organizers[0]
    assert organizer.organization_id == by_name(demo_services, iucn).id
    assert demo_services.funds.get(fund.id).partner_id == by_name(demo_services, charity).id


# --- contacts --------------------------------------------------------------------------------


def test_the_detail_pane_shows_the_key_facts(tab: MembersTab, demo_services: Services) -> None:
    assert tab.detail_stack.currentWidget() is tab.detail_hint
    assert tab.detail_hint.text() == NO_SELECTION
    select(tab, CUBA)
    facts = tab.facts.text()
    assert CUBA in facts
    assert "Academy · Cuba · Member" in facts
    assert "Endorsed by GB: 9 Oct 2021 — Decision 3 of the 4th Governing Board meeting" in facts
    assert tab.contacts_empty.isVisibleTo(tab)
    assert not tab.edit_contact_button.isEnabled()
    select(tab, CUBA, IAC)
    assert tab.detail_stack.currentWidget() is tab.detail_hint
    assert tab.detail_hint.text().startswith("2 organizations selected.")
    tab.view.selectionModel().clearSelection()
    assert tab.detail_hint.text() == NO_SELECTION


def test_contacts_add_edit_delete_and_undo(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    select(tab, IAC)

    def add(dialog: ContactDialog) -> None:
        assert dialog.windowTitle() == f"New contact at {IAC}"
        dialog.name_edit.setText("Rafael Rebolo")
        dialog.title_edit.setText("Prof.")
        dialog.role.setText("Director")
        dialog.email.setText("director@iac.es")

    drive_dialog(monkeypatch, ContactDialog, add)
    tab.add_contact()
    assert tab.contacts_table.rowCount() == 1
    assert tab.contacts_table.item(0, 0).text() == "Prof. Rafael Rebolo"
    assert tab.contacts_table.item(0, 2).text() == "director@iac.es"
    assert not tab.contacts_empty.isVisibleTo(tab)

    def edit(dialog: ContactDialog) -> None:
        assert dialog.name_edit.text() == "Rafael Rebolo"
        assert dialog.role.completer().model().stringList() == ["Director"]  # roles in use
        dialog.phone.setText("+34 922 605 200")

    drive_dialog(monkeypatch, ContactDialog, edit)
    tab.contacts_table.selectRow(0)
    assert tab.edit_contact_button.isEnabled()
    tab.edit_contact()
    assert tab.contacts_table.item(0, 3).text() == "+34 922 605 200"
    undo_stack.undo()
    assert tab.contacts_table.item(0, 3).text() == ""
    undo_stack.redo()
    assert tab.contacts_table.item(0, 3).text() == "+34 922 605 200"

    tab.contacts_table.selectRow(0)
    tab.delete_contact()
    assert answers["seen"][-1][1].startswith(f"Delete the contact “Rafael Rebolo” of {IAC}?")
    assert tab.contacts_table.rowCount() == 0
    assert tab.contacts_empty.isVisibleTo(tab)
    assert demo_services.organizations.contacts(by_name(demo_services, IAC).id) == []
    undo_stack.undo()
    (back,) = demo_services.organizations.contacts(by_name(demo_services, IAC).id)
    assert (back.name, back.role, back.phone) == ("Rafael Rebolo", "Director", "+34 922 605 200")
    assert tab.contacts_table.item(0, 0).text() == "Prof. Rafael Rebolo"


def test_a_refused_contact_stays_open_and_a_stale_one_reloads(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    iac = by_name(demo_services, IAC)
    contact = demo_services.organizations.add_contact(ContactData(iac.id, "Rafael Rebolo"))
    select(tab, IAC)
    opened: list[ContactDialog] = []

    def bad_email(dialog: ContactDialog) -> None:
        dialog.name_edit.setText("Casiana Muñoz")
        dialog.email.setText("casiana at iac.es")

    drive_dialog(monkeypatch, ContactDialog, bad_email, opened)
    tab.add_contact()
    assert "is not an e-mail address" in opened[0].error_text("email")
    assert opened[0].result() != QDialog.DialogCode.Accepted
    assert tab.contacts_table.rowCount() == 1

    def stale(dialog: ContactDialog) -> None:
        demo_services.organizations.update_contact(
            contact.id,
            contact.version,
            ContactData(iac.id, "Rafael Rebolo", email="rrl@iac.es"),
        )
        dialog.email.setText("rafael@iac.es")

    drive_dialog(monkeypatch, ContactDialog, stale, opened)
    tab.contacts_table.selectRow(0)
    tab.edit_contact()
    assert answers["seen"][-1][0] == "conflict"
    assert opened[-1].email.text() == "rrl@iac.es"  # reloaded, nothing overwritten
    assert demo_services.organizations.contact(contact.id).email == "rrl@iac.es"


# --- the lifecycle ---------------------------------------------------------------------------


def test_actions_are_for_members_only(tab: MembersTab) -> None:
    assert not tab.endorse_action.isEnabled()
    select(tab, CUBA, RAS)
    assert all(action.isEnabled() for action in tab.lifecycle_actions)
    select(tab, CUBA, "International Union for Conservation of Nature")
    assert not any(action.isEnabled() for action in tab.lifecycle_actions)
    assert "members" in tab.approve_action.toolTip()


def test_endorse_three_applicants_with_a_new_decision_then_undo(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    undo_stack: QUndoStack,
    demo_services: Services,
) -> None:
    ids = add_applicants(tab, demo_services)
    select(tab, *APPLICANTS)
    decisions_before = demo_services.decisions.count()

    def fill(dialog: EndorseDialog) -> None:
        assert dialog.board_meeting.currentText() == "4th Governing Board meeting — 9 Oct 2021"
        assert dialog.decision.currentText() == "Record a new decision"
        assert dialog.decision.count() == 11  # and the meeting's 10 decisions
        assert dialog.on.value() == FOURTH_BOARD_MEETING

    drive_lifecycle(monkeypatch, EndorseDialog, fill)
    tab.endorse_action.trigger()
    endorsed = [demo_services.organizations.get(i) for i in ids]
    assert {o.status for o in endorsed} == {MemberStatus.ENDORSED}
    assert {o.endorsed_on for o in endorsed} == {FOURTH_BOARD_MEETING}
    decision = demo_services.decisions.get(endorsed[0].endorsement_decision_id)
    assert {o.endorsement_decision_id for o in endorsed} == {decision.id}
    assert decision.text == (
        "Endorsed the applications of Academy of Sciences of Mozambique, National Academy of "
        "Sciences of Sri Lanka and Uganda National Academy of Sciences to join ANSO."
    )
    assert (decision.category, decision.status) == ("Membership", DecisionStatus.ADOPTED)
    assert (decision.board_meeting.number, decision.number) == (4, 11)
    assert sorted(o.name for o in decision.organizations) == list(APPLICANTS)
    assert sorted(r.name for r in tab.selected_records()) == list(APPLICANTS)  # kept
    assert tab.status_text() == "82 organizations · Endorsed by GB 11 · Active 6"
    assert undo_stack.undoText() == "Endorse 3 organizations"

    undo_stack.undo()
    again = [demo_services.organizations.get(i) for i in ids]
    assert {(o.status, o.endorsed_on, o.endorsement_decision_id) for o in again} == {
        (MemberStatus.APPLICANT, None, None)
    }
    assert demo_services.decisions.count() == decisions_before  # the decision is withdrawn
    assert tab.status_text() == "82 organizations · Applicant 3 · Endorsed by GB 8 · Active 6"
    undo_stack.redo()
    assert demo_services.organizations.get(ids[0]).status is MemberStatus.ENDORSED
    assert demo_services.decisions.count() == decisions_before + 1


def test_endorse_by_an_existing_decision_on_a_date_checked_inline(
    monkeypatch: pytest.MonkeyPatch, tab: MembersTab, demo_services: Services
) -> None:
    ids = add_applicants(tab, demo_services)
    select(tab, APPLICANTS[0])
    opened: list[EndorseDialog] = []

    def fill(dialog: EndorseDialog) -> None:
        dialog.decision.setCurrentIndex(3)  # Decision 3: the eight applications of 2021
        assert not dialog.decision_text.isEnabled()
        dialog.on.set_value(date(2021, 5, 1))  # before it applied (1 Jun 2021)

    drive_lifecycle(monkeypatch, EndorseDialog, fill, opened)
    tab.endorse_selected()
    dialog = opened[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "applied on 01 Jun 2021" in dialog.error.text()
    assert demo_services.organizations.get(ids[0]).status is MemberStatus.APPLICANT
    dialog.on.set_value(date(2021, 10, 10))
    dialog.accept()
    assert dialog.chosen is not None
    assert dialog.chosen.decision_id == by_name(demo_services, CUBA).endorsement_decision_id


def test_approve_two_endorsed_members_at_a_general_assembly(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    undo_stack: QUndoStack,
    demo_services: Services,
) -> None:
    assembly = demo_services.meetings.create(
        MeetingData(
            title="The Second ANSO General Assembly",
            start_date=date(2022, 11, 8),
            kind=MeetingKind.GENERAL_ASSEMBLY,
        )
    )
    select(tab, CUBA, IAC)

    def fill(dialog: ApproveDialog) -> None:
        assert dialog.assembly.currentData() == assembly.id  # the latest General Assembly
        assert dialog.on.value() == date(2022, 11, 8)

    drive_lifecycle(monkeypatch, ApproveDialog, fill)
    tab.approve_action.trigger()
    for name in (CUBA, IAC):
        approved = by_name(demo_services, name)
        assert (approved.status, approved.approved_on, approved.approval_meeting_id) == (
            MemberStatus.APPROVED,
            date(2022, 11, 8),
            assembly.id,
        )
    assert tab.status_text() == (
        "79 organizations · Endorsed by GB 6 · Approved by GA 2 · Active 6"
    )
    select(tab, CUBA)
    assert "Approved by GA: 8 Nov 2022 — The Second ANSO General Assembly" in tab.facts.text()
    undo_stack.undo()
    assert by_name(demo_services, CUBA).status is MemberStatus.ENDORSED
    assert by_name(demo_services, IAC).approval_meeting_id is None


def test_a_mixed_selection_is_refused_and_nothing_changes(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    undo_stack: QUndoStack,
    answers: dict[str, Any],
    demo_services: Services,
) -> None:
    (applicant, *_others) = add_applicants(tab, demo_services)
    select(tab, RAS, APPLICANTS[0])
    never_asked(monkeypatch, EndorseDialog)
    tab.endorse_action.trigger()
    kind, text = answers["seen"][-1]
    assert kind == "warn"
    assert text.startswith("Nothing was changed.")
    assert f"{RAS} is 'Active' and cannot become 'Endorsed by GB'" in text
    assert APPLICANTS[0] not in text

    def suspend(dialog: StatusChangeDialog) -> None:
        dialog.status.set_value(MemberStatus.SUSPENDED)

    drive_lifecycle(monkeypatch, StatusChangeDialog, suspend)
    tab.change_status_action.trigger()
    kind, text = answers["seen"][-1]
    assert kind == "warn"
    assert f"{APPLICANTS[0]} is 'Applicant' and cannot become 'Suspended'" in text
    assert by_name(demo_services, RAS).status is MemberStatus.ACTIVE
    assert demo_services.organizations.get(applicant).status is MemberStatus.APPLICANT
    assert undo_stack.count() == 0
    assert len(tab.selected_records()) == 2


def test_change_status_of_several_members_and_undo(
    monkeypatch: pytest.MonkeyPatch,
    tab: MembersTab,
    undo_stack: QUndoStack,
    demo_services: Services,
) -> None:
    select(tab, RAS, "Pakistan Academy of Sciences")

    def fill(dialog: StatusChangeDialog) -> None:
        assert dialog.status.value() == MemberStatus.SUSPENDED  # what both may become
        dialog.on.set_value(date(2023, 1, 15))

    drive_lifecycle(monkeypatch, StatusChangeDialog, fill)
    tab.change_status_selected()
    suspended = by_name(demo_services, RAS)
    assert (suspended.status, suspended.suspended_on) == (MemberStatus.SUSPENDED, date(2023, 1, 15))
    assert tab.status_text() == "79 organizations · Endorsed by GB 8 · Active 4 · Suspended 2"
    assert undo_stack.undoText() == "Suspend 2 organizations"
    undo_stack.undo()
    back = by_name(demo_services, RAS)
    assert (back.status, back.suspended_on) == (MemberStatus.ACTIVE, None)
    assert tab.status_text() == DEMO_STATUS
