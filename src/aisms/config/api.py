"""The HTTP API at /api/v1/: session auth (with CSRF) for the browser, bearer tokens for scripts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from aisms.apps.accounts.api import router as accounts_router
from aisms.apps.accounts.tokens import authenticate_bearer
from aisms.apps.assets.api import router as assets_router
from aisms.apps.audits.api import router as audits_router
from aisms.apps.catalogue.api import router as catalogue_router
from aisms.apps.catalogue.classify_api import router as classify_router
from aisms.apps.compliance.api import router as compliance_router
from aisms.apps.context.api import router as context_router
from aisms.apps.context.context_api import router as isms_context_router
from aisms.apps.controls.api import router as soa_router
from aisms.apps.devsec.api import router as devsec_router
from aisms.apps.intel.api import router as intel_router
from aisms.apps.jobs.api import router as jobs_router
from aisms.apps.people.api import router as people_router
from aisms.apps.posture.api import router as posture_router
from aisms.apps.risks.api import router as risks_router
from aisms.apps.suppliers.api import router as suppliers_router
from aisms.apps.threatmodels.api import router as threatmodels_router
from aisms.apps.web.api import router as history_router
from aisms.catalogue.errors import CatalogueError
from aisms.isms_code.api import router as isms_code_router
from aisms.reports.api import router as reports_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_bearer(token)
        if user is not None:
            request.user = user
        return user


class ActiveSession(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in user there is no session to protect: answer 401, not a CSRF error.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="aisms API",
    version="1",
    description=(
        "The aisms ISMS API. Authenticate with a personal access token "
        "(`Authorization: Bearer aisms_...`) created under Account > API tokens, or with the browser "
        "session (unsafe methods need the CSRF token)."
    ),
    auth=[BearerToken(), ActiveSession()],
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "authentication required: log in or send a valid bearer token")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "your role does not allow this")


@api.exception_handler(ObjectDoesNotExist)
def _not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _error(request, 404, "not found")


@api.exception_handler(Http404)
def _http_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not found")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first_field, first = next(iter(errors.items()))
    return _error(request, 422, f"{first_field}: {first[0]}", errors=errors)


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in detail.get("loc", []))
    return _error(request, 422, f"{where}: {detail.get('msg', 'invalid request')}", errors=exc.errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc.message))


@api.exception_handler(CatalogueError)
def _catalogue_error(request: HttpRequest, exc: CatalogueError) -> HttpResponse:
    return _error(request, 400, str(exc), file=exc.file, line=exc.line, field=exc.field)


api.add_router("/", accounts_router)
api.add_router("/catalogue", catalogue_router)
api.add_router("/classify", classify_router)
api.add_router("/assets", assets_router)
api.add_router("/organisation", context_router)
api.add_router("/context", isms_context_router)
api.add_router("/history", history_router)
api.add_router("/soa", soa_router)
api.add_router("/risks", risks_router)
api.add_router("/people", people_router)
api.add_router("/intel", intel_router)
api.add_router("/threatmodels", threatmodels_router)
api.add_router("/devsec", devsec_router)
api.add_router("/jobs", jobs_router)
api.add_router("/", audits_router)
api.add_router("/posture", posture_router)
api.add_router("/compliance", compliance_router)
api.add_router("/suppliers", suppliers_router)
api.add_router("/reports", reports_router)
api.add_router("/isms-code", isms_code_router)
