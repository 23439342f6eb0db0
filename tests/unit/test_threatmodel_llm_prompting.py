"""The language-model assistant's pure part: prompts, reading chat-completions answers, checking a drafted
model against the schema and proposed threats against the model and the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisms.catalogue.threatmodel_rules import builtin_engine
from aisms.domain.threatmodel import llm_prompting as lp
from aisms.domain.threatmodel.model_file import parse_model

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"
ENGINE = builtin_engine()


def _model():  # type: ignore[no-untyped-def]
    return parse_model(EXAMPLE.read_text(encoding="utf-8"), "t.yaml")


def test_draft_prompt_lists_kinds_and_properties_and_the_example_parses() -> None:
    messages = lp.draft_messages("A chatbot")
    assert messages[0]["role"] == "system"
    assert "retrieval_store" in messages[0]["content"]
    assert "retrieves_untrusted_content" in messages[0]["content"]
    assert parse_model(lp.EXAMPLE).name == "Support chatbot"
    body = lp.chat_body("llama", messages)
    assert body["model"] == "llama"
    assert body["temperature"] == 0


def test_message_content() -> None:
    ok = json.dumps({"choices": [{"message": {"role": "assistant", "content": "hello"}}]}).encode()
    assert lp.message_content(ok) == "hello"
    for bad in (b"not json", b"{}", json.dumps({"choices": [{"message": {"content": "  "}}]}).encode()):
        with pytest.raises(lp.AssistantError):
            lp.message_content(bad)


def test_check_draft_strips_fences_and_reports_problems() -> None:
    good = lp.check_draft("Here it is:\n```yaml\n" + lp.EXAMPLE + "```\n")
    assert good.model is not None
    assert not good.problems
    bad = lp.check_draft("name: X\ncomponents:\n  - {id: a, kind: robot}\n")
    assert bad.model is None
    assert "unknown kind 'robot'" in bad.problems[0].message


def test_threat_prompt_names_the_found_threats() -> None:
    analysis = ENGINE.analyze(_model())
    messages = lp.threat_messages(EXAMPLE.read_text(), analysis, ENGINE.refs)
    assert "owasp-llm:2025:LLM01" in messages[1]["content"]
    assert "atlas:AML.T0051" in messages[0]["content"]


def test_check_proposals_keeps_valid_and_drops_invalid_with_reasons() -> None:
    valid = {
        "element": "guideline-store",
        "title": "Embedding inversion of guideline store",
        "description": "Embeddings can be inverted.",
        "catalogue": ["owasp-llm:2025:LLM08"],
        "mitigations": ["atlas:AML.M0005", "iso27002:2022:8.3"],
        "likelihood": 2,
        "impact": 3,
        "rationale": "vector store",
    }
    answer = json.dumps(
        {
            "threats": [
                valid,
                {**valid, "element": "ghost"},
                {**valid, "title": "Made up", "catalogue": ["atlas:AML.T9999"]},
                {**valid, "title": "Bad mitigation", "mitigations": ["iso27002:2022:99.1"]},
                {**valid, "title": "Bad score", "likelihood": 9},
                {**valid, "title": "Technique as mitigation", "mitigations": ["atlas:AML.T0051"]},
                valid,
                "nonsense",
            ]
        }
    )
    accepted, dropped = lp.check_proposals(answer, _model(), ENGINE.refs)
    assert [p.title for p in accepted] == ["Embedding inversion of guideline store"]
    reasons = dict(dropped)
    assert reasons["Embedding inversion of guideline store"] == "duplicate"
    assert "unknown element 'ghost'" in [r for _t, r in dropped]
    assert "not a threat in the catalogue" in reasons["Made up"]
    assert "ISO/IEC 27002/42001 control" in reasons["Bad mitigation"]
    assert "1 to 5" in reasons["Bad score"]
    assert "ISO/IEC 27002/42001 control" in reasons["Technique as mitigation"]
    assert len(dropped) == 7
    threat = lp.proposal_threat(accepted[0], _model(), ENGINE.refs, "amira")
    assert threat.id == "assistant-embedding-inversion-of-guideline-store@guideline-store"
    assert threat.origin == "assistant"
    assert threat.assets == ("Clinical guideline vector store",)
    assert "accepted by amira" in threat.rationale[0]


def test_check_proposals_refuses_non_json() -> None:
    with pytest.raises(lp.AssistantError):
        lp.check_proposals("I think there are threats", _model(), ENGINE.refs)
    with pytest.raises(lp.AssistantError):
        lp.check_proposals('{"other": 1}', _model(), ENGINE.refs)
