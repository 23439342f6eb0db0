"""Pulling from URL sources against local servers on 127.0.0.1: a TAXII 2.1 server written for the tests
(discovery, API root, collections, objects with added_after and next/more paging) and a static file
server for KEV, STIX and MISP feed URLs."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from aisms.apps.intel import services
from aisms.apps.intel.feeds import DEMO_FEEDS_DIR
from aisms.apps.intel.models import IngestRun, IntelItem
from aisms.apps.intel.taxii_client import MEDIA_TYPE

pytestmark = pytest.mark.django_db

COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
T = "2026-01-01T00:00:00.000Z"


def _attack_pattern(n: int) -> dict[str, Any]:
    return {
        "type": "attack-pattern",
        "spec_version": "2.1",
        "id": f"attack-pattern--00000000-0000-4000-8000-{n:012d}",
        "created": T,
        "modified": T,
        "name": f"Technique {n}",
        "external_references": [{"source_name": "mitre-atlas", "external_id": f"AML.T{n:04d}"}],
    }


class TaxiiState:
    def __init__(self) -> None:
        # (date added, object); the server answers in date order, 2 objects a page.
        self.objects: list[tuple[str, dict[str, Any]]] = [
            (f"2026-11-0{n}T00:00:00.000Z", _attack_pattern(n)) for n in range(1, 6)
        ]
        self.requests: list[dict[str, list[str]]] = []
        self.accepts: list[str] = []


def _taxii_handler(state: TaxiiState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", MEDIA_TYPE)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            state.accepts.append(self.headers.get("Accept", ""))
            if url.path == "/taxii2/":
                self._send(200, {"title": "Test TAXII", "default": "/api1/", "api_roots": ["/api1/"]})
            elif url.path == "/api1/collections/":
                self._send(
                    200,
                    {
                        "collections": [
                            {"id": COLLECTION, "title": "health-ai", "can_read": True, "can_write": False},
                        ]
                    },
                )
            elif url.path == f"/api1/collections/{COLLECTION}/objects/":
                state.requests.append(query)
                after = query.get("added_after", [""])[0]
                limit = int(query.get("limit", ["100"])[0])
                start = int(query.get("next", ["0"])[0])
                rows = [row for row in state.objects if row[0] > after]
                page = rows[start : start + min(limit, 2)]
                more = start + len(page) < len(rows)
                body: dict[str, Any] = {"more": more, "objects": [obj for _, obj in page]}
                if more:
                    body["next"] = str(start + len(page))
                headers = {"X-TAXII-Date-Added-Last": page[-1][0]} if page else {}
                self._send(200, body, headers)
            else:
                self._send(404, {"title": "not found"})

    return Handler


@pytest.fixture
def taxii() -> Iterator[tuple[str, TaxiiState]]:
    state = TaxiiState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _taxii_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    from functools import partial
    from http.server import SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def test_taxii_pull_pages_through_the_collection_and_is_incremental(taxii: tuple[str, TaxiiState]) -> None:
    base, state = taxii
    source = services.create_source(
        None, name="TAXII", kind="taxii", url=f"{base}/taxii2/", collection="health-ai", default_tlp="amber"
    )
    first = services.pull_source(source)
    assert first.counts == {"created": 5, "updated": 0, "unchanged": 0, "skipped": 0}
    assert len(state.requests) == 3  # 2 + 2 + 1 objects
    assert all(a == MEDIA_TYPE for a in state.accepts)
    assert IntelItem.objects.filter(kind="attack-pattern", tlp="amber").count() == 5
    source.refresh_from_db()
    assert source.state["added_after"] == "2026-11-05T00:00:00.000Z"

    state.objects.append(("2026-11-09T00:00:00.000Z", _attack_pattern(9)))
    state.requests.clear()
    second = services.pull_source(source)
    assert second.counts["created"] == 1
    assert state.requests[0]["added_after"] == ["2026-11-05T00:00:00.000Z"]
    assert IntelItem.objects.get(external_id="AML.T0009").technique_uids == ["atlas:AML.T0009"]


def test_taxii_unknown_collection_fails_the_run_with_the_reason(taxii: tuple[str, TaxiiState]) -> None:
    base, _ = taxii
    source = services.create_source(
        None, name="TAXII", kind="taxii", url=f"{base}/taxii2/", collection="nope"
    )
    with pytest.raises(services.IngestError, match="no collection 'nope'"):
        services.pull_source(source)
    run = IngestRun.objects.get(source=source)
    assert run.status == "failed"
    assert "available: health-ai" in run.error
    assert IntelItem.objects.count() == 0


def test_a_bad_page_stores_nothing_from_the_whole_pull(taxii: tuple[str, TaxiiState]) -> None:
    base, state = taxii
    broken = _attack_pattern(4)
    del broken["created"]
    state.objects[3] = (state.objects[3][0], broken)
    source = services.create_source(
        None, name="TAXII", kind="taxii", url=f"{base}/api1/collections/{COLLECTION}/", collection=""
    )
    with pytest.raises(services.IngestError, match="missing required property 'created'"):
        services.pull_source(source)
    assert IntelItem.objects.count() == 0
    source.refresh_from_db()
    assert "added_after" not in source.state  # the cursor does not move past what was not stored


def test_url_sources_fetch_kev_stix_and_misp_feeds(static_server: tuple[str, Path]) -> None:
    base, root = static_server
    (root / "kev.json").write_bytes((DEMO_FEEDS_DIR / "kev.json").read_bytes())
    (root / "bundle.json").write_bytes((DEMO_FEEDS_DIR / "atlas-bundle.json").read_bytes())
    (root / "misp").mkdir()
    for path in (DEMO_FEEDS_DIR / "misp").iterdir():
        (root / "misp" / path.name).write_bytes(path.read_bytes())
    kev = services.create_source(None, name="KEV", kind="kev", url=f"{base}/kev.json")
    stix = services.create_source(None, name="STIX", kind="stix", url=f"{base}/bundle.json")
    misp = services.create_source(None, name="MISP", kind="misp", url=f"{base}/misp/")
    assert services.pull_source(kev).counts["created"] == 4
    assert services.pull_source(stix).counts["created"] == 10
    assert (
        services.pull_source(misp).counts["created"] == 3
    )  # 2 events + CVE-2023-6730 (CVE-2020-11978 known)
    assert services.pull_source(misp).counts == {"created": 0, "updated": 0, "unchanged": 0, "skipped": 2}
    missing = services.create_source(None, name="Gone", kind="kev", url=f"{base}/nothing.json")
    with pytest.raises(services.IngestError, match="404"):
        services.pull_source(missing)


def test_hosts_outside_the_allow_list_are_not_fetched() -> None:
    source = services.create_source(None, name="Remote", kind="kev", url="https://feeds.example.org/kev.json")
    with pytest.raises(services.IngestError, match="not on the allow-list"):
        services.pull_source(source)
    assert IngestRun.objects.get(source=source).status == "failed"
