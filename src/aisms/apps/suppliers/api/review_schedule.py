"""The review schedule (re-assessment intervals by tier) and the overview metrics the charts draw."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from aisms.apps.accounts.services import require
from aisms.apps.suppliers import selectors, services
from aisms.apps.suppliers.api.assessment_schemas import OverviewOut, PolicyIO
from aisms.apps.suppliers.api.routing import (
    actor_of,
    router,
)
from aisms.apps.suppliers.models import (
    Supplier,
)
from aisms.domain.access import Action


def _policy_dict() -> dict[str, int]:
    policy = services.review_policy()
    return {name: getattr(policy, name) for name in PolicyIO.model_fields}


@router.get("/review-policy", response=PolicyIO, summary="Re-assessment intervals by tier")
def get_policy(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    return _policy_dict()


@router.put("/review-policy", response=PolicyIO, summary="Change the re-assessment intervals")
def put_policy(request: HttpRequest, payload: PolicyIO) -> Any:
    services.update_review_policy(actor_of(request), **payload.dict())
    return _policy_dict()


def _brief(rows: list[Supplier]) -> list[dict[str, Any]]:
    return [{"id": s.pk, "name": s.name, "tier": s.tier, "next_review_due": s.next_review_due} for s in rows]


@router.get("/overview", response=OverviewOut, summary="Supplier overview metrics (what the charts draw)")
def get_overview(request: HttpRequest) -> Any:
    require(actor_of(request), Action.VIEW)
    today = timezone.localdate()
    data = selectors.overview(today)

    def certs(rows: list[models.Model]) -> list[dict[str, Any]]:
        return [
            {"supplier": c.supplier.name, "kind": c.kind, "expires_on": c.expires_on}  # type: ignore[attr-defined]  # certifications
            for c in rows
        ]

    return {
        "today": today,
        "total": data.total,
        "by_tier": {str(k): v for k, v in data.by_tier.items()},
        "ai_using": data.ai_using,
        "ai_training": data.ai_training,
        "overdue": _brief(data.overdue),
        "due_soon": _brief(data.due_soon),
        "tier_scores": [{"name": n, "tier": t, "score": s} for n, t, s in data.tier_scores],
        "expiring": certs(list(data.expiring)),
        "expired": certs(list(data.expired)),
        "open_findings": data.open_findings,
        "findings_by_severity": data.findings_by_severity,
        "pending_assessments": data.pending_assessments,
    }
