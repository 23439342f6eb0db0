"""Threat-intelligence API: sources (CRUD, pull now), ingest runs, the item store, vulnerabilities, the
change log, file ingest (multipart, size-limited, as a background job) and pasted text reports.

Permissions: every role reads; ingesting and 'pull now' need CREATE; configuring sources needs
MANAGE_ORGANISATION; deleting one needs DELETE."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.intel import feeds, selectors, services
from aisms.apps.intel.models import IngestRun, IntelEvent, IntelItem, IntelSource, Vulnerability
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action

router = Router(tags=["threat intelligence"])

SourceKind = Literal["stix", "taxii", "misp", "kev", "nvd", "epss", "text"]
Tlp = Literal["clear", "green", "amber", "amber+strict", "red"]
FeedFormat = Literal["stix", "misp", "kev", "nvd", "epss", "text"]


class IntelSourceOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    url: str
    collection: str
    local_path: str
    enabled: bool
    schedule_hours: int | None
    default_tlp: str
    default_confidence: int | None
    last_run_at: datetime | None
    last_status: str


class IntelSourceIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: SourceKind
    description: str = ""
    url: str = Field(default="", max_length=1000)
    collection: str = Field(default="", max_length=500)
    enabled: bool = True
    schedule_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    default_tlp: Tlp = "clear"
    default_confidence: int | None = Field(default=None, ge=0, le=100)


class SourcePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    url: str | None = Field(default=None, max_length=1000)
    collection: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    schedule_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    default_tlp: Tlp | None = None
    default_confidence: int | None = Field(default=None, ge=0, le=100)


class RunOut(Schema):
    id: int
    source_id: int | None
    filename: str
    url: str
    format: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    counts: dict[str, int]
    error: str
    log: str
    job_id: int | None


class JobRef(Schema):
    job_id: int
    status: str
    url: str = Field(description="Follow the job at /api/v1/jobs/{id}.")
    result: Any = None
    error: str = ""


class VulnerabilityOut(Schema):
    cve_id: str
    item_id: int
    description: str
    cvss_score: float | None
    cvss_vector: str
    published: datetime | None
    last_modified: datetime | None
    cpe_matches: list[dict[str, Any]]
    vendor_project: str
    product: str
    in_kev: bool
    kev_date_added: date | None
    kev_due_date: date | None
    kev_known_ransomware: bool | None
    kev_required_action: str
    epss: float | None
    epss_percentile: float | None
    epss_date: date | None


class ItemOut(Schema):
    id: int
    kind: str
    external_id: str
    stix_id: str
    title: str
    source_id: int | None
    confidence: int | None
    tlp: str
    first_seen: datetime
    last_seen: datetime
    technique_uids: list[str]
    cve_ids: list[str]
    labels: list[str]
    in_kev: bool | None = None
    epss: float | None = None

    @staticmethod
    def resolve_in_kev(obj: IntelItem) -> bool | None:
        vuln = getattr(obj, "vulnerability", None) if obj.kind == "vulnerability" else None
        return vuln.in_kev if vuln is not None else None

    @staticmethod
    def resolve_epss(obj: IntelItem) -> float | None:
        vuln = getattr(obj, "vulnerability", None) if obj.kind == "vulnerability" else None
        return vuln.epss if vuln is not None else None


class ItemDetailOut(ItemOut):
    description: str
    pattern: str
    references: list[str]
    observables: list[dict[str, Any]]
    provenance: list[dict[str, Any]]
    content_hash: str
    vulnerability: VulnerabilityOut | None = None

    @staticmethod
    def resolve_vulnerability(obj: IntelItem) -> Vulnerability | None:
        return Vulnerability.objects.filter(item=obj).first()


class EventOut(Schema):
    id: int
    kind: str
    item_id: int
    item_kind: str
    item_external_id: str
    item_title: str
    vulnerability_id: int | None
    run_id: int
    at: datetime
    detail: dict[str, Any]
    processed_at: datetime | None

    @staticmethod
    def resolve_item_kind(obj: IntelEvent) -> str:
        return obj.item.kind

    @staticmethod
    def resolve_item_external_id(obj: IntelEvent) -> str:
        return obj.item.external_id

    @staticmethod
    def resolve_item_title(obj: IntelEvent) -> str:
        return obj.item.title


class TextReportIn(Schema):
    text: str = Field(min_length=1, max_length=5 * 1024 * 1024)
    title: str = Field(default="", max_length=500)
    source_id: int | None = None


class IngestOut(Schema):
    run: RunOut
    item_id: int | None = None


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _job(job: Any) -> JobRef:
    return JobRef(
        job_id=job.pk, status=job.status, url=f"/api/v1/jobs/{job.pk}", result=job.result, error=job.error
    )


# --- sources ---------------------------------------------------------------------------------------------


@router.get("/sources", response=list[IntelSourceOut], summary="Feed sources")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_sources(request: HttpRequest) -> Any:
    return selectors.sources(_actor(request))


@router.post("/sources", response={201: IntelSourceOut}, summary="Add a feed source (ISMS managers)")
def create_source(request: HttpRequest, payload: IntelSourceIn) -> Status[IntelSource]:
    return Status(201, services.create_source(_actor(request), **payload.dict()))


@router.get("/sources/{int:source_id}", response=IntelSourceOut, summary="One feed source")
def get_source(request: HttpRequest, source_id: int) -> IntelSource:
    return get_object_or_404(selectors.sources(_actor(request)), pk=source_id)


@router.patch(
    "/sources/{int:source_id}", response=IntelSourceOut, summary="Change a feed source (ISMS managers)"
)
def patch_source(request: HttpRequest, source_id: int, payload: SourcePatch) -> IntelSource:
    actor = _actor(request)
    require(actor, Action.MANAGE_ORGANISATION)
    source = get_object_or_404(IntelSource, pk=source_id)
    return services.update_source(actor, source, **payload.dict(exclude_unset=True))


@router.delete("/sources/{int:source_id}", response={204: None}, summary="Delete a feed source (items stay)")
def delete_source(request: HttpRequest, source_id: int) -> Status[None]:
    actor = _actor(request)
    require(actor, Action.DELETE)
    services.delete_source(actor, get_object_or_404(IntelSource, pk=source_id))
    return Status(204, None)


@router.post("/sources/{int:source_id}/pull", response={202: JobRef}, summary="Pull a source now (a job)")
def pull_source(request: HttpRequest, source_id: int) -> Status[JobRef]:
    actor = _actor(request)
    require(actor, Action.CREATE)
    job = services.pull_now(actor, get_object_or_404(IntelSource, pk=source_id))
    return Status(202, _job(job))


@router.get("/sources/{int:source_id}/runs", response=list[RunOut], summary="A source's run log")
@paginate(BoundedPageNumberPagination, page_size=50)
def source_runs(request: HttpRequest, source_id: int) -> Any:
    actor = _actor(request)
    return selectors.runs(actor, source=get_object_or_404(IntelSource, pk=source_id))


# --- runs, ingest ----------------------------------------------------------------------------------------


@router.get("/runs", response=list[RunOut], summary="Ingest runs, newest first")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_runs(request: HttpRequest) -> Any:
    return selectors.runs(_actor(request))


@router.get("/runs/{int:run_id}", response=RunOut, summary="One ingest run")
def get_run(request: HttpRequest, run_id: int) -> IngestRun:
    return get_object_or_404(selectors.runs(_actor(request)), pk=run_id)


@router.post(
    "/ingest",
    response={202: JobRef},
    summary="Upload a feed file and ingest it (a job; all or nothing)",
    description="Multipart: `file`, optional `format` (sniffed when absent) and `source_id`. A MISP "
    "upload is one event file. The job's error names the file, line and byte of a bad file.",
)
def ingest_file(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[FeedFormat | None] = None,
    source_id: Form[int | None] = None,
) -> Status[JobRef]:
    actor = _actor(request)
    require(actor, Action.CREATE)
    if file.size is None or file.size > feeds.max_feed_bytes():
        raise HttpError(413, f"file: larger than the {feeds.max_feed_bytes()} byte upload limit")
    source = get_object_or_404(IntelSource, pk=source_id) if source_id is not None else None
    job = services.ingest_upload(actor, file, file.name or "upload", format, source=source)
    return Status(202, _job(job))


@router.post("/reports", response={201: IngestOut, 400: dict}, summary="Ingest a pasted text report")
def ingest_report(request: HttpRequest, payload: TextReportIn) -> Status[Any]:
    actor = _actor(request)
    require(actor, Action.CREATE)
    source = get_object_or_404(IntelSource, pk=payload.source_id) if payload.source_id else None
    try:
        outcome = services.ingest_text(actor, payload.text, title=payload.title, source=source)
    except services.IngestError as exc:
        return Status(400, {"message": str(exc), "run_id": exc.run.pk})
    return Status(201, {"run": outcome.run, "item_id": outcome.item_id})


# --- items, vulnerabilities, events ----------------------------------------------------------------------


@router.get("/items", response=list[ItemOut], summary="Intelligence items, newest sighting first")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_items(
    request: HttpRequest,
    kind: str = "",
    source: int | None = None,
    tlp: str = "",
    technique: str = Query("", description="A catalogue uid (atlas:AML.T0051) or a bare technique id."),  # type: ignore[type-arg]  # ninja's Query used as a default
    kev: bool | None = None,
    epss_min: float | None = Query(None, ge=0, le=1),  # type: ignore[type-arg]  # ninja's Query used as a default
    cve: str = "",
    q: str = "",
) -> Any:
    filters = selectors.ItemFilters(
        kind=kind,
        source=source,
        tlp=tlp,
        technique=technique.replace("\x00", ""),
        kev=kev,
        epss_min=epss_min,
        cve=cve.replace("\x00", ""),
        q=q.replace("\x00", ""),
    )
    return selectors.items(_actor(request), filters)


@router.get("/items/{int:item_id}", response=ItemDetailOut, summary="One item with provenance")
def get_item(request: HttpRequest, item_id: int) -> IntelItem:
    return selectors.item(_actor(request), item_id)


@router.get("/vulnerabilities", response=list[VulnerabilityOut], summary="CVEs with KEV and EPSS")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_vulnerabilities(
    request: HttpRequest, kev: bool | None = None, epss_min: float | None = None, q: str = ""
) -> Any:
    return selectors.vulnerabilities(_actor(request), kev=kev, epss_min=epss_min, q=q.replace("\x00", ""))


@router.get("/vulnerabilities/{cve_id}", response=VulnerabilityOut, summary="One CVE")
def get_vulnerability(request: HttpRequest, cve_id: str) -> Vulnerability:
    return get_object_or_404(selectors.vulnerabilities(_actor(request)), cve_id=cve_id.upper())


@router.get("/events", response=list[EventOut], summary="What ingests changed (the change log)")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_events(request: HttpRequest, unprocessed: bool = False) -> Any:
    return selectors.events(_actor(request), unprocessed=unprocessed)


__all__ = ["IntelEvent", "router"]
