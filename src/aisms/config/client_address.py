"""The address a request really came from, for rate limits and login throttling.

Without configuration it is the socket's peer (``REMOTE_ADDR``). Behind reverse proxies that address is
the proxy's, shared by every client; set ``AISMS_TRUSTED_PROXIES`` to the number of proxies in front of
aisms and the client address is read from ``X-Forwarded-For``, counting that many hops from the right:
entries further left are written by the client and are never trusted. A header with fewer entries than
the configured hops falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    peer = str(request.META.get("REMOTE_ADDR", "") or "unknown")
    hops = int(getattr(settings, "AISMS_TRUSTED_PROXIES", 0) or 0)
    if hops <= 0:
        return peer
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return peer
    return forwarded[-hops][:64] or peer
