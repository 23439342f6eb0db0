"""Re-assessment dates by tier and the contract clause checklist."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.suppliers.clauses import (
    CLAUSE_KEYS,
    ClauseRow,
    ClauseStatus,
    evaluate_clauses,
    expected_clauses,
)
from aisms.domain.suppliers.schedule import (
    ReviewIntervals,
    ReviewState,
    Tier,
    add_months,
    next_review_due,
    reminder_key,
    review_state,
)


def test_add_months_clips_to_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert add_months(date(2025, 3, 15), -4) == date(2024, 11, 15)


@pytest.mark.parametrize(
    ("tier", "due"),
    [
        (Tier.CRITICAL, date(2025, 9, 10)),
        (Tier.IMPORTANT, date(2026, 3, 10)),
        (Tier.STANDARD, date(2027, 3, 10)),
    ],
)
def test_next_review_by_tier(tier: Tier, due: date) -> None:
    assert next_review_due(tier, last_review=date(2025, 3, 10), onboarded=date(2020, 1, 1)) == due


def test_never_reviewed_is_due_at_onboarding_and_intervals_are_configurable() -> None:
    assert next_review_due(Tier.CRITICAL, last_review=None, onboarded=date(2025, 5, 1)) == date(2025, 5, 1)
    custom = ReviewIntervals(tier1_months=3)
    assert next_review_due(
        Tier.CRITICAL, last_review=date(2025, 1, 1), onboarded=date(2024, 1, 1), intervals=custom
    ) == date(2025, 4, 1)


def test_review_state_uses_today_passed_in() -> None:
    intervals = ReviewIntervals(reminder_days=30)
    assert review_state(date(2025, 6, 1), date(2025, 6, 2), intervals) is ReviewState.OVERDUE
    assert review_state(date(2025, 6, 1), date(2025, 6, 1), intervals) is ReviewState.DUE_SOON
    assert review_state(date(2025, 7, 1), date(2025, 6, 1), intervals) is ReviewState.DUE_SOON
    assert review_state(date(2025, 7, 2), date(2025, 6, 1), intervals) is ReviewState.SCHEDULED
    assert reminder_key(7, date(2025, 7, 2)) == "suppliers.review.7.2025-07-02"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.sampled_from(list(Tier)))
def test_a_review_always_moves_the_due_date_forward(last: date, tier: Tier) -> None:
    assert next_review_due(tier, last_review=last, onboarded=date(1990, 1, 1)) > last


def test_ai_and_data_clauses_expected_only_when_relevant() -> None:
    none = expected_clauses(uses_ai=False, shares_data=False)
    assert "no_training_without_consent" not in none
    assert "data_location" not in none
    ai = expected_clauses(uses_ai=True, shares_data=True)
    assert set(ai) == set(CLAUSE_KEYS)


def test_missing_ai_clauses_are_gaps_and_notification_time_depends_on_tier() -> None:
    rows = [ClauseRow(k, ClauseStatus.PRESENT) for k in CLAUSE_KEYS if k != "incident_notification"]
    rows = [r for r in rows if r.key != "model_change_notice"]
    rows.append(ClauseRow("model_change_notice", ClauseStatus.MISSING))
    rows.append(ClauseRow("incident_notification", ClauseStatus.PRESENT, notification_hours=48))
    critical = evaluate_clauses(rows, tier=Tier.CRITICAL, uses_ai=True, shares_data=True)
    assert [(g.key, g.ai) for g in critical.gaps] == [
        ("incident_notification", False),
        ("model_change_notice", True),
    ]
    assert "needs 24 h or less" in critical.gaps[0].reason
    assert [g.key for g in critical.ai_gaps] == ["model_change_notice"]
    important = evaluate_clauses(rows, tier=Tier.IMPORTANT, uses_ai=True, shares_data=True)
    assert [g.key for g in important.gaps] == ["model_change_notice"]
    assert important.coverage == round(100 * 10 / 11, 1)


def test_unrecorded_partial_and_not_applicable_clauses() -> None:
    rows = [
        ClauseRow("right_to_audit", ClauseStatus.PARTIAL),
        ClauseRow("confidentiality", ClauseStatus.NOT_APPLICABLE),
    ]
    result = evaluate_clauses(rows, tier=Tier.STANDARD, uses_ai=False, shares_data=False)
    assert "confidentiality" not in result.expected
    reasons = {g.key: g.reason for g in result.gaps}
    assert reasons["right_to_audit"] == "only partly covered"
    assert reasons["security_requirements"] == "not recorded"
    assert reasons["incident_notification"] == "not recorded"
    assert result.present == ()
