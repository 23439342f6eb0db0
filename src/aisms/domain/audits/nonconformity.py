"""The nonconformity lifecycle (clause 10.2): open -> action-planned -> closed.

- open -> action-planned: the root cause is recorded and at least one corrective action is not yet done.
- action-planned -> closed: every corrective action is done AND the latest effectiveness review, made
  after the last action was done, found them effective.
- An effectiveness review may only be recorded once every action is done. A review that finds the actions
  ineffective reopens the nonconformity (status open): it needs a new corrective action before it can be
  planned again and closed.
- closed -> open: reopening a closed nonconformity (e.g. it recurred).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class NcState(StrEnum):
    OPEN = "open"
    ACTION_PLANNED = "action-planned"
    CLOSED = "closed"


@dataclass(frozen=True)
class ActionFacts:
    done_at: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class ReviewFacts:
    reviewed_at: datetime
    effective: bool


@dataclass(frozen=True)
class NcFacts:
    status: NcState
    root_cause: str
    actions: Sequence[ActionFacts]
    reviews: Sequence[ReviewFacts]

    @property
    def last_done_at(self) -> datetime | None:
        done = [a.done_at for a in self.actions if a.done_at is not None]
        return max(done) if done else None

    @property
    def latest_review(self) -> ReviewFacts | None:
        return max(self.reviews, key=lambda r: r.reviewed_at) if self.reviews else None


class TransitionError(ValueError):
    """A transition the lifecycle does not allow; the message says what is missing."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


ALLOWED: dict[NcState, frozenset[NcState]] = {
    NcState.OPEN: frozenset({NcState.ACTION_PLANNED}),
    NcState.ACTION_PLANNED: frozenset({NcState.CLOSED, NcState.OPEN}),
    NcState.CLOSED: frozenset({NcState.OPEN}),
}


def _open_actions(facts: NcFacts) -> int:
    return sum(1 for a in facts.actions if not a.done)


def close_problems(facts: NcFacts) -> list[str]:
    """What stands between the nonconformity and closing it (empty: it may close)."""
    problems = []
    if not facts.actions:
        problems.append("no corrective action recorded")
    elif _open_actions(facts):
        problems.append(f"{_open_actions(facts)} corrective action(s) not done")
    review = facts.latest_review
    last_done = facts.last_done_at
    if review is None or (last_done is not None and review.reviewed_at < last_done):
        problems.append("no effectiveness review after the corrective actions were done")
    elif not review.effective:
        problems.append("the latest effectiveness review found the actions not effective")
    return problems


def transition_problems(facts: NcFacts, target: NcState) -> list[str]:
    if target == facts.status:
        return [f"already {target.value}"]
    if target not in ALLOWED[facts.status]:
        return [f"cannot go from {facts.status.value} to {target.value}"]
    if target == NcState.ACTION_PLANNED:
        problems = []
        if not facts.root_cause.strip():
            problems.append("record the root cause first")
        if not _open_actions(facts):
            problems.append("add a corrective action that is not yet done")
        return problems
    if target == NcState.CLOSED:
        return close_problems(facts)
    return []


def check_transition(facts: NcFacts, target: NcState) -> NcState:
    problems = transition_problems(facts, target)
    if problems:
        raise TransitionError(problems)
    return target


def review_problems(facts: NcFacts) -> list[str]:
    """Whether an effectiveness review may be recorded now."""
    if facts.status == NcState.CLOSED:
        return ["the nonconformity is closed"]
    if not facts.actions:
        return ["no corrective action to review"]
    if _open_actions(facts):
        return ["complete every corrective action before reviewing effectiveness"]
    return []


def status_after_review(facts: NcFacts, *, effective: bool) -> NcState:
    """An ineffective review reopens the nonconformity; an effective one leaves it ready to close."""
    problems = review_problems(facts)
    if problems:
        raise TransitionError(problems)
    return facts.status if effective else NcState.OPEN


def status_after_new_action(facts: NcFacts) -> NcState:
    """Adding an action to an open nonconformity whose cause is known plans it; otherwise no change."""
    if facts.status == NcState.CLOSED:
        raise TransitionError(["the nonconformity is closed: reopen it first"])
    if facts.status == NcState.OPEN and facts.root_cause.strip():
        return NcState.ACTION_PLANNED
    return facts.status
