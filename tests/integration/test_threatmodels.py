"""Threat-model services and pages: import (all or nothing, problems with lines, assets checked), versions
and re-analysis, decisions, pushing to the risk register, organisation rules, demo, pages and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aisms.apps.assets.models import Asset
from aisms.apps.risks.models import Risk
from aisms.apps.threatmodels import selectors, services
from aisms.apps.threatmodels.demo_data import load_demo_threatmodels
from aisms.apps.threatmodels.models import OrgRuleSet, ThreatDecision, ThreatModel, ThreatModelVersion
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"
).read_text()
ASSETS = (
    ("Patient portal", "application"),
    ("Triage Assistant", "ai_system"),
    ("Triage system prompt and configuration", "ai_system"),
    ("Clinical guideline vector store", "vector_store"),
    ("Nimbus foundation model API", "ai_service"),
    ("Clinical data warehouse", "database"),
)
ORG_RULES = (
    'catalogue: threatmodel-rules\nversion: "1"\ntitle: Helixa\nrules:\n'
    "  - id: helixa-clinical-safety-case\n    title: Clinical safety case of {element} is out of date\n"
    "    applies_to: component\n    when: {kinds: [llm_application], properties: {all: [safety_critical]}}\n"
    "    description: DCB0129-style hazard log must cover {element}.\n    likelihood: 2\n    impact: 4\n"
    "    threats: [owasp-llm:2025:LLM09]\n    mitigations: [iso42001:2023:A.6.2.4]\n"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def assets() -> dict[str, Asset]:
    from aisms.domain.assets import AssetKind

    kinds = {k.value for k in AssetKind}
    return {
        name: Asset.objects.create(name=name, kind=kind if kind in kinds else sorted(kinds)[0])
        for name, kind in ASSETS
    }


@pytest.fixture
def manager() -> Any:
    return make_user("isms_manager", username="amira")


def _state() -> tuple[int, ...]:
    return (
        ThreatModel.objects.count(),
        ThreatModelVersion.objects.count(),
        ThreatDecision.objects.count(),
        Risk.objects.count(),
        OrgRuleSet.objects.count(),
    )


def test_import_analyses_links_assets_and_records_version(manager: Any, assets: dict[str, Asset]) -> None:
    tm = services.create_threat_model(manager, EXAMPLE, filename="triage.yaml")
    assert tm.name == "Triage Assistant"
    assert tm.created_by == manager
    assert {a.name for a in tm.assets.all()} == {name for name, _k in ASSETS}
    version = services.current_version(tm)
    assert version is not None
    assert version.number == 1
    assert version.created_by == manager
    analysis = services.current_analysis(tm)
    assert analysis is not None
    assert analysis.counts()["ai"] > 20
    assert tm.history.earliest().history_user == manager


def test_import_is_all_or_nothing_and_names_lines(manager: Any, assets: dict[str, Asset]) -> None:
    bad = EXAMPLE.replace("kind: retrieval_store", "kind: vector_db").replace(
        "asset: Patient portal", "asset: Nope"
    )
    before = _state()
    with pytest.raises(services.ThreatModelRejectedError) as info:
        services.create_threat_model(manager, bad, filename="bad.yaml")
    assert _state() == before
    problems = [str(p) for p in info.value.problems]
    assert any(p.startswith("bad.yaml:") and "unknown kind 'vector_db'" in p for p in problems)
    with pytest.raises(services.ThreatModelRejectedError) as info:
        services.create_threat_model(
            manager, EXAMPLE.replace("asset: Patient portal", "asset: Nope"), filename="b.yaml"
        )
    line = EXAMPLE.splitlines().index("  - id: portal") + 1
    assert [(p.line, p.field) for p in info.value.problems] == [(line, "components[1].asset")]
    assert "no asset 'Nope'" in info.value.problems[0].message
    assert _state() == before


def test_upload_size_limit(manager: Any, settings: Any) -> None:
    settings.AISMS_MAX_UPLOAD_BYTES = 100
    with pytest.raises(services.ThreatModelRejectedError, match="larger than 100 bytes"):
        services.create_threat_model(manager, EXAMPLE)


def test_edit_makes_a_new_version_and_diff_shows_changes(manager: Any, assets: dict[str, Asset]) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    same = services.save_source(manager, tm, EXAMPLE)
    assert same.number == 1
    changed = EXAMPLE.replace("    properties: [can_act]\n", "    properties: [can_act, executes_code]\n")
    version = services.save_source(manager, tm, changed, note="Tool now runs scripts")
    assert version.number == 2
    assert version.note == "Tool now runs scripts"
    older, newer, diff = selectors.diff(tm, None, None)
    assert (older.number, newer.number) == (1, 2)
    assert [t.id for t in diff.appeared] == ["code-execution@callback-tool"]
    assert not diff.disappeared


def test_reanalyse_picks_up_organisation_rules(manager: Any, assets: dict[str, Asset]) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    services.add_rule_set(manager, name="Helixa clinical", source=ORG_RULES)
    version = services.reanalyse(manager, tm)
    assert version.number == 2
    assert version.source == EXAMPLE
    assert services.current_analysis(tm).get("helixa-clinical-safety-case@triage-app") is not None  # type: ignore[union-attr]
    assert services.reanalyse(manager, tm).number == 2  # same result, no new version
    rule_set = OrgRuleSet.objects.get()
    services.update_rule_set(manager, rule_set, enabled=False)
    assert services.reanalyse(manager, tm).number == 3


def test_invalid_organisation_rules_are_refused_and_need_permission(manager: Any) -> None:
    before = _state()
    with pytest.raises(ValidationError, match="unknown threat"):
        services.add_rule_set(manager, name="bad", source=ORG_RULES.replace("LLM09", "LLM99"))
    with pytest.raises(PermissionDenied):
        services.add_rule_set(make_user("risk_owner"), name="x", source=ORG_RULES)
    assert _state() == before


def test_decide_and_push_to_the_register(manager: Any, assets: dict[str, Asset]) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    threat_id = "llm-indirect-prompt-injection@triage-app"
    with pytest.raises(ValidationError, match="mark the threat relevant"):
        services.push_to_register(manager, tm, threat_id)
    with pytest.raises(ValidationError, match="say why"):
        services.decide(manager, tm, threat_id, relevant=False)
    with pytest.raises(ValidationError, match="not a threat of the current analysis"):
        services.decide(manager, tm, "nope@nowhere", relevant=True)
    services.decide(
        manager, tm, threat_id, relevant=True, reason="Patients write free text", mitigation_status="planned"
    )
    risk = services.push_to_register(manager, tm, threat_id)
    assert risk.threat is not None
    assert risk.threat.uid == "atlas:AML.T0051.001"
    assert [a.name for a in risk.assets.all()] == ["Triage Assistant"]
    assert (risk.inherent_likelihood, risk.inherent_impact) == (4, 4)
    assert "retrieves_untrusted_content" in risk.description
    assert "Triage Assistant" in risk.description
    assert "atlas:AML.M0020" in risk.treatment_notes
    assert ThreatDecision.objects.get(threat_id=threat_id).risk == risk
    with pytest.raises(ValidationError, match="already in the risk register"):
        services.push_to_register(manager, tm, threat_id)
    with pytest.raises(ValidationError, match="already in the risk register"):
        services.decide(manager, tm, threat_id, relevant=False, reason="changed my mind")


def test_stride_threat_on_a_flow_becomes_a_custom_threat_on_both_assets(
    manager: Any, assets: dict[str, Asset]
) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    threat_id = "stride-flow-disclosure@outcomes-export"
    services.decide(manager, tm, threat_id, relevant=True)
    risk = services.push_to_register(manager, tm, threat_id)
    assert risk.threat is None
    assert risk.custom_threat.startswith("STRIDE Information disclosure")
    assert {a.name for a in risk.assets.all()} == {"Triage Assistant", "Clinical data warehouse"}


def test_permissions_and_object_rules(manager: Any, assets: dict[str, Asset]) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    auditor, contributor = make_user("auditor"), make_user("contributor")
    before = _state()
    with pytest.raises(PermissionDenied):
        services.create_threat_model(auditor, EXAMPLE.replace("name: Triage Assistant", "name: Other"))
    with pytest.raises(PermissionDenied):
        services.decide(auditor, tm, "llm-jailbreak@triage-app", relevant=True)
    with pytest.raises(PermissionDenied):
        services.decide(contributor, tm, "llm-jailbreak@triage-app", relevant=True)  # not theirs
    with pytest.raises(PermissionDenied):
        services.push_to_register(auditor, tm, "llm-jailbreak@triage-app")
    assert _state() == before
    own = services.create_threat_model(
        contributor, EXAMPLE.replace("name: Triage Assistant", "name: Sofia's")
    )
    services.decide(contributor, own, "llm-jailbreak@triage-app", relevant=True)
    assert services.push_to_register(contributor, own, "llm-jailbreak@triage-app").ref.startswith("R-")


def test_demo_loads_once_with_two_versions_decisions_and_a_pushed_risk(manager: Any) -> None:
    from aisms.apps.assets.demo import load_demo_assets

    for name in ("daniel", "sofia", "tom"):
        make_user("risk_owner", username=name)
    load_demo_assets()
    assert load_demo_threatmodels(manager) == 1
    assert load_demo_threatmodels(manager) == 0
    tm = ThreatModel.objects.get(name="Triage Assistant")
    assert tm.versions.count() == 2
    assert tm.owner.username == "daniel"
    _older, _newer, diff = selectors.diff(tm, None, None)
    assert "over-permissioned-tool@callback-tool" in {t.id for t in diff.appeared}
    pushed = ThreatDecision.objects.exclude(risk=None).get()
    assert pushed.threat_id == "llm-misinformation@triage-app"
    assert pushed.risk.threat.uid == "owasp-llm:2025:LLM09"
    assert ThreatDecision.objects.filter(relevant=False).count() == 2


def test_pages_render_and_htmx_marks_and_pushes(manager: Any, assets: dict[str, Asset]) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    client = session_client(manager)
    for url in (
        "/threatmodels/",
        f"/threatmodels/{tm.pk}/",
        f"/threatmodels/{tm.pk}/threats/?category=ai&state=undecided",
        f"/threatmodels/{tm.pk}/diff/",
        f"/threatmodels/{tm.pk}/report/",
        f"/threatmodels/{tm.pk}/edit/",
        f"/threatmodels/{tm.pk}/structure/",
        f"/threatmodels/{tm.pk}/assistant/",
        "/threatmodels/new/",
        "/threatmodels/draft/",
        "/threatmodels/rules/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(f"/threatmodels/{tm.pk}/").content.decode()
    assert "<svg" in detail
    assert "tm-boundary" in detail
    threat_id = "llm-jailbreak@triage-app"
    response = client.post(
        f"/threatmodels/{tm.pk}/threats/{threat_id}/decide/",
        {"relevant": "yes", "reason": "public chat", "mitigation_status": "planned"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Push to risk register" in response.content
    response = client.post(f"/threatmodels/{tm.pk}/threats/{threat_id}/push/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"in the risk register" in response.content
    risk = ThreatDecision.objects.get(threat_id=threat_id).risk
    assert risk is not None
    assert risk.ref.encode() in response.content
    response = client.post(
        f"/threatmodels/{tm.pk}/threats/llm-misinformation@triage-app/decide/",
        {"relevant": "no", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert b"say why" in response.content


def test_yaml_editor_shows_line_errors_and_structured_editor_saves(
    manager: Any, assets: dict[str, Asset]
) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    client = session_client(manager)
    response = client.post(
        f"/threatmodels/{tm.pk}/edit/", {"source": EXAMPLE.replace("kind: tool", "kind: gadget")}
    )
    line = EXAMPLE.splitlines().index("    kind: tool") + 1
    assert response.status_code == 200
    assert f":{line}</code>".encode() in response.content
    assert b"unknown kind &#x27;gadget&#x27;" in response.content
    assert tm.versions.count() == 1
    response = client.post(
        f"/threatmodels/{tm.pk}/structure/",
        {
            "what": "component",
            "c-element_id": "mcp-ehr",
            "c-name": "EHR MCP server",
            "c-kind": "mcp_server",
            "c-boundary": "triage-namespace",
            "c-properties": ["third_party", "can_act"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/threatmodels/{tm.pk}/structure/",
        {
            "what": "flow",
            "f-element_id": "",
            "f-source": "triage-app",
            "f-target": "mcp-ehr",
            "f-label": "Lookup",
        },
    )
    assert response.status_code == 302
    tm.refresh_from_db()
    assert tm.versions.count() == 3
    ids = {t.id for t in services.current_analysis(tm).threats}  # type: ignore[union-attr]
    assert {"tool-poisoning@mcp-ehr", "stride-flow-tampering@triage-app-to-mcp-ehr"} <= ids


def test_import_page_and_exports(manager: Any, assets: dict[str, Asset]) -> None:
    client = session_client(manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/threatmodels/new/", {"file": SimpleUploadedFile("t.yaml", EXAMPLE.encode())})
    assert response.status_code == 302
    tm = ThreatModel.objects.get()
    pdf = client.get(f"/threatmodels/{tm.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/threatmodels/{tm.pk}/download.yaml").content.decode() == EXAMPLE
    assert b'"version": "2.1.0"' in client.get(f"/threatmodels/{tm.pk}/download.sarif").content
    assert client.get(f"/threatmodels/{tm.pk}/download.md").content.startswith(b"# Threat model")
    assert client.get(f"/threatmodels/{tm.pk}/diagram.svg")["Content-Type"] == "image/svg+xml"
    assert client.get(f"/threatmodels/{tm.pk}/download.exe").status_code == 404
    response = client.post(
        "/threatmodels/new/", {"source": "name: X\ncomponents:\n  - {id: a, kind: robot}\n"}
    )
    assert response.status_code == 200
    assert b"pasted.yaml:3" in response.content


def test_auditor_sees_pages_without_edit_controls_and_cannot_post(
    assets: dict[str, Asset], manager: Any
) -> None:
    tm = services.create_threat_model(manager, EXAMPLE)
    client = session_client(make_user("auditor"))
    assert client.get(f"/threatmodels/{tm.pk}/threats/").status_code == 200
    assert b"Not relevant</button>" not in client.get(f"/threatmodels/{tm.pk}/threats/").content
    before = _state()
    assert (
        client.post(
            f"/threatmodels/{tm.pk}/threats/llm-jailbreak@triage-app/decide/", {"relevant": "yes"}
        ).status_code
        == 403
    )
    assert client.get(f"/threatmodels/{tm.pk}/edit/").status_code == 403
    assert client.post("/threatmodels/new/", {"source": EXAMPLE}).status_code == 403
    assert _state() == before
