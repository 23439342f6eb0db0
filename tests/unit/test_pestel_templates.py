"""The PESTEL starter templates: the shipped file loads; a broken file names its line and field."""

from __future__ import annotations

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.pestel_templates import CATEGORIES, load_builtin_templates, parse_templates
from aisms.domain.scope_compare import LineChange, compare_scopes

HEADER = """catalogue: pestel-templates
version: "7"
title: "Test templates"
source:
  publisher: "Tests"
  url: "https://example.invalid"
  licence: "test"
templates:
"""

GOOD = (
    HEADER
    + """  - id: ai-law
    category: legal
    origin: external
    ai: true
    title: "AI law"
    description: "A law about AI."
    effect: "We must comply."
    trend: rising
    review_months: 3
  - id: heat
    category: environmental
    origin: external
    title: "Heat"
    description: "Hot summers."
    effect: "Cooling fails."
    trend: stable
"""
)


def test_a_good_file_gives_its_templates_with_defaults() -> None:
    templates = parse_templates(GOOD, "t.yaml")
    assert templates.version == "7"
    assert [t.id for t in templates.templates] == ["ai-law", "heat"]
    ai_law = templates.get("ai-law")
    assert ai_law is not None
    assert (ai_law.category, ai_law.trend, ai_law.ai, ai_law.review_months) == ("legal", "rising", True, 3)
    heat = templates.get("heat")
    assert heat is not None
    assert (heat.ai, heat.review_months, heat.opportunities) == (False, 6, "")
    assert templates.get("missing") is None


def test_the_shipped_templates_cover_ai_and_all_six_categories() -> None:
    templates = load_builtin_templates()
    ids = {t.id for t in templates.templates}
    assert len(templates.templates) == 14
    assert {"eu-ai-act-obligations", "automated-decisions-data-protection", "generative-ai-staff-use"} <= ids
    assert {"ai-enabled-attackers", "deepfake-social-engineering", "ai-supply-chain-dependence"} <= ids
    assert {t.category for t in templates.templates} == set(CATEGORIES)
    assert sum(t.ai for t in templates.templates) == 6


def test_an_unknown_category_names_line_and_field() -> None:
    text = GOOD.replace("category: environmental", "category: weather")
    with pytest.raises(CatalogueError) as caught:
        parse_templates(text, "t.yaml")
    assert (caught.value.file, caught.value.line, caught.value.field) == (
        "t.yaml",
        19,
        "templates.1.category",
    )


def test_a_missing_field_is_named() -> None:
    text = GOOD.replace('    effect: "Cooling fails."\n', "")
    with pytest.raises(CatalogueError) as caught:
        parse_templates(text, "t.yaml")
    assert caught.value.field == "templates.1.effect"
    assert caught.value.line == 18


def test_a_duplicate_id_names_the_second_template() -> None:
    text = GOOD.replace("id: heat", "id: ai-law")
    with pytest.raises(CatalogueError) as caught:
        parse_templates(text, "t.yaml")
    assert (caught.value.line, caught.value.field) == (18, "id")
    assert "duplicate template id 'ai-law'" in str(caught.value)


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_templates(HEADER + "  - id: [unclosed\n", "t.yaml")
    assert caught.value.line == 10


def test_scope_compare_reports_added_removed_and_changed_lines() -> None:
    old = {
        "statement": "Covers triage.\nAnd claims.",
        "in_scope": [{"item": "Triage", "reason": "core"}, {"item": "Claims", "reason": "data"}],
        "out_of_scope": [{"item": "Website", "reason": "no data"}],
        "interfaces": "Nimbus API",
    }
    new = {
        "statement": "Covers triage.\nAnd claims and billing.",
        "in_scope": [{"item": "Triage", "reason": "core"}, {"item": "Claims", "reason": "claims data"}],
        "out_of_scope": [],
        "interfaces": "Nimbus API\nPayroll",
    }
    assert compare_scopes(old, new) == [
        LineChange("statement", "changed", "And claims.", "And claims and billing."),
        LineChange("in_scope", "changed", "Claims: data", "Claims: claims data"),
        LineChange("out_of_scope", "removed", "Website: no data", None),
        LineChange("interfaces", "added", None, "Payroll"),
    ]
    assert compare_scopes(old, old) == []
