"""Threat-intelligence pages: every role can read them; writes follow the same permissions as the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aisms.apps.intel import services
from aisms.apps.intel.feeds import DEMO_FEEDS_DIR
from aisms.apps.intel.models import IngestRun, IntelItem, IntelSource
from aisms.apps.jobs.models import Job
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kev_source() -> IntelSource:
    source = services.create_source(None, name="KEV", kind="kev", local_path="kev.json", schedule_hours=24)
    services.pull_source(source)
    services.ingest_path(None, "nvd", DEMO_FEEDS_DIR / "nvd-cves.json")
    return source


def test_pages_render_for_an_auditor_with_charts_and_cve_details(kev_source: IntelSource) -> None:
    client = session_client(make_user("auditor"))
    index = client.get("/intel/")
    assert index.status_code == 200
    assert b"<svg" in index.content
    assert b">KEV</a>" in index.content
    assert b"Pull now" not in index.content  # an auditor cannot pull
    source = client.get(f"/intel/sources/{kev_source.pk}/")
    assert source.status_code == 200
    assert b"Runs of this source" in source.content
    items = client.get("/intel/items/?kind=vulnerability&kev=yes")
    assert items.status_code == 200
    assert b"CVE-2023-44487" in items.content
    item = IntelItem.objects.get(external_id="CVE-2023-44487")
    detail = client.get(f"/intel/items/{item.pk}/")
    assert b"cpe:2.3:a:nginx:nginx" in detail.content
    assert b"before 1.25.3" in detail.content
    assert client.get("/intel/ingest/").status_code == 403
    assert client.post(f"/intel/sources/{kev_source.pk}/pull/").status_code == 403
    assert not Job.objects.exists()


def test_a_contributor_uploads_a_file_and_pastes_a_report() -> None:
    client = session_client(make_user("contributor"))
    upload = SimpleUploadedFile("kev.json", (DEMO_FEEDS_DIR / "kev.json").read_bytes())
    response = client.post("/intel/ingest/", {"upload-file": upload, "upload-format": ""})
    assert response.status_code == 200
    assert b"Succeeded" in response.content
    assert IngestRun.objects.get().format == "kev"
    response = client.post("/intel/ingest/", {"report-title": "", "report-text": "# Jailbreaks\n\nAML.T0054"})
    item = IntelItem.objects.get(kind="report")
    assert response.status_code == 302
    assert response["Location"] == f"/intel/items/{item.pk}/"
    assert client.get("/intel/sources/new/").status_code == 403


def test_a_manager_adds_pulls_and_deletes_a_source() -> None:
    client = session_client(make_user("isms_manager"))
    response = client.post(
        "/intel/sources/new/",
        {
            "name": "Remote KEV",
            "kind": "kev",
            "url": "https://feeds.example.org/kev.json",
            "default_tlp": "clear",
            "enabled": "on",
        },
    )
    source = IntelSource.objects.get(name="Remote KEV")
    assert response.status_code == 302
    client.post(f"/intel/sources/{source.pk}/pull/")
    page = client.get(f"/intel/sources/{source.pk}/")
    assert b"not on the allow-list" in page.content  # the failed run and job are shown
    client.post(f"/intel/sources/{source.pk}/delete/")
    assert not IntelSource.objects.filter(pk=source.pk).exists()


def test_classify_shows_ranked_techniques_and_records_feedback(kev_source: IntelSource) -> None:
    pytest.importorskip("aisms.apps.catalogue.technique_classifier")
    outcome = services.ingest_text(
        None,
        "# Prompt injection\n\nHidden instructions in uploaded documents made the assistant ignore "
        "its system prompt and follow the attacker's instructions instead.",
    )
    client = session_client(make_user("risk_owner"))
    response = client.post(f"/intel/items/{outcome.item_id}/classify/")
    assert response.status_code == 200
    assert b"Suggested techniques" in response.content
    response = client.post(
        f"/intel/items/{outcome.item_id}/classify/feedback/",
        {"technique": "atlas:AML.T0051", "predicted": "atlas:AML.T0051"},
    )
    assert response.status_code == 302
    assert "atlas:AML.T0051" in IntelItem.objects.get(pk=outcome.item_id).technique_uids
