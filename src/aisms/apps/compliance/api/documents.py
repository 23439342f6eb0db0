"""Document endpoints: documented information (clause 7.5) with versions, approval and reviews."""

from datetime import date
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.services import require
from aisms.apps.compliance import registers, services
from aisms.apps.compliance.api.routing import (
    actor_of,
    file_response,
    router,
    upload_of,
    user_named,
    viewer_of,
)
from aisms.apps.compliance.models import (
    Document,
    DocumentVersion,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


class ComplianceVersionOut(Schema):
    number: int
    status: str
    text: str
    file_name: str
    sha256: str
    change_summary: str
    approved_by: str | None
    approved_at: Any
    next_review: date | None
    created_at: Any

    @staticmethod
    def resolve_approved_by(obj: DocumentVersion) -> str | None:
        return obj.approved_by.username if obj.approved_by else None


class DocumentOut(Schema):
    id: int
    ref: str
    title: str
    doc_type: str
    is_isms_policy: bool
    owner: str | None
    review_interval_months: int
    retired: bool
    links: list[str]
    versions: list[ComplianceVersionOut]

    @staticmethod
    def resolve_owner(obj: Document) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_links(obj: Document) -> list[str]:
        return sorted(e.uid for e in obj.entries.all())

    @staticmethod
    def resolve_versions(obj: Document) -> list[DocumentVersion]:
        return list(obj.versions.all())


DocType = Literal["policy", "procedure", "standard", "record"]


class DocumentIn(Schema):
    ref: str = Field(min_length=1, max_length=30)
    title: str = Field(min_length=1, max_length=300)
    doc_type: DocType
    is_isms_policy: bool = False
    owner: str | None = None
    review_interval_months: int = Field(default=12, ge=1, le=60)
    links: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1, description="The text of the first version.")


class DocumentPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    doc_type: DocType | None = None
    is_isms_policy: bool | None = None
    owner: str | None = None
    review_interval_months: int | None = Field(default=None, ge=1, le=60)
    retired: bool | None = None
    links: list[str] | None = None


class VersionForm(Schema):
    text: str = ""
    change_summary: str = ""


class ComplianceApproveIn(Schema):
    next_review: date | None = None


class DocumentReviewIn(Schema):
    next_review: date


def _document(document_id: int) -> Document:
    return get_object_or_404(
        registers.documents(include_retired=True).prefetch_related("entries"), pk=document_id
    )


@router.get("/documents", response=list[DocumentOut], summary="Documented information (clause 7.5)")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_documents(request: HttpRequest, doc_type: str = "", include_retired: bool = False) -> Any:
    viewer_of(request)
    return registers.documents(doc_type=doc_type, include_retired=include_retired).prefetch_related("entries")


@router.post("/documents", response={201: DocumentOut}, summary="Add a document with its first draft version")
def create_document(request: HttpRequest, payload: DocumentIn) -> Status[Document]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    values = payload.dict(exclude={"links", "text", "owner"})
    document = services.create_document(
        actor, entry_uids=payload.links, text=payload.text, owner=user_named(payload.owner), **values
    )
    return Status(201, _document(document.pk))


@router.get("/documents/{document_id}", response=DocumentOut, summary="One document with its versions")
def get_document(request: HttpRequest, document_id: int) -> Document:
    viewer_of(request)
    return _document(document_id)


@router.patch("/documents/{document_id}", response=DocumentOut, summary="Change a document")
def patch_document(request: HttpRequest, document_id: int, payload: DocumentPatch) -> Document:
    values = payload.dict(exclude_unset=True)
    links = values.pop("links", None)
    if "owner" in values:
        values["owner"] = user_named(values["owner"])
    services.update_document(actor_of(request), _document(document_id), entry_uids=links, **values)
    return _document(document_id)


@router.post(
    "/documents/{document_id}/versions",
    response={201: ComplianceVersionOut},
    summary="Add a draft version (text and/or file)",
)
def add_version(
    request: HttpRequest, document_id: int, payload: Form[VersionForm], file: File[UploadedFile | None] = None
) -> Status[DocumentVersion]:
    version = services.add_version(
        actor_of(request),
        _document(document_id),
        text=payload.text,
        upload=upload_of(file),
        change_summary=payload.change_summary,
    )
    return Status(201, version)


@router.post(
    "/documents/{document_id}/versions/{number}/approve",
    response=ComplianceVersionOut,
    summary="Approve a draft version",
)
def approve_version(
    request: HttpRequest, document_id: int, number: int, payload: ComplianceApproveIn
) -> DocumentVersion:
    actor = actor_of(request)
    require(actor, Action.APPROVE)
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document"), document_id=document_id, number=number
    )
    return services.approve_version(actor, version, next_review=payload.next_review)


@router.post(
    "/documents/{document_id}/review",
    response=ComplianceVersionOut,
    summary="Record a review; sets the next review date",
)
def review_document(request: HttpRequest, document_id: int, payload: DocumentReviewIn) -> DocumentVersion:
    return services.review_document(
        actor_of(request), _document(document_id), next_review=payload.next_review
    )


@router.get(
    "/documents/{document_id}/versions/{number}/file",
    response={200: None},
    summary="Download a version's file",
)
def download_version(request: HttpRequest, document_id: int, number: int) -> FileResponse:
    viewer_of(request)
    version = get_object_or_404(DocumentVersion, document_id=document_id, number=number)
    return file_response(version.stored_path, version.file_name)
