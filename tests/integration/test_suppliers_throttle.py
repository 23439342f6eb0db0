"""The supplier portal's request counter lives in the database: every process and thread counts against
the same limit, windows slide, and stale windows are pruned."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from aisms.apps.suppliers import throttle
from aisms.apps.suppliers.models import PortalRequestWindow

pytestmark = pytest.mark.django_db


def test_requests_in_one_window_are_counted_one_by_one() -> None:
    counts = [throttle.hit("t:abc", 600, now=1_000_000.0 + i) for i in range(4)]
    assert counts == [1, 2, 3, 4]
    assert throttle.hit("t:other", 600, now=1_000_010.0) == 1  # keys are counted apart


def test_the_previous_window_counts_for_the_part_of_it_still_in_range() -> None:
    start = 600 * 2000  # a window boundary
    for _ in range(10):
        throttle.hit("a:10.0.0.1", 600, now=start + 590.0)
    # a quarter into the next window: 1 new request + 10 * (1 - 0.25) of the previous one
    assert throttle.hit("a:10.0.0.1", 600, now=start + 600 + 150.0) == pytest.approx(8.5)
    # two windows later the old requests no longer count
    assert throttle.hit("a:10.0.0.1", 600, now=start + 1800 + 1.0) == pytest.approx(1.0, abs=0.01)


def test_stale_windows_are_pruned(monkeypatch: Any) -> None:
    monkeypatch.setattr(throttle, "PRUNE_EVERY", 1)
    throttle.hit("t:old", 600, now=600.0 * 10)
    throttle.hit("t:new", 600, now=600.0 * 20)
    assert list(PortalRequestWindow.objects.values_list("key", flat=True)) == ["t:new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_all_counted() -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                throttle.hit("t:burst", 600, now=1_200_000.0)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert PortalRequestWindow.objects.get(key="t:burst").count == 20
