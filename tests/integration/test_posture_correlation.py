"""Correlation: intel events -> matches -> proposals; idempotent re-runs; supersede; emerging threats."""

from __future__ import annotations

import pytest

from aisms.apps.intel.models import IntelEvent
from aisms.apps.posture.correlation import correlate
from aisms.apps.posture.models import AssetIntelMatch, Proposal, ProposalKind, ProposalStatus
from tests.posture_world import DJANGO_RANGE, add_cve, add_technique_item, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    return build_world()


def test_kev_cve_on_a_component_matches_and_proposes_raising_the_linked_risk(world) -> None:
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], in_kev=True, cvss=7.5, product="Django")
    result = correlate()
    match = AssetIntelMatch.objects.get(asset=world.portal)
    assert match.method == "cpe"
    assert match.confidence == 1.0
    assert match.component.product == "Django"
    assert match.vulnerability.cve_id == "CVE-2023-46695"
    proposal = Proposal.objects.get(risk=world.vuln_risk)
    assert proposal.kind == ProposalKind.RAISE_LIKELIHOOD
    assert proposal.status == ProposalStatus.OPEN
    assert (proposal.current_likelihood, proposal.proposed_likelihood) == (2, 4)
    assert proposal.method_version == world.vuln_risk.method_version
    evidence = proposal.evidence[0]
    assert evidence["cve_id"] == "CVE-2023-46695"
    assert evidence["cpe"] == "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*"
    assert evidence["rule_id"] == "kev-listed"
    assert "Django 4.2.7 on Patient portal" in evidence["summary"]
    assert list(proposal.items.values_list("external_id", flat=True)) == ["CVE-2023-46695"]
    assert result.proposals_new >= 1
    assert not IntelEvent.objects.filter(processed_at__isnull=True).exists()


def test_component_without_cpe_matches_by_name_with_lower_confidence(world) -> None:
    nginx_range = {
        "criteria": "cpe:2.3:a:f5:nginx:*:*:*:*:*:*:*:*",
        "vulnerable": True,
        "versionEndExcluding": "1.25.3",
    }
    add_cve("CVE-2023-44487", cpe_matches=[nginx_range], epss=0.9)
    correlate()
    match = AssetIntelMatch.objects.get(asset=world.portal, vulnerability__cve_id="CVE-2023-44487")
    assert match.method == "name"
    assert match.confidence == 0.7
    assert not match.possible


def test_version_outside_the_range_gives_no_match(world) -> None:
    add_cve("CVE-2024-1", cpe_matches=[{**DJANGO_RANGE, "versionEndExcluding": "4.2.5"}], in_kev=True)
    correlate()
    assert not AssetIntelMatch.objects.exists()
    assert not Proposal.objects.exists()


def test_rerun_is_idempotent(world) -> None:
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], in_kev=True)
    correlate()
    before = (AssetIntelMatch.objects.count(), Proposal.objects.count())
    again = correlate()
    assert again.events == 0
    full = correlate(full=True)
    assert full.items >= 1
    assert full.matches_new == 0
    assert full.proposals_new == 0
    assert (AssetIntelMatch.objects.count(), Proposal.objects.count()) == before


def test_newer_proposal_for_the_same_risk_supersedes_and_carries_evidence(world) -> None:
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], epss=0.2)
    correlate()
    first = Proposal.objects.get(risk=world.vuln_risk)
    assert first.proposed_likelihood == 3
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], epss=0.2, in_kev=True, event="kev-added")
    correlate()
    first.refresh_from_db()
    second = Proposal.objects.get(risk=world.vuln_risk, status=ProposalStatus.OPEN)
    assert first.status == ProposalStatus.SUPERSEDED
    assert first.superseded_by == second
    assert second.proposed_likelihood == 4
    assert {e["rule_id"] for e in second.evidence} == {"kev-listed", "epss-high"}


def test_dismissed_match_no_longer_proposes(world) -> None:
    from aisms.apps.posture.services import dismiss_match

    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE])
    correlate()
    match = AssetIntelMatch.objects.get()
    dismiss_match(world.manager, match, reason="the admin site is not deployed")
    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE], in_kev=True, event="kev-added")
    correlate()
    assert not Proposal.objects.exists()


def test_uncovered_ai_technique_proposes_a_new_risk_and_covered_one_does_not(world) -> None:
    add_technique_item("AML.T0053", ["atlas:AML.T0053"])  # agent tool invocation: no risk covers it
    add_technique_item("AML.T0051.001", ["atlas:AML.T0051.001"])  # covered by the injection risk
    correlate()
    new = Proposal.objects.get(kind=ProposalKind.NEW_RISK)
    assert new.asset == world.assistant
    assert new.technique.uid == "atlas:AML.T0053"
    assert new.risk is None
    assert new.proposed_impact == 5
    covered = AssetIntelMatch.objects.get(technique_uid="atlas:AML.T0051.001")
    assert covered.confidence == 0.9
    assert not Proposal.objects.filter(technique_uid="atlas:AML.T0051.001").exists()
    # the portal is not an AI asset: no technique match there
    assert not AssetIntelMatch.objects.filter(asset=world.portal, method="technique").exists()


def test_covered_technique_in_a_report_asks_for_a_review(world) -> None:
    add_technique_item("report-1", ["atlas:AML.T0051"], kind="report", title="Injection wave")
    correlate()
    review = Proposal.objects.get(kind=ProposalKind.REVIEW)
    assert review.risk == world.injection_risk
    assert review.proposed_likelihood == world.injection_risk.current_likelihood


def test_kev_entry_without_nvd_record_gives_a_review(world) -> None:
    add_cve("CVE-2099-0001", in_kev=True, vendor="Django Software Foundation", product="Django")
    correlate()
    match = AssetIntelMatch.objects.get()
    assert match.possible
    assert match.method == "name"
    proposal = Proposal.objects.get()
    assert proposal.kind == ProposalKind.REVIEW
    assert proposal.evidence[0]["possible"] is True


def test_ingested_kev_and_nvd_files_end_to_end(world, tmp_path) -> None:
    """The intel engineer's parsers feed correlation: KEV through its NVD record."""
    import json

    from aisms.apps.intel.services import ingest_path

    nvd = {
        "resultsPerPage": 1,
        "startIndex": 0,
        "totalResults": 1,
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2026-11-01T00:00:00.000",
        "vulnerabilities": [
            {
                "cve": {
                    "id": "CVE-2023-46695",
                    "published": "2023-11-02T06:15:08.000",
                    "lastModified": "2023-11-10T00:00:00.000",
                    "vulnStatus": "Analyzed",
                    "descriptions": [{"lang": "en", "value": "Denial of service in Django forms."}],
                    "metrics": {
                        "cvssMetricV31": [
                            {
                                "type": "Primary",
                                "cvssData": {
                                    "version": "3.1",
                                    "baseScore": 7.5,
                                    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                                    "baseSeverity": "HIGH",
                                },
                            }
                        ]
                    },
                    "configurations": [
                        {
                            "nodes": [
                                {
                                    "operator": "OR",
                                    "negate": False,
                                    "cpeMatch": [{**DJANGO_RANGE, "matchCriteriaId": "0000"}],
                                }
                            ]
                        }
                    ],
                }
            }
        ],
    }
    kev = {
        "title": "CISA KEV",
        "catalogVersion": "2026.11.01",
        "dateReleased": "2026-11-01T00:00:00.000Z",
        "count": 1,
        "vulnerabilities": [
            {
                "cveID": "CVE-2023-46695",
                "vendorProject": "Django Software Foundation",
                "product": "Django",
                "vulnerabilityName": "Django denial of service",
                "dateAdded": "2026-11-01",
                "shortDescription": "Django forms can be made to use excessive CPU.",
                "requiredAction": "Update.",
                "dueDate": "2026-11-22",
                "knownRansomwareCampaignUse": "Unknown",
                "notes": "",
                "cwes": [],
            }
        ],
    }
    (tmp_path / "nvd.json").write_text(json.dumps(nvd))
    (tmp_path / "kev.json").write_text(json.dumps(kev))
    ingest_path(world.manager, "nvd", tmp_path / "nvd.json")
    ingest_path(world.manager, "kev", tmp_path / "kev.json")
    correlate()
    proposal = Proposal.objects.get(risk=world.vuln_risk, status=ProposalStatus.OPEN)
    assert proposal.proposed_likelihood == 4
    assert any(e["rule_id"] == "kev-listed" and e["method"] == "cpe" for e in proposal.evidence)


def test_novel_reports_are_clustered_into_emerging_threat_candidates(world, monkeypatch) -> None:
    """Items the classifier flags as novel are grouped (the classifier's own clustering) into candidates."""
    from aisms.apps.catalogue import technique_classifier
    from aisms.apps.intel.models import IntelItem, IntelSource
    from aisms.apps.posture.models import EmergingThreat
    from aisms.domain.classify import Classification

    def fake_classify(texts: list[str], k: int = 5, *, explain: bool = True) -> list[Classification]:
        novel = ["model card" in text for text in texts]
        return [Classification(ranked=(), novelty=0.9 if n else 0.1, is_novel=n) for n in novel]

    monkeypatch.setattr(technique_classifier, "classify_texts", fake_classify)
    source = IntelSource.objects.create(name="Sharing group", kind="text")
    texts = [
        (
            "Forged model card on a hub",
            "Attackers publish a forged model card claiming a clinical validation.",
        ),
        (
            "Model card spoofing again",
            "A spoofed model card misstates the training data of a clinical model.",
        ),
        ("Ordinary phishing", "Phishing e-mails ask staff for passwords."),
    ]
    from django.utils import timezone

    for n, (title, text) in enumerate(texts):
        item = IntelItem.objects.create(
            kind="report",
            external_id=f"rep-{n}",
            title=title,
            description=text,
            source=source,
            first_seen=timezone.now(),
            last_seen=timezone.now(),
        )
        IntelEvent.objects.create(kind="item-new", item=item, run=_ingest_run(), at=timezone.now())
    result = correlate()
    assert result.emerging_new == 1
    threat = EmergingThreat.objects.get()
    assert sorted(threat.items.values_list("external_id", flat=True)) == ["rep-0", "rep-1"]
    assert threat.sources == ["Sharing group"]
    assert any("model" in term for term in threat.key_terms)
    assert threat.novelty == 0.9
    # an update of a member does not make a second candidate
    IntelEvent.objects.create(
        kind="item-updated",
        item=IntelItem.objects.get(external_id="rep-0"),
        run=_ingest_run(),
        at=timezone.now(),
    )
    assert correlate().emerging_new == 0
    assert EmergingThreat.objects.count() == 1


def _ingest_run():
    from django.utils import timezone

    from aisms.apps.intel.models import IngestRun

    return IngestRun.objects.create(format="text", started_at=timezone.now(), status="succeeded")


def test_a_contributor_dismisses_matches_only_on_assets_they_own(world) -> None:
    from django.core.exceptions import PermissionDenied

    from aisms.apps.posture.services import dismiss_match

    add_cve("CVE-2023-46695", cpe_matches=[DJANGO_RANGE])
    correlate()
    match = AssetIntelMatch.objects.get()
    with pytest.raises(PermissionDenied):
        dismiss_match(world.contributor, match, reason="not deployed")
    match.refresh_from_db()
    assert not match.dismissed
    match.asset.owner = world.contributor
    match.asset.save()
    assert dismiss_match(world.contributor, match, reason="not deployed").dismissed
