"""Pure OSCAL builders: valid against the OSCAL schema models, stable UUIDs, SoA-driven profile."""

from __future__ import annotations

import datetime as dt
import json

from oscal_bindings.v1 import (
    parse_assessment_results,
    parse_catalog,
    parse_component_definition,
    parse_profile,
)

from aisms.domain.isms_code import oscal

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
CONTROLS = [
    oscal.CatalogControl(
        "5.1", "Policies for information security", "organizational", "Set and review policies."
    ),
    oscal.CatalogControl("8.28", "Secure coding", "technological"),
]


def test_catalog_groups_controls_by_theme_and_is_valid() -> None:
    doc = oscal.catalog(CONTROLS, NOW, "1.0")
    parse_catalog(json.dumps(doc))
    groups = doc["catalog"]["groups"]
    assert [g["id"] for g in groups] == ["theme-organizational", "theme-technological"]
    assert groups[0]["controls"][0]["parts"][0]["prose"] == "Set and review policies."
    assert "parts" not in groups[1]["controls"][0]


def test_profile_includes_only_applicable_controls_in_order() -> None:
    doc = oscal.profile(["8.28", "5.10", "5.2"], NOW, "1.0", "Helixa", "catalog.json")
    parse_profile(json.dumps(doc))
    ids = doc["profile"]["imports"][0]["include-controls"][0]["with-ids"]
    assert ids == ["iso27002-5.2", "iso27002-5.10", "iso27002-8.28"]


def test_component_definition_and_results_are_valid_and_stable() -> None:
    impl = oscal.Implementation(
        "5.1",
        True,
        "implemented",
        "Implemented",
        owner="Amira",
        risks=("R-001",),
        evidence=(("Policy", "p.pdf", "a" * 64),),
    )
    doc = oscal.component_definition([impl], NOW, "1.0", "Helixa", "profile.json")
    parse_component_definition(json.dumps(doc))
    assert doc == oscal.component_definition([impl], NOW, "1.0", "Helixa", "profile.json")
    finding = oscal.ResultFinding("iso27001:2022:9.2", "Internal audit", "Done", "satisfied")
    results = oscal.assessment_results(
        oscal.AssessmentInput("IA-1", NOW, None, "Audit", (finding,)), NOW, "1.0", "Helixa", "plan.json"
    )
    parse_assessment_results(json.dumps(results))
    target = results["assessment-results"]["results"][0]["findings"][0]["target"]
    assert target["target-id"] == "iso27001-9.2"
    assert oscal.det_uuid("a", "b") == oscal.det_uuid("a", "b") != oscal.det_uuid("a", "c")
