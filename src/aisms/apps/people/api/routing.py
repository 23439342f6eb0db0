"""The people router that every endpoint module registers on, and the request helpers they share."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.people import services
from aisms.domain.access import Action

router = Router(tags=["people"])


def actor_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def upload_of(request: HttpRequest, file: UploadedFile) -> tuple[bytes, str]:
    require(actor_of(request), Action.MANAGE_ORGANISATION)
    if file.size is None or file.size > settings.AISMS_MAX_UPLOAD_BYTES:
        raise HttpError(413, f"file: larger than the {settings.AISMS_MAX_UPLOAD_BYTES} byte upload limit")
    return file.read(), file.name or "upload.csv"


def rejected_import(exc: services.PeopleImportError) -> Status[Any]:
    return Status(400, {"message": str(exc), "filename": exc.filename, "errors": exc.errors})
