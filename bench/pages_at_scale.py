"""Page and API response times with a large intelligence store: the demo organisation plus the generated
25,000-object STIX bundle of intel_stix.py (22,500 items), correlated with the demo's assets, in a fresh
SQLite database. Each page is requested three times through Django's test client as the administrator;
the table gives the fastest and the first response. Also times the demo load, the ingest and the
correlation run.

    python bench/pages_at_scale.py [--objects 25000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

REPEATS = 3


def _timed(step: str, action: Callable[[], object], *, quiet: bool = False) -> object:
    """Run action, print how long it took; quiet swallows what it prints (one-time passwords)."""
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        result = action()
    print(f"| {step} | {time.perf_counter() - started:.2f} s |", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=25_000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="aisms-bench-pages-")
    os.environ["AISMS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from intel_stix import generate

    from aisms.apps.accounts.models import User
    from aisms.apps.assets.models import Asset
    from aisms.apps.intel import services
    from aisms.apps.intel.models import IntelItem
    from aisms.cli import main as cli

    setup_test_environment()  # the test client needs it (and it allows the testserver host)
    try:
        bundle = Path(data_dir) / "bundle.json"
        generate(bundle, args.objects)
        print("| step | time |\n|---|---|")
        _timed("aisms init (catalogue)", lambda: cli(["init"]), quiet=True)
        _timed("demo organisation (aisms demo)", lambda: cli(["demo"]), quiet=True)
        outcome = _timed(
            f"STIX ingest, {args.objects:,} objects", lambda: services.ingest_path(None, "stix", bundle)
        )
        _timed("correlation (aisms posture correlate)", lambda: cli(["posture", "correlate"]), quiet=True)
        print(f"\nintel items stored: {IntelItem.objects.count():,} ({outcome.counts})\n")  # type: ignore[attr-defined]
        admin = User.objects.get(username="admin")
        client = Client()
        client.force_login(admin)
        asset = Asset.objects.order_by("pk").first()
        item = IntelItem.objects.order_by("-pk").first()
        if asset is None or item is None:
            raise SystemExit("the demo organisation has no asset or the ingest stored no item")
        pages = [
            "/",
            "/intel/",
            "/intel/items/",
            "/intel/items/?q=prompt",
            "/intel/items/?page=200",
            f"/intel/items/{item.pk}/",
            "/posture/",
            "/posture/proposals/",
            f"/assets/{asset.pk}/",
            "/risks/",
            "/compliance/",
            "/api/v1/intel/items?limit=100",
            "/api/v1/posture/what-changed?weeks=12",
        ]
        print("| page | status | fastest | first | size |\n|---|---|---|---|---|")
        for url in pages:
            times = []
            status = size = 0
            for _ in range(REPEATS):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                status, size = response.status_code, len(response.content)
            fastest, first = min(times) * 1000, times[0] * 1000
            print(
                f"| `{url}` | {status} | {fastest:.0f} ms | {first:.0f} ms | {size // 1024} KiB |", flush=True
            )
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
