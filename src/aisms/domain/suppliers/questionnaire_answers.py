"""Answers from form values: coercing a submitted value to a question's type, and the required questions
still unanswered."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aisms.domain.suppliers.questionnaire_model import AnswerValue, Question, QuestionType, Template
from aisms.domain.suppliers.questionnaire_visibility import is_answered, visible_questions


@dataclass(frozen=True)
class AnswerProblem:
    question: str
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


def coerce_answer(question: Question, raw: Any) -> tuple[AnswerValue, str]:
    """An answer value of the right type from a form or JSON value; (None, "") when left empty,
    (None, message) when invalid."""
    if raw is None or raw == "" or raw == [] or raw == ():
        return None, ""
    qtype = question.type
    if qtype is QuestionType.YES_NO:
        if isinstance(raw, bool):
            return raw, ""
        text = str(raw).strip().lower()
        if text in {"yes", "true", "1"}:
            return True, ""
        if text in {"no", "false", "0"}:
            return False, ""
        return None, "answer yes or no"
    if qtype is QuestionType.SINGLE_CHOICE:
        if question.option(str(raw)) is None:
            return None, "choose one of the options"
        return str(raw), ""
    if qtype is QuestionType.MULTIPLE_CHOICE:
        items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else None
        if items is None:
            return None, "choose from the options"
        unknown = [str(v) for v in items if question.option(str(v)) is None]
        if unknown:
            return None, f"not an option: {', '.join(unknown)}"
        order = [o.value for o in question.options]
        return tuple(sorted({str(v) for v in items}, key=order.index)), ""
    if qtype is QuestionType.NUMBER:
        if isinstance(raw, bool):
            return None, "enter a number"
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None, "enter a number"
        if not math.isfinite(number):
            return None, "enter a number"
        return number, ""
    if not isinstance(raw, str):
        return None, "enter text"
    text = raw.strip()
    if len(text) > 10_000:
        return None, "at most 10,000 characters"
    return (text or None), ""


def missing_required(template: Template, answers: Mapping[str, AnswerValue]) -> list[AnswerProblem]:
    """Required visible questions that have no answer (what stops a submission)."""
    return [
        AnswerProblem(q.id, "an answer is required")
        for q in visible_questions(template, answers)
        if q.required and not is_answered(answers.get(q.id))
    ]
