"""Questionnaire templates as data: question types, conditions, sections, red flags, templates and the
problems found when a template is invalid."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_QUESTIONS = 300


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    TEXT = "text"
    FILE = "file"

    @property
    def scorable(self) -> bool:
        return self in {
            QuestionType.YES_NO,
            QuestionType.SINGLE_CHOICE,
            QuestionType.MULTIPLE_CHOICE,
            QuestionType.NUMBER,
        }


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"  # the answer is one of the values
    CONTAINS = "contains"  # a multiple-choice answer includes the value
    NOT_CONTAINS = "not_contains"  # a multiple-choice answer does not include the value
    ANSWERED = "answered"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


# An answer: yes/no -> bool, single choice -> option value, multiple choice -> tuple of option values,
# number -> float, text -> str, file -> the stored file's name. None or absent: not answered.
AnswerValue = bool | str | float | tuple[str, ...] | None
ConditionValue = bool | str | float | tuple[str, ...] | None


@dataclass(frozen=True)
class Condition:
    question: str
    op: Operator
    value: ConditionValue = None

    def describe(self) -> str:
        """The condition in words, e.g. "uses_ai is yes" or "trains is one of opt_out, always"."""

        def word(value: object) -> str:
            if isinstance(value, bool):
                return "yes" if value else "no"
            if isinstance(value, float):
                return f"{value:g}"
            return str(value)

        if self.op is Operator.ANSWERED:
            return f"{self.question} is answered"
        if isinstance(self.value, tuple):
            return f"{self.question} is one of {', '.join(word(v) for v in self.value)}"
        verb = {
            Operator.EQUALS: "is",
            Operator.NOT_EQUALS: "is not",
            Operator.CONTAINS: "includes",
            Operator.NOT_CONTAINS: "does not include",
            Operator.AT_LEAST: "is at least",
            Operator.AT_MOST: "is at most",
        }.get(self.op, self.op.value)
        return f"{self.question} {verb} {word(self.value)}"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: float | None = None  # 0..1; None: the option does not count towards the score


@dataclass(frozen=True)
class NumberBand:
    at_least: float
    score: float


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: QuestionType
    section: str
    weight: float = 0.0
    required: bool = True
    help: str = ""
    options: tuple[Option, ...] = ()
    yes_score: float | None = None
    no_score: float | None = None
    bands: tuple[NumberBand, ...] = ()
    show_if: tuple[Condition, ...] = ()  # all must hold

    @property
    def scored(self) -> bool:
        return self.weight > 0 and self.type.scorable

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    text: str
    severity: str  # low / medium / high / critical
    when: tuple[Condition, ...]  # all must hold (and every referenced question must be visible)


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    description: str
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    red_flags: tuple[RedFlagRule, ...] = ()
    schema_version: int = SCHEMA_VERSION
    by_id: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({q.id: q for q in self.questions})

    def question(self, question_id: str) -> Question:
        return self.by_id[question_id]


SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class TemplateProblem:
    path: tuple[str | int, ...]  # where in the document, e.g. ("sections", 0, "questions", 3, "type")
    message: str

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.path else self.message


class TemplateError(ValueError):
    def __init__(self, problems: Sequence[TemplateProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))
