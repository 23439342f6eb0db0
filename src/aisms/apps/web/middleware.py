"""Content-Security-Policy on every response: scripts, styles and images from our own origin only."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
# Swagger UI (served from the ninja package, not a CDN) sets inline styles.
_DOCS_POLICY = _POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = _DOCS_POLICY if request.path.startswith("/api/v1/docs") else _POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RejectNullCharactersMiddleware:
    """Refuse NUL characters in query strings and JSON bodies: no field accepts them, PostgreSQL cannot
    store them, and refusing them here gives one clear error instead of a database failure."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.META.get("QUERY_STRING", "").replace("%00", "\x00"):
            return JsonResponse({"message": "the query string contains a NUL character"}, status=400)
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            return JsonResponse({"message": "the request body contains a NUL character"}, status=400)
        return self.get_response(request)
