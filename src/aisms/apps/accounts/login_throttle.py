"""Slow down password guessing: too many failed logins for one user name or one address lock it briefly."""

from __future__ import annotations

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 30


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"login-fail:u:{username.lower()[:150]}", f"login-fail:a:{address}"


def is_locked(username: str, address: str) -> bool:
    user_key, address_key = _keys(username, address)
    failures_for_user: int = cache.get(user_key, 0)
    failures_from_address: int = cache.get(address_key, 0)
    return failures_for_user >= MAX_PER_USERNAME or failures_from_address >= MAX_PER_ADDRESS


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        cache.add(key, 0, WINDOW_SECONDS)
        cache.incr(key)


def clear(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])
