"""Posture API: matches, proposals (accept/reject), emerging threats, what changed, correlation runs;
a role x endpoint matrix where denied calls answer 403 JSON and change nothing."""

from __future__ import annotations

import json

import pytest

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.intel.models import IntelItem
from aisms.apps.posture.correlation import correlate
from aisms.apps.posture.models import AssetIntelMatch, EmergingThreat, Proposal, ProposalStatus
from aisms.apps.risks.models import Risk
from tests.factories import make_user, token_client
from tests.posture_world import DJANGO_RANGE, add_cve, build_world

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    w = build_world()
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], in_kev=True, epss=0.3, cvss=7.5)
    correlate()
    return w


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _state():
    return (
        list(Proposal.objects.order_by("pk").values()),
        list(Risk.objects.order_by("pk").values()),
        list(AssetIntelMatch.objects.order_by("pk").values()),
        list(EmergingThreat.objects.order_by("pk").values()),
        CatalogueEntry.objects.count(),
    )


def _candidate() -> EmergingThreat:
    item = IntelItem.objects.create(
        kind="note",
        external_id="n-1",
        title="Spoofed model cards",
        first_seen="2026-11-01T00:00Z",
        last_seen="2026-11-01T00:00Z",
    )
    threat = EmergingThreat.objects.create(fingerprint="f", key_terms=["model card"], sources=["Analyst"])
    threat.items.set([item])
    return threat


def test_read_endpoints(world) -> None:
    client = token_client(world.auditor)
    matches = client.get(f"/api/v1/posture/matches?asset_id={world.portal.pk}").json()
    assert matches["count"] == 1
    row = matches["items"][0]
    assert (row["cve_id"], row["method"], row["in_kev"], row["epss"]) == ("CVE-2023-46695", "cpe", True, 0.3)
    assert row["component"] == "Django Software Foundation Django 4.2.7"
    proposals = client.get("/api/v1/posture/proposals?status=open").json()
    assert proposals["count"] == 1
    p = proposals["items"][0]
    assert (p["risk"], p["owner"], p["current_likelihood"], p["proposed_likelihood"]) == (
        world.vuln_risk.ref,
        "pm-daniel",
        2,
        4,
    )
    assert {e["rule_id"] for e in p["evidence"]} == {"kev-listed", "epss-high"}
    detail = client.get(f"/api/v1/posture/proposals/{p['id']}").json()
    assert detail["item_ids"] == p["item_ids"]
    weeks = client.get("/api/v1/posture/what-changed?weeks=4").json()
    assert len(weeks) == 4
    assert weeks[-1]["opened"] == 1
    assert weeks[-1]["matches"] == 1
    assert client.get("/api/v1/posture/proposals/99999").status_code == 404


def test_accept_and_reject_through_the_api(world) -> None:
    pid = Proposal.objects.get(status=ProposalStatus.OPEN).pk
    owner = token_client(world.owner)
    assert _post(owner, f"/api/v1/posture/proposals/{pid}/reject", {"reason": ""}).status_code == 422
    accepted = _post(owner, f"/api/v1/posture/proposals/{pid}/accept", {"reason": "agreed"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["resulting_risk"] == world.vuln_risk.ref
    assert Risk.objects.get(pk=world.vuln_risk.pk).current_likelihood == 4
    week = owner.get("/api/v1/posture/what-changed?weeks=1").json()[0]
    assert (week["opened"], week["accepted"], week["rejected"], week["rescored"]) == (1, 1, 0, 1)
    again = _post(owner, f"/api/v1/posture/proposals/{pid}/accept", {})
    assert again.status_code == 422
    assert "accepted" in again.json()["message"]


def test_emerging_flow_through_the_api(world) -> None:
    threat = _candidate()
    manager = token_client(world.manager)
    named = _post(manager, f"/api/v1/posture/emerging/{threat.pk}/name", {"name": "Model card spoofing"})
    assert named.json()["name"] == "Model card spoofing"
    accepted = _post(manager, f"/api/v1/posture/emerging/{threat.pk}/accept", {})
    assert accepted.status_code == 201
    assert accepted.json()["catalogue_uid"] == "custom:model-card-spoofing"
    assert accepted.json()["emerging_threat"]["status"] == "accepted"
    listed = token_client(world.auditor).get("/api/v1/posture/emerging?status=accepted").json()
    assert [t["id"] for t in listed["items"]] == [threat.pk]


def _calls(world, threat, match, pid):
    return {
        "accept": ("post", f"/api/v1/posture/proposals/{pid}/accept", {"reason": "ok"}),
        "reject": ("post", f"/api/v1/posture/proposals/{pid}/reject", {"reason": "no"}),
        "dismiss-match": ("post", f"/api/v1/posture/matches/{match}/dismiss", {"reason": "not deployed"}),
        "name-emerging": ("post", f"/api/v1/posture/emerging/{threat}/name", {"name": "X threat"}),
        "accept-emerging": ("post", f"/api/v1/posture/emerging/{threat}/accept", {"name": "X threat"}),
        "dismiss-emerging": ("post", f"/api/v1/posture/emerging/{threat}/dismiss", {"reason": "noise"}),
        "correlate": ("post", "/api/v1/posture/correlate", {}),
    }


# who may: the proposal's risk is owned by the "owner" risk owner, not by the matrix's risk owner
ALLOWED = {
    "accept": {"administrator", "isms_manager"},
    "reject": {"administrator", "isms_manager"},
    "dismiss-match": {
        "administrator",
        "isms_manager",
        "risk_owner",
    },  # contributors: only on their own assets
    "name-emerging": {"administrator", "isms_manager", "risk_owner", "contributor"},
    "accept-emerging": {"administrator", "isms_manager"},
    "dismiss-emerging": {"administrator", "isms_manager"},
    "correlate": {"administrator", "isms_manager", "risk_owner", "contributor"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(world, role, action) -> None:
    threat = _candidate()
    match = AssetIntelMatch.objects.get()
    pid = Proposal.objects.get(status=ProposalStatus.OPEN).pk
    client = token_client(make_user(role))
    _method, url, body = _calls(world, threat.pk, match.pk, pid)[action]
    before = _state()
    response = _post(client, url, body)
    if role in ALLOWED[action]:
        assert response.status_code in (200, 201, 202), response.content
        assert _state() != before or action == "correlate"
    else:
        assert response.status_code == 403, response.content
        assert "message" in response.json()
        assert _state() == before
    # every role may read
    for path in (
        "/api/v1/posture/proposals",
        "/api/v1/posture/matches",
        "/api/v1/posture/emerging",
        "/api/v1/posture/what-changed",
    ):
        assert client.get(path).status_code == 200


def test_the_risk_owner_decides_their_own_risk(world) -> None:
    pid = Proposal.objects.get(status=ProposalStatus.OPEN).pk
    other = token_client(world.other_owner)
    assert _post(other, f"/api/v1/posture/proposals/{pid}/accept", {}).status_code == 403
    assert _post(token_client(world.owner), f"/api/v1/posture/proposals/{pid}/accept", {}).status_code == 200


def test_unauthenticated_is_refused(world) -> None:
    from django.test import Client

    assert Client().get("/api/v1/posture/proposals").status_code == 401
