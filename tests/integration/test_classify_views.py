"""The "Classify text" page: ranked techniques with bars and evidence; confirm/correct records feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from aisms.apps.catalogue.models import LabelledExample
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TEXT = "a user typed a prompt telling the chatbot to ignore its previous instructions"


@pytest.fixture(scope="module")
def models_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = tmp_path_factory.getbasetemp() / "aisms-classify-data"  # one catalogue model per session
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(autouse=True)
def _settings(settings, models_root: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = models_root


def _client(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


def test_page_classifies_and_a_contributor_confirms() -> None:
    client = _client("contributor")
    assert "Classify text" in client.get("/catalogue/").content.decode()
    page = client.get("/catalogue/classify/")
    assert page.status_code == 200
    assert 'name="text"' in page.content.decode()
    shown = client.post("/catalogue/classify/", {"text": TEXT}).content.decode()
    assert "atlas:AML.T0051" in shown or "owasp-llm:2025:LLM01" in shown
    assert "<svg" in shown
    assert "Evidence:" in shown
    assert "Confirm" in shown
    response = client.post(
        "/catalogue/classify/feedback/", {"text": TEXT, "technique": "atlas:AML.T0051", "correct": "on"}
    )
    assert response.status_code == 302
    stored = LabelledExample.objects.get(origin="user", text=TEXT)
    assert stored.technique.uid == "atlas:AML.T0051"
    assert "confirmed by" in stored.case_study_name


def test_an_auditor_sees_results_but_cannot_record_feedback() -> None:
    client = _client("auditor")
    shown = client.post("/catalogue/classify/", {"text": TEXT}).content.decode()
    assert "Evidence:" in shown
    assert "Confirm" not in shown
    before = LabelledExample.objects.count()
    response = client.post(
        "/catalogue/classify/feedback/", {"text": TEXT, "technique": "atlas:AML.T0051", "correct": "on"}
    )
    assert response.status_code == 302
    assert LabelledExample.objects.count() == before
    assert Client().get("/catalogue/classify/").status_code == 302  # login required
