"""The one HTTP client every outbound request goes through (feeds, TAXII, a language-model endpoint).

Each request is checked against a policy: the scheme must be http or https, the host must be on the
allow-list, the answer must arrive within the timeout and must not exceed the size limit. Redirects are
followed only to hosts that are allowed too. Errors name the URL and the reason.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 5


class FetchError(Exception):
    """A request that was refused or failed; the message names the URL and why."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class FetchPolicy:
    """Which hosts may be reached, how long to wait and how much to accept."""

    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    timeout_s: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    user_agent: str = "aisms"

    def allows(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.allowed_hosts:
            allowed = allowed.lower().rstrip(".")
            if allowed.startswith("*.") and host.endswith(allowed[1:]):
                return True
            if host == allowed:
                return True
        return False


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


def check_url(url: str, policy: FetchPolicy) -> urllib.parse.SplitResult:
    """The parsed URL when the policy allows it; FetchError otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, f"scheme {parts.scheme or '(none)'!r} is not allowed: use http or https")
    host = parts.hostname
    if not host:
        raise FetchError(url, "the URL names no host")
    if parts.username or parts.password:
        raise FetchError(url, "credentials in the URL are not allowed: send them in a header")
    if not policy.allows(host):
        raise FetchError(url, f"host {host!r} is not on the allow-list (AISMS_HTTP_ALLOWED_HOSTS)")
    return parts


class _PolicyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = _MAX_REDIRECTS

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]  # stdlib hook
        check_url(newurl, self.policy)
        if _origin(req.full_url)[0] == "https" and _origin(newurl)[0] != "https":
            raise FetchError(newurl, "redirect from https to plain http refused")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(req.full_url) != _origin(newurl):
            # urllib copies every header to the new request: credentials must not follow to another origin.
            for name in _CREDENTIAL_HEADERS:
                new.remove_header(name)
        return new


_CREDENTIAL_HEADERS = ("Authorization", "Proxy-authorization", "Cookie")  # as Request.add_header stores them


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def _opener(policy: FetchPolicy) -> urllib.request.OpenerDirector:
    # No proxy handler from the environment: where requests go is decided by the allow-list alone.
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({}),
        _PolicyRedirects(policy),
    ]
    return urllib.request.build_opener(*handlers)


def _open(
    url: str,
    policy: FetchPolicy,
    *,
    method: str,
    headers: Mapping[str, str] | None,
    data: bytes | None,
) -> http.client.HTTPResponse:
    check_url(url, policy)
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - scheme checked above
    request.add_header("User-Agent", policy.user_agent)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        response = _opener(policy).open(request, timeout=policy.timeout_s)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(url, f"HTTP {exc.code} {exc.reason}", status=exc.code) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, FetchError):
            raise reason from None
        if isinstance(reason, socket.timeout | TimeoutError):
            raise FetchError(url, f"no answer within {policy.timeout_s:g} s") from None
        raise FetchError(url, f"could not connect: {reason}") from None
    except TimeoutError:
        raise FetchError(url, f"no answer within {policy.timeout_s:g} s") from None
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(url, f"request failed: {exc}") from None
    return response  # type: ignore[no-any-return]  # urlopen returns an HTTPResponse for http(s)


def _declared_length(url: str, response: http.client.HTTPResponse, policy: FetchPolicy) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    length = int(value)
    if length > policy.max_bytes:
        response.close()
        raise FetchError(url, f"answer of {length} bytes exceeds the {policy.max_bytes} byte limit")
    return length


def _chunks(url: str, response: http.client.HTTPResponse, policy: FetchPolicy) -> Iterator[bytes]:
    received = 0
    while True:
        try:
            chunk = response.read(_CHUNK)
        except TimeoutError:
            raise FetchError(url, f"the answer stalled for more than {policy.timeout_s:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(url, f"the answer was cut off: {exc}") from None
        if not chunk:
            return
        received += len(chunk)
        if received > policy.max_bytes:
            raise FetchError(url, f"answer exceeds the {policy.max_bytes} byte limit")
        yield chunk


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
) -> FetchResult:
    """Send one request and read the whole answer into memory (within the size limit)."""
    response = _open(url, policy, method=method, headers=headers, data=data)
    with response:
        _declared_length(url, response, policy)
        body = b"".join(_chunks(url, response, policy))
        return FetchResult(
            url=response.geturl(),
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
        )


def fetch_to_file(
    url: str,
    policy: FetchPolicy,
    dest: Path,
    *,
    headers: Mapping[str, str] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Stream an answer into a file (written beside it, then renamed); returns the number of bytes."""
    response = _open(url, policy, method="GET", headers=headers, data=None)
    partial = dest.with_name(dest.name + ".part")
    written = 0
    try:
        with response, partial.open("wb") as out:
            total = _declared_length(url, response, policy)
            for chunk in _chunks(url, response, policy):
                out.write(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(written, total)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return written


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
