"""Proposal rules, one by one, and the rules file."""

from __future__ import annotations

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.posture_rules import load_builtin_rules, parse_rules
from aisms.domain.posture.matching import AssetFacts
from aisms.domain.posture.rules import (
    CveFacts,
    MatchFacts,
    PostureRule,
    ProposalKind,
    RiskFacts,
    RuleSet,
    TechniqueFacts,
    Trigger,
    headline,
    impact_from_cia,
    merge,
    propose_for_cve,
    propose_for_technique,
    raised,
)

KEV = PostureRule("kev", Trigger.KEV_LISTED, "KEV", "why", raise_by=1, raise_to_at_least=4)
EPSS = PostureRule(
    "epss",
    Trigger.EPSS_THRESHOLD,
    "EPSS",
    "why",
    min_confidence=0.5,
    epss_at_least=0.1,
    percentile_at_least=0.9,
)
CRIT = PostureRule("crit", Trigger.CRITICAL_EXPOSED, "Critical", "why", cvss_at_least=9.0)
UNCOVERED = PostureRule(
    "unc",
    Trigger.TECHNIQUE_UNCOVERED,
    "Uncovered",
    "why",
    min_confidence=0.7,
    ai_assets_only=True,
    new_risk_likelihood=3,
)
COVERED = PostureRule(
    "cov",
    Trigger.TECHNIQUE_COVERED,
    "Covered",
    "why",
    ai_assets_only=True,
    raise_by=0,
    item_kinds=frozenset({"report"}),
)


def ruleset(*rules: PostureRule) -> RuleSet:
    return RuleSet("t", rules, frozenset({"atlas:AML.T0049"}), ("vulnerab", "cve"))


PORTAL = AssetFacts(
    1, "Patient portal", "application", False, True, True, {}, 5, ("very_high", "high", "high")
)
CERTAIN = MatchFacts(
    "Django 4.2.7", "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*", "cpe", 1.0, False, "in range"
)
VULN_RISK = RiskFacts(
    20, "R-010", "Portal web stack", 2, 4, custom_threat="Exploitation of a known vulnerability"
)
OTHER_RISK = RiskFacts(21, "R-011", "AI suggests vulnerable code", 3, 3, custom_threat="Insecure suggestions")


def cve(**kw: object) -> CveFacts:
    return CveFacts(item_id=100, cve_id="CVE-2024-1", title="t", **kw)  # type: ignore[arg-type]


def test_kev_raises_linked_vulnerability_risks_to_at_least_n() -> None:
    drafts = propose_for_cve(
        ruleset(KEV),
        cve(in_kev=True, kev_date_added="2024-05-01"),
        PORTAL,
        CERTAIN,
        [VULN_RISK, OTHER_RISK],
        5,
        5,
    )
    assert len(drafts) == 1
    d = drafts[0]
    assert d.kind is ProposalKind.RAISE_LIKELIHOOD
    assert d.risk_id == 20
    assert (d.current_likelihood, d.proposed_likelihood) == (2, 4)
    assert d.evidence[0].key == "kev|CVE-2024-1|risk:20"
    assert "added to the CISA KEV catalogue on 2024-05-01" in d.evidence[0].summary
    assert "Django 4.2.7 on Patient portal" in d.evidence[0].summary


def test_not_in_kev_or_out_of_scope_gives_nothing() -> None:
    assert propose_for_cve(ruleset(KEV), cve(in_kev=False), PORTAL, CERTAIN, [VULN_RISK], 5, 5) == []
    out = AssetFacts(1, "Lab", "application", False, False, True)
    assert propose_for_cve(ruleset(KEV), cve(in_kev=True), out, CERTAIN, [VULN_RISK], 5, 5) == []


def test_already_at_the_level_gives_nothing() -> None:
    high = RiskFacts(20, "R-010", "t", 5, 4, threat_uid="atlas:AML.T0049")
    assert propose_for_cve(ruleset(KEV), cve(in_kev=True), PORTAL, CERTAIN, [high], 5, 5) == []


def test_epss_threshold_by_probability_or_percentile() -> None:
    rules = ruleset(EPSS)
    assert (
        propose_for_cve(rules, cve(epss=0.09, epss_percentile=0.5), PORTAL, CERTAIN, [VULN_RISK], 5, 5) == []
    )
    by_prob = propose_for_cve(rules, cve(epss=0.1), PORTAL, CERTAIN, [VULN_RISK], 5, 5)
    assert by_prob[0].proposed_likelihood == 3
    by_pct = propose_for_cve(rules, cve(epss=0.02, epss_percentile=0.95), PORTAL, CERTAIN, [VULN_RISK], 5, 5)
    assert "percentile" in by_pct[0].evidence[0].summary
    weak = MatchFacts("x", "", "name", 0.4, True, "names")
    assert (
        propose_for_cve(rules, cve(epss=0.5), PORTAL, weak, [VULN_RISK], 5, 5) == []
    )  # below min confidence


def test_critical_cvss_needs_an_exposed_asset() -> None:
    rules = ruleset(CRIT)
    assert (
        propose_for_cve(rules, cve(cvss=9.8), PORTAL, CERTAIN, [VULN_RISK], 5, 5)[0].proposed_likelihood == 3
    )
    internal = AssetFacts(1, "Warehouse", "information", False, True, False)
    assert propose_for_cve(rules, cve(cvss=9.8), internal, CERTAIN, [VULN_RISK], 5, 5) == []
    assert propose_for_cve(rules, cve(cvss=8.9), PORTAL, CERTAIN, [VULN_RISK], 5, 5) == []


def test_rules_do_not_add_up_the_highest_wins_and_evidence_is_kept() -> None:
    drafts = propose_for_cve(
        ruleset(KEV, EPSS, CRIT), cve(in_kev=True, epss=0.6, cvss=9.8), PORTAL, CERTAIN, [VULN_RISK], 5, 5
    )
    assert len(drafts) == 1
    assert drafts[0].proposed_likelihood == 4
    assert [e.rule_id for e in drafts[0].evidence] == ["kev", "epss", "crit"]


def test_no_vulnerability_risk_proposes_a_new_risk() -> None:
    drafts = propose_for_cve(ruleset(KEV), cve(in_kev=True), PORTAL, CERTAIN, [OTHER_RISK], 5, 5)
    assert len(drafts) == 1
    d = drafts[0]
    assert d.kind is ProposalKind.NEW_RISK
    assert d.risk_id is None
    assert d.proposed_likelihood == 4
    assert d.proposed_impact == 5
    assert "CVE-2024-1" in d.custom_threat
    assert "Django 4.2.7" in d.custom_threat


def test_possible_match_asks_for_review() -> None:
    possible = MatchFacts("Airflow", "", "cpe", 0.6, True, "version unknown")
    drafts = propose_for_cve(ruleset(KEV), cve(in_kev=True), PORTAL, possible, [VULN_RISK], 5, 5)
    assert drafts[0].kind is ProposalKind.REVIEW
    assert drafts[0].evidence[0].possible


def tech(
    covering: tuple[int, ...] = (), kind: str = "attack-pattern", confidence: float = 0.75
) -> TechniqueFacts:
    return TechniqueFacts(
        200, kind, "New jailbreak", "atlas:AML.T0054", "LLM Jailbreak", confidence, "rule", covering
    )


TRIAGE = AssetFacts(
    2, "Triage Assistant", "ai_system", True, True, True, {}, 5, ("very_high", "very_high", "high")
)


def test_uncovered_technique_on_ai_asset_proposes_a_new_risk() -> None:
    drafts = propose_for_technique(ruleset(UNCOVERED), tech(), TRIAGE, [], 5, 5)
    assert len(drafts) == 1
    d = drafts[0]
    assert d.kind is ProposalKind.NEW_RISK
    assert d.technique_uid == "atlas:AML.T0054"
    assert (d.proposed_likelihood, d.proposed_impact) == (3, 5)
    assert d.evidence[0].key == "unc|atlas:AML.T0054|asset:2"


def test_uncovered_rule_ignores_non_ai_assets_weak_matches_and_covered_techniques() -> None:
    assert propose_for_technique(ruleset(UNCOVERED), tech(), PORTAL, [], 5, 5) == []
    assert propose_for_technique(ruleset(UNCOVERED), tech(confidence=0.5), TRIAGE, [], 5, 5) == []
    risk = RiskFacts(30, "R-001", "Prompt injection", 3, 4, "atlas:AML.T0054")
    assert propose_for_technique(ruleset(UNCOVERED), tech((30,)), TRIAGE, [risk], 5, 5) == []


def test_covered_technique_reported_gives_a_review_of_that_risk() -> None:
    risk = RiskFacts(30, "R-001", "Prompt injection", 3, 4, "atlas:AML.T0054")
    drafts = propose_for_technique(ruleset(COVERED), tech((30,), kind="report"), TRIAGE, [risk], 5, 5)
    assert len(drafts) == 1
    assert drafts[0].kind is ProposalKind.REVIEW
    assert drafts[0].risk_id == 30
    assert drafts[0].proposed_likelihood == 3
    assert propose_for_technique(ruleset(COVERED), tech((30,), kind="tool"), TRIAGE, [risk], 5, 5) == []


def test_merge_keeps_one_proposal_per_risk() -> None:
    a = propose_for_cve(ruleset(KEV), cve(in_kev=True), PORTAL, CERTAIN, [VULN_RISK], 5, 5)
    b = propose_for_cve(
        ruleset(EPSS), CveFacts(101, "CVE-2024-2", "t", epss=0.5), PORTAL, CERTAIN, [VULN_RISK], 5, 5
    )
    merged = merge(a + b)
    assert len(merged) == 1
    assert merged[0].proposed_likelihood == 4
    assert len(merged[0].evidence) == 2


def test_helpers() -> None:
    assert raised(2, KEV, 5) == 4
    assert raised(4, KEV, 5) == 5
    assert raised(5, KEV, 5) == 5
    assert impact_from_cia(["low"], 5) == 2
    assert impact_from_cia(["low", "very_high"], 5) == 5
    assert impact_from_cia([], 5) == 3
    assert impact_from_cia(["medium"], 3) == 2
    ev = propose_for_cve(ruleset(KEV), cve(in_kev=True), PORTAL, CERTAIN, [VULN_RISK], 5, 5)[0].evidence[0]
    line = headline(ev.as_dict())
    assert line == "CVE-2024-1 added to CISA KEV (affects Django 4.2.7 on Patient portal)"
    assert len(headline(ev.as_dict(), limit=40)) <= 40


def test_builtin_rules_file_loads() -> None:
    rules = load_builtin_rules()
    assert {r.trigger for r in rules.rules} == set(Trigger)
    epss = next(r for r in rules.rules if r.trigger is Trigger.EPSS_THRESHOLD)
    assert (epss.epss_at_least, epss.percentile_at_least) == (0.1, 0.9)


HEAD = """catalogue: posture-rules
version: "1"
title: t
source: {publisher: p, url: u, licence: l}
vulnerability_risks: {threats: [], keywords: [cve]}
rules:
"""


def test_rules_file_errors_name_line_and_field() -> None:
    with pytest.raises(CatalogueError, match=r"x.yaml, line 7.*epss_at_least"):
        parse_rules(HEAD + "  - id: e\n    trigger: epss-threshold\n    title: t\n    why: w\n", "x.yaml")
    with pytest.raises(CatalogueError, match="duplicate rule id"):
        parse_rules(HEAD + "  - {id: a, trigger: kev-listed, title: t, why: w}\n" * 2, "x.yaml")
    with pytest.raises(CatalogueError, match=r"x\.yaml"):
        parse_rules(HEAD + "  - {id: a, trigger: nonsense, title: t, why: w}\n", "x.yaml")
