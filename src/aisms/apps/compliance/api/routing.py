"""The compliance router that every endpoint module registers on, and the request helpers they share."""

from datetime import date

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.compliance import services, storage
from aisms.apps.risks.models import Risk
from aisms.domain.access import Action
from aisms.domain.compliance.evidence_files import CONTENT_TYPES, extension_of

router = Router(tags=["compliance"])


def actor_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required/auth: an authenticated aisms User


def viewer_of(request: HttpRequest) -> User:
    user = actor_of(request)
    require(user, Action.VIEW)
    return user


def day_or_today(on: date | None) -> date:
    """The day to derive the status for (default today); limited so date arithmetic cannot overflow."""
    if on is not None and not date(2000, 1, 1) <= on <= date(2100, 12, 31):
        raise HttpError(422, "on: a date between 2000-01-01 and 2100-12-31")
    return on or timezone.localdate()


def user_named(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise HttpError(422, f"owner: no active user {username!r}")
    return user


def risks_by_ref(refs: list[str]) -> list[Risk]:
    found = {r.ref: r for r in Risk.objects.filter(ref__in=refs)}
    missing = sorted(set(refs) - set(found))
    if missing:
        raise HttpError(422, f"risks: unknown {', '.join(missing)}")
    return list(found.values())


def upload_of(file: UploadedFile | None) -> services.Upload | None:
    if file is None:
        return None
    limit = storage.max_evidence_bytes()
    if file.size is None or file.size > limit:
        raise HttpError(413, f"file: larger than the {limit} byte limit for evidence")
    return services.Upload(file.name or "evidence", file.read())


def file_response(stored_path: str, file_name: str) -> FileResponse:
    """The stored file as an attachment (never rendered inline), with a content type from its checked type."""
    try:
        path = storage.resolve(stored_path)
    except FileNotFoundError:
        raise HttpError(404, "no file stored for this revision") from None
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=file_name,
        content_type=CONTENT_TYPES.get(extension_of(file_name), "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
