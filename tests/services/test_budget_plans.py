"""BudgetPlanService: a draft started from a year's figures, edited, approved and then read-only
(in the service and below it), new revisions, and category renames that reach draft plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from anso_desktop.domain import BudgetPlanStatus, FinanceKind
from anso_desktop.errors import ConflictError, ValidationError
from anso_desktop.services import Services
from anso_desktop.services.budget_plans import BudgetPlanData, BudgetPlanLineData
from anso_desktop.storage.models import BudgetPlan, BudgetPlanLine
from tests.services.test_budget_summary import add

BUDGET = FinanceKind.BUDGET
SPENT = FinanceKind.EXPENDITURE
APPROVED_ON = date(2021, 12, 20)


def seed_2021(services: Services) -> None:
    """2021 as the annual report's charts show it (illustrative figures), with awkward cents."""
    add(services, SPENT, "0.10", "Publications")
    add(services, SPENT, "0.20", "Publications")
    add(services, SPENT, "30000000.00", "Scholarships")
    add(services, SPENT, "2500.55", "Scholarships", currency="USD")
    add(services, BUDGET, "32000000.00", "Scholarships")
    add(services, SPENT, "999.99", "Training", year=2020)


def lines_of(plan: BudgetPlan) -> list[tuple[str, str, Decimal]]:
    return [(line.category, line.currency, line.amount) for line in plan.lines]


def approved_plan(services: Services) -> BudgetPlan:
    seed_2021(services)
    draft = services.budget_plans.start_draft(2022, 2021, SPENT)
    return services.budget_plans.approve(draft.id, draft.version, APPROVED_ON)


def test_a_draft_starts_from_a_years_expenditure(services: Services) -> None:
    seed_2021(services)
    plan = services.budget_plans.start_draft(2022, 2021, SPENT, notes="For the 2022 GA")
    assert (plan.fiscal_year, plan.revision, plan.status) == (2022, 1, BudgetPlanStatus.DRAFT)
    assert plan.based_on == "2021 expenditure"
    assert plan.notes == "For the 2022 GA"
    assert plan.approved_on is None
    # Summed per category and currency, to the cent: 0.10 + 0.20 is 0.30.
    assert lines_of(plan) == [
        ("Publications", "CNY", Decimal("0.30")),
        ("Scholarships", "CNY", Decimal("30000000.00")),
        ("Scholarships", "USD", Decimal("2500.55")),
    ]
    assert services.budget_plans.totals(plan.id) == {
        "CNY": Decimal("30000000.30"),
        "USD": Decimal("2500.55"),
    }
    from_budget = services.budget_plans.start_draft(2022, 2021, BUDGET)
    assert from_budget.revision == 2
    assert from_budget.based_on == "2021 budget"
    assert lines_of(from_budget) == [("Scholarships", "CNY", Decimal("32000000.00"))]


def test_a_draft_needs_figures_to_start_from(services: Services) -> None:
    seed_2021(services)
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.start_draft(2022, 2019, SPENT)
    assert refusal.value.errors == {
        "source_year": "There is no 2019 expenditure to start the plan from"
    }
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.start_draft(2022, 2021, FinanceKind.INCOME)
    assert list(refusal.value.errors) == ["source"]
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.start_draft(1850, 2021, SPENT)
    assert list(refusal.value.errors) == ["fiscal_year"]
    assert services.budget_plans.count() == 0


def test_save_lines_replaces_a_drafts_lines(services: Services) -> None:
    seed_2021(services)
    plan = services.budget_plans.start_draft(2022, 2021, SPENT)
    kept_id = next(line.id for line in plan.lines if line.category == "Scholarships")
    saved = services.budget_plans.save_lines(
        plan.id,
        plan.version,
        [
            BudgetPlanLineData("  Scholarships ", Decimal("35000000"), "cny", note=" PhD "),
            BudgetPlanLineData("Training", Decimal("6000000.10"), "RMB"),
            BudgetPlanLineData("Training", Decimal("0.20"), "USD"),
        ],
    )
    assert lines_of(saved) == [
        ("Scholarships", "CNY", Decimal("35000000.00")),
        ("Training", "CNY", Decimal("6000000.10")),
        ("Training", "USD", Decimal("0.20")),
    ]
    assert saved.lines[0].note == "PhD"
    assert saved.lines[0].id == kept_id  # the same line, changed in place
    assert saved.version == plan.version + 1
    assert services.budget_plans.totals(saved.id) == {
        "CNY": Decimal("41000000.10"),
        "USD": Decimal("0.20"),
    }


def test_save_lines_names_each_bad_field(services: Services) -> None:
    plan = services.budget_plans.create(BudgetPlanData(2022))
    assert (plan.revision, plan.status, plan.lines) == (1, BudgetPlanStatus.DRAFT, [])
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.save_lines(
            plan.id,
            plan.version,
            [
                BudgetPlanLineData("Training", Decimal("1.00")),
                BudgetPlanLineData(" ", Decimal("1.00")),
                BudgetPlanLineData("Scholarships", Decimal("0.001")),
                BudgetPlanLineData("Publications", Decimal("-5")),
                BudgetPlanLineData("Meetings", Decimal("1"), "yuan"),
                BudgetPlanLineData("training ", Decimal("2.00")),
                BudgetPlanLineData("Training", Decimal("2.00"), "RMB"),
            ],
        )
    assert refusal.value.errors == {
        "lines[1].category": "Line 2: Category is required",
        "lines[2].amount": "Line 3: Amount has more than two decimals",
        "lines[3].amount": "Line 4: Amount cannot be negative",
        "lines[4].currency": (
            "Line 5: 'yuan' is not an ISO 4217 currency code (such as CNY, USD, EUR)"
        ),
        "lines[6].category": "Line 7: 'Training' in CNY is already a line of this plan",
    }
    assert services.budget_plans.get(plan.id).lines == []


def test_an_approved_plan_is_read_only(services: Services) -> None:
    plan = approved_plan(services)
    assert (plan.status, plan.approved_on) == (BudgetPlanStatus.APPROVED, APPROVED_ON)
    before = lines_of(plan)
    line = BudgetPlanLineData("Scholarships", Decimal("1.00"))
    with pytest.raises(ValidationError, match="approved on 20 Dec 2021 and is read-only"):
        services.budget_plans.save_lines(plan.id, plan.version, [line])
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.delete(plan.id, plan.version)
    assert list(refusal.value.errors) == ["status"]
    with pytest.raises(ValidationError, match="read-only"):
        services.budget_plans.update(plan.id, plan.version, BudgetPlanData(2022, notes="x"))
    with pytest.raises(ValidationError, match="read-only"):
        services.budget_plans.approve(plan.id, plan.version, date(2022, 1, 5))
    kept = services.budget_plans.get(plan.id)
    assert lines_of(kept) == before
    assert (kept.version, kept.approved_on, kept.notes) == (plan.version, APPROVED_ON, None)


def test_storage_refuses_changes_to_an_approved_plan_too(services: Services) -> None:
    """Whatever code path bypasses the service, the flush refuses and nothing is written."""
    plan = approved_plan(services)
    changes = [
        lambda session, p: setattr(p.lines[0], "amount", Decimal("1.00")),
        lambda session, p: p.lines.append(BudgetPlanLine(category="X", currency="CNY", amount=1)),
        lambda session, p: session.delete(p.lines[0]),
        lambda session, p: setattr(p, "notes", "changed"),
        lambda session, p: setattr(p, "status", BudgetPlanStatus.DRAFT),
        lambda session, p: session.delete(p),
    ]
    for change in changes:
        with (
            pytest.raises(ValidationError, match="is approved and cannot be changed"),
            services.database.transaction() as session,
        ):
            record = session.get_one(BudgetPlan, plan.id)
            change(session, record)
            session.flush()
    assert lines_of(services.budget_plans.get(plan.id)) == lines_of(plan)
    with services.database.transaction() as session:
        assert session.scalar(select(BudgetPlan.status)) is BudgetPlanStatus.APPROVED


def test_a_stale_plan_is_not_saved_over(services: Services) -> None:
    seed_2021(services)
    plan = services.budget_plans.start_draft(2022, 2021, SPENT)
    services.budget_plans.save_lines(
        plan.id, plan.version, [BudgetPlanLineData("Scholarships", Decimal("1.00"))]
    )
    stale = [BudgetPlanLineData("Training", Decimal("2.00"))]
    with pytest.raises(ConflictError, match="2022 budget plan"):
        services.budget_plans.save_lines(plan.id, plan.version, stale)
    with pytest.raises(ConflictError):
        services.budget_plans.approve(plan.id, plan.version, APPROVED_ON)
    with pytest.raises(ConflictError):
        services.budget_plans.delete(plan.id, plan.version)
    assert lines_of(services.budget_plans.get(plan.id)) == [
        ("Scholarships", "CNY", Decimal("1.00"))
    ]


def test_a_new_revision_is_an_editable_copy(services: Services) -> None:
    plan = approved_plan(services)
    revision = services.budget_plans.new_revision(plan.id)
    assert (revision.fiscal_year, revision.revision) == (2022, 2)
    assert (revision.status, revision.approved_on) == (BudgetPlanStatus.DRAFT, None)
    assert revision.based_on == "2022 plan, revision 1"
    assert lines_of(revision) == lines_of(plan)
    assert {line.id for line in revision.lines}.isdisjoint(line.id for line in plan.lines)
    edited = services.budget_plans.save_lines(
        revision.id, revision.version, [BudgetPlanLineData("Scholarships", Decimal("0.30"))]
    )
    assert lines_of(edited) == [("Scholarships", "CNY", Decimal("0.30"))]
    assert lines_of(services.budget_plans.get(plan.id)) == lines_of(plan)  # untouched
    approved = services.budget_plans.approve(edited.id, edited.version, date(2022, 3, 1))
    assert services.budget_plans.latest_approved(2022).id == approved.id  # type: ignore[union-attr]
    assert [p.revision for p in services.budget_plans.for_year(2022)] == [1, 2]
    assert services.budget_plans.years() == [2022]
    third = services.budget_plans.new_revision(approved.id, notes="After the GA")
    assert (third.revision, third.notes) == (3, "After the GA")


def test_a_draft_can_be_deleted_and_an_empty_one_not_approved(services: Services) -> None:
    plan = services.budget_plans.create(BudgetPlanData(2023, based_on="nothing yet"))
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.approve(plan.id, plan.version, APPROVED_ON)
    assert list(refusal.value.errors) == ["lines"]
    with pytest.raises(ValidationError) as refusal:
        services.budget_plans.update(plan.id, plan.version, BudgetPlanData(2024))
    assert list(refusal.value.errors) == ["fiscal_year"]
    services.budget_plans.delete(plan.id, plan.version)
    assert services.budget_plans.count() == 0
    with services.database.transaction() as session:
        assert session.scalar(select(BudgetPlanLine.id)) is None


# --- renaming a category -------------------------------------------------------------------------


def test_renaming_a_category_reaches_entries_and_draft_plans(services: Services) -> None:
    seed_2021(services)
    approved = services.budget_plans.start_draft(2022, 2021, SPENT)
    approved = services.budget_plans.approve(approved.id, approved.version, APPROVED_ON)
    draft = services.budget_plans.new_revision(approved.id)

    result = services.finances.rename_category("Scholarships", "  Scholarships and  fellowships")

    assert (result.old, result.new) == ("Scholarships", "Scholarships and fellowships")
    assert (result.entries, result.plan_lines, result.changed) == (3, 2, 5)
    assert not result.merged
    assert result.approved_plans_unchanged == ("The 2022 budget plan (revision 1)",)
    assert "keep 'Scholarships'" in result.message
    categories = services.finances.categories()
    assert "Scholarships and fellowships" in categories
    assert "Scholarships" in categories  # still the approved plan's
    entries = services.finances.list().rows
    assert sorted({e.category for e in entries}) == [
        "Publications",
        "Scholarships and fellowships",
        "Training",
    ]
    assert all(
        entry.version == 2
        for entry in entries
        if entry.fiscal_year == 2021 and entry.category.startswith("Scholarships")
    )
    renamed = services.budget_plans.get(draft.id)
    assert [line.category for line in renamed.lines] == [
        "Publications",
        "Scholarships and fellowships",
        "Scholarships and fellowships",
    ]
    assert renamed.version == draft.version + 1  # a stale edit of the draft now conflicts
    assert lines_of(services.budget_plans.get(approved.id)) == lines_of(approved)


def test_renaming_onto_an_existing_category_merges(services: Services) -> None:
    seed_2021(services)
    add(services, SPENT, "0.05", "Books")
    plan = services.budget_plans.start_draft(2022, 2021, SPENT)
    services.budget_plans.save_lines(
        plan.id,
        plan.version,
        [
            BudgetPlanLineData("Publications", Decimal("0.10"), note="journals"),
            BudgetPlanLineData("Books", Decimal("0.20"), note="monographs"),
            BudgetPlanLineData("Publications", Decimal("7.00"), "USD"),
        ],
    )
    result = services.finances.rename_category("Publications", "Books")
    assert result.merged
    assert (result.entries, result.plan_lines) == (2, 2)
    merged = services.budget_plans.get(plan.id)
    assert [(line.category, line.currency, line.amount, line.note) for line in merged.lines] == [
        ("Books", "CNY", Decimal("0.30"), "monographs; journals"),
        ("Books", "USD", Decimal("7.00"), None),
    ]
    summary = services.finances.budget_vs_actual(2021)
    books = summary.line("Books", "CNY")
    assert books is not None and books.actual == Decimal("0.35")
    assert summary.line("Publications", "CNY") is None


def test_renaming_back_onto_a_name_only_an_approved_plan_keeps_is_no_merge(
    services: Services,
) -> None:
    approved_plan(services)  # its lines say Publications and Scholarships
    away = services.finances.rename_category("Publications", "Outreach")
    assert away.approved_plans_unchanged and not away.merged
    back = services.finances.rename_category("Outreach", "Publications")
    assert not back.merged and "merged" not in back.message
    assert back.entries == 2


def test_a_rename_names_the_field_it_refuses(services: Services) -> None:
    seed_2021(services)
    cases = {
        ("Nothing like this", "Other"): "category",
        ("", "Other"): "category",
        ("Training", " "): "new_category",
        ("Training", "Training"): "new_category",
        ("Training", "x" * 121): "new_category",
    }
    for (old, new), field_name in cases.items():
        with pytest.raises(ValidationError) as refusal:
            services.finances.rename_category(old, new)
        assert list(refusal.value.errors) == [field_name], (old, new)
    assert "Training" in services.finances.categories()
    # Only the case changes: still a rename.
    assert services.finances.rename_category("Training", "training").entries == 1
