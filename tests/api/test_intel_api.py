"""Threat-intelligence API: a role x endpoint matrix (allowed calls take effect, denied calls return 403
JSON and change nothing), filters, uploads with size limit and bad files, text reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aisms.apps.intel import services
from aisms.apps.intel.feeds import DEMO_FEEDS_DIR
from aisms.apps.intel.models import IngestRun, IntelItem, IntelSource
from aisms.apps.jobs.models import Job, Schedule
from aisms.domain.access import Role
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/intel"
ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded() -> IntelSource:
    source = services.create_source(None, name="KEV", kind="kev", local_path="kev.json")
    services.pull_source(source)
    return source


def _snapshot() -> tuple[Any, ...]:
    return (
        list(IntelSource.objects.order_by("pk").values()),
        IntelItem.objects.count(),
        IngestRun.objects.count(),
        Job.objects.count(),
        Schedule.objects.count(),
    )


def _kev_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("kev.json", (DEMO_FEEDS_DIR / "kev.json").read_bytes(), "application/json")


Call = Callable[[Client, IntelSource], Any]

CALLS: dict[str, tuple[Call, dict[str, int]]] = {
    "list sources": (lambda c, s: c.get(f"{API}/sources"), dict.fromkeys(ROLES, 200)),
    "create source": (
        lambda c, s: c.post(
            f"{API}/sources",
            {"name": "New", "kind": "kev", "url": "https://x.example/k.json", "schedule_hours": 12},
            content_type="application/json",
        ),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 403, "contributor": 403, "auditor": 403},
    ),
    "patch source": (
        lambda c, s: c.patch(f"{API}/sources/{s.pk}", {"schedule_hours": 6}, content_type="application/json"),
        {"administrator": 200, "isms_manager": 200, "risk_owner": 403, "contributor": 403, "auditor": 403},
    ),
    "delete source": (
        lambda c, s: c.delete(f"{API}/sources/{s.pk}"),
        {"administrator": 204, "isms_manager": 204, "risk_owner": 403, "contributor": 403, "auditor": 403},
    ),
    "pull now": (
        lambda c, s: c.post(f"{API}/sources/{s.pk}/pull"),
        {"administrator": 202, "isms_manager": 202, "risk_owner": 202, "contributor": 202, "auditor": 403},
    ),
    "ingest file": (
        lambda c, s: c.post(f"{API}/ingest", {"file": _kev_upload(), "format": "kev"}),
        {"administrator": 202, "isms_manager": 202, "risk_owner": 202, "contributor": 202, "auditor": 403},
    ),
    "text report": (
        lambda c, s: c.post(
            f"{API}/reports", {"text": "# Injection\n\nAML.T0051 seen."}, content_type="application/json"
        ),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 201, "auditor": 403},
    ),
    "list items": (lambda c, s: c.get(f"{API}/items"), dict.fromkeys(ROLES, 200)),
    "list runs": (lambda c, s: c.get(f"{API}/runs"), dict.fromkeys(ROLES, 200)),
    "source runs": (lambda c, s: c.get(f"{API}/sources/{s.pk}/runs"), dict.fromkeys(ROLES, 200)),
    "vulnerabilities": (lambda c, s: c.get(f"{API}/vulnerabilities?kev=true"), dict.fromkeys(ROLES, 200)),
    "one vulnerability": (
        lambda c, s: c.get(f"{API}/vulnerabilities/cve-2023-44487"),
        dict.fromkeys(ROLES, 200),
    ),
    "events": (lambda c, s: c.get(f"{API}/events"), dict.fromkeys(ROLES, 200)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CALLS))
def test_permission_matrix(name: str, role: str, seeded: IntelSource) -> None:
    call, expected = CALLS[name]
    client = token_client(make_user(role))
    before = _snapshot()
    response = call(client, seeded)
    assert response.status_code == expected[role], response.content
    if expected[role] == 403:
        assert "message" in response.json()
        assert _snapshot() == before
        return
    if name == "create source":
        created = IntelSource.objects.get(name="New")
        assert Schedule.objects.filter(key=f"intel.source.{created.pk}").exists()
    elif name == "patch source":
        assert IntelSource.objects.get(pk=seeded.pk).schedule_hours == 6
    elif name == "delete source":
        assert not IntelSource.objects.filter(pk=seeded.pk).exists()
        assert IntelItem.objects.count() == before[1]  # the items stay
    elif name in ("pull now", "ingest file"):
        job = Job.objects.get(pk=response.json()["job_id"])
        assert job.status == Job.Status.SUCCEEDED, job.error
        assert job.result["unchanged"] == 4
    elif name == "text report":
        body = response.json()
        assert body["run"]["counts"]["created"] == 1
        assert IntelItem.objects.get(pk=body["item_id"]).technique_uids == ["atlas:AML.T0051"]


def test_item_filters_and_detail(seeded: IntelSource) -> None:
    client = token_client(make_user("auditor"))
    services.ingest_path(None, "epss", DEMO_FEEDS_DIR / "epss.csv")
    services.ingest_path(None, "stix", DEMO_FEEDS_DIR / "atlas-bundle.json")
    kev = client.get(f"{API}/items?kind=vulnerability&kev=true").json()
    assert kev["count"] == 4
    high = client.get(f"{API}/items?kind=vulnerability&epss_min=0.944").json()
    assert {i["external_id"] for i in high["items"]} == {"CVE-2023-44487", "CVE-2020-11978"}
    technique = client.get(f"{API}/items?technique=AML.T0054").json()
    assert {i["kind"] for i in technique["items"]} == {"attack-pattern", "report"}
    amber = client.get(f"{API}/items?tlp=amber").json()
    assert {i["kind"] for i in amber["items"]} == {"indicator", "campaign"}
    text = client.get(f"{API}/items?q=Rapid%20Reset").json()
    assert [i["external_id"] for i in text["items"]] == ["CVE-2023-44487"]
    item_id = text["items"][0]["id"]
    detail = client.get(f"{API}/items/{item_id}").json()
    assert detail["vulnerability"]["in_kev"] is True
    assert detail["vulnerability"]["epss"] == 0.94412
    assert detail["provenance"][0]["source"] == seeded.pk
    assert client.get(f"{API}/items/999999").status_code == 404


def test_the_change_log_names_each_events_item(seeded: IntelSource) -> None:
    client = token_client(make_user("auditor"))
    events = client.get(f"{API}/events?unprocessed=true").json()["items"]
    new = [e for e in events if e["kind"] == "item-new"]
    assert new
    rapid_reset = next(e for e in new if e["item_external_id"] == "CVE-2023-44487")
    item = IntelItem.objects.get(pk=rapid_reset["item_id"])
    assert (rapid_reset["item_kind"], rapid_reset["item_title"]) == ("vulnerability", item.title)
    assert rapid_reset["run_id"] == IngestRun.objects.get(source=seeded).pk


def test_upload_size_limit_bad_file_and_sniffing(settings: Any) -> None:
    client = token_client(make_user("contributor"))
    bad = SimpleUploadedFile("bundle.json", b'{"type": "bundle", "id": "bundle--1", "objects": [{"type": ')
    response = client.post(f"{API}/ingest", {"file": bad})
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.status == Job.Status.FAILED
    assert "bundle.json:line 1" in job.error
    assert "truncated" in job.error
    assert IntelItem.objects.count() == 0
    run = IngestRun.objects.get()
    assert run.format == "stix"
    assert run.status == "failed"
    unknown = SimpleUploadedFile("x.json", b'{"some": "json"}')
    response = client.post(f"{API}/ingest", {"file": unknown})
    assert response.status_code == 422
    assert "could not tell the format" in response.json()["message"]
    settings.AISMS_MAX_UPLOAD_BYTES = 100
    response = client.post(f"{API}/ingest", {"file": _kev_upload(), "format": "kev"})
    assert response.status_code == 413
    assert "upload limit" in response.json()["message"]
    assert IntelItem.objects.count() == 0


def test_source_validation_errors_are_json() -> None:
    client = token_client(make_user("isms_manager"))
    response = client.post(
        f"{API}/sources", {"name": "T", "kind": "taxii", "url": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    assert json.loads(response.content)["message"].startswith("url:")
