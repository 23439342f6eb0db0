"""Request counting for the supplier portal, shared by every process through the database.

Each key (a token's hash, a client address) has one row per fixed window. A request adds one to the
current window's row atomically (an UPDATE ... SET count = count + 1, or an INSERT that a concurrent
INSERT may beat, in which case the UPDATE is retried). The rate compared with the limit is the sliding
estimate ``current + previous * (share of the previous window still inside the last window length)``, so
a burst across a window boundary is not let through twice. Rows older than two windows are pruned now
and then."""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from aisms.apps.suppliers.models import PortalRequestWindow

PRUNE_EVERY = 200  # prune stale windows after about this many counted requests per process
_counted = 0


def _add_one(key: str, window: int) -> None:
    rows = PortalRequestWindow.objects.filter(key=key, window=window)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            PortalRequestWindow.objects.create(key=key, window=window, count=1)
    except IntegrityError:  # another request created it first
        rows.update(count=F("count") + 1)


def hit(key: str, window_seconds: int, *, now: float | None = None) -> float:
    """Count one request for ``key``; return the requests in the last ``window_seconds`` (estimated)."""
    global _counted
    moment = time.time() if now is None else now
    window = int(moment // window_seconds)
    elapsed = (moment % window_seconds) / window_seconds
    with transaction.atomic():
        _add_one(key, window)
        counts = dict(
            PortalRequestWindow.objects.filter(key=key, window__in=(window - 1, window)).values_list(
                "window", "count"
            )
        )
    _counted += 1
    if _counted % PRUNE_EVERY == 0:
        PortalRequestWindow.objects.filter(window__lt=window - 1).delete()
    return counts.get(window, 0) + counts.get(window - 1, 0) * (1.0 - elapsed)
