"""Management review endpoints: reviews, their input pack, status and decisions."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status
from ninja.pagination import paginate

from aisms.apps.audits import selectors, services
from aisms.apps.audits.api.improvement_schemas import (
    AuditDecisionIn,
    DecisionOut,
    DecisionPatch,
    ManagementReviewIn,
    ManagementReviewOut,
    ManagementReviewPatch,
    ReviewTransitionIn,
)
from aisms.apps.audits.api.routing import (
    active_user,
    actor_of,
    given_fields,
    router,
    viewer_of,
)
from aisms.apps.audits.models import (
    ManagementReview,
    ReviewDecision,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.audits.review_pack import pack_to_dict


@router.get("/management-reviews", response=list[ManagementReviewOut], summary="Management reviews")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_reviews(request: HttpRequest) -> Any:
    viewer_of(request)
    return ManagementReview.objects.prefetch_related("decisions__owner")


@router.post(
    "/management-reviews",
    response={201: ManagementReviewOut},
    summary="Create a management review; its input pack is generated from the registers and kept",
)
def create_review(request: HttpRequest, payload: ManagementReviewIn) -> Status[Any]:
    review = services.create_review(
        actor_of(request),
        title=payload.title,
        date=payload.date,
        attendees=payload.attendees,
        feedback=payload.feedback,
    )
    return Status(201, review)


@router.get("/management-reviews/{int:pk}", response=ManagementReviewOut, summary="One management review")
def get_review(request: HttpRequest, pk: int) -> ManagementReview:
    viewer_of(request)
    return selectors.review_detail(pk)


@router.patch(
    "/management-reviews/{int:pk}", response=ManagementReviewOut, summary="Change a management review"
)
def update_review(request: HttpRequest, pk: int, payload: ManagementReviewPatch) -> ManagementReview:
    services.update_review(
        actor_of(request), get_object_or_404(ManagementReview, pk=pk), **given_fields(payload)
    )
    return selectors.review_detail(pk)


@router.get(
    "/management-reviews/{int:pk}/pack",
    response=dict[str, Any],
    summary="The review's input pack (clause 9.3.2 a to g), as kept with the review",
)
def review_pack(request: HttpRequest, pk: int) -> dict[str, Any]:
    viewer_of(request)
    return pack_to_dict(selectors.management_review_pack(get_object_or_404(ManagementReview, pk=pk)))


@router.post(
    "/management-reviews/{int:pk}/pack",
    response=dict[str, Any],
    summary="Regenerate a draft review's pack from the registers as they are now",
)
def refresh_pack(request: HttpRequest, pk: int) -> dict[str, Any]:
    review = services.refresh_review_pack(actor_of(request), get_object_or_404(ManagementReview, pk=pk))
    return pack_to_dict(selectors.management_review_pack(review))


@router.post(
    "/management-reviews/{int:pk}/transition",
    response=ManagementReviewOut,
    summary="Mark a review held or closed",
)
def transition_review(request: HttpRequest, pk: int, payload: ReviewTransitionIn) -> ManagementReview:
    services.transition_review(actor_of(request), get_object_or_404(ManagementReview, pk=pk), payload.status)
    return selectors.review_detail(pk)


@router.post(
    "/management-reviews/{int:pk}/decisions", response={201: DecisionOut}, summary="Record a decision"
)
def add_decision(request: HttpRequest, pk: int, payload: AuditDecisionIn) -> Status[Any]:
    review = get_object_or_404(ManagementReview, pk=pk)
    values = payload.dict()
    values["owner"] = active_user(payload.owner)
    return Status(201, services.add_decision(actor_of(request), review, **values))


@router.patch("/review-decisions/{int:pk}", response=DecisionOut, summary="Follow up a review decision")
def update_decision(request: HttpRequest, pk: int, payload: DecisionPatch) -> ReviewDecision:
    decision = get_object_or_404(ReviewDecision, pk=pk)
    values = given_fields(payload)
    if "owner" in values:
        values["owner"] = active_user(values["owner"])
    return services.update_decision(actor_of(request), decision, **values)
