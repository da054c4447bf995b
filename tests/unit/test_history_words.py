"""The history's words without a window or a database: field labels, values as the grid shows
them, and the headings and questions built from a change set."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

from anso_desktop.errors import NotFoundError
from anso_desktop.services.history import ChangeSetView, RowChange
from anso_desktop.ui.history_words import (
    ChangeWords,
    change_set_heading,
    change_set_title,
    counts_text,
    field_label,
    field_order,
    humanize,
    undo_plan_text,
    undo_question,
    when_text,
)


class NoRecords:
    """Services in which every linked record is gone (deleted since)."""

    def for_table(self, _table: str) -> Any:
        return self

    def get(self, record_id: int) -> Any:
        raise NotFoundError(f"#{record_id} is gone")


def words() -> ChangeWords:
    return ChangeWords(NoRecords())  # type: ignore[arg-type]


def change_set(**details: Any) -> ChangeSetView:
    values: dict[str, Any] = {
        "id": 12,
        "at": datetime(2021, 10, 9, 8, 20),
        "who": "Maria Santos",
        "login": "msantos",
        "source": "Edit organization",
        "undoes": None,
        "undone_by": 15,
    }
    return ChangeSetView(**{**values, **details})


def local(change_set: ChangeSetView) -> str:
    return when_text(change_set.at.replace(tzinfo=UTC).astimezone())


def test_the_module_needs_no_qt() -> None:
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, anso_desktop.ui.history_words; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "[]"


def test_labels_are_the_grids_headers_else_the_column_in_words() -> None:
    assert field_label("members", "endorsed_on") == "Endorsed by GB"
    assert field_label("finances", "fund_id") == "Fund"  # a reference, by its spec's key
    assert field_label("members", "suspended_on") == "Suspended on"
    assert humanize("applied_on") == "Applied on"
    assert field_order("members", "name") < field_order("members", "status")
    assert field_order("members", "zzz_unshown") > field_order("members", "withdrawn_on")


def test_values_read_as_in_the_grid() -> None:
    said = words()
    assert said.value("members", "applied_on", "2021-10-09") == "9 Oct 2021"
    assert said.value("members", "status", "endorsed") == "Endorsed by GB"
    assert said.value("finances", "amount", "1234567.5") == "1,234,567.50"
    assert said.value("members", "country", "CN") == "China"
    assert said.value("members", "website", None) == ""
    assert said.value("members", "applied_on", "not a date") == "not a date"


def test_a_linked_record_gone_since_is_named_by_its_number() -> None:
    said = words()
    assert said.value("finances", "fund_id", 7) == "Fund #7"
    contact = RowChange(1, "contacts", 3, "delete", {"name": ("Dr Olga Ivanova", None)})
    assert said.row(contact).title == "Contact “Dr Olga Ivanova” deleted"


def test_a_change_heading_says_when_who_where_from_and_its_undo() -> None:
    edit = change_set()
    assert when_text(datetime(2021, 10, 9, 16, 20), today=date(2021, 10, 9)) == "Today, 16:20"
    assert when_text(datetime(2021, 10, 8, 9, 30), today=date(2021, 10, 9)) == "Yesterday, 09:30"
    assert change_set_heading(edit) == (
        f"{local(edit)} · Maria Santos (login msantos) · Edit organization · #12 (undone by #15)"
    )
    undo = change_set(id=15, source="undo #12", login="Maria Santos", undone_by=None, undoes=12)
    assert (
        change_set_title(undo) == f"#15 · {local(undo)} · Maria Santos · Undo of #12 (undoes #12)"
    )


def test_counts_are_told_with_each_tables_noun() -> None:
    counts = {("members", "insert"): 1, ("contacts", "update"): 1_200}
    assert counts_text(change_set(counts=counts)) == "1 organization added, 1,200 contacts changed"


def test_the_undo_question_says_what_undoing_would_do() -> None:
    assert (
        undo_plan_text({("members", "put back"): 1})
        == "It would put back 1 organization as it was."
    )
    plan = {("contacts", "removed"): 2, ("members", "put back"): 3, ("aliases", "removed"): 1}
    assert undo_plan_text(plan) == (
        "It would put back 3 organizations as they were, and remove 2 contacts and 1 other name."
    )
    assert undo_plan_text({}) == "Nothing would change."
    question = undo_question(change_set(), {("members", "restored"): 1})
    assert question.startswith("Undo change set #12 — Edit organization, by Maria Santos (login")
    assert "\n\nIt would restore 1 organization.\n\n" in question
    assert question.count("#12") == 1  # the change set is named once
