"""Questionnaire templates: validation with paths, declarative conditions, visibility, answer coercion."""

from __future__ import annotations

from typing import Any

import pytest

from aisms.domain.suppliers.questionnaire import (
    Condition,
    Operator,
    QuestionType,
    TemplateError,
    coerce_answer,
    condition_holds,
    missing_required,
    template_from_dict,
    template_to_dict,
    visible_answers,
    visible_questions,
)


def doc(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": "ai",
        "title": "AI",
        "sections": [
            {
                "id": "s1",
                "title": "Use",
                "questions": [
                    {
                        "id": "uses_ai",
                        "text": "Use AI?",
                        "type": "yes_no",
                        "weight": 1,
                        "yes_score": 0.5,
                        "no_score": 1,
                    },
                    {
                        "id": "trains",
                        "text": "Train?",
                        "type": "single_choice",
                        "weight": 4,
                        "options": [
                            {"value": "never", "label": "Never", "score": 1},
                            {"value": "opt_out", "label": "Opt-out", "score": 0},
                        ],
                        "show_if": [{"question": "uses_ai", "op": "equals", "value": True}],
                    },
                    {
                        "id": "shared",
                        "text": "Shared?",
                        "type": "yes_no",
                        "show_if": [{"question": "trains", "op": "equals", "value": "opt_out"}],
                    },
                    {"id": "notes", "text": "Notes", "type": "text", "required": False},
                ],
            }
        ],
        "red_flags": [
            {
                "id": "trains",
                "text": "Trains",
                "severity": "critical",
                "when": [{"question": "trains", "op": "equals", "value": "opt_out"}],
            }
        ],
    }
    base.update(overrides)
    return base


def test_a_valid_document_becomes_a_template_and_round_trips() -> None:
    template = template_from_dict(doc())
    assert [q.id for q in template.questions] == ["uses_ai", "trains", "shared", "notes"]
    assert template.question("trains").show_if == (Condition("uses_ai", Operator.EQUALS, True),)
    assert template_from_dict(template_to_dict(template)) == template


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (
            lambda d: d["sections"][0]["questions"][0].update(type="slider"),
            "sections.0.questions.0.type",
            "must be one of",
        ),
        (
            lambda d: d["sections"][0]["questions"][1]["show_if"][0].update(question="later"),
            "sections.0.questions.1.show_if.0.question",
            "not an earlier question",
        ),
        (
            lambda d: d["sections"][0]["questions"][1]["show_if"][0].update(value="maybe"),
            "sections.0.questions.1.show_if.0.value",
            "true or false",
        ),
        (
            lambda d: d["sections"][0]["questions"][2]["show_if"][0].update(value="sometimes"),
            "sections.0.questions.2.show_if.0.value",
            "not an option",
        ),
        (
            lambda d: d["sections"][0]["questions"][3].update(weight=2),
            "sections.0.questions.3.weight",
            "needs scores",
        ),
        (
            lambda d: d["sections"][0]["questions"][1]["options"][0].update(score=2),
            "sections.0.questions.1.options.0.score",
            "between 0 and 1",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(extra=1),
            "sections.0.questions.0.extra",
            "unknown field",
        ),
        (
            lambda d: d["sections"][0]["questions"][3].update(id="uses_ai"),
            "sections.0.questions.3.id",
            "appears twice",
        ),
        (lambda d: d.update(key="Bad Key"), "key", "lower-case"),
        (lambda d: d["red_flags"][0].update(when=[]), "red_flags.0.when", "at least one condition"),
        (
            lambda d: d["sections"][0]["questions"][1]["show_if"][0].update(op="matches"),
            "sections.0.questions.1.show_if.0.op",
            "must be one of",
        ),
    ],
)
def test_problems_name_the_field(mutate: Any, field: str, message: str) -> None:
    document = doc()
    mutate(document)
    with pytest.raises(TemplateError) as caught:
        template_from_dict(document)
    fields = {p.field: p.message for p in caught.value.problems}
    assert field in fields, fields
    assert message in fields[field]


def test_a_cycle_cannot_be_written_because_conditions_only_look_back() -> None:
    document = doc()
    document["sections"][0]["questions"][0]["show_if"] = [{"question": "trains", "op": "answered"}]
    with pytest.raises(TemplateError) as caught:
        template_from_dict(document)
    assert caught.value.problems[0].field == "sections.0.questions.0.show_if.0.question"


def test_follow_ups_appear_only_when_their_condition_holds() -> None:
    template = template_from_dict(doc())
    assert [q.id for q in visible_questions(template, {})] == ["uses_ai", "notes"]
    assert [q.id for q in visible_questions(template, {"uses_ai": True})] == ["uses_ai", "trains", "notes"]
    shown = visible_questions(template, {"uses_ai": True, "trains": "opt_out"})
    assert [q.id for q in shown] == ["uses_ai", "trains", "shared", "notes"]


def test_hiding_a_parent_hides_its_whole_chain_even_with_stale_answers() -> None:
    template = template_from_dict(doc())
    answers = {"uses_ai": False, "trains": "opt_out", "shared": True}
    assert [q.id for q in visible_questions(template, answers)] == ["uses_ai", "notes"]
    assert visible_answers(template, answers) == {"uses_ai": False}


@pytest.mark.parametrize(
    ("op", "value", "answer", "expected"),
    [
        (Operator.EQUALS, "a", "a", True),
        (Operator.EQUALS, "a", None, False),
        (Operator.NOT_EQUALS, "a", None, True),
        (Operator.NOT_EQUALS, "a", "b", True),
        (Operator.IN, ("a", "b"), "b", True),
        (Operator.IN, ("a", "b"), "c", False),
        (Operator.CONTAINS, "x", ("x", "y"), True),
        (Operator.CONTAINS, "x", ("y",), False),
        (Operator.NOT_CONTAINS, "x", ("y",), True),
        (Operator.NOT_CONTAINS, "x", None, True),
        (Operator.ANSWERED, None, "  ", False),
        (Operator.ANSWERED, None, ("a",), True),
        (Operator.AT_LEAST, 73.0, 73.0, True),
        (Operator.AT_LEAST, 73.0, 72.0, False),
        (Operator.AT_MOST, 10.0, 10.0, True),
        (Operator.AT_MOST, 10.0, True, False),
    ],
)
def test_condition_operators(op: Operator, value: Any, answer: Any, expected: bool) -> None:
    assert condition_holds(Condition("q", op, value), answer) is expected


def test_answers_are_coerced_by_type_and_invalid_ones_refused() -> None:
    template = template_from_dict(doc())
    assert coerce_answer(template.question("uses_ai"), "yes") == (True, "")
    assert coerce_answer(template.question("uses_ai"), "no") == (False, "")
    assert coerce_answer(template.question("uses_ai"), "perhaps")[1] == "answer yes or no"
    assert coerce_answer(template.question("trains"), "never") == ("never", "")
    assert coerce_answer(template.question("trains"), "sometimes")[1] == "choose one of the options"
    assert coerce_answer(template.question("notes"), "  ") == (None, "")
    assert coerce_answer(template.question("notes"), "x" * 10_001)[1].startswith("at most")


def test_multiple_choice_and_number_answers() -> None:
    document = doc()
    document["sections"][0]["questions"] += [
        {
            "id": "certs",
            "text": "Certs",
            "type": "multiple_choice",
            "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
        },
        {"id": "hours", "text": "Hours", "type": "number"},
    ]
    template = template_from_dict(document)
    assert template.question("certs").type is QuestionType.MULTIPLE_CHOICE
    assert coerce_answer(template.question("certs"), ["b", "a", "b"]) == (("a", "b"), "")
    assert coerce_answer(template.question("certs"), ["z"])[1] == "not an option: z"
    assert coerce_answer(template.question("hours"), "24") == (24.0, "")
    assert coerce_answer(template.question("hours"), "nan")[1] == "enter a number"
    assert coerce_answer(template.question("hours"), True)[1] == "enter a number"


def test_only_visible_required_questions_block_a_submission() -> None:
    template = template_from_dict(doc())
    assert [p.question for p in missing_required(template, {})] == ["uses_ai"]
    assert [p.question for p in missing_required(template, {"uses_ai": True})] == ["trains"]
    assert missing_required(template, {"uses_ai": False}) == []


def test_conditions_are_described_in_words() -> None:
    assert Condition("uses_ai", Operator.EQUALS, True).describe() == "uses_ai is yes"
    assert (
        Condition("trains", Operator.IN, ("opt_out", "always")).describe()
        == "trains is one of opt_out, always"
    )
    assert Condition("certs", Operator.NOT_CONTAINS, "none").describe() == "certs does not include none"
    assert Condition("hours", Operator.AT_LEAST, 73.0).describe() == "hours is at least 73"
    assert Condition("notes", Operator.ANSWERED).describe() == "notes is answered"
