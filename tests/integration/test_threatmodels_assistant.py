"""The optional language-model assistant against a small OpenAI-compatible server on 127.0.0.1: drafts are
schema-checked, proposals catalogue-checked, nothing counts until a person accepts it; off by default."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from aisms.apps.threatmodels import assistant, services
from aisms.apps.threatmodels.models import ThreatModel
from aisms.domain.threatmodel.llm_prompting import EXAMPLE as DRAFT_YAML
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"
).read_text()
SOURCE = "\n".join(line for line in EXAMPLE.splitlines() if not line.strip().startswith("asset:")) + "\n"
PROPOSALS = {
    "threats": [
        {
            "element": "guideline-store",
            "title": "Embedding inversion of the guideline index",
            "description": "Stored embeddings could be inverted to recover text.",
            "catalogue": ["owasp-llm:2025:LLM08"],
            "mitigations": ["atlas:AML.M0005"],
            "likelihood": 2,
            "impact": 2,
            "rationale": "Vector stores keep embeddings of source text.",
        },
        {
            "element": "ghost",
            "title": "Invented element",
            "description": "x",
            "catalogue": ["owasp-llm:2025:LLM01"],
            "mitigations": [],
            "likelihood": 2,
            "impact": 2,
        },
        {
            "element": "nimbus",
            "title": "Invented id",
            "description": "x",
            "catalogue": ["atlas:AML.T9999"],
            "mitigations": [],
            "likelihood": 2,
            "impact": 2,
        },
    ]
}


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        system = body["messages"][0]["content"]
        content = json.dumps(PROPOSALS) if "Propose threats" in system else f"```yaml\n{DRAFT_YAML}```"
        answer = json.dumps(
            {
                "id": "x",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def llm(settings: Any) -> Iterator[list[dict[str, Any]]]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AISMS_LLM_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.AISMS_LLM_MODEL = "tiny-local"
    settings.AISMS_LLM_API_KEY = "sk-test"
    _Handler.requests = []
    yield _Handler.requests
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_off_by_default(settings: Any) -> None:
    settings.AISMS_LLM_URL = ""
    assert not assistant.enabled()
    with pytest.raises(assistant.AssistantUnavailableError, match="off"):
        assistant.draft(make_user("isms_manager"), "a chatbot")


def test_draft_is_schema_checked_and_not_saved(llm: list[dict[str, Any]]) -> None:
    result = assistant.draft(make_user("isms_manager"), "A support chatbot answering from help articles")
    assert result.model is not None
    assert result.model.name == "Support chatbot"
    assert not result.problems
    assert ThreatModel.objects.count() == 0
    request = llm[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "tiny-local"
    assert request["body"]["messages"][1]["content"].startswith("A support chatbot")


def test_proposals_are_checked_and_count_only_when_accepted(llm: list[dict[str, Any]]) -> None:
    manager = make_user("isms_manager")
    tm = services.create_threat_model(manager, SOURCE)
    proposals, dropped = assistant.propose(manager, tm)
    assert [p.title for p in proposals] == ["Embedding inversion of the guideline index"]
    assert dict(dropped) == {
        "Invented element": "unknown element 'ghost'",
        "Invented id": "'atlas:AML.T9999' is not a threat in the catalogue",
    }
    assert services.current_version(tm).number == 1  # type: ignore[union-attr]
    version = assistant.accept(manager, tm, proposals[0].to_dict())
    assert version.number == 2
    threat = services.current_analysis(tm).get(
        "assistant-embedding-inversion-of-the-guideline-index@guideline-store"
    )  # type: ignore[union-attr]
    assert threat is not None
    assert threat.origin == "assistant"
    services.decide(manager, tm, threat.id, relevant=True)
    assert services.push_to_register(manager, tm, threat.id).threat.uid == "owasp-llm:2025:LLM08"  # type: ignore[union-attr]
    with pytest.raises(Exception, match="already accepted"):
        assistant.accept(manager, tm, proposals[0].to_dict())
    with pytest.raises(Exception, match="unknown element"):
        assistant.accept(manager, tm, PROPOSALS["threats"][1])


def test_pages_use_the_assistant(llm: list[dict[str, Any]]) -> None:
    manager = make_user("isms_manager")
    tm = services.create_threat_model(manager, SOURCE)
    client = session_client(manager)
    page = client.post("/threatmodels/draft/", {"description": "A support chatbot"})
    assert page.status_code == 200
    assert b"passes the schema" in page.content
    assert b"Support chatbot" in page.content
    page = client.post(f"/threatmodels/{tm.pk}/assistant/", {"ask": "1"})
    assert b"Embedding inversion of the guideline index" in page.content
    assert b"unknown element" in page.content
    raw = json.dumps(PROPOSALS["threats"][0])
    assert client.post(f"/threatmodels/{tm.pk}/assistant/", {"accept": raw}).status_code == 302
    assert tm.versions.count() == 2


def test_endpoint_failure_is_reported(settings: Any) -> None:
    settings.AISMS_LLM_URL = "http://127.0.0.1:9/v1"
    with pytest.raises(assistant.AssistantUnavailableError):
        assistant.draft(make_user("isms_manager"), "x")
