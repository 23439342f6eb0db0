"""API: export the ISMS as a zip of YAML files (or OSCAL JSON) and import such a zip."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from aisms.apps.accounts.services import require
from aisms.domain.access import Action
from aisms.domain.isms_code.problems import ImportRefusedError
from aisms.isms_code import zip_exchange
from aisms.isms_code.zip_exchange import FORMATS, UploadRefusedError, export_zip, size_problem

router = Router(tags=["isms-code"])


class IsmsCodeProblemOut(Schema):
    file: str
    line: int | None
    field: str
    message: str


class IsmsCodeChangesOut(Schema):
    created: int
    updated: int
    unchanged: int
    not_in_files: int


class IsmsCodeUpdatedOut(Schema):
    file: str
    section: str
    key: str
    fields: list[str]


class IsmsCodeImportOut(Schema):
    dry_run: bool
    merge: bool
    records: dict[str, int]
    users_created: list[str]
    changes: dict[str, IsmsCodeChangesOut]
    updated: list[IsmsCodeUpdatedOut]


class RefusedOut(Schema):
    message: str
    problems: list[IsmsCodeProblemOut]


@router.get(
    "/export",
    response={200: None},
    summary="The whole ISMS as a zip of YAML files (format=yaml) or of OSCAL JSON documents (format=oscal)",
    openapi_extra={"responses": {"200": {"description": "A zip file", "content": {"application/zip": {}}}}},
)
def export(request: HttpRequest, format: str = "yaml") -> HttpResponse:
    require(request.auth, Action.VIEW)  # type: ignore[attr-defined] # set by the API's authentication
    if format not in FORMATS:
        raise HttpError(422, "format: yaml or oscal")
    content, filename = export_zip(format, timezone.now())
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post(
    "/import",
    response={200: IsmsCodeImportOut, 400: RefusedOut},
    summary="Load a zip of an export into this empty instance, or merge it (merge=true); administrators; "
    "all-or-nothing",
)
def import_zip(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False, merge: Form[bool] = False
) -> Status[dict[str, object]]:
    # Import may create users: only administrators.
    require(request.auth, Action.MANAGE_USERS)  # type: ignore[attr-defined] # set by the API's authentication
    limit = settings.AISMS_MAX_UPLOAD_BYTES
    too_large = size_problem(file.size, limit)
    if too_large:
        raise HttpError(413, f"{too_large.field}: {too_large.message}")
    try:
        result = zip_exchange.import_zip(
            file.read(), max_bytes=limit, dry_run=dry_run, merge=merge, source=file.name or ""
        )
    except UploadRefusedError as refused:
        return Status(400, {"message": str(refused), "problems": [p.__dict__ for p in refused.problems]})
    except ImportRefusedError as refused:
        return Status(
            400,
            {
                "message": f"{len(refused.problems)} problem(s); nothing was imported",
                "problems": [p.__dict__ for p in refused.problems],
            },
        )
    return Status(
        200,
        {
            "dry_run": result.dry_run,
            "merge": result.merge,
            "records": result.records,
            "users_created": result.users_created,
            "changes": {name: counts.as_dict() for name, counts in result.changes.items()},
            "updated": [record.as_dict() for record in result.updated],
        },
    )
