"""The ISMS-as-code page: the export zips for any role, and for administrators the check (dry run) and
the import of an uploaded zip, with every problem shown by file and line and nothing changed on refusal."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from aisms.apps.assets.models import Asset
from aisms.apps.risks.models import Risk
from aisms.demo import load_demo
from aisms.domain.access import Role
from aisms.domain.isms_code.yaml_format import dump_yaml
from aisms.isms_code.archive import zip_directory
from aisms.isms_code.exporter import export_yaml
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _upload(content: bytes, name: str = "isms.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/zip")


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _demo_export_with_risk_renamed(ref: str, title: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        export_yaml(directory, now=timezone.now())
        risks_file = directory / "risks.yaml"
        data = yaml.safe_load(risks_file.read_text())
        (risk,) = [r for r in data["risks"] if r["ref"] == ref]
        risk["title"] = title
        risks_file.write_text(dump_yaml(data))
        return zip_directory(directory)


def test_an_auditor_downloads_the_yaml_and_oscal_zips_but_sees_no_import_form() -> None:
    Asset.objects.create(name="Claims platform", kind="application")
    client = session_client(make_user(Role.AUDITOR))
    page = client.get("/isms-code/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Download YAML (zip)" in html
    assert 'href="/isms-code/"' in html  # the menu entry
    assert "Check (dry run)" not in html
    assert 'type="file"' not in html

    response = client.get("/isms-code/export.yaml.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "manifest.yaml" in archive.namelist()
    assert "name: Claims platform" in archive.read("assets.yaml").decode()
    oscal = client.get("/isms-code/export.oscal.zip")
    assert "catalog.json" in zipfile.ZipFile(io.BytesIO(oscal.content)).namelist()
    assert client.get("/isms-code/export.pdf.zip").status_code == 404
    assert Client().get("/isms-code/export.yaml.zip").status_code == 302


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.ISMS_MANAGER])
def test_only_administrators_may_post_an_import(role: Role) -> None:
    good = _zip({"assets.yaml": "assets:\n- name: Patient portal\n  kind: application\n"})
    checked = hashlib.sha256(good).hexdigest()
    response = session_client(make_user(role)).post(
        "/isms-code/", {"file": _upload(good), "apply": "1", "checked": checked}
    )
    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_an_administrator_checks_then_applies_an_edited_export_of_the_demo() -> None:
    load_demo()
    risk = Risk.objects.order_by("ref").first()
    old_title = risk.title
    content = _demo_export_with_risk_renamed(risk.ref, "Edited on the ISMS-as-code page")
    client = session_client(make_user(Role.ADMINISTRATOR))
    form_page = client.get("/isms-code/").content.decode()
    assert "Check (dry run)" in form_page
    assert 'id="id_merge" checked' in form_page

    dry = client.post("/isms-code/", {"file": _upload(content), "merge": "on"})

    assert dry.status_code == 200
    html = dry.content.decode()
    assert "checked, no problems" in html
    assert dry.context["result"].dry_run is True
    updated = dry.context["result"].updated
    assert [(u.file, u.section, u.key, u.fields) for u in updated] == [
        ("risks.yaml", "risks", risk.ref, ("title",))
    ]
    assert f"<td>{risk.ref}</td><td><code>title</code></td>" in html
    risks_row = dict(dry.context["changes"])["risks.yaml"]
    assert risks_row.updated == 1
    assert risks_row.created == 0
    risk.refresh_from_db()
    assert risk.title == old_title  # a dry run changes nothing
    digest = hashlib.sha256(content).hexdigest()
    assert f'name="checked" value="{digest}"' in html

    applied = client.post(
        "/isms-code/", {"file": _upload(content), "merge": "on", "apply": "1", "checked": digest}, follow=True
    )

    assert applied.status_code == 200
    assert "isms.zip merged: 0 records created, 1 updated" in applied.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Edited on the ISMS-as-code page"


def test_apply_with_a_file_other_than_the_one_checked_only_checks_it() -> None:
    load_demo()
    risk = Risk.objects.order_by("ref").first()
    content = _demo_export_with_risk_renamed(risk.ref, "Not what was reviewed")
    client = session_client(make_user(Role.ADMINISTRATOR))
    response = client.post(
        "/isms-code/", {"file": _upload(content), "merge": "on", "apply": "1", "checked": "0" * 64}
    )
    assert response.status_code == 200
    assert "not the file that was checked" in response.content.decode()
    risk.refresh_from_db()
    assert risk.title != "Not what was reviewed"


def test_a_bad_reference_is_shown_with_its_file_and_line_and_changes_nothing() -> None:
    Asset.objects.create(name="Patient portal", kind="application")
    risks = "risks:\n- ref: R-900\n  title: Ghost risk\n  assets:\n  - Ghost asset\n"
    client = session_client(make_user(Role.ADMINISTRATOR))
    for apply in ("", "1"):
        response = client.post(
            "/isms-code/", {"file": _upload(_zip({"risks.yaml": risks})), "merge": "on", "apply": apply}
        )
        assert response.status_code == 400
        problems = response.context["refused"]
        assert any(
            p.file == "risks.yaml" and p.line is not None and "Ghost asset" in p.message for p in problems
        )
        html = response.content.decode()
        assert "nothing was changed" in html
        assert "<td><code>risks.yaml</code></td><td>" in html
        assert "Ghost asset" in html
    assert not Risk.objects.exists()


def test_an_upload_that_is_not_a_zip_is_refused_with_a_clear_message(settings) -> None:
    client = session_client(make_user(Role.ADMINISTRATOR))
    response = client.post("/isms-code/", {"file": _upload(b"name,kind\nx,application\n", "assets.csv")})
    assert response.status_code == 400
    assert "The upload was refused: not a zip file." in response.content.decode()

    settings.AISMS_MAX_UPLOAD_BYTES = 10
    big = client.post("/isms-code/", {"file": _upload(_zip({"assets.yaml": "assets: []\n"}))})
    assert big.status_code == 400
    assert "The file is larger than the limit of 10 bytes." in big.content.decode()
    assert not Asset.objects.exists()


def test_csrf_is_enforced() -> None:
    client = session_client(make_user(Role.ADMINISTRATOR), enforce_csrf=True)
    response = client.post("/isms-code/", {"file": _upload(_zip({"assets.yaml": "assets: []\n"}))})
    assert response.status_code == 403
