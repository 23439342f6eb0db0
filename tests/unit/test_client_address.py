"""The client address used by rate limits: the peer, or X-Forwarded-For counted from the right when
aisms is told how many proxies stand in front of it (client-written entries are never trusted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from aisms.config.client_address import client_address


def _request(peer: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client_and_the_header_is_ignored(settings: Any) -> None:
    settings.AISMS_TRUSTED_PROXIES = 0
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client wrote 6.6.6.6 itself
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # fewer entries than proxies: the peer
        (1, "", "10.0.0.1"),
    ],
)
def test_behind_proxies_the_entry_that_many_hops_from_the_right(
    settings: Any, hops: int, forwarded: str, expected: str
) -> None:
    settings.AISMS_TRUSTED_PROXIES = hops
    assert client_address(_request("10.0.0.1", forwarded)) == expected
