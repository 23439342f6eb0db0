"""The shipped starter questionnaires load and validate; a broken template file names its line and field."""

from __future__ import annotations

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.supplier_questionnaires import (
    TemplateFileError,
    load_starter_questionnaires,
    parse_starter_file,
    parse_template_text,
)
from aisms.domain.suppliers.questionnaire import QuestionType, visible_questions
from aisms.domain.suppliers.scoring import score_answers


def test_both_starter_templates_load_with_conditions_weights_and_flags() -> None:
    templates = {t.key: t for t in load_starter_questionnaires()}
    assert set(templates) == {"ai_usage_governance", "information_security"}
    for template in templates.values():
        assert 15 <= len(template.questions) <= 25
        assert any(q.show_if for q in template.questions)
        assert any(q.scored for q in template.questions)
        assert template.red_flags
        types = {q.type for q in template.questions}
        assert {QuestionType.YES_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE} <= types
    ai = templates["ai_usage_governance"]
    assert {QuestionType.NUMBER, QuestionType.TEXT, QuestionType.FILE} <= {q.type for q in ai.questions}


def test_the_ai_follow_ups_appear_only_for_suppliers_using_ai() -> None:
    ai = next(t for t in load_starter_questionnaires() if t.key == "ai_usage_governance")
    without = {q.id for q in visible_questions(ai, {"uses_ai_on_our_data": False})}
    with_ai = {q.id for q in visible_questions(ai, {"uses_ai_on_our_data": True})}
    follow_ups = {
        "trains_on_our_data",
        "model_providers",
        "ai_processing_location",
        "model_change_notice",
        "human_oversight",
        "ai_incidents",
        "eu_ai_act_role",
    }
    assert follow_ups <= with_ai
    assert not follow_ups & without


def test_training_without_consent_raises_the_critical_red_flag() -> None:
    ai = next(t for t in load_starter_questionnaires() if t.key == "ai_usage_governance")
    result = score_answers(ai, {"uses_ai_on_our_data": True, "trains_on_our_data": "opt_out"})
    assert ("trains_without_consent", "critical") in {(f.id, f.severity) for f in result.flags}
    assert score_answers(ai, {"uses_ai_on_our_data": True, "trains_on_our_data": "never"}).flags == ()


def test_a_template_error_names_the_line_and_field() -> None:
    text = (
        "key: t\n"
        "title: T\n"
        "sections:\n"
        "  - id: s\n"
        "    title: S\n"
        "    questions:\n"
        "      - id: q1\n"
        "        text: Q?\n"
        "        type: slider\n"
    )
    with pytest.raises(TemplateFileError) as caught:
        parse_template_text(text, "mine.yaml")
    assert caught.value.line == 9
    assert caught.value.field == "sections.0.questions.0.type"
    assert str(caught.value).startswith("mine.yaml, line 9, field 'sections.0.questions.0.type'")


def test_json_is_accepted_and_yaml_syntax_errors_name_the_line() -> None:
    template = parse_template_text(
        '{"key": "j", "title": "J", "sections": [{"id": "s", "title": "S", '
        '"questions": [{"id": "q", "text": "Q", "type": "text"}]}]}',
        "t.json",
    )
    assert template.key == "j"
    with pytest.raises(CatalogueError) as caught:
        parse_template_text("key: [unclosed\n", "bad.yaml")
    assert caught.value.line is not None


def test_duplicate_template_keys_in_the_starter_file_are_refused() -> None:
    one = (
        "  - key: a\n    title: A\n    sections:\n      - id: s\n        title: S\n"
        "        questions:\n          - {id: q, text: Q, type: text}\n"
    )
    with pytest.raises(CatalogueError) as caught:
        parse_starter_file("templates:\n" + one + one, "dup.yaml")
    assert caught.value.line == 9
    assert "appears twice" in caught.value.message
