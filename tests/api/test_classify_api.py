"""Classify API: ranked techniques with evidence and novelty; feedback; a role x endpoint matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from aisms.apps.catalogue.models import LabelledExample
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]
WRITERS = {"administrator", "isms_manager", "risk_owner", "contributor"}
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


def _post(client: Client, url: str, body: dict) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_classify_returns_ranked_techniques_with_names_confidence_evidence_and_novelty() -> None:
    response = _post(token_client(make_user("auditor")), "/api/v1/classify", {"text": TEXT, "k": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"novelty", "is_novel", "ranked"}
    assert 0.0 <= body["novelty"] <= 1.0
    assert len(body["ranked"]) == 3
    top = body["ranked"][0]
    assert top["technique"] in {"atlas:AML.T0051", "owasp-llm:2025:LLM01"}
    assert top["name"] in {"LLM Prompt Injection", "Prompt Injection"}
    assert 0 < top["confidence"] <= 1
    assert top["evidence"]
    confidences = [p["confidence"] for p in body["ranked"]]
    assert confidences == sorted(confidences, reverse=True)


def test_invalid_requests_are_refused_with_json_messages() -> None:
    client = token_client(make_user("contributor"))
    assert _post(client, "/api/v1/classify", {"text": ""}).status_code == 422
    assert _post(client, "/api/v1/classify", {"text": "x", "k": 0}).status_code == 422
    bad = _post(client, "/api/v1/classify/feedback", {"text": "x", "technique": "iso27002:2022:5.7"})
    assert bad.status_code == 422
    assert "technique" in bad.json()["message"]
    assert Client().post("/api/v1/classify", data="{}", content_type="application/json").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role: str) -> None:
    client = token_client(make_user(role))
    assert _post(client, "/api/v1/classify", {"text": TEXT}).status_code == 200
    before = LabelledExample.objects.count()
    response = _post(
        client,
        "/api/v1/classify/feedback",
        {"text": TEXT, "technique": "atlas:AML.T0051", "correct": True},
    )
    if role in WRITERS:
        assert response.status_code == 201, response.content
        stored = LabelledExample.objects.get(pk=response.json()["id"])
        assert (stored.origin, stored.technique.uid, stored.text) == ("user", "atlas:AML.T0051", TEXT)
    else:
        assert response.status_code == 403
        assert "message" in response.json()
        assert LabelledExample.objects.count() == before
