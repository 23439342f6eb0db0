"""Catalogue benchmark: parse + validate, store into a fresh SQLite database, search and detail latency."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable


def _timed(fn: Callable[[], object], repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    os.environ["AISMS_DATA_DIR"] = tempfile.mkdtemp(prefix="aisms-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["AISMS_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()
    from django.test import Client
    from tests.factories import make_user

    from aisms.apps.accounts.tokens import issue_token
    from aisms.apps.catalogue import selectors
    from aisms.apps.catalogue.services import load_builtin_catalogue
    from aisms.catalogue.loader import load_builtin
    from aisms.config.database_setup import migrate_database

    parse = _timed(load_builtin, repeat=5)
    migrate_database()  # a new SQLite database: tables straight from the models
    catalogue = load_builtin()
    store = _timed(lambda: load_builtin_catalogue(catalogue, force=True))
    queries = ["prompt injection", "poisoning", "AML.T0051", "supplier", "threat intelligence", "model theft"]
    search = _timed(lambda: [list(selectors.search(q)[:25]) for q in queries], repeat=20)
    detail = _timed(lambda: selectors.entry_detail("iso27002:2022:8.28"), repeat=50)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(make_user('auditor'), 'bench', 1).secret}")

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")

    api_detail = _timed(lambda: get("/api/v1/catalogue/entries/atlas:AML.T0051"), repeat=50)
    api_search = _timed(lambda: get("/api/v1/catalogue/entries?q=poisoning"), repeat=50)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def ms(values: list[float], per: int = 1) -> str:
        return f"{statistics.median(values) * 1000 / per:.1f} ms"

    print("| measure | median |")
    print("|---|---|")
    print(f"| parse and validate the shipped catalogue ({len(catalogue.entries)} entries) | {ms(parse)} |")
    print(
        f"| store it into a fresh SQLite database ({len(catalogue.links)} links, with history) "
        f"| {ms(store)} |"
    )
    print(f"| search, per query (selector, first 25 results) | {ms(search, len(queries))} |")
    print(f"| entry detail with links (selector) | {ms(detail)} |")
    print(f"| GET /api/v1/catalogue/entries/atlas:AML.T0051 | {ms(api_detail)} |")
    print(f"| GET /api/v1/catalogue/entries?q=poisoning | {ms(api_search)} |")
    print(f"| peak resident memory of the benchmark process | {peak_mb:.0f} MB |")


if __name__ == "__main__":
    main()
