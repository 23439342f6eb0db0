"""Threat-model API: the role x endpoint matrix (allowed calls take effect; denied ones answer 403 JSON and
change nothing), validation errors with lines, and the main flow through the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aisms.apps.risks.models import Risk
from aisms.apps.threatmodels import services
from aisms.apps.threatmodels.models import OrgRuleSet, ThreatDecision, ThreatModel, ThreatModelVersion
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/threatmodels"
ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]
EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"
).read_text()
# Without asset links, so no inventory is needed.
SOURCE = "\n".join(line for line in EXAMPLE.splitlines() if not line.strip().startswith("asset:")) + "\n"
THREAT = "llm-jailbreak@triage-app"
RULES = (
    'catalogue: threatmodel-rules\nversion: "1"\ntitle: Org\nrules:\n'
    "  - id: org-rule\n    title: T {element}\n    applies_to: component\n    description: D\n"
    "    likelihood: 2\n    impact: 2\n    mitigations: [iso27002:2022:8.28]\n"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _state() -> tuple[Any, ...]:
    return (
        list(ThreatModel.objects.order_by("pk").values()),
        list(ThreatModelVersion.objects.order_by("pk").values("pk", "number", "source")),
        list(ThreatDecision.objects.order_by("pk").values()),
        Risk.objects.count(),
        list(OrgRuleSet.objects.order_by("pk").values()),
    )


def _row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


# method, path, body, expected status per role
MATRIX: dict[str, tuple[str, str, Any, dict[str, int]]] = {
    "list": ("get", "/", None, _row(200, 200, 200, 200, 200)),
    "get": ("get", "/{pk}", None, _row(200, 200, 200, 200, 200)),
    "threats": ("get", "/{pk}/threats?category=ai", None, _row(200, 200, 200, 200, 200)),
    "diff": ("get", "/{pk}/diff", None, _row(200, 200, 200, 200, 200)),
    "create": (
        "post",
        "/",
        {"source": SOURCE.replace("name: Triage Assistant", "name: Copy")},
        _row(201, 201, 201, 201, 403),
    ),
    "source": (
        "put",
        "/{pk}/source",
        {"source": SOURCE.replace("label: Book call-back", "label: Book"), "note": "n"},
        _row(200, 200, 200, 403, 403),
    ),
    "details": ("patch", "/{pk}", {"status": "current"}, _row(200, 200, 200, 403, 403)),
    "analyse": ("post", "/{pk}/analyse", None, _row(200, 200, 200, 403, 403)),
    "component": (
        "post",
        "/{pk}/components",
        {"id": "mcp", "name": "MCP", "kind": "mcp_server"},
        _row(200, 200, 200, 403, 403),
    ),
    "flow": (
        "post",
        "/{pk}/flows",
        {"source": "patient", "target": "clinician"},
        _row(200, 200, 200, 403, 403),
    ),
    "boundary": ("post", "/{pk}/boundaries", {"id": "dmz", "name": "DMZ"}, _row(200, 200, 200, 403, 403)),
    "remove": ("delete", "/{pk}/elements/callback-tool", None, _row(200, 200, 200, 403, 403)),
    "decide": (
        "post",
        f"/{{pk}}/threats/{THREAT}/decision",
        {"relevant": False, "reason": "r"},
        _row(200, 200, 200, 403, 403),
    ),
    "push": ("post", "/{pk}/threats/llm-misinformation@triage-app/push", None, _row(201, 201, 201, 201, 403)),
    "rule-set": ("post", "/rule-sets/", {"name": "Org", "source": RULES}, _row(201, 201, 403, 403, 403)),
    "rule-sets": ("get", "/rule-sets/", None, _row(200, 200, 200, 200, 200)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_permission_matrix(name: str, role: str) -> None:
    manager = make_user("isms_manager", username="owner")
    tm = services.create_threat_model(manager, SOURCE)
    services.decide(manager, tm, "llm-misinformation@triage-app", relevant=True)
    method, path, body, expected = MATRIX[name]
    client = token_client(make_user(role))
    before = _state()
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    response = getattr(client, method)(API + path.format(pk=tm.pk), **kwargs)
    assert response.status_code == expected[role], response.content
    if expected[role] == 403:
        assert "message" in response.json()
        assert _state() == before
    elif name not in ("analyse",) and method != "get":
        assert _state() != before


def test_invalid_source_is_422_with_lines_and_changes_nothing() -> None:
    client = token_client(make_user("isms_manager"))
    before = _state()
    response = client.post(
        API + "/",
        data=json.dumps({"source": "name: X\ncomponents:\n  - {id: a, kind: robot}\n"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "request.yaml:3: components[0].kind: unknown kind 'robot'" in response.json()["message"]
    assert _state() == before


def test_flow_through_the_api() -> None:
    user = make_user("risk_owner")
    client = token_client(user)
    created = client.post(API + "/", data=json.dumps({"source": SOURCE}), content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["ai_threats"] > 20
    assert created.json()["version"] == 1
    page = client.get(f"{API}/{pk}/threats?category=ai&state=undecided&page_size=500").json()
    threats = page["items"]
    assert page["count"] == len(threats) > 20
    assert all(t["catalogue"] for t in threats)
    assert {t["state"] for t in threats} == {"undecided"}
    decided = client.post(
        f"{API}/{pk}/threats/{THREAT}/decision",
        data=json.dumps({"relevant": True, "reason": "public", "mitigation_status": "planned"}),
        content_type="application/json",
    )
    assert decided.status_code == 200
    assert decided.json()["state"] == "relevant"
    pushed = client.post(f"{API}/{pk}/threats/{THREAT}/push", content_type="application/json")
    assert pushed.status_code == 201
    assert pushed.json()["risk"].startswith("R-")
    assert Risk.objects.get(ref=pushed.json()["risk"]).threat.uid == "atlas:AML.T0054"  # type: ignore[union-attr]
    again = client.post(f"{API}/{pk}/threats/{THREAT}/push", content_type="application/json")
    assert again.status_code == 422
    assert "already in the risk register" in again.json()["message"]
    client.delete(f"{API}/{pk}/elements/callback-tool")
    diff = client.get(f"{API}/{pk}/diff").json()
    assert diff["from_version"] == 1
    assert diff["to_version"] == 2
    assert "over-permissioned-tool@callback-tool" in diff["disappeared"]
    svg = client.get(f"{API}/{pk}/diagram.svg")
    assert svg.status_code == 200
    assert svg.content.startswith(b"<svg")
    sarif = client.get(f"{API}/{pk}/sarif").json()
    assert sarif["version"] == "2.1.0"
    assert client.get(f"{API}/{pk}/report.pdf").content.startswith(b"%PDF")
    versions = client.get(f"{API}/{pk}/versions").json()["items"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["source"] == SOURCE


def test_assistant_off_answers_503() -> None:
    manager = make_user("isms_manager")
    tm = services.create_threat_model(manager, SOURCE)
    client = token_client(manager)
    response = client.post(f"{API}/{tm.pk}/assistant/proposals", content_type="application/json")
    assert response.status_code == 503
    assert "AISMS_LLM_URL" in response.json()["message"]


def test_out_of_range_ids_and_versions_are_404() -> None:
    manager = make_user("isms_manager")
    tm = services.create_threat_model(manager, SOURCE)
    client = token_client(manager)
    assert client.get(f"{API}/{2**70}").status_code == 404
    assert client.get(f"{API}/{tm.pk}/diagram.svg?version={2**70}").status_code == 404
    assert client.get(f"{API}/{tm.pk}/diff?from_version=-1").status_code == 404
    assert client.get(f"{API}/{tm.pk}/diagram.svg?version=1").status_code == 200
