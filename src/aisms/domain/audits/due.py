"""Due and overdue work: corrective actions, nonconformities, review decisions and upcoming audits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

DUE_SOON_DAYS = 7
AUDIT_NOTICE_DAYS = 14
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30 days", 30),
    ("31-90 days", 90),
    ("91-180 days", 180),
    ("over 180 days", None),
)


class DueState(StrEnum):
    DONE = "done"
    NO_DATE = "no-date"
    ON_TRACK = "on-track"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"


def due_state(due: date | None, *, done: bool, today: date, soon_days: int = DUE_SOON_DAYS) -> DueState:
    """Due soon: due within soon_days (today included); overdue: the due date has passed."""
    if done:
        return DueState.DONE
    if due is None:
        return DueState.NO_DATE
    if due < today:
        return DueState.OVERDUE
    if (due - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.ON_TRACK


def days_overdue(due: date | None, today: date) -> int:
    return max((today - due).days, 0) if due else 0


@dataclass(frozen=True)
class DueItem:
    kind: str  # "corrective-action", "decision", "audit"
    object_id: int
    owner_id: int | None
    due: date | None
    done: bool
    label: str


@dataclass(frozen=True)
class Reminder:
    kind: str
    object_id: int
    owner_id: int
    due: date
    state: DueState
    label: str

    @property
    def key(self) -> str:
        """One reminder per object, due date and state: a new due date or becoming overdue notifies again."""
        return f"audits:{self.kind}:{self.object_id}:{self.due.isoformat()}:{self.state.value}"


def reminders(items: Iterable[DueItem], today: date, *, soon_days: int = DUE_SOON_DAYS) -> list[Reminder]:
    """Work due within soon_days or overdue, for items with an owner; overdue first."""
    out = []
    for item in items:
        if item.owner_id is None or item.due is None:
            continue
        state = due_state(item.due, done=item.done, today=today, soon_days=soon_days)
        if state in (DueState.DUE_SOON, DueState.OVERDUE):
            out.append(Reminder(item.kind, item.object_id, item.owner_id, item.due, state, item.label))
    return sorted(out, key=lambda r: (r.state != DueState.OVERDUE, r.due, r.kind, r.object_id))


def audits_starting(
    audits: Iterable[DueItem], today: date, *, within_days: int = AUDIT_NOTICE_DAYS
) -> list[Reminder]:
    """Planned audits (due = planned start) starting today or within the notice period."""
    out = []
    for audit in audits:
        if audit.owner_id is None or audit.due is None or audit.done:
            continue
        if 0 <= (audit.due - today).days <= within_days:
            out.append(
                Reminder(
                    audit.kind, audit.object_id, audit.owner_id, audit.due, DueState.DUE_SOON, audit.label
                )
            )
    return sorted(out, key=lambda r: (r.due, r.object_id))


def ageing(raised_on: Sequence[date], today: date) -> list[tuple[str, int]]:
    """How many open items fall in each age bucket (by days since raised)."""
    counts = [0] * len(AGE_BUCKETS)
    for raised in raised_on:
        age = (today - raised).days
        for index, (_, limit) in enumerate(AGE_BUCKETS):
            if limit is None or age <= limit:
                counts[index] += 1
                break
    return [(label, counts[i]) for i, (label, _) in enumerate(AGE_BUCKETS)]
