"""Deciding proposals: accept re-scores with a history reason, reject needs a reason, only the owner or a
manager decides, new-risk proposals create the risk; emerging threats become custom catalogue threats."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.intel.models import IntelItem
from aisms.apps.posture import emerging, selectors, services
from aisms.apps.posture.correlation import correlate
from aisms.apps.posture.models import EmergingStatus, EmergingThreat, Proposal, ProposalKind, ProposalStatus
from aisms.apps.risks.models import Risk
from tests.factories import session_client
from tests.posture_world import DJANGO_RANGE, add_cve, add_technique_item, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    w = build_world()
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], in_kev=True)
    correlate()
    return w


def _proposal(world) -> Proposal:
    return Proposal.objects.get(risk=world.vuln_risk, status=ProposalStatus.OPEN)


def test_owner_accepts_and_the_risk_is_rescored_with_history(world) -> None:
    proposal = _proposal(world)
    services.accept_proposal(world.owner, proposal, reason="confirmed the admin is exposed")
    proposal.refresh_from_db()
    risk = Risk.objects.get(pk=world.vuln_risk.pk)
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.decided_by == world.owner
    assert proposal.resulting_risk == risk
    assert risk.current_likelihood == 4
    assert risk.inherent_likelihood == 4  # never below the current likelihood
    assert risk.current_level != world.vuln_risk.current_level
    record = risk.history.order_by("-history_date").first()
    assert record.history_user == world.owner
    assert record.history_change_reason == (
        f"Accepted proposal #{proposal.pk}: CVE-2023-46695 added to CISA KEV "
        "(affects Django 4.2.7 on Patient portal)"
    )
    assert [r.risk for r in selectors.recently_rescored(world.auditor)] == [risk]


def test_accept_with_a_chosen_likelihood(world) -> None:
    services.accept_proposal(world.manager, _proposal(world), likelihood=3)
    assert Risk.objects.get(pk=world.vuln_risk.pk).current_likelihood == 3


def test_reject_needs_a_reason_and_changes_no_score(world) -> None:
    proposal = _proposal(world)
    with pytest.raises(ValidationError):
        services.reject_proposal(world.owner, proposal, reason="  ")
    services.reject_proposal(world.owner, proposal, reason="the vulnerable view is disabled")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert proposal.reason == "the vulnerable view is disabled"
    assert Risk.objects.get(pk=world.vuln_risk.pk).current_likelihood == 2
    with pytest.raises(ValidationError):
        services.accept_proposal(world.owner, proposal)  # already decided


@pytest.mark.parametrize("who", ["other_owner", "contributor", "auditor"])
def test_only_the_owner_or_a_manager_decides(world, who) -> None:
    proposal = _proposal(world)
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.accept_proposal(actor, proposal)
    with pytest.raises(PermissionDenied):
        services.reject_proposal(actor, proposal, reason="no")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert Risk.objects.get(pk=world.vuln_risk.pk).current_likelihood == 2


def test_new_risk_proposal_creates_a_risk_with_the_technique(world) -> None:
    add_technique_item("AML.T0053", ["atlas:AML.T0053"])
    correlate()
    proposal = Proposal.objects.get(kind=ProposalKind.NEW_RISK)
    services.accept_proposal(world.owner, proposal)
    proposal.refresh_from_db()
    risk = proposal.resulting_risk
    assert risk.threat.uid == "atlas:AML.T0053"
    assert list(risk.assets.all()) == [world.assistant]
    assert risk.owner == world.owner
    assert (risk.current_likelihood, risk.current_impact) == (3, 5)
    assert risk.history.earliest("history_date").history_change_reason.startswith(
        f"Accepted proposal #{proposal.pk}:"
    )


def test_web_accept_and_reject_forms(world) -> None:
    proposal = _proposal(world)
    client = session_client(world.owner)
    page = client.get("/posture/")
    assert page.status_code == 200
    assert f"#{proposal.pk}" in page.content.decode()
    bad = client.post(f"/posture/proposals/{proposal.pk}/reject/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "This field is required" in bad.content.decode()
    ok = client.post(f"/posture/proposals/{proposal.pk}/accept/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert "Accepted" in ok.content.decode()
    assert Risk.objects.get(pk=world.vuln_risk.pk).current_likelihood == 4
    assert client.get(f"/posture/proposals/{proposal.pk}/").status_code == 200
    asset_page = client.get(world.portal.get_absolute_url()).content.decode()
    assert "Threat intelligence concerning this asset" in asset_page
    assert "CVE-2023-46695" in asset_page


def test_denied_web_decision_changes_nothing(world) -> None:
    proposal = _proposal(world)
    response = session_client(world.other_owner).post(
        f"/posture/proposals/{proposal.pk}/accept/", {"reason": ""}
    )
    assert response.status_code == 422
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def _candidate() -> EmergingThreat:
    item = IntelItem.objects.create(
        kind="report",
        external_id="r-1",
        title="Model-card spoofing",
        first_seen="2026-11-01T00:00Z",
        last_seen="2026-11-01T00:00Z",
    )
    threat = EmergingThreat.objects.create(
        fingerprint="f1", key_terms=["model card", "spoofing"], sources=["x"]
    )
    threat.items.set([item])
    return threat


def test_emerging_threat_becomes_a_custom_catalogue_threat(world) -> None:
    threat = _candidate()
    with pytest.raises(PermissionDenied):
        emerging.accept_emerging(world.owner, threat, name="Model card spoofing")
    with pytest.raises(ValidationError):
        emerging.accept_emerging(world.manager, threat)  # not named yet
    emerging.name_emerging(world.contributor, threat, name="Model card spoofing", summary="Forged cards.")
    entry = emerging.accept_emerging(world.manager, threat)
    assert entry.uid == "custom:model-card-spoofing"
    assert entry.source.key == "custom"
    assert entry.attributes["key_terms"] == ["model card", "spoofing"]
    threat.refresh_from_db()
    assert threat.status == EmergingStatus.ACCEPTED
    assert threat.catalogue_uid == entry.uid
    second = EmergingThreat.objects.create(fingerprint="f2", name="Model card spoofing")
    assert emerging.accept_emerging(world.manager, second).uid == "custom:model-card-spoofing-2"
    assert CatalogueEntry.objects.filter(source__key="custom").count() == 2


def test_dismiss_emerging_needs_a_reason(world) -> None:
    threat = _candidate()
    with pytest.raises(ValidationError):
        emerging.dismiss_emerging(world.manager, threat, reason="")
    emerging.dismiss_emerging(world.manager, threat, reason="a known phishing variant")
    threat.refresh_from_db()
    assert threat.status == EmergingStatus.DISMISSED


def test_emerging_pages_name_accept_and_dismiss(world) -> None:
    threat = _candidate()
    manager = session_client(world.manager)
    page = manager.get(threat.get_absolute_url()).content.decode()
    assert "model card" in page
    assert "Turn into a custom threat" in page
    auditor_page = session_client(world.auditor).get(threat.get_absolute_url()).content.decode()
    assert "Turn into a custom threat" not in auditor_page
    denied = session_client(world.auditor).post(f"/posture/emerging/{threat.pk}/accept/", {"name": "X"})
    assert denied.status_code == 403
    assert not CatalogueEntry.objects.filter(source__key="custom").exists()
    manager.post(f"/posture/emerging/{threat.pk}/accept/", {"name": "Model card spoofing", "summary": ""})
    threat.refresh_from_db()
    assert threat.catalogue_uid == "custom:model-card-spoofing"
    listing = manager.get("/posture/proposals/?status=open")
    assert listing.status_code == 200
    assert world.vuln_risk.ref in listing.content.decode()


def test_the_overview_shows_five_decision_cards_and_lists_the_rest_of_the_users_proposals(world) -> None:
    for ref in (
        "AML.T0051",
        "AML.T0053",
        "AML.T0054",
        "AML.T0056",
        "AML.T0057",
        "AML.T0024",
        "AML.T0020",
        "AML.T0043",
        "AML.T0015",
        "AML.T0029",
        "AML.T0040",
        "AML.T0044",
    ):
        add_technique_item(ref, [f"atlas:{ref}"])
    correlate()
    waiting = [
        p
        for p in selectors.proposals(world.owner, status=ProposalStatus.OPEN)
        if services.may_decide(world.owner, p) and p.responsible_id == world.owner.pk
    ]
    assert len(waiting) > 5
    html = session_client(world.owner).get("/posture/").content.decode()
    assert html.count('<article class="card proposal-card') == 5
    more = html.split("More waiting for your decision", 1)[1]
    for proposal in waiting[5:]:
        assert f'href="/posture/proposals/{proposal.pk}/">#{proposal.pk}</a>' in more  # none is hidden
