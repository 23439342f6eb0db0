"""The reports through the API and the Reports page: any signed-in role may download; anonymous may not."""

from __future__ import annotations

import pytest
from django.test import Client

from aisms.domain.access import Role
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined] # pytest-django settings


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_list_and_download(role: Role) -> None:
    client = token_client(make_user(role))
    listed = client.get("/api/v1/reports/")
    assert listed.status_code == 200
    assert {r["key"] for r in listed.json()} == {
        "risk-register",
        "treatment-plan",
        "gap-analysis",
        "management-review",
    }
    response = client.get("/api/v1/reports/risk-register.xlsx")
    assert response.status_code == 200
    assert response.content.startswith(b"PK")
    assert "risk-register-" in response["Content-Disposition"]


def test_pdf_download_and_unknown_report() -> None:
    client = token_client(make_user(Role.AUDITOR))
    response = client.get("/api/v1/reports/treatment-plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    missing = client.get("/api/v1/reports/balance-sheet.pdf")
    assert missing.status_code == 404
    assert "message" in missing.json()


def test_anonymous_requests_are_refused() -> None:
    assert Client().get("/api/v1/reports/risk-register.pdf").status_code == 401
    page = Client().get("/reports/")
    assert page.status_code == 302
    assert Client().get("/reports/risk-register.pdf").status_code == 302


def test_inactive_user_token_is_refused() -> None:
    user = make_user(Role.ISMS_MANAGER)
    client = token_client(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/reports/risk-register.pdf").status_code in {401, 403}


def test_reports_page_links_every_report_and_the_soa() -> None:
    client = session_client(make_user(Role.CONTRIBUTOR))
    page = client.get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("risk-register", "treatment-plan", "gap-analysis", "management-review"):
        assert f"/reports/{key}.pdf" in html
        assert f"/reports/{key}.xlsx" in html
    assert "/soa/export/pdf/" in html
    download = client.get("/reports/gap-analysis.pdf")
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
