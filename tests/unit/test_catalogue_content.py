"""The shipped reference catalogue: complete, consistent and correctly cross-referenced.

Pure Python (no database): everything is read through ``aisms.catalogue.loader.load_builtin()``.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources

import pytest

from aisms.catalogue.loader import CATALOGUE_FILES, load_builtin, parse_catalogue_file
from aisms.catalogue.model import AI_THREAT_CATALOGUES, PREFIXES, Catalogue, Entry, Relation
from aisms.catalogue.schema import ATTRIBUTE_VOCABULARY, THEMES

ISO27002_RANGES = {"5": 37, "6": 8, "7": 14, "8": 34}
THEME_OF_CLAUSE = {"5": "organizational", "6": "people", "7": "physical", "8": "technological"}

ISO27001_CLAUSES = {
    "4": ["4.1", "4.2", "4.3", "4.4"],
    "5": ["5.1", "5.2", "5.3"],
    "6": ["6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3"],
    "7": ["7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3"],
    "8": ["8.1", "8.2", "8.3"],
    "9": ["9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3"],
    "10": ["10.1", "10.2"],
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_builtin()


def _links(catalogue: Catalogue, source_uid: str, relation: Relation) -> list:
    return [link for link in catalogue.links if link.source_uid == source_uid and link.relation is relation]


def _ai_threats(catalogue: Catalogue) -> list[Entry]:
    """ATLAS parent techniques and every OWASP LLM/ML entry: the threats the crosswalks must cover."""
    parents = [e for e in catalogue.of("atlas", "technique") if e.parent_uid is None]
    return parents + catalogue.of("owasp-llm") + catalogue.of("owasp-ml")


# ---------------------------------------------------------------- ISO/IEC 27002


def test_iso27002_has_exactly_the_93_controls_numbered_5_1_to_8_34(catalogue: Catalogue) -> None:
    controls = catalogue.of("iso27002")
    expected = {f"{clause}.{n}" for clause, count in ISO27002_RANGES.items() for n in range(1, count + 1)}

    refs = [e.ref for e in controls]

    assert len(controls) == 93
    assert len(set(refs)) == 93
    assert set(refs) == expected
    assert all(e.kind == "control" for e in controls)


def test_iso27002_themes_have_the_published_counts(catalogue: Catalogue) -> None:
    themes = Counter(e.attributes["theme"] for e in catalogue.of("iso27002"))

    assert themes == {"organizational": 37, "people": 8, "physical": 14, "technological": 34}
    assert set(themes) == set(THEMES)


def test_iso27002_theme_matches_the_clause_number(catalogue: Catalogue) -> None:
    wrong = [
        (e.ref, e.attributes["theme"])
        for e in catalogue.of("iso27002")
        if e.attributes["theme"] != THEME_OF_CLAUSE[e.ref.split(".")[0]]
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("5.7", "Threat intelligence"),
        ("5.23", "Information security for use of cloud services"),
        ("6.7", "Remote working"),
        ("7.4", "Physical security monitoring"),
        ("8.16", "Monitoring activities"),
        ("8.28", "Secure coding"),
    ],
)
def test_iso27002_controls_new_in_2022_carry_their_titles(catalogue: Catalogue, ref: str, name: str) -> None:
    assert catalogue.entries[f"iso27002:2022:{ref}"].name == name


def test_iso27002_attribute_values_are_within_the_vocabulary(catalogue: Catalogue) -> None:
    outside: list[tuple[str, str, object]] = []
    for entry in catalogue.of("iso27002"):
        for dimension, values in entry.attributes.items():
            if dimension == "theme":
                continue
            allowed = ATTRIBUTE_VOCABULARY.get(dimension)
            if allowed is None:
                outside.append((entry.ref, dimension, values))
                continue
            outside.extend((entry.ref, dimension, v) for v in values if v not in allowed)
    assert outside == []


def test_iso27002_every_control_has_every_attribute_dimension(catalogue: Catalogue) -> None:
    missing = [
        (e.ref, dimension)
        for e in catalogue.of("iso27002")
        for dimension in ATTRIBUTE_VOCABULARY
        if not e.attributes.get(dimension)
    ]
    assert missing == []


# ---------------------------------------------------------------- ISO/IEC 27001


def test_iso27001_has_clauses_4_to_10_with_their_sub_clauses(catalogue: Catalogue) -> None:
    refs = {e.ref for e in catalogue.of("iso27001")}
    expected = set(ISO27001_CLAUSES) | {s for subs in ISO27001_CLAUSES.values() for s in subs}

    assert refs == expected
    for clause in ISO27001_CLAUSES:
        assert catalogue.entries[f"iso27001:2022:{clause}"].parent_uid is None


def test_iso27001_sub_clauses_hang_under_the_clause_their_number_names(catalogue: Catalogue) -> None:
    for entry in catalogue.of("iso27001"):
        if "." not in entry.ref:
            continue
        expected_parent = f"iso27001:2022:{entry.ref.rsplit('.', 1)[0]}"
        assert entry.parent_uid == expected_parent, entry.ref
        assert entry.parent_uid in catalogue.entries
        assert catalogue.entries[entry.parent_uid].catalogue == "iso27001"


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("4", "Context of the organization"),
        ("6.1.2", "Information security risk assessment"),
        ("6.3", "Planning of changes"),
        ("9.2", "Internal audit"),
        ("10.1", "Continual improvement"),
        ("10.2", "Nonconformity and corrective action"),
    ],
)
def test_iso27001_clause_titles(catalogue: Catalogue, ref: str, name: str) -> None:
    assert catalogue.entries[f"iso27001:2022:{ref}"].name == name


# ---------------------------------------------------------------- identifiers and links


def test_every_uid_carries_its_catalogue_prefix_and_ref(catalogue: Catalogue) -> None:
    assert {e.catalogue for e in catalogue.entries.values()} == set(CATALOGUE_FILES)
    wrong = [
        uid
        for uid, e in catalogue.entries.items()
        if uid != e.uid or e.uid != f"{PREFIXES[e.catalogue]}:{e.ref}"
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("catalogue_key", "prefix"),
    [
        ("iso27001", "iso27001:2022:"),
        ("iso27002", "iso27002:2022:"),
        ("atlas", "atlas:AML."),
        ("owasp-llm", "owasp-llm:2025:LLM"),
        ("owasp-ml", "owasp-ml:2023:ML"),
        ("iso42001", "iso42001:2023:"),
        ("nist-ai-rmf", "nist-ai-rmf:1.0:"),
        ("eu-ai-act", "eu-ai-act:2024:"),
    ],
)
def test_uid_prefix_per_catalogue(catalogue: Catalogue, catalogue_key: str, prefix: str) -> None:
    entries = catalogue.of(catalogue_key)
    assert entries, catalogue_key
    assert [e.uid for e in entries if not e.uid.startswith(prefix)] == []


def test_every_uid_is_unique_across_all_files(catalogue: Catalogue) -> None:
    """The catalogue is a dict keyed by uid, so count what each file holds before merging."""
    total = 0
    all_uids: list[str] = []
    for key, filename in CATALOGUE_FILES.items():
        text = resources.files("aisms.catalogue").joinpath("data", filename).read_text(encoding="utf-8")
        _, entries, _ = parse_catalogue_file(key, text, filename)
        total += len(entries)
        all_uids.extend(e.uid for e in entries)

    assert len(set(all_uids)) == total
    assert len(catalogue.entries) == total


@pytest.mark.parametrize(
    ("catalogue_key", "count"),
    [("owasp-llm", 10), ("owasp-ml", 10)],
)
def test_owasp_lists_hold_ten_numbered_entries(catalogue: Catalogue, catalogue_key: str, count: int) -> None:
    stem = "LLM" if catalogue_key == "owasp-llm" else "ML"
    assert sorted(e.ref for e in catalogue.of(catalogue_key)) == [
        f"{stem}{n:02d}" for n in range(1, count + 1)
    ]


def test_every_link_source_and_target_exists(catalogue: Catalogue) -> None:
    dangling = [
        (link.source_uid, link.target_uid, link.relation.value)
        for link in catalogue.links
        if link.source_uid not in catalogue.entries or link.target_uid not in catalogue.entries
    ]
    assert catalogue.links
    assert dangling == []


def test_every_link_relation_joins_the_right_kinds(catalogue: Catalogue) -> None:
    """tactic: technique->tactic; mitigates: mitigation->technique; related-technique: OWASP->technique;
    treated-by: threat->27002 control; maps-to: threat->42001 control or NIST AI RMF category."""
    allowed = {
        Relation.TACTIC: ({("atlas", "technique")}, {("atlas", "tactic")}),
        Relation.MITIGATES: ({("atlas", "mitigation")}, {("atlas", "technique")}),
        Relation.RELATED_TECHNIQUE: ({("owasp-llm", "risk"), ("owasp-ml", "risk")}, {("atlas", "technique")}),
        Relation.TREATED_BY: (
            {("atlas", "technique"), ("owasp-llm", "risk"), ("owasp-ml", "risk")},
            {("iso27002", "control")},
        ),
        Relation.MAPS_TO: (
            {("atlas", "technique"), ("owasp-llm", "risk"), ("owasp-ml", "risk")},
            {("iso42001", "control"), ("nist-ai-rmf", "category")},
        ),
    }
    wrong = []
    for link in catalogue.links:
        source, target = catalogue.entries[link.source_uid], catalogue.entries[link.target_uid]
        sources, targets = allowed[link.relation]
        if (source.catalogue, source.kind) not in sources or (target.catalogue, target.kind) not in targets:
            wrong.append((link.source_uid, link.target_uid, link.relation.value))
    assert wrong == []


def test_no_link_is_listed_twice(catalogue: Catalogue) -> None:
    """The database keeps one row per (source, target, relation); the catalogue should too."""
    counts = Counter((link.source_uid, link.target_uid, link.relation.value) for link in catalogue.links)
    assert [key for key, n in counts.items() if n > 1] == []


# ---------------------------------------------------------------- MITRE ATLAS


def test_atlas_identifiers_follow_the_atlas_pattern_per_kind(catalogue: Catalogue) -> None:
    patterns = {
        "tactic": r"AML\.TA\d{4}",
        "technique": r"AML\.T\d{4}(\.\d{3})?",
        "mitigation": r"AML\.M\d{4}",
    }
    wrong = [(e.ref, e.kind) for e in catalogue.of("atlas") if not re.fullmatch(patterns[e.kind], e.ref)]
    assert wrong == []
    assert {e.kind for e in catalogue.of("atlas")} == {"tactic", "technique", "mitigation"}


def test_every_atlas_technique_has_a_tactic_or_a_parent(catalogue: Catalogue) -> None:
    with_tactic = {link.source_uid for link in catalogue.links if link.relation is Relation.TACTIC}
    orphans = [
        e.ref for e in catalogue.of("atlas", "technique") if e.parent_uid is None and e.uid not in with_tactic
    ]
    assert orphans == []


def test_every_atlas_sub_technique_hangs_under_a_parent_technique(catalogue: Catalogue) -> None:
    subs = [e for e in catalogue.of("atlas", "technique") if e.parent_uid is not None]
    assert subs
    for sub in subs:
        parent = catalogue.entries[sub.parent_uid]
        assert parent.catalogue == "atlas", sub.ref
        assert parent.kind == "technique", sub.ref
        assert parent.parent_uid is None, sub.ref  # no sub-sub-techniques
        assert sub.ref.startswith(parent.ref + "."), sub.ref
    assert all(e.parent_uid is None for e in catalogue.of("atlas") if e.kind != "technique")


def test_every_atlas_mitigation_mitigates_at_least_one_technique(catalogue: Catalogue) -> None:
    bare = [
        e.ref for e in catalogue.of("atlas", "mitigation") if not _links(catalogue, e.uid, Relation.MITIGATES)
    ]
    assert bare == []


# ---------------------------------------------------------------- crosswalks


def test_every_ai_threat_is_treated_by_an_iso27002_control_with_a_rationale(catalogue: Catalogue) -> None:
    threats = _ai_threats(catalogue)
    assert {e.catalogue for e in threats} == set(AI_THREAT_CATALOGUES)
    untreated = []
    for threat in threats:
        links = [
            link
            for link in _links(catalogue, threat.uid, Relation.TREATED_BY)
            if catalogue.entries[link.target_uid].catalogue == "iso27002"
        ]
        if not links or any(not link.rationale.strip() for link in links):
            untreated.append(threat.uid)
    assert untreated == []


def test_every_treated_by_link_has_a_rationale(catalogue: Catalogue) -> None:
    treated = [link for link in catalogue.links if link.relation is Relation.TREATED_BY]
    assert treated
    assert [(link.source_uid, link.target_uid) for link in treated if not link.rationale.strip()] == []


@pytest.mark.parametrize("target_catalogue", ["iso42001", "nist-ai-rmf"])
def test_every_ai_threat_maps_to_iso42001_and_nist_ai_rmf(
    catalogue: Catalogue, target_catalogue: str
) -> None:
    unmapped = [
        threat.uid
        for threat in _ai_threats(catalogue)
        if not any(
            catalogue.entries[link.target_uid].catalogue == target_catalogue
            for link in _links(catalogue, threat.uid, Relation.MAPS_TO)
        )
    ]
    assert unmapped == []


def test_every_owasp_entry_names_a_related_atlas_technique(catalogue: Catalogue) -> None:
    owasp = catalogue.of("owasp-llm") + catalogue.of("owasp-ml")
    assert len(owasp) == 20
    bare = [e.uid for e in owasp if not _links(catalogue, e.uid, Relation.RELATED_TECHNIQUE)]
    assert bare == []


def test_owasp_llm01_prompt_injection_relates_to_atlas_llm_prompt_injection(catalogue: Catalogue) -> None:
    llm01 = catalogue.entries["owasp-llm:2025:LLM01"]
    related = {link.target_uid for link in _links(catalogue, llm01.uid, Relation.RELATED_TECHNIQUE)}

    assert llm01.name == "Prompt Injection"
    assert "atlas:AML.T0051" in related


# ---------------------------------------------------------------- every entry and source


def test_every_entry_has_a_name_and_a_non_empty_summary(catalogue: Catalogue) -> None:
    assert [uid for uid, e in catalogue.entries.items() if not e.summary.strip()] == []
    assert [uid for uid, e in catalogue.entries.items() if not e.name.strip()] == []


def test_every_source_names_publisher_url_and_licence(catalogue: Catalogue) -> None:
    assert set(catalogue.sources) == {*CATALOGUE_FILES, "crosswalks"}
    for key, source in catalogue.sources.items():
        assert source.key == key
        assert source.publisher.strip(), key
        assert source.url.startswith("https://"), key
        assert source.licence.strip(), key
        assert source.version.strip(), key


# ---------------------------------------------------------------- EU AI Act


def test_eu_ai_act_has_the_four_risk_tiers(catalogue: Catalogue) -> None:
    tiers = {e.ref: e for e in catalogue.of("eu-ai-act")}

    assert {"unacceptable", "high", "limited", "minimal"} <= set(tiers)
    assert all(e.kind == "risk-tier" for e in tiers.values())


def test_eu_ai_act_prohibited_practices_fine_is_35_million_or_7_percent(catalogue: Catalogue) -> None:
    unacceptable = catalogue.entries["eu-ai-act:2024:unacceptable"]

    assert unacceptable.attributes["max_fine"] == {"fixed_eur": 35_000_000, "turnover_pct": 7}
    assert "Article 5" in unacceptable.attributes["articles"]


def test_eu_ai_act_high_risk_fine_is_15_million_or_3_percent(catalogue: Catalogue) -> None:
    high = catalogue.entries["eu-ai-act:2024:high"]
    assert high.attributes["max_fine"] == {"fixed_eur": 15_000_000, "turnover_pct": 3}
