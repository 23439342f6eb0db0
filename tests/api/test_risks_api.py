"""Risk register API: CRUD, acceptance, actions, method, suggestions; a role-by-endpoint matrix."""

from __future__ import annotations

import json

import pytest

from aisms.apps.assets.models import Asset
from aisms.apps.risks.models import Risk, RiskMethodVersion, TreatmentAction
from aisms.domain.risk_method import DEFAULT_METHOD, method_to_dict
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _payload(**overrides):
    body = {
        "title": "Prompt injection exfiltrates triage notes",
        "threat": "atlas:AML.T0051",
        "inherent": {"likelihood": 5, "impact": 5},
        "current": {"likelihood": 4, "impact": 4},
        "target": {"likelihood": 2, "impact": 4},
    }
    body.update(overrides)
    return body


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def _state():
    return (
        list(Risk.objects.order_by("pk").values()),
        list(TreatmentAction.objects.order_by("pk").values()),
        list(RiskMethodVersion.objects.order_by("pk").values("version", "is_current")),
        Risk.history.count(),
    )


def test_create_read_update_and_list() -> None:
    asset = Asset.objects.create(name="Triage assistant", kind="ai_system")
    owner = make_user("risk_owner", username="daniel")
    client = token_client(make_user("isms_manager"))
    created = _post(client, "/api/v1/risks", _payload(assets=[asset.pk], owner="daniel"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["ref"] == "R-001"
    assert body["inherent"] == {"likelihood": 5, "impact": 5, "level": "critical"}
    assert body["target"]["level"] == "medium"
    assert (body["owner"], body["assets"], body["method_version"]) == (owner.username, [asset.pk], 1)
    changed = _put(
        client, "/api/v1/risks/R-001", _payload(title="Renamed", target={"likelihood": 1, "impact": 1})
    )
    assert changed.status_code == 200
    assert (changed.json()["title"], changed.json()["target"]["level"]) == ("Renamed", "low")
    listing = client.get("/api/v1/risks?sort=current")
    assert listing.json()["count"] == 1
    assert listing.json()["items"][0]["ref"] == "R-001"
    assert client.get("/api/v1/risks/R-404").status_code == 404


def test_bad_input_names_the_field_and_stores_nothing() -> None:
    client = token_client(make_user("isms_manager"))
    unknown = _post(client, "/api/v1/risks", _payload(threat="atlas:AML.T9999"))
    assert unknown.status_code == 422
    assert unknown.json()["message"] == "threat: unknown catalogue identifiers atlas:AML.T9999"
    out_of_range = _post(client, "/api/v1/risks", _payload(inherent={"likelihood": 9, "impact": 1}))
    assert out_of_range.status_code == 422
    assert "inherent" in out_of_range.json()["message"]
    no_threat = _post(client, "/api/v1/risks", _payload(threat=None))
    assert no_threat.status_code == 422
    assert no_threat.json()["message"].startswith("threat:")
    assert Risk.objects.count() == 0


def test_acceptance_actions_and_heatmap() -> None:
    manager = make_user("isms_manager")
    owner = make_user("risk_owner", username="daniel")
    client = token_client(manager)
    _post(client, "/api/v1/risks", _payload(owner="daniel"))
    action = _post(
        client,
        "/api/v1/risks/R-001/actions",
        {"title": "Isolate retrieved text", "controls": ["iso27002:2022:8.28"], "due_date": "2027-01-31"},
    )
    assert action.status_code == 201
    assert action.json()["controls"] == ["iso27002:2022:8.28"]
    wrong = _post(client, "/api/v1/risks/R-001/actions", {"title": "x", "controls": ["atlas:AML.T0051"]})
    assert wrong.status_code == 422
    refused = _post(token_client(owner), "/api/v1/risks/R-001/acceptance", {"justification": ""})
    assert refused.status_code == 422
    accepted = _post(
        token_client(owner), "/api/v1/risks/R-001/acceptance", {"justification": "Filter in place"}
    )
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["accepted_by"]) == ("accepted", "daniel")
    heat = client.get("/api/v1/risks/heatmap").json()
    assert heat["inherent"][4][4] == 1
    assert heat["target"][1][3] == 1


def test_method_versions_and_suggestions() -> None:
    client = token_client(make_user("isms_manager"))
    assert client.get("/api/v1/risks/method").json()["version"] == 1
    definition = method_to_dict(DEFAULT_METHOD)
    published = _post(
        client, "/api/v1/risks/method", {"definition": definition, "notes": "Reviewed, unchanged"}
    )
    assert published.status_code == 201
    assert published.json()["version"] == 2
    assert [v["version"] for v in client.get("/api/v1/risks/method/versions").json()] == [2, 1]
    broken = dict(definition, matrix=[["low"] * 5] * 4)
    refused = _post(client, "/api/v1/risks/method", {"definition": broken, "notes": "bad"})
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("matrix:")
    asset = Asset.objects.create(name="Claims model", kind="model", learns_from_user_data=True)
    found = client.get(f"/api/v1/risks/suggestions?asset={asset.pk}").json()
    assert found[0]["threat"] == "atlas:AML.T0020"
    assert found[0]["controls"]


# Expected status per endpoint and role (writes by the auditor are always refused).
MATRIX = {
    "list": {
        "administrator": 200,
        "isms_manager": 200,
        "risk_owner": 200,
        "contributor": 200,
        "auditor": 200,
    },
    "create": {
        "administrator": 201,
        "isms_manager": 201,
        "risk_owner": 201,
        "contributor": 201,
        "auditor": 403,
    },
    "update-others": {
        "administrator": 200,
        "isms_manager": 200,
        "risk_owner": 200,
        "contributor": 403,
        "auditor": 403,
    },
    "action-others": {
        "administrator": 201,
        "isms_manager": 201,
        "risk_owner": 201,
        "contributor": 403,
        "auditor": 403,
    },
    "publish-method": {
        "administrator": 201,
        "isms_manager": 201,
        "risk_owner": 403,
        "contributor": 403,
        "auditor": 403,
    },
    "accept-not-owner": {
        "administrator": 200,
        "isms_manager": 200,
        "risk_owner": 403,
        "contributor": 403,
        "auditor": 403,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_permission_matrix(role: str, endpoint: str) -> None:
    author = make_user("isms_manager")
    _post(token_client(author), "/api/v1/risks", _payload(owner=make_user("risk_owner").username))
    client = token_client(make_user(role))
    before = _state()
    if endpoint == "list":
        response = client.get("/api/v1/risks")
    elif endpoint == "create":
        response = _post(client, "/api/v1/risks", _payload())
    elif endpoint == "update-others":
        response = _put(client, "/api/v1/risks/R-001", _payload(title="Changed by someone else"))
    elif endpoint == "action-others":
        response = _post(client, "/api/v1/risks/R-001/actions", {"title": "Do it", "controls": []})
    elif endpoint == "publish-method":
        response = _post(
            client, "/api/v1/risks/method", {"definition": method_to_dict(DEFAULT_METHOD), "notes": "n"}
        )
    else:
        response = _post(client, "/api/v1/risks/R-001/acceptance", {"justification": "fine by me"})
    expected = MATRIX[endpoint][role]
    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["message"]
        assert _state() == before


def test_quantification_and_portfolio_analysis() -> None:
    client = token_client(make_user("isms_manager"))
    _post(client, "/api/v1/risks", _payload())
    _post(client, "/api/v1/risks", _payload(title="Second"))
    constant = {"low": 1000, "most_likely": 1000, "high": 1000}
    saved = _put(
        client, "/api/v1/risks/R-001/quantification", {"lef": {"low": 1, "high": 1}, "primary_loss": constant}
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["primary_loss"]["low"] == 1000
    bad = _put(
        client, "/api/v1/risks/R-002/quantification", {"lef": {"low": 3, "high": 1}, "primary_loss": constant}
    )
    assert bad.status_code == 422
    assert bad.json()["message"].startswith("lef:")
    result = client.get("/api/v1/risks/analysis/quantitative?runs=500&seed=2").json()
    assert [r["ref"] for r in result["risks"]] == ["R-001"]
    assert result["portfolio"]["mean"] == pytest.approx(1000.0)
    assert result["portfolio"]["exceedance"][0] == 1.0
    assert client.get("/api/v1/risks/analysis/quantitative?runs=0").status_code == 422
