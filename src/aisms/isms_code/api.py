"""API: export the ISMS as a zip of YAML files (or OSCAL JSON) and import such a zip."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from aisms.apps.accounts.services import require
from aisms.domain.access import Action
from aisms.domain.isms_code.problems import ImportRefusedError
from aisms.isms_code.archive import unzip_export, zip_directory
from aisms.isms_code.exporter import export_yaml
from aisms.isms_code.importer import import_yaml
from aisms.isms_code.oscal_export import export_oscal

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
    if format not in {"yaml", "oscal"}:
        raise HttpError(422, "format: yaml or oscal")
    now = timezone.now()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if format == "yaml":
            export_yaml(directory, now=now)
        else:
            export_oscal(directory, now=now)
        content = zip_directory(directory)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="isms-{format}-{now:%Y-%m-%d}.zip"'
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
    if file.size is None or file.size > limit:
        raise HttpError(413, f"file: larger than the limit of {limit} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        problems = unzip_export(file.read(), directory, limit)
        if problems:
            return Status(400, {"message": str(problems[0]), "problems": [p.__dict__ for p in problems]})
        try:
            result = import_yaml(directory, dry_run=dry_run, merge=merge, source=file.name or "")
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
