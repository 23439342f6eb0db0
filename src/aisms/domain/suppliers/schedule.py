"""Re-assessment schedule: when a supplier's next review is due, by its criticality tier."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum


class Tier(IntEnum):
    CRITICAL = 1
    IMPORTANT = 2
    STANDARD = 3

    @property
    def label(self) -> str:
        return {1: "Tier 1 - critical", 2: "Tier 2 - important", 3: "Tier 3 - standard"}[self.value]


@dataclass(frozen=True)
class ReviewIntervals:
    """Months between reviews per tier, and how many days ahead a reminder goes out."""

    tier1_months: int = 6
    tier2_months: int = 12
    tier3_months: int = 24
    reminder_days: int = 30

    def months(self, tier: Tier) -> int:
        return {Tier.CRITICAL: self.tier1_months, Tier.IMPORTANT: self.tier2_months}.get(
            tier, self.tier3_months
        )


DEFAULT_INTERVALS = ReviewIntervals()


class ReviewState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    SCHEDULED = "scheduled"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due(
    tier: Tier, *, last_review: date | None, onboarded: date, intervals: ReviewIntervals = DEFAULT_INTERVALS
) -> date:
    """A supplier never assessed is due at onboarding; otherwise the tier's interval after the last review."""
    if last_review is None:
        return onboarded
    return add_months(last_review, intervals.months(tier))


def review_state(due: date, today: date, intervals: ReviewIntervals = DEFAULT_INTERVALS) -> ReviewState:
    if due < today:
        return ReviewState.OVERDUE
    if (due - today).days <= intervals.reminder_days:
        return ReviewState.DUE_SOON
    return ReviewState.SCHEDULED


def reminder_key(supplier_id: int, due: date) -> str:
    """One reminder per supplier and due date, however often the job runs."""
    return f"suppliers.review.{supplier_id}.{due.isoformat()}"
