"""Questionnaire templates: the schema, its validation and declarative conditional visibility.

A template is data: sections of questions, each with a type, a weight, per-answer scores and optional
conditions ("show this question when the answer to P equals / is one of / contains ... "). Conditions are
matched by code, never evaluated as expressions. A condition may only refer to an earlier question, so the
visibility of a questionnaire is decided in one pass and cannot loop.

The parts live in their own modules: the data model (``questionnaire_model``), reading and writing a
template document (``questionnaire_parsing``), visibility (``questionnaire_visibility``) and answers from
form values (``questionnaire_answers``); this module is the public face that imports them all.
"""

from aisms.domain.suppliers.questionnaire_answers import AnswerProblem, coerce_answer, missing_required
from aisms.domain.suppliers.questionnaire_model import (
    ID_PATTERN,
    MAX_QUESTIONS,
    SCHEMA_VERSION,
    SEVERITIES,
    AnswerValue,
    Condition,
    ConditionValue,
    NumberBand,
    Operator,
    Option,
    Question,
    QuestionType,
    RedFlagRule,
    Section,
    Template,
    TemplateError,
    TemplateProblem,
)
from aisms.domain.suppliers.questionnaire_parsing import template_from_dict, template_to_dict
from aisms.domain.suppliers.questionnaire_visibility import (
    condition_holds,
    is_answered,
    visible_answers,
    visible_questions,
)

__all__ = [
    "ID_PATTERN",
    "MAX_QUESTIONS",
    "SCHEMA_VERSION",
    "SEVERITIES",
    "AnswerProblem",
    "AnswerValue",
    "Condition",
    "ConditionValue",
    "NumberBand",
    "Operator",
    "Option",
    "Question",
    "QuestionType",
    "RedFlagRule",
    "Section",
    "Template",
    "TemplateError",
    "TemplateProblem",
    "coerce_answer",
    "condition_holds",
    "is_answered",
    "missing_required",
    "template_from_dict",
    "template_to_dict",
    "visible_answers",
    "visible_questions",
]
