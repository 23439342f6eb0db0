"""What the built-in classifier learns from the catalogue: reference texts and tactic groups per label."""

from __future__ import annotations

from aisms.catalogue.model import Entry, Link, Relation
from aisms.domain.classify.catalogue_texts import label_groups, label_texts

ENTRIES = [
    Entry("atlas:AML.TA0001", "atlas", "AML.TA0001", "tactic", "Initial Access", "Getting in."),
    Entry("atlas:AML.TA0002", "atlas", "AML.TA0002", "tactic", "Reconnaissance", "Looking around."),
    Entry("atlas:AML.T0051", "atlas", "AML.T0051", "technique", "LLM Prompt Injection", "Crafted prompts."),
    Entry(
        "atlas:AML.T0051.001",
        "atlas",
        "AML.T0051.001",
        "technique",
        "Indirect",
        "Hidden in data.",
        parent_uid="atlas:AML.T0051",
    ),
    Entry("atlas:AML.T0000", "atlas", "AML.T0000", "technique", "Search Open Technical Databases", "Papers."),
    Entry("owasp-llm:LLM01", "owasp-llm", "LLM01", "risk", "Prompt Injection", "Inputs steer the model."),
]
LINKS = [
    Link("atlas:AML.T0051", "atlas:AML.TA0001", Relation.TACTIC),
    Link("atlas:AML.T0051.001", "atlas:AML.TA0002", Relation.TACTIC),  # counts for the parent technique
    Link("atlas:AML.T0000", "atlas:AML.TA0002", Relation.TACTIC),
    Link("owasp-llm:LLM01", "atlas:AML.T0051", Relation.RELATED_TECHNIQUE),
]


def test_procedure_sentences_join_their_techniques_label_sub_techniques_included() -> None:
    procedures = {
        "AML.T0051": ["The tester typed an override into the chat box."],
        "AML.T0051.001": ["The attacker planted instructions in a shared document."],
        "AML.T9999": ["A technique the catalogue does not hold is ignored."],
    }
    texts = label_texts(ENTRIES, LINKS, procedures)
    injection = texts["atlas:AML.T0051"]
    assert "The tester typed an override into the chat box." in injection
    assert "The attacker planted instructions in a shared document." in injection
    assert not any("ignored" in t for documents in texts.values() for t in documents)
    assert "owasp-llm:LLM01" in texts
    assert "atlas:AML.TA0001" not in texts  # tactics are no labels
    added = {*procedures["AML.T0051"], *procedures["AML.T0051.001"]}
    assert [t for t in injection if t not in added] == label_texts(ENTRIES, LINKS)["atlas:AML.T0051"]


def test_tactic_groups_follow_parents_and_owasp_entries_take_their_techniques_tactics() -> None:
    groups = label_groups(ENTRIES, LINKS)
    assert groups == {
        "atlas:AML.T0000": ["atlas:AML.TA0002"],
        "atlas:AML.T0051": ["atlas:AML.TA0001", "atlas:AML.TA0002"],
        "owasp-llm:LLM01": ["atlas:AML.TA0001", "atlas:AML.TA0002"],
    }
