"""Pure audit logic: programme coverage, checklists, the nonconformity lifecycle, due dates, the pack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aisms.catalogue.audit_questions import load_questions, parse_questions
from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import load_builtin
from aisms.domain.audits import due as dued
from aisms.domain.audits import nonconformity as ncd
from aisms.domain.audits.audit_status import AuditState, audit_transition_problems
from aisms.domain.audits.checklist import (
    CatalogueItem,
    QuestionBank,
    ScopeError,
    generate_checklist,
    in_sentence,
)
from aisms.domain.audits.programme import (
    AuditableItem,
    ItemKind,
    ScheduledAudit,
    coverage,
    covers,
    cycle_years,
    suggest_plan,
)
from aisms.domain.audits.review_pack import (
    AuditInput,
    DecisionInput,
    MeasureInput,
    NcInput,
    PackInputs,
    RiskSummaryInput,
    assemble_pack,
    pack_from_dict,
    pack_to_dict,
)

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


# --- programme coverage ------------------------------------------------------------------------------------


def _items() -> list[AuditableItem]:
    return [
        AuditableItem("iso27001:2022:6.1.1", "6.1.1", "General", ItemKind.CLAUSE, "Clause 6"),
        AuditableItem("iso27001:2022:6.1.2", "6.1.2", "Risk assessment", ItemKind.CLAUSE, "Clause 6"),
        AuditableItem("iso27001:2022:9.1", "9.1", "Monitoring", ItemKind.CLAUSE, "Clause 9"),
        AuditableItem(
            "iso27002:2022:5.21", "5.21", "ICT supply chain", ItemKind.CONTROL, "A.5", high_risk=True
        ),
        AuditableItem("iso27002:2022:8.28", "8.28", "Secure coding", ItemKind.CONTROL, "A.8"),
    ]


def test_a_parent_clause_covers_its_subclauses_but_not_a_sibling_or_a_control_with_the_same_number() -> None:
    assert covers("iso27001:2022:6.1", "iso27001:2022:6.1.2")
    assert covers("iso27001:2022:6.1.2", "iso27001:2022:6.1.2")
    assert not covers("iso27001:2022:6.1", "iso27001:2022:6.10")
    assert not covers("iso27001:2022:8", "iso27002:2022:8.28")


def test_coverage_lists_items_never_audited_and_high_risk_items_missing_a_year() -> None:
    years = cycle_years(2026, 3)
    audits = [
        ScheduledAudit("A1", 2026, frozenset({"iso27001:2022:6.1", "iso27002:2022:5.21"})),
        ScheduledAudit("A2", 2027, frozenset({"iso27002:2022:5.21", "iso27002:2022:8.28"})),
        ScheduledAudit("A3", 2028, frozenset({"iso27001:2022:9"}), cancelled=True),
        ScheduledAudit("old", 2025, frozenset({"iso27001:2022:9.1"})),
    ]
    cov = coverage(_items(), audits, years)
    uncovered = {c.item.ref: c for c in cov.uncovered}
    assert set(uncovered) == {
        "9.1",
        "5.21",
    }  # 9.1: cancelled / outside the cycle; 5.21: high risk, 2028 missing
    assert uncovered["5.21"].years == (2026, 2027)
    assert uncovered["5.21"].missing_years == (2028,)
    assert cov.cell("Clause 6", 2026).covered == 2
    assert cov.cell("Clause 6", 2027).covered == 0
    assert cov.cell("Clause 6", 2026).share == 1.0
    assert cov.share_covered == pytest.approx(3 / 5)


def test_every_item_covered_once_and_high_risk_every_year_leaves_nothing_uncovered() -> None:
    years = cycle_years(2026, 3)
    plan = suggest_plan(_items(), years)
    audits = [ScheduledAudit(f"P{s.year}", s.year, frozenset(s.uids)) for s in plan]
    cov = coverage(_items(), audits, years)
    assert cov.uncovered == []
    assert all("iso27002:2022:5.21" in s.uids for s in plan)


def test_a_cycle_has_at_least_one_year() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        cycle_years(2026, 0)


# --- checklists --------------------------------------------------------------------------------------------

BANK = QuestionBank(
    clauses={
        "iso27001:2022:6.1.1": "Q 6.1.1?",
        "iso27001:2022:6.1.2": "Q 6.1.2?",
        "iso27001:2022:9.1": "Q 9.1?",
    },
    control_pattern="Is {title} implemented as the SoA states; what evidence shows it operating?",
    excluded_control_pattern="The SoA excludes {title}: still valid?",
)
CATALOGUE = [
    CatalogueItem("iso27001:2022:6", "6", "Planning", "clause", 20),
    CatalogueItem("iso27001:2022:6.1", "6.1", "Actions", "clause", 21),
    CatalogueItem("iso27001:2022:6.1.1", "6.1.1", "General", "clause", 22),
    CatalogueItem("iso27001:2022:6.1.2", "6.1.2", "Risk assessment", "clause", 23),
    CatalogueItem("iso27001:2022:9.1", "9.1", "Monitoring", "clause", 40),
    CatalogueItem("iso27002:2022:5.7", "5.7", "Threat intelligence", "control", 7),
    CatalogueItem("iso27002:2022:8.28", "8.28", "Secure coding", "control", 90),
]


def test_checklist_expands_a_clause_to_its_questions_and_uses_the_control_pattern_in_catalogue_order() -> (
    None
):
    lines = generate_checklist(
        ["iso27002:2022:8.28", "iso27001:2022:6.1", "iso27002:2022:5.7", "iso27001:2022:6.1.1"],
        CATALOGUE,
        BANK,
        applicable={"iso27002:2022:5.7": False},
    )
    assert [line.uid for line in lines] == [
        "iso27001:2022:6.1.1",
        "iso27001:2022:6.1.2",
        "iso27002:2022:5.7",
        "iso27002:2022:8.28",
    ]
    assert [line.position for line in lines] == [1, 2, 3, 4]
    assert lines[0].question == "Q 6.1.1?"
    assert lines[2].question == "The SoA excludes threat intelligence: still valid?"
    assert (
        lines[3].question
        == "Is secure coding implemented as the SoA states; what evidence shows it operating?"
    )


def test_titles_read_naturally_inside_a_question() -> None:
    assert in_sentence("Secure coding") == "secure coding"
    assert in_sentence("ICT readiness for business continuity") == "ICT readiness for business continuity"


def test_checklist_refuses_an_unknown_uid() -> None:
    with pytest.raises(ScopeError, match=r"iso27002:2022:9\.9"):
        generate_checklist(["iso27002:2022:9.9"], CATALOGUE, BANK)


def test_the_shipped_question_bank_asks_one_question_for_every_leaf_clause() -> None:
    catalogue = load_builtin()
    clauses = catalogue.of("iso27001")
    leaves = {c.uid for c in clauses} - {c.parent_uid for c in clauses}
    bank = load_questions()
    assert set(bank.clauses) == leaves
    assert "{title}" in bank.control_pattern


def test_a_question_file_whose_pattern_lacks_the_title_is_refused_with_its_line() -> None:
    text = 'version: 1\ncontrol_pattern: "Is it done?"\nexcluded_control_pattern: "{title}?"\nclauses: {}\n'
    with pytest.raises(CatalogueError) as err:
        parse_questions(text, "q.yaml")
    assert err.value.line == 2
    assert err.value.field == "control_pattern"


# --- nonconformity lifecycle -------------------------------------------------------------------------------


def _facts(status: str = "open", cause: str = "why x5", actions=(), reviews=()) -> ncd.NcFacts:
    return ncd.NcFacts(ncd.NcState(status), cause, list(actions), list(reviews))


def test_planning_needs_a_root_cause_and_an_open_action() -> None:
    assert ncd.transition_problems(_facts(cause=""), ncd.NcState.ACTION_PLANNED) == [
        "record the root cause first",
        "add a corrective action that is not yet done",
    ]
    facts = _facts(actions=[ncd.ActionFacts(None)])
    assert ncd.check_transition(facts, ncd.NcState.ACTION_PLANNED) == ncd.NcState.ACTION_PLANNED


def test_open_cannot_jump_to_closed() -> None:
    with pytest.raises(ncd.TransitionError, match="cannot go from open to closed"):
        ncd.check_transition(_facts(), ncd.NcState.CLOSED)


def test_closing_needs_every_action_done_and_an_effective_review_after_them() -> None:
    done = ncd.ActionFacts(T0)
    pending = ncd.ActionFacts(None)
    planned = "action-planned"
    assert ncd.close_problems(_facts(planned)) == [
        "no corrective action recorded",
        "no effectiveness review after the corrective actions were done",
    ]
    assert "1 corrective action(s) not done" in ncd.close_problems(_facts(planned, actions=[done, pending]))
    early = ncd.ReviewFacts(T0 - timedelta(days=1), True)
    assert ncd.close_problems(_facts(planned, actions=[done], reviews=[early])) == [
        "no effectiveness review after the corrective actions were done"
    ]
    good = ncd.ReviewFacts(T0 + timedelta(days=30), True)
    assert (
        ncd.check_transition(_facts(planned, actions=[done], reviews=[good]), ncd.NcState.CLOSED) == "closed"
    )


def test_an_ineffective_review_reopens_and_a_new_action_is_needed_before_closing() -> None:
    first = ncd.ActionFacts(T0)
    facts = _facts("action-planned", actions=[first])
    assert ncd.status_after_review(facts, effective=False) == ncd.NcState.OPEN
    bad = ncd.ReviewFacts(T0 + timedelta(days=10), False)
    reopened = _facts("open", actions=[first], reviews=[bad])
    # the old (done) action is not enough to plan again
    assert ncd.transition_problems(reopened, ncd.NcState.ACTION_PLANNED) == [
        "add a corrective action that is not yet done"
    ]
    with_new = _facts("open", actions=[first, ncd.ActionFacts(None)], reviews=[bad])
    assert ncd.status_after_new_action(with_new) == ncd.NcState.ACTION_PLANNED
    # the new action done, but the latest review is still the ineffective one
    second_done = _facts(
        "action-planned", actions=[first, ncd.ActionFacts(T0 + timedelta(days=20))], reviews=[bad]
    )
    assert ncd.close_problems(second_done) == [
        "no effectiveness review after the corrective actions were done"
    ]
    good = ncd.ReviewFacts(T0 + timedelta(days=40), True)
    fixed = _facts(
        "action-planned", actions=[first, ncd.ActionFacts(T0 + timedelta(days=20))], reviews=[bad, good]
    )
    assert ncd.close_problems(fixed) == []


def test_effectiveness_is_reviewed_only_when_every_action_is_done() -> None:
    with pytest.raises(ncd.TransitionError, match="complete every corrective action"):
        ncd.status_after_review(_facts("action-planned", actions=[ncd.ActionFacts(None)]), effective=True)
    with pytest.raises(ncd.TransitionError, match="no corrective action"):
        ncd.status_after_review(_facts("open"), effective=True)
    effective = ncd.status_after_review(
        _facts("action-planned", actions=[ncd.ActionFacts(T0)]), effective=True
    )
    assert effective == ncd.NcState.ACTION_PLANNED


def test_a_closed_nonconformity_takes_no_new_action_but_may_be_reopened() -> None:
    closed = _facts("closed", actions=[ncd.ActionFacts(T0)])
    with pytest.raises(ncd.TransitionError, match="reopen it first"):
        ncd.status_after_new_action(closed)
    assert ncd.check_transition(closed, ncd.NcState.OPEN) == ncd.NcState.OPEN


def test_without_a_root_cause_a_new_action_leaves_the_nonconformity_open() -> None:
    assert ncd.status_after_new_action(_facts(cause=" ")) == ncd.NcState.OPEN


# --- audit lifecycle ---------------------------------------------------------------------------------------


def test_an_audit_is_reported_only_when_every_item_is_checked_and_a_summary_is_written() -> None:
    problems = audit_transition_problems(
        AuditState.IN_PROGRESS,
        AuditState.REPORTED,
        unchecked_items=2,
        report_summary="",
        open_findings_without_nc=0,
    )
    assert problems == ["2 checklist item(s) not checked yet", "write the report summary first"]
    assert audit_transition_problems(
        AuditState.PLANNED,
        AuditState.REPORTED,
        unchecked_items=0,
        report_summary="x",
        open_findings_without_nc=0,
    ) == ["cannot go from planned to reported"]
    assert audit_transition_problems(
        AuditState.REPORTED,
        AuditState.CLOSED,
        unchecked_items=0,
        report_summary="x",
        open_findings_without_nc=1,
    ) == ["1 nonconformity finding(s) have no nonconformity raised"]


# --- due and overdue ---------------------------------------------------------------------------------------

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("due", "done", "state"),
    [
        (None, False, dued.DueState.NO_DATE),
        (TODAY - timedelta(days=1), False, dued.DueState.OVERDUE),
        (TODAY, False, dued.DueState.DUE_SOON),
        (TODAY + timedelta(days=7), False, dued.DueState.DUE_SOON),
        (TODAY + timedelta(days=8), False, dued.DueState.ON_TRACK),
        (TODAY - timedelta(days=30), True, dued.DueState.DONE),
    ],
)
def test_due_state(due: date | None, done: bool, state: dued.DueState) -> None:
    assert dued.due_state(due, done=done, today=TODAY) == state


def test_reminders_reach_owners_of_due_and_overdue_work_overdue_first_keyed_by_object_date_state() -> None:
    items = [
        dued.DueItem("corrective-action", 1, 10, TODAY + timedelta(days=3), False, "soon"),
        dued.DueItem("corrective-action", 2, 10, TODAY - timedelta(days=2), False, "late"),
        dued.DueItem("corrective-action", 3, None, TODAY, False, "nobody"),
        dued.DueItem("decision", 4, 11, TODAY + timedelta(days=30), False, "later"),
        dued.DueItem("decision", 5, 11, TODAY - timedelta(days=1), True, "done"),
    ]
    found = dued.reminders(items, TODAY)
    assert [(r.object_id, r.state) for r in found] == [
        (2, dued.DueState.OVERDUE),
        (1, dued.DueState.DUE_SOON),
    ]
    assert found[0].key == "audits:corrective-action:2:2026-06-13:overdue"
    assert dued.days_overdue(TODAY - timedelta(days=2), TODAY) == 2


def test_audit_leads_hear_of_audits_starting_within_14_days() -> None:
    audits = [
        dued.DueItem("audit", 1, 5, TODAY + timedelta(days=14), False, "in 14"),
        dued.DueItem("audit", 2, 5, TODAY + timedelta(days=15), False, "in 15"),
        dued.DueItem("audit", 3, 5, TODAY - timedelta(days=1), False, "started late"),
        dued.DueItem("audit", 4, None, TODAY, False, "no lead"),
    ]
    assert [r.object_id for r in dued.audits_starting(audits, TODAY)] == [1]


def test_ageing_buckets() -> None:
    raised = [TODAY, TODAY - timedelta(days=30), TODAY - timedelta(days=31), TODAY - timedelta(days=200)]
    assert dued.ageing(raised, TODAY) == [
        ("0-30 days", 2),
        ("31-90 days", 1),
        ("91-180 days", 0),
        ("over 180 days", 1),
    ]


# --- management review pack --------------------------------------------------------------------------------


def _inputs() -> PackInputs:
    return PackInputs(
        organisation="Helixa",
        period_start=date(2026, 1, 10),
        today=TODAY,
        decisions=[
            DecisionInput("MR 2025", "Fund red team", "daniel", TODAY - timedelta(days=1), "open"),
            DecisionInput("MR 2025", "Update policy", "amira", None, "done"),
        ],
        nonconformities=[
            NcInput("NC-0001", "major", "open", date(2026, 2, 1), None, 2, 1, 1, "process"),
            NcInput("NC-0002", "minor", "closed", date(2025, 12, 1), date(2026, 2, 20), 1, 1, 0, "people"),
        ],
        audits=[AuditInput("AUD-1", "AI", "reported", date(2026, 3, 1), 6, 1, 1, 1, 1)],
        objectives=None,
        measures=[MeasureInput("Training coverage", 0.8, "8 of 10")],
        feedback=["Customer asked about AI governance"],
        risks=RiskSummaryInput((("High", 2), ("Low", 3)), 2, 5, 1, 4, 1, 6),
    )


def test_the_pack_has_the_inputs_of_clause_9_3_2_a_to_g_in_order_with_d_split_in_four() -> None:
    pack = assemble_pack(_inputs())
    assert [s.key for s in pack.sections] == ["a", "b", "c", "d", "e", "f", "g"]
    assert [s.key for s in pack.section("d").subsections] == ["d1", "d2", "d3", "d4"]
    assert pack.section("a").summary == "1 of 2 decisions done, 1 overdue."
    d1 = {m.label: m.value for m in pack.section("d1").metrics}
    assert d1 == {
        "Raised in period": "1",
        "Closed in period": "1",
        "Open": "1",
        "Open major": "1",
        "Corrective actions overdue": "1",
    }
    assert pack.section("d3").charts[0].points[1] == ("minor NC", 1.0)
    assert pack.section("d4").summary == "No objectives register available."
    assert pack.section("e").tables[0].rows == (("Customer asked about AI governance",),)
    assert "2 above appetite" in pack.section("f").summary
    assert "treatment plan 60% done" in pack.section("f").summary


def test_the_pack_round_trips_through_its_json_snapshot() -> None:
    pack = assemble_pack(_inputs())
    assert pack_from_dict(pack_to_dict(pack)) == pack
