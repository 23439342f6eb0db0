"""Evidence endpoints: the evidence register with uploads, revisions, links to controls, risks and
treatment actions, and reviews."""

from datetime import date
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.services import require
from aisms.apps.compliance import registers, services
from aisms.apps.compliance.api.routing import (
    actor_of,
    file_response,
    risks_by_ref,
    router,
    upload_of,
    user_named,
    viewer_of,
)
from aisms.apps.compliance.models import (
    EvidenceItem,
    EvidenceRevision,
)
from aisms.apps.risks.models import TreatmentAction
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


class RevisionOut(Schema):
    number: int
    kind: str
    url: str
    file_name: str
    size: int | None
    sha256: str
    note: str
    created_by: str | None
    created_at: Any

    @staticmethod
    def resolve_created_by(obj: EvidenceRevision) -> str | None:
        return obj.created_by.username if obj.created_by else None


class EvidenceOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    owner: str | None
    evidence_date: date
    expires_on: date | None
    review_due: date | None
    reviewed_by: str | None
    reviewed_at: Any
    state: str
    url: str
    file_name: str
    size: int | None
    sha256: str
    links: list[str]
    risks: list[str]
    treatment_actions: list[int]

    @staticmethod
    def resolve_owner(obj: EvidenceItem) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_reviewed_by(obj: EvidenceItem) -> str | None:
        return obj.reviewed_by.username if obj.reviewed_by else None

    @staticmethod
    def resolve_state(obj: EvidenceItem) -> str:
        return registers.state_of(obj, timezone.localdate()).value

    @staticmethod
    def resolve_links(obj: EvidenceItem) -> list[str]:
        return sorted(e.uid for e in obj.entries.all())

    @staticmethod
    def resolve_risks(obj: EvidenceItem) -> list[str]:
        return sorted(r.ref for r in obj.risks.all())

    @staticmethod
    def resolve_treatment_actions(obj: EvidenceItem) -> list[int]:
        return sorted(a.pk for a in obj.treatment_actions.all())


class EvidenceForm(Schema):
    title: str = Field(min_length=1, max_length=300)
    evidence_date: date
    url: str = Field(default="", max_length=1000, description="A link (http/https), or send a file instead.")
    description: str = ""
    owner: str | None = Field(default=None, description="User name; default: you.")
    expires_on: date | None = None
    review_due: date | None = None
    links: str = Field(default="", description="Comma-separated clause/control uids, e.g. iso27002:2022:5.7")
    risks: str = Field(default="", description="Comma-separated risk refs, e.g. R-001")
    treatment_actions: str = Field(default="", description="Comma-separated treatment action ids")


class EvidencePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None
    owner: str | None = None
    evidence_date: date | None = None
    expires_on: date | None = None
    review_due: date | None = None


class LinksIn(Schema):
    links: list[str] | None = None
    risks: list[str] | None = None
    treatment_actions: list[int] | None = None


class RevisionForm(Schema):
    url: str = Field(default="", max_length=1000)
    note: str = ""
    evidence_date: date | None = None
    expires_on: date | None = None


class ComplianceReviewIn(Schema):
    next_review: date | None = None


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _actions(ids: list[int]) -> list[TreatmentAction]:
    found = {a.pk: a for a in TreatmentAction.objects.filter(pk__in=ids)}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise HttpError(422, f"treatment_actions: unknown {', '.join(map(str, missing))}")
    return list(found.values())


def _evidence(evidence_id: int) -> EvidenceItem:
    return get_object_or_404(
        EvidenceItem.objects.select_related("owner", "reviewed_by").prefetch_related(
            "entries", "risks", "treatment_actions"
        ),
        pk=evidence_id,
    )


@router.get("/evidence", response=list[EvidenceOut], summary="The evidence register")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_evidence(
    request: HttpRequest,
    state: Literal["", "current", "expiring", "expired"] = "",
    owner: str = "",
    uid: str = "",
    q: str = "",
) -> Any:
    viewer_of(request)
    return registers.evidence_list(
        timezone.localdate(), state=state, owner=owner, uid=uid, q=q[:200]
    ).prefetch_related("risks", "treatment_actions")


@router.post("/evidence", response={201: EvidenceOut}, summary="Add evidence: a file (multipart) or a link")
def create_evidence(
    request: HttpRequest, payload: Form[EvidenceForm], file: File[UploadedFile | None] = None
) -> Status[EvidenceItem]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    item = services.create_evidence(
        actor,
        title=payload.title,
        evidence_date=payload.evidence_date,
        upload=upload_of(file),
        url=payload.url,
        description=payload.description,
        owner=user_named(payload.owner),
        expires_on=payload.expires_on,
        review_due=payload.review_due,
        entry_uids=_split(payload.links),
        risks=risks_by_ref(_split(payload.risks)),
        actions=_actions([int(i) for i in _split(payload.treatment_actions) if i.isdigit()]),
    )
    return Status(201, _evidence(item.pk))


@router.get("/evidence/{evidence_id}", response=EvidenceOut, summary="One evidence item")
def get_evidence(request: HttpRequest, evidence_id: int) -> EvidenceItem:
    viewer_of(request)
    return _evidence(evidence_id)


@router.patch(
    "/evidence/{evidence_id}",
    response=EvidenceOut,
    summary="Change an evidence item (owner only for contributors)",
)
def patch_evidence(request: HttpRequest, evidence_id: int, payload: EvidencePatch) -> EvidenceItem:
    actor = actor_of(request)
    item = _evidence(evidence_id)
    values = payload.dict(exclude_unset=True)
    if "owner" in values:
        values["owner"] = user_named(values["owner"])
    services.update_evidence(actor, item, **values)
    return _evidence(evidence_id)


@router.delete("/evidence/{evidence_id}", response={204: None}, summary="Remove an evidence item")
def delete_evidence(request: HttpRequest, evidence_id: int) -> Status[None]:
    services.delete_evidence(actor_of(request), _evidence(evidence_id))
    return Status(204, None)


@router.put(
    "/evidence/{evidence_id}/links",
    response=EvidenceOut,
    summary="Set the clauses, controls, risks and actions",
)
def set_links(request: HttpRequest, evidence_id: int, payload: LinksIn) -> EvidenceItem:
    item = _evidence(evidence_id)
    services.set_evidence_links(
        actor_of(request),
        item,
        entry_uids=payload.links,
        risks=risks_by_ref(payload.risks) if payload.risks is not None else None,
        actions=_actions(payload.treatment_actions) if payload.treatment_actions is not None else None,
    )
    return _evidence(evidence_id)


@router.get(
    "/evidence/{evidence_id}/revisions", response=list[RevisionOut], summary="Every revision, newest first"
)
def list_revisions(request: HttpRequest, evidence_id: int) -> Any:
    viewer_of(request)
    return _evidence(evidence_id).revisions.select_related("created_by")


@router.post(
    "/evidence/{evidence_id}/revisions",
    response={201: RevisionOut},
    summary="Upload a new file or link; old ones are kept",
)
def add_revision(
    request: HttpRequest,
    evidence_id: int,
    payload: Form[RevisionForm],
    file: File[UploadedFile | None] = None,
) -> Status[EvidenceRevision]:
    item = _evidence(evidence_id)
    revision = services.add_revision(
        actor_of(request),
        item,
        upload=upload_of(file),
        url=payload.url,
        note=payload.note,
        evidence_date=payload.evidence_date,
        expires_on=payload.expires_on,
    )
    return Status(201, revision)


@router.get(
    "/evidence/{evidence_id}/revisions/{number}/file",
    response={200: None},
    summary="Download a revision's file",
)
def download_revision(request: HttpRequest, evidence_id: int, number: int) -> FileResponse:
    viewer_of(request)
    revision = get_object_or_404(EvidenceRevision, evidence_id=evidence_id, number=number)
    return file_response(revision.stored_path, revision.file_name)


@router.post(
    "/evidence/{evidence_id}/review", response=EvidenceOut, summary="Record a review of the evidence"
)
def review_evidence(request: HttpRequest, evidence_id: int, payload: ComplianceReviewIn) -> EvidenceItem:
    services.review_evidence(actor_of(request), _evidence(evidence_id), next_review=payload.next_review)
    return _evidence(evidence_id)
