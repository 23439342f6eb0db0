"""The fetch policy from the settings: which hosts the product may reach (loopback always)."""

from __future__ import annotations

from django.conf import settings

from aisms.net.http_fetch import LOOPBACK_HOSTS, FetchPolicy


def default_fetch_policy(*, timeout_s: float | None = None, max_bytes: int | None = None) -> FetchPolicy:
    hosts = frozenset(settings.AISMS_HTTP_ALLOWED_HOSTS) | LOOPBACK_HOSTS
    return FetchPolicy(
        allowed_hosts=hosts,
        timeout_s=timeout_s if timeout_s is not None else settings.AISMS_HTTP_TIMEOUT_S,
        max_bytes=max_bytes if max_bytes is not None else settings.AISMS_MAX_UPLOAD_BYTES,
        user_agent="aisms (+https://github.com/aisms)",
    )
