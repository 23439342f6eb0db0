"""Writes for evidence and documented information: each checked against the access policy, in a transaction.

Contributors may change only evidence they own (or created); approving a document version needs
Action.APPROVE (a risk owner only for documents they own); deleting needs Action.DELETE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.compliance import storage
from aisms.apps.compliance.models import (
    Document,
    DocumentVersion,
    EvidenceItem,
    EvidenceKind,
    EvidenceRevision,
    Objective,
    ObjectiveMeasurement,
    VersionStatus,
)
from aisms.apps.risks.models import Risk, TreatmentAction
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.compliance.evidence_files import EvidenceFileError, check_upload

EXPIRY_JOB = "compliance.evidence_expiry"
EXPIRY_SCHEDULE_KEY = "compliance.evidence_expiry"


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def _may(actor: User, action: Action, owner_ids: Iterable[int | None] | None = None) -> None:
    require(actor, action)
    if owner_ids is None:
        return
    if not can_on_object(Role(actor.role), action, is_owner=actor.pk in set(owner_ids)):
        raise PermissionDenied(f"only the item's owner may {action.value} it")


def _save(obj: Any, actor: User, reason: str = "") -> None:
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()


def _check_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": "only http:// and https:// links are accepted"})
    if len(url) > 1000:
        raise ValidationError({"url": "at most 1000 characters"})
    return url


def _store(upload: Upload) -> tuple[str, str, str, int]:
    try:
        checked = check_upload(upload.name, upload.content, storage.max_evidence_bytes())
    except EvidenceFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    relative, digest = storage.save_file(checked.name, upload.content)
    return checked.name, relative, digest, len(upload.content)


def entries_for(uids: Iterable[str]) -> list[CatalogueEntry]:
    """Catalogue entries (ISO/IEC 27001 clauses, 27002 controls) for the uids; unknown ones are an error."""
    wanted = sorted({u.strip() for u in uids if u.strip()})
    found = list(CatalogueEntry.objects.filter(uid__in=wanted, source__key__in=("iso27001", "iso27002")))
    missing = set(wanted) - {e.uid for e in found}
    if missing:
        raise ValidationError({"links": f"unknown clause or control: {', '.join(sorted(missing))}"})
    return found


def ensure_expiry_schedule() -> None:
    """Register the daily expiry check (idempotent)."""
    from aisms.apps.jobs.services import ensure_schedule

    ensure_schedule(
        EXPIRY_SCHEDULE_KEY, EXPIRY_JOB, every=timedelta(days=1), title="Evidence expiry and document reviews"
    )


# ------------------------------------------------------------------ evidence


def evidence_owner_ids(item: EvidenceItem) -> tuple[int | None, ...]:
    return (item.owner_id, item.created_by_id)


def create_evidence(
    actor: User,
    *,
    title: str,
    evidence_date: date,
    upload: Upload | None = None,
    url: str = "",
    description: str = "",
    owner: User | None = None,
    expires_on: date | None = None,
    review_due: date | None = None,
    entry_uids: Iterable[str] = (),
    risks: Iterable[Risk] = (),
    actions: Iterable[TreatmentAction] = (),
) -> EvidenceItem:
    """A new evidence item with its first revision (a file or a link, exactly one)."""
    require(actor, Action.CREATE)
    if (upload is None) == (not url):
        raise ValidationError({"file": "give either a file or a link"})
    if expires_on and expires_on < evidence_date:
        raise ValidationError({"expires_on": "expires before the date of the evidence"})
    entries = entries_for(entry_uids)
    with transaction.atomic():
        item = EvidenceItem(
            title=title.strip(),
            description=description,
            kind=EvidenceKind.FILE if upload else EvidenceKind.LINK,
            owner=owner or actor,
            evidence_date=evidence_date,
            expires_on=expires_on,
            review_due=review_due,
            created_by=actor,
        )
        if url:
            item.url = _check_url(url)
        _save(item, actor, "created")
        item.entries.set(entries)
        item.risks.set(list(risks))
        item.treatment_actions.set(list(actions))
        _add_revision(actor, item, upload=upload, url=url, note="first revision")
        ensure_expiry_schedule()
    return item


def _add_revision(
    actor: User, item: EvidenceItem, *, upload: Upload | None, url: str, note: str
) -> EvidenceRevision:
    number = (item.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
    revision = EvidenceRevision(evidence=item, number=number, note=note, created_by=actor)
    if upload is not None:
        name, relative, digest, size = _store(upload)
        revision.kind = EvidenceKind.FILE
        revision.file_name, revision.stored_path, revision.sha256, revision.size = (
            name,
            relative,
            digest,
            size,
        )
    else:
        revision.kind = EvidenceKind.LINK
        revision.url = _check_url(url)
    _save(revision, actor)
    item.kind = revision.kind
    item.url = revision.url
    item.file_name, item.stored_path = revision.file_name, revision.stored_path
    item.sha256, item.size = revision.sha256, revision.size
    item.updated_at = timezone.now()
    _save(item, actor, f"revision {number}")
    return revision


def add_revision(
    actor: User,
    item: EvidenceItem,
    *,
    upload: Upload | None = None,
    url: str = "",
    note: str = "",
    evidence_date: date | None = None,
    expires_on: date | None = None,
) -> EvidenceRevision:
    """A new file or link for the item; the old ones stay as earlier revisions."""
    _may(actor, Action.EDIT, evidence_owner_ids(item))
    if (upload is None) == (not url):
        raise ValidationError({"file": "give either a file or a link"})
    with transaction.atomic():
        item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        if evidence_date:
            item.evidence_date = evidence_date
        if expires_on is not None:
            item.expires_on = expires_on
        return _add_revision(actor, item, upload=upload, url=url, note=note)


EVIDENCE_FIELDS = {"title", "description", "owner", "evidence_date", "expires_on", "review_due"}


def update_evidence(actor: User, item: EvidenceItem, **fields: Any) -> EvidenceItem:
    _may(actor, Action.EDIT, evidence_owner_ids(item))
    unknown = set(fields) - EVIDENCE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(item, name, value)
        if item.expires_on and item.expires_on < item.evidence_date:
            raise ValidationError({"expires_on": "expires before the date of the evidence"})
        item.updated_at = timezone.now()
        _save(item, actor, "edited")
    return item


def set_evidence_links(
    actor: User,
    item: EvidenceItem,
    *,
    entry_uids: Iterable[str] | None = None,
    risks: Iterable[Risk] | None = None,
    actions: Iterable[TreatmentAction] | None = None,
) -> EvidenceItem:
    _may(actor, Action.EDIT, evidence_owner_ids(item))
    entries = entries_for(entry_uids) if entry_uids is not None else None
    with transaction.atomic():
        if entries is not None:
            item.entries.set(entries)
        if risks is not None:
            item.risks.set(list(risks))
        if actions is not None:
            item.treatment_actions.set(list(actions))
        item.updated_at = timezone.now()
        _save(item, actor, "links changed")
    return item


def review_evidence(actor: User, item: EvidenceItem, *, next_review: date | None = None) -> EvidenceItem:
    """Record that the evidence was reviewed (by anyone who may edit it), and when it is next due."""
    _may(actor, Action.EDIT, evidence_owner_ids(item))
    with transaction.atomic():
        item.reviewed_by = actor
        item.reviewed_at = timezone.now()
        item.review_due = next_review
        _save(item, actor, "reviewed")
    return item


def delete_evidence(actor: User, item: EvidenceItem) -> None:
    """Removes the register entry; the stored files stay on disk for the record."""
    require(actor, Action.DELETE)
    with transaction.atomic():
        item._history_user = actor  # type: ignore[attr-defined]  # simple-history reads it
        item.delete()


# ------------------------------------------------------------------ documents


def _document_owner_ids(document: Document) -> tuple[int | None, ...]:
    return (document.owner_id, document.created_by_id)


DOCUMENT_FIELDS = {"ref", "title", "doc_type", "is_isms_policy", "owner", "review_interval_months", "retired"}


def _one_policy(document: Document) -> None:
    if document.is_isms_policy:
        clash = Document.objects.filter(is_isms_policy=True).exclude(pk=document.pk).first()
        if clash is not None:
            raise ValidationError(
                {"is_isms_policy": f"{clash.ref} is already the information security policy"}
            )


def create_document(
    actor: User,
    *,
    entry_uids: Iterable[str] = (),
    text: str = "",
    upload: Upload | None = None,
    **fields: Any,
) -> Document:
    """A document and its first (draft) version."""
    require(actor, Action.CREATE)
    unknown = set(fields) - DOCUMENT_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    entries = entries_for(entry_uids)
    with transaction.atomic():
        document = Document(created_by=actor, **fields)
        if document.owner is None:
            document.owner = actor
        _one_policy(document)
        _save(document, actor, "created")
        document.entries.set(entries)
        add_version(actor, document, text=text, upload=upload, change_summary="first version")
    return document


def update_document(
    actor: User, document: Document, *, entry_uids: Iterable[str] | None = None, **fields: Any
) -> Document:
    _may(actor, Action.EDIT, _document_owner_ids(document))
    unknown = set(fields) - DOCUMENT_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    entries = entries_for(entry_uids) if entry_uids is not None else None
    with transaction.atomic():
        for name, value in fields.items():
            setattr(document, name, value)
        _one_policy(document)
        _save(document, actor, "edited")
        if entries is not None:
            document.entries.set(entries)
    return document


def add_version(
    actor: User,
    document: Document,
    *,
    text: str = "",
    upload: Upload | None = None,
    change_summary: str = "",
    next_review: date | None = None,
) -> DocumentVersion:
    """A new draft version (text and/or a file); approving it makes it the version in force."""
    _may(actor, Action.EDIT, _document_owner_ids(document))
    if not text.strip() and upload is None:
        raise ValidationError({"text": "a version needs text or a file"})
    with transaction.atomic():
        number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = DocumentVersion(
            document=document,
            number=number,
            text=text,
            change_summary=change_summary,
            next_review=next_review,
            created_by=actor,
        )
        if upload is not None:
            version.file_name, version.stored_path, version.sha256, _size = _store(upload)
        _save(version, actor, "drafted")
    return version


def approve_version(
    actor: User, version: DocumentVersion, *, next_review: date | None = None
) -> DocumentVersion:
    """Approve a draft (Action.APPROVE); the version it replaces is retired. The next review defaults to the
    document's review interval from today."""
    document = version.document
    _may(actor, Action.APPROVE, _document_owner_ids(document))
    if version.status != VersionStatus.DRAFT:
        raise ValidationError({"status": f"version {version.number} is {version.status}, not a draft"})
    today = timezone.localdate()
    with transaction.atomic():
        for older in document.versions.filter(status=VersionStatus.APPROVED):
            older.status = VersionStatus.RETIRED
            _save(older, actor, f"replaced by version {version.number}")
        version.status = VersionStatus.APPROVED
        version.approved_by = actor
        version.approved_at = timezone.now()
        version.next_review = next_review or _add_months(today, document.review_interval_months)
        _save(version, actor, "approved")
    return version


def review_document(actor: User, document: Document, *, next_review: date) -> DocumentVersion:
    """Record a review that changed nothing: the version in force gets its next review date."""
    _may(actor, Action.APPROVE, _document_owner_ids(document))
    version = document.versions.filter(status=VersionStatus.APPROVED).first()
    if version is None:
        raise ValidationError({"document": "no approved version to review"})
    if next_review <= timezone.localdate():
        raise ValidationError({"next_review": "the next review must be in the future"})
    with transaction.atomic():
        version.next_review = next_review
        _save(version, actor, "reviewed, unchanged")
    return version


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    return day  # pragma: no cover - every month has 28 days


# ------------------------------------------------------------------ objectives

OBJECTIVE_FIELDS = {
    "title",
    "description",
    "measure",
    "unit",
    "baseline",
    "target",
    "direction",
    "due",
    "owner",
    "status",
}


def create_objective(actor: User, **fields: Any) -> Objective:
    require(actor, Action.CREATE)
    unknown = set(fields) - OBJECTIVE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    with transaction.atomic():
        objective = Objective(created_by=actor, **fields)
        if objective.owner is None:
            objective.owner = actor
        _save(objective, actor, "created")
    return objective


def update_objective(actor: User, objective: Objective, **fields: Any) -> Objective:
    _may(actor, Action.EDIT, (objective.owner_id, objective.created_by_id))
    unknown = set(fields) - OBJECTIVE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(objective, name, value)
        _save(objective, actor, "edited")
    return objective


def add_measurement(
    actor: User, objective: Objective, *, measured_on: date, value: Any, note: str = ""
) -> ObjectiveMeasurement:
    _may(actor, Action.EDIT, (objective.owner_id, objective.created_by_id))
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": "a measurement cannot be in the future"})
    with transaction.atomic():
        row = ObjectiveMeasurement(
            objective=objective, measured_on=measured_on, value=value, note=note, recorded_by=actor
        )
        _save(row, actor, "measured")
    return row
