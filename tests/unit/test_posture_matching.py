"""Matching vulnerabilities to components (CPE, names) and techniques to assets."""

from __future__ import annotations

from aisms.domain.posture.matching import (
    CONFIDENCE,
    AssetFacts,
    ComponentFacts,
    MatchMethod,
    VulnerabilityFacts,
    match_component,
    match_components,
    match_technique,
    parent_uid,
    parse_criteria,
    related_uids,
)
from aisms.domain.threat_suggestions import ThreatRule

DJANGO_RANGE = {
    "criteria": "cpe:2.3:a:djangoproject:django:*:*:*:*:*:*:*:*",
    "vulnerable": True,
    "versionStartIncluding": "4.2",
    "versionEndExcluding": "4.2.8",
}


def component(
    cid: int = 1,
    *,
    vendor: str = "Django Software Foundation",
    product: str = "Django",
    version: str = "4.2.7",
    cpe: str = "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*",
) -> ComponentFacts:
    return ComponentFacts(id=cid, asset_id=10 + cid, vendor=vendor, product=product, version=version, cpe=cpe)


def test_cpe_match_with_range_is_certain() -> None:
    found = match_component(component(), VulnerabilityFacts("CVE-2023-46695", [DJANGO_RANGE]))
    assert found is not None
    assert found.method is MatchMethod.CPE
    assert found.confidence == CONFIDENCE["cpe"]
    assert not found.possible
    assert "4.2.7 is within >= 4.2, < 4.2.8" in found.reason


def test_cpe_mismatch_is_final_even_when_names_agree() -> None:
    fixed = component(cpe="cpe:2.3:a:djangoproject:django:4.2.8:*:*:*:*:*:*:*", version="4.2.8")
    assert match_component(fixed, VulnerabilityFacts("CVE-X", [DJANGO_RANGE], "Django", "Django")) is None


def test_name_fallback_uses_the_component_version() -> None:
    no_cpe = component(cpe="")
    found = match_component(no_cpe, VulnerabilityFacts("CVE-X", [DJANGO_RANGE]))
    assert found is not None
    assert found.method is MatchMethod.NAME
    assert found.confidence == CONFIDENCE["name-version"] < CONFIDENCE["cpe"]
    assert (
        match_component(component(cpe="", version="5.0"), VulnerabilityFacts("CVE-X", [DJANGO_RANGE])) is None
    )
    unknown = match_component(component(cpe="", version=""), VulnerabilityFacts("CVE-X", [DJANGO_RANGE]))
    assert unknown is not None
    assert unknown.possible
    assert unknown.confidence == CONFIDENCE["name-possible"]


def test_kev_entry_without_nvd_record_matches_by_names_only() -> None:
    vuln = VulnerabilityFacts("CVE-2024-0001", (), vendor_project="Apache", product="Airflow")
    airflow = component(
        2,
        vendor="Apache Software Foundation",
        product="Airflow",
        version="2.7.3",
        cpe="cpe:2.3:a:apache:airflow:2.7.3:*:*:*:*:*:*:*",
    )
    found = match_component(airflow, vuln)
    assert found is not None
    assert found.method is MatchMethod.NAME
    assert found.possible
    assert match_component(component(), vuln) is None


def test_match_components_and_criteria_problems() -> None:
    criteria, problems = parse_criteria([DJANGO_RANGE, {"criteria": "junk"}, {"vulnerable": True}])
    assert len(criteria) == 1
    assert len(problems) == 2
    assert "cpe_matches[1]" in problems[0]
    hits = match_components(
        [component(1), component(2, version="3.2", cpe="cpe:2.3:a:djangoproject:django:3.2:*:*:*:*:*:*:*")],
        VulnerabilityFacts("CVE-X", [DJANGO_RANGE]),
    )
    assert [h.component_id for h in hits] == [1]


def test_parent_and_related_uids() -> None:
    assert parent_uid("atlas:AML.T0051.001") == "atlas:AML.T0051"
    assert parent_uid("attack:T1059.003") == "attack:T1059"
    assert parent_uid("atlas:AML.T0051") is None
    assert parent_uid("owasp-llm:2025:LLM01") is None
    related = related_uids("atlas:AML.T0051.000", {"atlas:AML.T0051": frozenset({"owasp-llm:2025:LLM01"})})
    assert related == {"atlas:AML.T0051.000", "atlas:AML.T0051", "owasp-llm:2025:LLM01"}


RULES = [
    ThreatRule(
        "untrusted", frozenset({"ai_system"}), {"reads_untrusted_content": True}, "why", ("atlas:AML.T0051",)
    ),
    ThreatRule("store", frozenset({"vector_store"}), {}, "why", ("atlas:AML.T0070",)),
]
TRIAGE = AssetFacts(1, "Triage", "ai_system", True, True, True, {"reads_untrusted_content": True})


def test_technique_via_rule_and_via_risk() -> None:
    by_rule = match_technique("atlas:AML.T0051.001", TRIAGE, RULES, {})
    assert by_rule is not None
    assert not by_rule.covered
    assert by_rule.rule_ids == ("untrusted",)
    assert by_rule.confidence == CONFIDENCE["technique-rule"]
    by_risk = match_technique(
        "atlas:AML.T0051", TRIAGE, RULES, {7: "atlas:AML.T0051", 8: "owasp-ml:2023:ML01"}
    )
    assert by_risk is not None
    assert by_risk.covered
    assert by_risk.risk_ids == (7,)
    # an OWASP risk covers the ATLAS technique it is linked to
    linked = match_technique(
        "atlas:AML.T0051",
        TRIAGE,
        [],
        {9: "owasp-llm:2025:LLM01"},
        {"atlas:AML.T0051": frozenset({"owasp-llm:2025:LLM01"})},
    )
    assert linked is not None
    assert linked.risk_ids == (9,)


def test_technique_that_concerns_nothing() -> None:
    assert match_technique("atlas:AML.T0070", TRIAGE, RULES, {}) is None
    closed = AssetFacts(1, "Triage", "ai_system", True, True, True, {"reads_untrusted_content": None})
    assert match_technique("atlas:AML.T0051", closed, RULES, {}) is None  # unknown never matches
