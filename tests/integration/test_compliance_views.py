"""Compliance pages: every page renders for an auditor, forms need the right role, files are served only
to logged-in users as attachments, the gap CSV neutralises formulas."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from aisms.apps.compliance import services
from aisms.apps.compliance.models import EvidenceItem
from aisms.apps.controls import services as soa_services
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.mark.parametrize(
    "path",
    [
        "/compliance/",
        "/compliance/controls/5.7/",
        "/compliance/clauses/9.2/",
        "/compliance/clauses/6.1.3/",
        "/compliance/gaps/",
        "/compliance/gaps/?print=1",
        "/compliance/crosswalk/iso42001/",
        "/compliance/crosswalk/nist-ai-rmf/",
        "/compliance/evidence/",
        "/compliance/evidence/?state=expired",
        "/compliance/documents/",
        "/compliance/objectives/",
        "/compliance/regulations/",
    ],
)
def test_pages_render_for_an_auditor(path: str) -> None:
    soa_services.ensure_rows()
    response = session_client(make_user("auditor")).get(path)
    assert response.status_code == 200
    assert b"Add evidence" not in response.content or path == "/compliance/evidence/"


def test_unknown_items_are_404() -> None:
    client = session_client(make_user("auditor"))
    assert client.get("/compliance/controls/99.9/").status_code == 404
    assert client.get("/compliance/crosswalk/cobit/").status_code == 404


def test_upload_from_the_control_page_changes_its_status() -> None:
    amira = make_user("isms_manager")
    soa_services.ensure_rows()
    from aisms.apps.controls.selectors import implementation

    soa_services.update_row(
        amira, implementation("8.9"), implementation_status="implemented", justification="needed"
    )
    client = session_client(amira)
    assert b'data-status="gap"' in client.get("/compliance/controls/8.9/").content
    response = client.post(
        "/compliance/controls/8.9/",
        {
            "title": "Baseline",
            "evidence_date": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("baseline.pdf", PDF),
        },
    )
    assert response.status_code == 302
    page = client.get("/compliance/controls/8.9/").content
    assert b'data-status="compliant"' in page
    assert b"Baseline" in page


def test_auditor_cannot_post_evidence() -> None:
    soa_services.ensure_rows()
    client = session_client(make_user("auditor"))
    response = client.post(
        "/compliance/controls/8.9/",
        {"title": "x", "evidence_date": "2026-01-01", "url": "https://a.example"},
    )
    assert response.status_code == 403
    assert EvidenceItem.objects.count() == 0


def test_files_are_attachments_for_logged_in_users_only() -> None:
    amira = make_user("isms_manager")
    item = services.create_evidence(
        amira, title="x", evidence_date=timezone.localdate(), upload=services.Upload("r.pdf", PDF)
    )
    url = f"/compliance/evidence/{item.pk}/revisions/1/file"
    assert Client().get(url).status_code == 302  # to the login page
    response = session_client(make_user("auditor")).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="r.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_gap_csv_download() -> None:
    soa_services.ensure_rows()
    response = session_client(make_user("auditor")).get("/compliance/gaps.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="gap-analysis-')
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("rank,kind,ref,uid,title,status,effect")
    assert lines[1].startswith("1,clause,")


def test_add_to_regulatory_register_from_pestel_in_one_click() -> None:
    from aisms.apps.context.models import PestelIssue

    issue = PestelIssue.objects.create(category="legal", title="GDPR Art. 22 automated decisions")
    client = session_client(make_user("isms_manager"))
    page = client.get("/compliance/regulations/").content.decode()
    assert "Add to regulatory register: GDPR Art. 22 automated decisions" in page
    response = client.post("/compliance/regulations/add/", {"pestel_issue": issue.pk})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "General Data Protection Regulation" in detail


def test_evidence_history_is_kept_and_shown() -> None:
    from django.urls import reverse

    amira = make_user("isms_manager")
    item = services.create_evidence(
        amira, title="Scan", evidence_date=timezone.localdate(), url="https://a.example"
    )
    services.update_evidence(amira, item, title="Scan (renamed)")
    auditor = session_client(make_user("auditor"))
    page = auditor.get(reverse("web:history", args=["evidence", item.pk]))
    assert page.status_code == 200
    assert b"Scan (renamed)" in page.content
    api = auditor.get(f"/api/v1/history/evidence/{item.pk}")
    assert api.status_code == 200
    assert len(api.json()) >= 3  # created, first revision, renamed
