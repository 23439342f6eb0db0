"""Schemas of nonconformities, corrective actions, effectiveness reviews, management reviews with their
decisions, and the due work."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from aisms.apps.audits import selectors
from aisms.apps.audits.api.routing import username_of
from aisms.apps.audits.models import (
    CorrectiveAction,
    EffectivenessReview,
    ManagementReview,
    Nonconformity,
    ReviewDecision,
)
from aisms.domain.audits import due as dued

Severity = Literal["major", "minor", "observation"]
NcStatusValue = Literal["open", "action-planned", "closed"]
RootCause = Literal["", "process", "people", "technology", "supplier", "governance", "documentation", "other"]
DecisionKindValue = Literal["improvement", "change", "resource"]
DecisionStatusValue = Literal["open", "in-progress", "done", "dropped"]


class AuditActionOut(Schema):
    id: int
    description: str
    owner: str | None
    due_date: dt.date | None
    done_at: dt.datetime | None
    evidence_note: str
    due_state: str

    @staticmethod
    def resolve_owner(obj: CorrectiveAction) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_due_state(obj: CorrectiveAction) -> str:
        return dued.due_state(obj.due_date, done=obj.done_at is not None, today=timezone.localdate()).value


class ReviewOut(Schema):
    id: int
    reviewed_by: str | None
    reviewed_at: dt.datetime
    effective: bool
    notes: str

    @staticmethod
    def resolve_reviewed_by(obj: EffectivenessReview) -> str | None:
        return username_of(obj.reviewed_by)


class AuditNcOut(Schema):
    id: int
    ref: str
    source: Literal["audit", "incident", "management-review", "other"]
    finding: int | None
    audit: str | None
    description: str
    clause_uid: str
    control_uid: str
    severity: Severity
    status: NcStatusValue
    raised_by: str | None
    raised_at: dt.datetime
    root_cause: str
    root_cause_category: str
    containment: str
    due_date: dt.date | None
    owner: str | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_finding(obj: Nonconformity) -> int | None:
        return obj.finding_id

    @staticmethod
    def resolve_audit(obj: Nonconformity) -> str | None:
        return obj.finding.audit.ref if obj.finding else None

    @staticmethod
    def resolve_raised_by(obj: Nonconformity) -> str | None:
        return username_of(obj.raised_by)

    @staticmethod
    def resolve_owner(obj: Nonconformity) -> str | None:
        return username_of(obj.owner)


class NcDetailOut(AuditNcOut):
    actions: list[AuditActionOut]
    reviews: list[ReviewOut]
    close_problems: list[str]

    @staticmethod
    def resolve_actions(obj: Nonconformity) -> list[CorrectiveAction]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_reviews(obj: Nonconformity) -> list[EffectivenessReview]:
        return list(obj.reviews.all())

    @staticmethod
    def resolve_close_problems(obj: Nonconformity) -> list[str]:
        return selectors.close_problems(obj)


class NcIn(Schema):
    source: Literal["incident", "management-review", "other"] = "other"
    description: str = Field(min_length=1, max_length=10_000)
    clause_uid: str = Field(default="", max_length=80)
    control_uid: str = Field(default="", max_length=80)
    severity: Severity = "minor"
    owner: str | None = None
    due_date: dt.date | None = None


class NcPatch(Schema):
    description: str | None = Field(default=None, min_length=1, max_length=10_000)
    clause_uid: str | None = Field(default=None, max_length=80)
    control_uid: str | None = Field(default=None, max_length=80)
    severity: Severity | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    root_cause: str | None = Field(default=None, max_length=10_000)
    root_cause_category: RootCause | None = None
    containment: str | None = Field(default=None, max_length=10_000)


class NcFilterIn(Schema):
    status: Literal["", "open", "action-planned", "closed", "not-closed"] = ""
    severity: Literal["", "major", "minor", "observation"] = ""
    source: Literal["", "audit", "incident", "management-review", "other"] = ""
    overdue: bool = False
    q: str = Field(default="", max_length=200)


class NcTransitionIn(Schema):
    status: NcStatusValue


class AuditActionIn(Schema):
    description: str = Field(min_length=1, max_length=10_000)
    owner: str | None = None
    due_date: dt.date | None = None


class ActionPatch(Schema):
    description: str | None = Field(default=None, min_length=1, max_length=10_000)
    owner: str | None = None
    due_date: dt.date | None = None
    evidence_note: str | None = Field(default=None, max_length=10_000)


class CompleteIn(Schema):
    done: bool = True
    evidence_note: str | None = Field(default=None, max_length=10_000)


class EffectivenessIn(Schema):
    effective: bool
    notes: str = Field(default="", max_length=10_000)


class DecisionOut(Schema):
    id: int
    decision: str
    kind: DecisionKindValue
    owner: str | None
    due_date: dt.date | None
    status: DecisionStatusValue

    @staticmethod
    def resolve_owner(obj: ReviewDecision) -> str | None:
        return username_of(obj.owner)


class AuditDecisionIn(Schema):
    decision: str = Field(min_length=1, max_length=10_000)
    kind: DecisionKindValue = "improvement"
    owner: str | None = None
    due_date: dt.date | None = None
    status: DecisionStatusValue = "open"


class DecisionPatch(Schema):
    decision: str | None = Field(default=None, min_length=1, max_length=10_000)
    kind: DecisionKindValue | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    status: DecisionStatusValue | None = None


class ManagementReviewOut(Schema):
    id: int
    title: str
    date: dt.date
    attendees: str
    minutes: str
    status: Literal["draft", "held", "closed"]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_decisions(obj: ManagementReview) -> list[ReviewDecision]:
        return list(obj.decisions.all())


class ManagementReviewIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    date: dt.date
    attendees: str = Field(default="", max_length=5000)
    feedback: list[str] = Field(
        default_factory=list, max_length=100, description="Feedback from interested parties (9.3.2 e)."
    )


class ManagementReviewPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    date: dt.date | None = None
    attendees: str | None = Field(default=None, max_length=5000)
    minutes: str | None = Field(default=None, max_length=100_000)


class ReviewTransitionIn(Schema):
    status: Literal["held", "closed"]


class DueOut(Schema):
    kind: str
    object_id: int
    owner: str | None
    due: dt.date
    state: str
    label: str
