"""Scoring a questionnaire's answers: weights and per-answer scores, normalised to 0-100.

Only visible questions count. A scored question contributes weight x answer-score to the numerator and its
weight to the denominator when it is answered; unanswered questions are left out (and reported), so the
score is what the answers given say. Red flags are template rules (conditions on visible answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aisms.domain.suppliers.questionnaire import (
    AnswerValue,
    Question,
    QuestionType,
    Template,
    condition_holds,
    is_answered,
    visible_questions,
)

METHOD = "weighted-visible-answered/1"


@dataclass(frozen=True)
class SectionScore:
    section: str
    title: str
    score: float | None  # 0..100, None when nothing scored was answered
    earned: float
    possible: float
    answered: int
    scored_questions: int


@dataclass(frozen=True)
class RedFlag:
    id: str
    text: str
    severity: str


@dataclass(frozen=True)
class ScoreResult:
    score: float | None
    sections: tuple[SectionScore, ...]
    flags: tuple[RedFlag, ...]
    answered: int
    visible: int
    unanswered: tuple[str, ...]  # visible questions with no answer
    method: str = METHOD

    @property
    def completeness(self) -> float:
        return 100.0 if self.visible == 0 else round(100.0 * self.answered / self.visible, 1)


def answer_score(question: Question, value: AnswerValue) -> float | None:
    """The 0..1 score of one answer, or None when the answer does not count towards the score."""
    if not question.scored or not is_answered(value):
        return None
    if question.type is QuestionType.YES_NO:
        return question.yes_score if value is True else question.no_score if value is False else None
    if question.type is QuestionType.SINGLE_CHOICE:
        option = question.option(str(value))
        return option.score if option is not None else None
    if question.type is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, tuple):
            return None
        scores = [o.score for v in value if (o := question.option(v)) is not None and o.score is not None]
        return min(1.0, sum(scores)) if scores else None
    if (
        question.type is QuestionType.NUMBER
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        reached = [band.score for band in question.bands if value >= band.at_least]
        return reached[-1] if reached else 0.0
    return None


def _percent(earned: float, possible: float) -> float | None:
    return round(100.0 * earned / possible, 1) if possible > 0 else None


def score_answers(template: Template, answers: Mapping[str, AnswerValue]) -> ScoreResult:
    shown = visible_questions(template, answers)
    shown_ids = {q.id for q in shown}
    per_section: dict[str, list[float]] = {s.id: [0.0, 0.0, 0, 0] for s in template.sections}
    answered = 0
    unanswered: list[str] = []
    for question in shown:
        value = answers.get(question.id)
        if is_answered(value):
            answered += 1
        else:
            unanswered.append(question.id)
        bucket = per_section[question.section]
        if question.scored:
            bucket[3] += 1
        points = answer_score(question, value)
        if points is None:
            continue
        bucket[0] += question.weight * points
        bucket[1] += question.weight
        bucket[2] += 1
    sections = tuple(
        SectionScore(
            section=s.id,
            title=s.title,
            score=_percent(per_section[s.id][0], per_section[s.id][1]),
            earned=round(per_section[s.id][0], 6),
            possible=round(per_section[s.id][1], 6),
            answered=int(per_section[s.id][2]),
            scored_questions=int(per_section[s.id][3]),
        )
        for s in template.sections
    )
    earned = sum(b[0] for b in per_section.values())
    possible = sum(b[1] for b in per_section.values())
    flags = tuple(
        RedFlag(rule.id, rule.text, rule.severity)
        for rule in template.red_flags
        if all(c.question in shown_ids and condition_holds(c, answers.get(c.question)) for c in rule.when)
    )
    return ScoreResult(
        score=_percent(earned, possible),
        sections=sections,
        flags=flags,
        answered=answered,
        visible=len(shown),
        unanswered=tuple(unanswered),
    )


def rating_band(score: float | None) -> str:
    """A plain-words band for a score, for lists and charts."""
    if score is None:
        return "not scored"
    if score >= 80:
        return "strong"
    if score >= 60:
        return "adequate"
    if score >= 40:
        return "weak"
    return "poor"
