"""API: the reports as PDF or XLSX files."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from aisms.apps.accounts.services import require
from aisms.domain.access import Action
from aisms.reports.catalogue import BY_KEY, FORMATS, REPORTS, produce
from aisms.reports.document import CONTENT_TYPES

router = Router(tags=["reports"])


class ReportOut(Schema):
    key: str
    title: str
    description: str
    formats: list[str]
    urls: dict[str, str]


@router.get("/", response=list[ReportOut], summary="The reports that can be downloaded")
def list_reports(request: HttpRequest) -> list[dict[str, object]]:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined] # set by the API's authentication
    return [
        {
            "key": r.key,
            "title": r.title,
            "description": r.description,
            "formats": list(FORMATS),
            "urls": {fmt: f"/api/v1/reports/{r.key}.{fmt}" for fmt in FORMATS},
        }
        for r in REPORTS
    ]


@router.get(
    "/{key}.{fmt}",
    response={200: None},
    summary="A report as a PDF or XLSX file",
    openapi_extra={
        "responses": {
            "200": {"description": "The file", "content": {ct: {} for ct in CONTENT_TYPES.values()}}
        }
    },
)
def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined] # set by the API's authentication
    if key not in BY_KEY or fmt not in FORMATS:
        raise HttpError(404, f"no report {key!r} in format {fmt!r}")
    content, content_type, filename = produce(key, fmt, timezone.now())
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
