"""API: the Statement of Applicability: rows, decisions, approved versions, comparisons and exports."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.controls import exports, selectors, services
from aisms.apps.controls.models import SoAVersion
from aisms.config.api_pagination import MAX_PAGE, BoundedPageNumberPagination
from aisms.domain import soa
from aisms.domain.access import Action

router = Router(tags=["soa"])

StatusValue = Literal["not_started", "planned", "partially_implemented", "implemented", "not_applicable"]
RecordedStatus = Literal["not_started", "planned", "partially_implemented", "implemented"]


class SoaActionOut(Schema):
    id: int
    title: str
    risk: str


class RowOut(Schema):
    control: str = Field(description="Catalogue identifier, e.g. iso27002:2022:5.7")
    ref: str
    title: str
    theme: str
    applicable: bool
    justification: str
    status: StatusValue = Field(description="As the SoA states it: not_applicable when excluded.")
    recorded_status: RecordedStatus
    owner: str | None
    owner_name: str | None
    notes: str
    risks: list[str] = Field(description="Risks whose treatment calls for the control (derived).")
    actions: list[SoaActionOut] = Field(description="Treatment actions that list the control (derived).")
    problems: list[str]


class RowPatch(Schema):
    applicable: bool | None = None
    justification: str | None = Field(default=None, max_length=5000)
    implementation_status: RecordedStatus | None = None
    owner: str | None = Field(default=None, description="User name; null clears the owner.")
    notes: str | None = Field(default=None, max_length=5000)


class ProblemOut(Schema):
    control: str
    ref: str
    kind: soa.ProblemKind
    message: str


class ThemeCounts(Schema):
    theme: str
    label: str
    counts: dict[str, int]


class SummaryOut(Schema):
    total: int
    included: int
    excluded: int
    called_for: int
    problems: int
    by_status: dict[str, int]
    by_theme: list[ThemeCounts]


class VersionOut(Schema):
    version: int
    status: str
    approved_by: str | None
    approved_at: datetime | None
    notes: str
    controls: int

    @staticmethod
    def resolve_approved_by(obj: SoAVersion) -> str | None:
        return obj.approved_by.username if obj.approved_by else None

    @staticmethod
    def resolve_controls(obj: SoAVersion) -> int:
        return len(obj.snapshot.get("rows", []))


class VersionDetailOut(VersionOut):
    rows: list[RowOut]

    @staticmethod
    def resolve_rows(obj: SoAVersion) -> list[dict[str, Any]]:
        return [_row_out(row) for row in soa.rows_from_snapshot(obj.snapshot)]


class ApproveIn(Schema):
    notes: str = Field(default="", max_length=5000)


class FieldChangeOut(Schema):
    field: str
    label: str
    old: Any
    new: Any


class ControlChangeOut(Schema):
    control: str
    ref: str
    title: str
    change: soa.ChangeKind
    fields: list[FieldChangeOut]


class ComparisonOut(Schema):
    a: str
    b: str
    counts: dict[str, int]
    changes: list[ControlChangeOut]


class RowFilterIn(Schema):
    applicable: bool | None = None
    status: StatusValue | None = None
    theme: str | None = None
    called_for: bool | None = None
    q: str = Field(default="", max_length=200)


class VersionPath(Schema):
    version: int = Field(ge=1, le=MAX_PAGE)


class CompareIn(Schema):
    a: str = Field(description="A version number, or 'draft' for the SoA as it stands.")
    b: str = Field(default="draft", description="A version number, or 'draft' (the default).")


class ExportIn(Schema):
    format: Literal["xlsx", "csv", "pdf"] = "xlsx"
    version: str = Field(default="draft", description="A version number, or 'draft' (the default).")


def _row_out(row: soa.SoARow) -> dict[str, Any]:
    return {
        "control": row.control_uid,
        "ref": row.ref,
        "title": row.title,
        "theme": row.theme,
        "applicable": row.applicable,
        "justification": row.justification,
        "status": row.effective_status.value,
        "recorded_status": row.status.value,
        "owner": row.owner,
        "owner_name": row.owner_name,
        "notes": row.notes,
        "risks": list(row.risk_refs),
        "actions": [{"id": a.id, "title": a.title, "risk": a.risk_ref} for a in row.actions],
        "problems": [p.message for p in soa.row_problems(row)],
    }


def _viewer(request: HttpRequest) -> None:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined]


def _which(value: str) -> str | int:
    try:
        return selectors.parse_which(value)
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/controls", response=list[RowOut], summary="Every Annex A control with its decision and callers")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_rows(request: HttpRequest, filters: Query[RowFilterIn]) -> list[dict[str, Any]]:
    _viewer(request)
    services.ensure_rows()
    wanted = selectors.RowFilter(
        applicable=filters.applicable,
        status=filters.status or "",
        theme=filters.theme or "",
        called_for=filters.called_for,
        q=filters.q,
    )
    return [_row_out(row) for row in selectors.filter_rows(selectors.current_rows(), wanted)]


@router.get("/controls/{ref}", response=RowOut, summary="One control's row, e.g. 5.7")
def get_row(request: HttpRequest, ref: str) -> dict[str, Any]:
    _viewer(request)
    return _row_out(selectors.row_of(ref))


@router.patch(
    "/controls/{ref}", response=RowOut, summary="Record the decision on a control (with its reason)"
)
def update_row(request: HttpRequest, ref: str, payload: RowPatch) -> dict[str, Any]:
    actor: User = request.auth  # type: ignore[attr-defined]
    require(actor, Action.EDIT)
    services.ensure_rows()
    row = selectors.implementation(ref)
    fields = payload.dict(exclude_unset=True)
    if "owner" in fields:
        owner = fields["owner"]
        fields["owner"] = get_object_or_404(User, username=owner) if owner else None
    for name in ("applicable", "justification", "implementation_status", "notes"):
        if name in fields and fields[name] is None:
            raise HttpError(422, f"{name}: may not be null")
    services.update_row(actor, row, **fields)
    return _row_out(selectors.row_of(ref))


@router.get(
    "/problems", response=list[ProblemOut], summary="What blocks approval: rows an auditor would flag"
)
def list_problems(request: HttpRequest) -> list[dict[str, Any]]:
    _viewer(request)
    return [
        {"control": p.control_uid, "ref": p.ref, "kind": p.kind, "message": p.message}
        for p in soa.problems(selectors.current_rows())
    ]


@router.get("/summary", response=SummaryOut, summary="Counts per implementation status and theme")
def summary(request: HttpRequest, version: str = "draft") -> dict[str, Any]:
    _viewer(request)
    counts = soa.summarise(selectors.rows_of(_which(version)))
    return {
        "total": counts.total,
        "included": counts.included,
        "excluded": counts.excluded,
        "called_for": counts.called_for,
        "problems": counts.problems,
        "by_status": {s.value: n for s, n in counts.by_status.items()},
        "by_theme": [
            {"theme": t, "label": soa.theme_label(t), "counts": {s.value: n for s, n in per.items()}}
            for t, per in counts.by_theme.items()
        ],
    }


@router.get("/versions", response=list[VersionOut], summary="Approved versions, newest first")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_versions(request: HttpRequest) -> list[SoAVersion]:
    _viewer(request)
    return list(SoAVersion.objects.select_related("approved_by").order_by("-version"))


@router.get("/versions/{version}", response=VersionDetailOut, summary="One version with its frozen rows")
def get_version(request: HttpRequest, path: Path[VersionPath]) -> SoAVersion:
    _viewer(request)
    return selectors.version(path.version)


@router.post(
    "/versions",
    response={201: VersionOut},
    summary="Approve the SoA as it stands as the next version (refused while problems exist)",
)
def approve(request: HttpRequest, payload: ApproveIn) -> Status[Any]:
    version = services.approve_version(request.auth, notes=payload.notes)  # type: ignore[attr-defined]
    return Status(201, version)


@router.get("/compare", response=ComparisonOut, summary="What changed between two versions (or the draft)")
def compare(request: HttpRequest, filters: Query[CompareIn]) -> dict[str, Any]:
    _viewer(request)
    result = selectors.compare(_which(filters.a), _which(filters.b))
    return {
        "a": str(result.a),
        "b": str(result.b),
        "counts": result.counts,
        "changes": [
            {
                "control": c.control_uid,
                "ref": c.ref,
                "title": c.title,
                "change": c.kind,
                "fields": [f.__dict__ for f in c.fields],
            }
            for c in result.changes
        ],
    }


@router.get(
    "/export",
    response={200: None},
    summary="The SoA as an XLSX, CSV or PDF file (the draft, or an approved version)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as an attachment",
                "content": {ct.split(";")[0]: {} for ct, _ in exports.FORMATS.values()},
            }
        }
    },
)
def export(request: HttpRequest, params: Query[ExportIn]) -> HttpResponse:
    _viewer(request)
    which = _which(params.version)
    content, content_type, filename = exports.render(
        params.format, selectors.rows_of(which), selectors.export_header(which)
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
