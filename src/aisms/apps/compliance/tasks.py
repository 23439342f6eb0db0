"""The daily job `compliance.evidence_expiry`: tell owners about evidence that expires within 30 days or has
expired, and about documents overdue for review. Each notice is sent once per item and expiry/review date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from aisms.apps.accounts.notifications import notify
from aisms.apps.compliance.models import DocumentVersion, EvidenceItem, VersionStatus
from aisms.apps.jobs.runner import JobContext, job_task
from aisms.domain.compliance.status import DEFAULT_WARNING_DAYS


def send_expiry_notices(today: date, warning_days: int = DEFAULT_WARNING_DAYS) -> dict[str, int]:
    sent = {"expiring": 0, "expired": 0, "document_reviews": 0}
    horizon = today + timedelta(days=warning_days)
    items = EvidenceItem.objects.filter(expires_on__lte=horizon, owner__isnull=False, owner__is_active=True)
    for item in items.select_related("owner"):
        assert item.expires_on is not None  # noqa: S101 - filtered above; narrows the type
        expired = item.expires_on < today
        state = "expired" if expired else "expiring"
        verb = "expired on" if expired else "expires on"
        if notify(
            item.owner,  # type: ignore[arg-type]  # filtered: owner is set
            subject=f"Evidence {verb} {item.expires_on:%Y-%m-%d}: {item.title}",
            body=f"The evidence item “{item.title}” {verb} {item.expires_on:%Y-%m-%d}. "
            "Upload a new revision or extend its expiry so the controls it supports keep their status.",
            url=item.get_absolute_url(),
            key=f"compliance.evidence.{item.pk}.{state}.{item.expires_on.isoformat()}",
        ):
            sent[state] += 1
    overdue = DocumentVersion.objects.filter(
        status=VersionStatus.APPROVED,
        next_review__lt=today,
        document__retired=False,
        document__owner__isnull=False,
    ).select_related("document", "document__owner")
    for version in overdue:
        document = version.document
        assert version.next_review is not None  # noqa: S101 - filtered above; narrows the type
        if notify(
            document.owner,  # type: ignore[arg-type]  # filtered: owner is set
            subject=f"Review overdue: {document.ref} {document.title}",
            body=f"Version {version.number} of {document.ref} was due for review on "
            f"{version.next_review:%Y-%m-%d}. Review it, or approve a new version.",
            url=document.get_absolute_url(),
            key=f"compliance.document.{document.pk}.review.{version.next_review.isoformat()}",
        ):
            sent["document_reviews"] += 1
    return sent


@job_task("compliance.evidence_expiry")
def evidence_expiry(ctx: JobContext, **_kwargs: Any) -> dict[str, int]:
    result = send_expiry_notices(timezone.localdate())
    ctx.log(f"notices sent: {result}")
    return result
