"""API: browse and search the reference catalogue; apply an upstream ATLAS release."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from aisms.apps.accounts.services import require
from aisms.apps.catalogue import selectors, services
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueImport, CatalogueSource
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action

router = Router(tags=["catalogue"])


class SourceOut(Schema):
    key: str
    prefix: str
    version: str
    title: str
    publisher: str
    url: str
    licence: str
    loaded_at: datetime


class EntryOut(Schema):
    uid: str
    catalogue: str
    ref: str
    kind: str
    name: str
    summary: str
    parent: str | None
    attributes: dict[str, Any]
    withdrawn: bool

    @staticmethod
    def resolve_catalogue(obj: CatalogueEntry) -> str:
        return obj.source.key

    @staticmethod
    def resolve_parent(obj: CatalogueEntry) -> str | None:
        return obj.parent.uid if obj.parent_id and obj.parent else None


class LinkOut(Schema):
    relation: str
    direction: str
    uid: str
    catalogue: str
    name: str
    rationale: str
    inherited_from: str | None


class EntryDetailOut(Schema):
    uid: str
    catalogue: str
    ref: str
    kind: str
    name: str
    summary: str
    parent: str | None
    attributes: dict[str, Any]
    withdrawn: bool
    children: list[str]
    links: list[LinkOut]
    labelled_examples: int


class EntryFilter(Schema):
    q: str = ""
    catalogue: str | None = None
    kind: str | None = None


class ControlFilter(Schema):
    theme: str | None = None
    control_type: str | None = None
    security_properties: str | None = None
    cybersecurity_concepts: str | None = None
    operational_capabilities: str | None = None
    security_domains: str | None = None


class TechniqueFilter(Schema):
    tactic: str | None = None
    maturity: str | None = None


class CatalogueImportOut(Schema):
    version: str
    previous_version: str | None
    added: int
    changed: int
    unchanged: int
    withdrawn: int
    links: int
    examples: int


class ImportRecordOut(Schema):
    kind: str
    filename: str
    sha256: str
    upstream_version: str
    counts: dict[str, int]
    imported_by: str | None
    imported_at: datetime

    @staticmethod
    def resolve_imported_by(obj: CatalogueImport) -> str | None:
        return obj.imported_by.username if obj.imported_by else None


def _viewer(request: HttpRequest) -> None:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined]


@router.get("/stats", response=dict[str, Any], summary="Counts per catalogue, kind and link relation")
def stats(request: HttpRequest) -> dict[str, object]:
    _viewer(request)
    return selectors.stats()


@router.get("/sources", response=list[SourceOut], summary="Catalogues with version, source and licence")
def sources(request: HttpRequest) -> list[CatalogueSource]:
    _viewer(request)
    return list(CatalogueSource.objects.all())


@router.get("/entries", response=list[EntryOut], summary="Search all catalogues")
@paginate(BoundedPageNumberPagination, page_size=50)
def entries(request: HttpRequest, filters: Query[EntryFilter]) -> Any:
    _viewer(request)
    return selectors.search(filters.q, filters.catalogue, filters.kind).select_related("parent")


@router.get(
    "/controls", response=list[EntryOut], summary="ISO/IEC 27002:2022 controls by theme and attribute"
)
@paginate(BoundedPageNumberPagination, page_size=100)
def controls(request: HttpRequest, filters: Query[ControlFilter]) -> Any:
    _viewer(request)
    attributes = filters.dict(exclude={"theme"})
    return selectors.controls(filters.theme, attributes)


@router.get("/techniques", response=list[EntryOut], summary="MITRE ATLAS techniques by tactic and maturity")
@paginate(BoundedPageNumberPagination, page_size=100)
def techniques(request: HttpRequest, filters: Query[TechniqueFilter]) -> Any:
    _viewer(request)
    tactic = filters.tactic
    if tactic and not tactic.startswith("atlas:"):
        tactic = f"atlas:{tactic}"
    return selectors.techniques(tactic, filters.maturity)


@router.get("/entries/{uid}", response=EntryDetailOut, summary="One entry with its links (e.g. controls)")
def entry(request: HttpRequest, uid: str) -> dict[str, Any]:
    _viewer(request)
    detail = selectors.entry_detail(uid)
    links = [
        {
            "relation": relation,
            "direction": direction,
            "uid": item.entry.uid,
            "catalogue": item.entry.source.key,
            "name": item.entry.name,
            "rationale": item.rationale,
            "inherited_from": item.inherited_from.uid if item.inherited_from else None,
        }
        for direction, groups in (("out", detail.outgoing), ("in", detail.incoming))
        for relation, items in groups.items()
        for item in items
    ]
    row = detail.entry
    return {
        "uid": row.uid,
        "catalogue": row.source.key,
        "ref": row.ref,
        "kind": row.kind,
        "name": row.name,
        "summary": row.summary,
        "parent": row.parent.uid if row.parent else None,
        "attributes": row.attributes,
        "withdrawn": row.withdrawn,
        "children": [c.uid for c in detail.children],
        "links": links,
        "labelled_examples": detail.examples,
    }


@router.get("/atlas-imports", response=list[ImportRecordOut], summary="Upstream ATLAS files applied so far")
def atlas_imports(request: HttpRequest) -> list[CatalogueImport]:
    _viewer(request)
    return list(CatalogueImport.objects.select_related("imported_by")[:100])


@router.post(
    "/atlas-imports",
    response={201: CatalogueImportOut},
    summary="Apply an upstream ATLAS distribution file (dist/ATLAS.yaml); all or nothing",
)
def import_atlas(request: HttpRequest, file: File[UploadedFile]) -> Status[Any]:
    require(request.auth, Action.MANAGE_CATALOGUE)  # type: ignore[attr-defined]
    if file.size is None or file.size > settings.AISMS_MAX_UPLOAD_BYTES:
        raise HttpError(413, f"file: larger than the {settings.AISMS_MAX_UPLOAD_BYTES} byte upload limit")
    try:
        text = file.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"{file.name}: not UTF-8 text (byte {exc.start})") from exc
    result = services.import_atlas(text, file.name or "upload", actor=request.auth)  # type: ignore[attr-defined]
    return Status(201, result)
