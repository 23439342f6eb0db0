"""Declarative conditional visibility: which questions and answers of a questionnaire are shown.

Conditions are matched by code, never evaluated as expressions, and refer only to earlier questions, so
visibility is decided in one pass and cannot loop."""

from __future__ import annotations

from collections.abc import Mapping

from aisms.domain.suppliers.questionnaire_model import AnswerValue, Condition, Operator, Question, Template


def is_answered(value: AnswerValue) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, tuple):
        return bool(value)
    return True


def condition_holds(condition: Condition, value: AnswerValue) -> bool:
    """Whether the condition holds for the answer to its question (an unanswered question satisfies none
    except not_equals)."""
    if condition.op is Operator.ANSWERED:
        return is_answered(value)
    if not is_answered(value):
        return condition.op in {Operator.NOT_EQUALS, Operator.NOT_CONTAINS}
    if condition.op is Operator.EQUALS:
        return value == condition.value
    if condition.op is Operator.NOT_EQUALS:
        return value != condition.value
    if condition.op is Operator.IN:
        return isinstance(condition.value, tuple) and value in condition.value
    if condition.op is Operator.CONTAINS:
        return isinstance(value, tuple) and condition.value in value
    if condition.op is Operator.NOT_CONTAINS:
        return not (isinstance(value, tuple) and condition.value in value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not isinstance(condition.value, float)
    ):
        return False
    if condition.op is Operator.AT_LEAST:
        return value >= condition.value
    return value <= condition.value


def visible_questions(template: Template, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """The questions shown for these answers, in order. An answer to a hidden question counts as absent,
    so hiding a question also hides everything that depends on it."""
    shown: list[Question] = []
    shown_ids: set[str] = set()
    for question in template.questions:
        if all(
            condition_holds(c, answers.get(c.question) if c.question in shown_ids else None)
            for c in question.show_if
        ):
            shown.append(question)
            shown_ids.add(question.id)
    return shown


def visible_answers(template: Template, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
    """Only the answers to visible questions, answered ones only."""
    return {
        q.id: answers[q.id]
        for q in visible_questions(template, answers)
        if q.id in answers and is_answered(answers[q.id])
    }
