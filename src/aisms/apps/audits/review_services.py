"""Writes for management reviews: creating and changing them, their input pack, status and decisions.
Every write checks the access policy, runs in one transaction and records who made it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.audits import selectors
from aisms.apps.audits.field_writes import (
    apply_changes,
    save_recorded,
)
from aisms.apps.audits.models import (
    DecisionStatus,
    ManagementReview,
    ReviewDecision,
    ReviewStatus,
)
from aisms.apps.audits.permissions import require_on
from aisms.domain.access import Action
from aisms.domain.audits.review_pack import pack_to_dict

REVIEW_FIELDS = ("title", "date", "attendees", "minutes")


def create_review(
    actor: User | None, *, title: str, date: date, attendees: str = "", feedback: list[str] | None = None
) -> ManagementReview:
    """A draft review whose input pack is generated from the registers now and kept with it."""
    if actor is not None:
        require_on(actor, Action.CREATE, owner_id=None)
    with transaction.atomic():
        review = ManagementReview(
            title=title.strip(), date=date, attendees=attendees.strip(), created_by=actor
        )
        review.inputs = pack_to_dict(selectors.build_pack(date, feedback=feedback or [], exclude_review=None))
        review.inputs["feedback_entered"] = list(feedback or [])
        save_recorded(review, actor)
    return review


def refresh_review_pack(actor: User | None, review: ManagementReview) -> ManagementReview:
    """Regenerate the pack of a draft review from the registers as they are now."""
    if actor is not None:
        require_on(actor, Action.EDIT, owner_id=review.created_by_id)
    with transaction.atomic():
        review = ManagementReview.objects.select_for_update().get(pk=review.pk)
        if review.status != ReviewStatus.DRAFT:
            raise ValidationError({"status": "only a draft review's pack can be regenerated"})
        feedback = list(review.inputs.get("feedback_entered", []))
        review.inputs = pack_to_dict(
            selectors.build_pack(review.date, feedback=feedback, exclude_review=review.pk)
        )
        review.inputs["feedback_entered"] = feedback
        save_recorded(review, actor)
    return review


def update_review(actor: User | None, review: ManagementReview, **values: Any) -> ManagementReview:
    if actor is not None:
        require_on(actor, Action.EDIT, owner_id=review.created_by_id)
    with transaction.atomic():
        review = ManagementReview.objects.select_for_update().get(pk=review.pk)
        if review.status == ReviewStatus.CLOSED:
            raise ValidationError({"status": "the review is closed"})
        if apply_changes(review, values, REVIEW_FIELDS):
            save_recorded(review, actor)
    return review


def transition_review(actor: User | None, review: ManagementReview, target: str) -> ManagementReview:
    """draft -> held (minutes recorded) -> closed (at least one decision recorded); needs APPROVE."""
    if actor is not None:
        require_on(actor, Action.APPROVE, owner_id=review.created_by_id)
    order = [ReviewStatus.DRAFT, ReviewStatus.HELD, ReviewStatus.CLOSED]
    with transaction.atomic():
        review = ManagementReview.objects.select_for_update().get(pk=review.pk)
        if target not in ReviewStatus.values:
            raise ValidationError({"status": f"unknown status {target!r}"})
        if order.index(ReviewStatus(target)) != order.index(ReviewStatus(review.status)) + 1:
            raise ValidationError({"status": f"cannot go from {review.status} to {target}"})
        if target == ReviewStatus.HELD and not review.minutes.strip():
            raise ValidationError({"minutes": "record the minutes first"})
        if target == ReviewStatus.CLOSED and not review.decisions.exists():
            raise ValidationError({"status": "record the review's decisions first"})
        review.status = target
        save_recorded(review, actor)
    return review


DECISION_FIELDS = ("decision", "kind", "owner", "due_date", "status")


def add_decision(actor: User | None, review: ManagementReview, **values: Any) -> ReviewDecision:
    if actor is not None:
        require_on(actor, Action.CREATE, owner_id=None)
    if review.status == ReviewStatus.CLOSED:
        raise ValidationError({"review": "the review is closed"})
    with transaction.atomic():
        decision = ReviewDecision(review=review)
        apply_changes(decision, values, DECISION_FIELDS)
        save_recorded(decision, actor)
    return decision


def update_decision(actor: User | None, decision: ReviewDecision, **values: Any) -> ReviewDecision:
    """Follow a decision up (status, owner, due date); possible after the review closed."""
    if values.get("status") and values["status"] not in DecisionStatus.values:
        raise ValidationError({"status": f"unknown status {values['status']!r}"})
    with transaction.atomic():
        decision = ReviewDecision.objects.select_for_update().get(pk=decision.pk)
        require_on(actor, Action.EDIT, owner_id=decision.owner_id)
        if apply_changes(decision, values, DECISION_FIELDS):
            save_recorded(decision, actor)
    return decision
