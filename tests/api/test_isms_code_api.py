"""The ISMS as code through the API: export as a zip for any role, import for administrators only."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aisms.apps.assets.models import Asset
from aisms.domain.access import Role
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined] # pytest-django settings


def _zip(files: dict[str, str]) -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return SimpleUploadedFile("isms.zip", out.getvalue(), content_type="application/zip")


GOOD = {"assets.yaml": "assets:\n- name: Patient portal\n  kind: application\n"}
BAD = {"assets.yaml": "assets:\n- name: Patient portal\n  kind: spaceship\n  owner: nobody\n"}


def test_any_role_exports_yaml_and_oscal_zips() -> None:
    Asset.objects.create(name="Claims platform", kind="application")
    client = token_client(make_user(Role.AUDITOR))
    response = client.get("/api/v1/isms-code/export")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "assets.yaml" in names
    assert "manifest.yaml" in names
    text = zipfile.ZipFile(io.BytesIO(response.content)).read("assets.yaml").decode()
    assert "name: Claims platform" in text
    oscal = client.get("/api/v1/isms-code/export?format=oscal")
    assert "catalog.json" in zipfile.ZipFile(io.BytesIO(oscal.content)).namelist()
    assert client.get("/api/v1/isms-code/export?format=pdf").status_code == 422


@pytest.mark.parametrize("role", [Role.ISMS_MANAGER, Role.RISK_OWNER, Role.CONTRIBUTOR, Role.AUDITOR])
def test_only_administrators_may_import(role: Role) -> None:
    response = token_client(make_user(role)).post("/api/v1/isms-code/import", {"file": _zip(GOOD)})
    assert response.status_code == 403
    assert "message" in response.json()
    assert Asset.objects.count() == 0


def test_administrator_imports_and_problems_come_back_with_lines() -> None:
    client = token_client(make_user(Role.ADMINISTRATOR))
    dry = client.post("/api/v1/isms-code/import", {"file": _zip(GOOD), "dry_run": "true"})
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True
    assert Asset.objects.count() == 0
    bad = client.post("/api/v1/isms-code/import", {"file": _zip(BAD)})
    assert bad.status_code == 400
    problems = bad.json()["problems"]
    assert {(p["file"], p["line"], p["field"]) for p in problems} >= {
        ("assets.yaml", 3, "kind"),
        ("assets.yaml", 4, "owner"),
    }
    assert Asset.objects.count() == 0
    done = client.post("/api/v1/isms-code/import", {"file": _zip(GOOD)})
    assert done.status_code == 200
    assert done.json()["records"] == {"assets.yaml": 1}
    assert Asset.objects.get().name == "Patient portal"


def test_not_a_zip_and_anonymous() -> None:
    client = token_client(make_user(Role.ADMINISTRATOR))
    junk = SimpleUploadedFile("x.zip", b"not a zip", content_type="application/zip")
    response = client.post("/api/v1/isms-code/import", {"file": junk})
    assert response.status_code == 400
    assert "not a zip" in response.json()["message"]
    assert Client().get("/api/v1/isms-code/export").status_code == 401


def test_administrator_merges_into_existing_data() -> None:
    Asset.objects.create(name="Patient portal", kind="application")
    Asset.objects.create(name="Claims platform", kind="application")
    client = token_client(make_user(Role.ADMINISTRATOR))
    assets = "assets:\n- name: Patient portal\n  kind: ai_system\n- name: Triage Assistant\n  kind: agent\n"
    edited = {"assets.yaml": assets}
    refused = client.post("/api/v1/isms-code/import", {"file": _zip(edited)})
    assert refused.status_code == 400
    assert "merge=true" in refused.json()["problems"][0]["message"]

    response = client.post("/api/v1/isms-code/import", {"file": _zip(edited), "merge": "true"})

    assert response.status_code == 200
    body = response.json()
    assert body["merge"] is True
    assert body["changes"] == {"assets.yaml": {"created": 1, "updated": 1, "unchanged": 0, "not_in_files": 1}}
    assert body["updated"] == [
        {"file": "assets.yaml", "section": "assets", "key": "Patient portal", "fields": ["kind"]}
    ]
    portal = Asset.objects.get(name="Patient portal")
    assert portal.kind == "ai_system"
    assert portal.history.latest().history_change_reason == "import (merge) from isms.zip"
    assert Asset.objects.get(name="Triage Assistant").kind == "agent"
    assert Asset.objects.filter(name="Claims platform").exists()
