"""Training coverage: due dates, statuses, competence gaps, coverage by group and over time."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aisms.domain import training_coverage as tc
from aisms.domain.training_coverage import (
    AssignmentFacts,
    CompletionFacts,
    ModuleFacts,
    PersonFacts,
    Requirement,
    Status,
    TrainingState,
)

TODAY = date(2025, 6, 15)
YEARLY = ModuleFacts(1, recurrence_months=12, competence_ids=frozenset({10}))
ONCE = ModuleFacts(2, recurrence_months=None, competence_ids=frozenset({20}))


def _state(people, completions=(), requirements=()) -> TrainingState:
    assignments = [AssignmentFacts(role_id=100, module_id=1, due_days=30), AssignmentFacts(200, 2, 7)]
    return TrainingState(people, [YEARLY, ONCE], assignments, list(completions), list(requirements))


def test_add_months_clamps_to_the_month_end() -> None:
    assert tc.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert tc.add_months(date(2024, 11, 30), 14) == date(2026, 1, 30)


def test_first_due_is_start_plus_due_period_then_last_completion_plus_recurrence() -> None:
    new = PersonFacts(1, start_date=TODAY - timedelta(days=10), role_ids=frozenset({100}))
    late = PersonFacts(2, start_date=TODAY - timedelta(days=60), role_ids=frozenset({100}))
    done = PersonFacts(3, start_date=date(2020, 1, 1), role_ids=frozenset({100}))
    expiring = PersonFacts(4, start_date=date(2020, 1, 1), role_ids=frozenset({100}))
    state = _state(
        [new, late, done, expiring],
        [CompletionFacts(3, 1, date(2025, 1, 10)), CompletionFacts(4, 1, date(2024, 7, 1))],
    )
    got = {o.person_id: (o.due, o.status) for o in tc.obligations(state, TODAY)}
    assert got == {
        1: (new.start_date + timedelta(days=30), Status.DUE_SOON),
        2: (late.start_date + timedelta(days=30), Status.OVERDUE),
        3: (date(2026, 1, 10), Status.DONE),
        4: (date(2025, 7, 1), Status.DUE_SOON),
    }


def test_a_lapsed_recurring_completion_is_overdue_and_a_one_off_never_is() -> None:
    lapsed = PersonFacts(1, start_date=date(2020, 1, 1), role_ids=frozenset({100, 200}))
    state = _state(
        [lapsed], [CompletionFacts(1, 1, date(2024, 1, 1)), CompletionFacts(1, 2, date(2020, 1, 3))]
    )
    assert [(o.module_id, o.status) for o in tc.obligations(state, TODAY)] == [
        (1, Status.OVERDUE),
        (2, Status.DONE),
    ]
    assert tc.coverage(state, TODAY) == tc.Coverage(covered=1, required=2)


def test_inactive_and_future_starters_are_left_out() -> None:
    state = _state(
        [
            PersonFacts(1, date(2020, 1, 1), frozenset({100}), active=False),
            PersonFacts(2, TODAY + timedelta(days=3), frozenset({100})),
        ]
    )
    assert tc.obligations(state, TODAY) == []
    assert tc.coverage(state, TODAY).ratio == 1.0


def test_competence_gaps_count_only_valid_completions() -> None:
    person = PersonFacts(1, date(2020, 1, 1), frozenset({100}))
    requirements = [Requirement(100, 10), Requirement(100, 20)]
    state = _state([person], [CompletionFacts(1, 2, date(2021, 1, 1))], requirements)
    assert tc.competence_gaps(state, TODAY) == [tc.CompetenceGap(1, 10, 100)]


def test_coverage_by_department_role_and_trend() -> None:
    people = [
        PersonFacts(1, date(2024, 1, 1), frozenset({100}), department="Claims"),
        PersonFacts(2, date(2024, 1, 1), frozenset({100}), department="Clinical"),
    ]
    state = _state(people, [CompletionFacts(1, 1, date(2025, 4, 20))])
    by_dept = tc.coverage_by_department(state, None, TODAY)
    assert {d: (c.covered, c.required) for d, c in by_dept.items()} == {"Claims": (1, 1), "Clinical": (0, 1)}
    assert {r: (c.covered, c.required) for r, c in tc.coverage_by_role(state, 1, TODAY).items()} == {
        100: (1, 2)
    }
    assert [(end, c.covered) for end, c in tc.trend(state, TODAY, 3)] == [
        (date(2025, 4, 30), 1),
        (date(2025, 5, 31), 1),
        (TODAY, 1),
    ]
    assert tc.month_ends(date(2025, 3, 10), 2) == [date(2025, 2, 28), date(2025, 3, 10)]


def test_reports_of_a_manager() -> None:
    people = [PersonFacts(1, TODAY), PersonFacts(2, TODAY, manager_id=1), PersonFacts(3, TODAY, manager_id=2)]
    assert tc.reports_of(people, 1) == [2]


_days = st.integers(min_value=0, max_value=1500)
_people = st.lists(
    st.builds(
        PersonFacts,
        id=st.integers(1, 6),
        start_date=_days.map(lambda d: TODAY - timedelta(days=d)),
        role_ids=st.frozensets(st.sampled_from([100, 200]), max_size=2),
        department=st.sampled_from(["A", "B"]),
    ),
    max_size=6,
    unique_by=lambda p: p.id,
)
_completions = st.lists(
    st.builds(
        CompletionFacts,
        person_id=st.integers(1, 6),
        module_id=st.sampled_from([1, 2]),
        completed_on=_days.map(lambda d: TODAY - timedelta(days=d - 30)),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(_people, _completions, _completions.filter(bool))
def test_coverage_is_a_share_and_never_falls_when_a_completion_is_added(people, completions, extra) -> None:
    before = tc.coverage(_state(people, completions), TODAY)
    after = tc.coverage(_state(people, [*completions, extra[0]]), TODAY)
    assert 0.0 <= before.ratio <= 1.0
    assert after.required == before.required
    assert after.covered >= before.covered
    assert len(tc.overdue(_state(people, [*completions, extra[0]]), TODAY)) <= len(
        tc.overdue(_state(people, completions), TODAY)
    )


def test_qualification_and_experience_requirements_need_a_valid_record_of_that_kind() -> None:
    person = PersonFacts(1, date(2020, 1, 1), frozenset({100}))
    requirements = [
        Requirement(100, 10, tc.Evidence.QUALIFICATION),
        Requirement(100, 30, tc.Evidence.EXPERIENCE),
    ]
    # Training in competence 10 does not show a qualification in it.
    trained = _state([person], [CompletionFacts(1, 1, date(2025, 6, 1))], requirements)
    assert {(g.competence_id, g.evidence) for g in tc.competence_gaps(trained, TODAY)} == {
        (10, tc.Evidence.QUALIFICATION),
        (30, tc.Evidence.EXPERIENCE),
    }
    records = [
        tc.EvidenceFacts(1, 10, tc.Evidence.QUALIFICATION, date(2022, 1, 1), date(2025, 12, 31)),
        tc.EvidenceFacts(1, 30, tc.Evidence.QUALIFICATION, date(2022, 1, 1)),  # wrong kind for 30
    ]
    state = TrainingState([person], [YEARLY, ONCE], [], [], requirements, records)
    assert [(g.competence_id, g.evidence) for g in tc.competence_gaps(state, TODAY)] == [
        (30, tc.Evidence.EXPERIENCE)
    ]
    # The qualification expires: the gap is back the day after.
    assert (10, tc.Evidence.QUALIFICATION) in {
        (g.competence_id, g.evidence) for g in tc.competence_gaps(state, date(2026, 1, 1))
    }
    # A record obtained later does not count yet.
    future = [tc.EvidenceFacts(1, 30, tc.Evidence.EXPERIENCE, TODAY + timedelta(days=1))]
    later = TrainingState([person], [YEARLY, ONCE], [], [], requirements[1:], future)
    assert len(tc.competence_gaps(later, TODAY)) == 1


def test_two_roles_needing_one_competence_differently_are_both_checked() -> None:
    person = PersonFacts(1, date(2020, 1, 1), frozenset({100, 200}))
    requirements = [Requirement(100, 10), Requirement(200, 10, tc.Evidence.QUALIFICATION)]
    state = _state([person], [CompletionFacts(1, 1, date(2025, 6, 1))], requirements)
    assert tc.competence_gaps(state, TODAY) == [tc.CompetenceGap(1, 10, 200, tc.Evidence.QUALIFICATION)]
