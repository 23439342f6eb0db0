"""Reading a questionnaire template from a YAML/JSON document (every problem named by its path) and
writing it back as a document."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from aisms.domain.suppliers.questionnaire_model import (
    ID_PATTERN,
    MAX_QUESTIONS,
    SCHEMA_VERSION,
    SEVERITIES,
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


class _Reader:
    """Collects problems while reading a loosely typed document."""

    def __init__(self) -> None:
        self.problems: list[TemplateProblem] = []

    def fail(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(TemplateProblem(path, message))

    def mapping(self, value: Any, path: tuple[str | int, ...]) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        self.fail(path, "must be a mapping")
        return {}

    def text(
        self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...], *, required: bool = True
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail((*path, key), "must be a non-empty string" if required else "must be a string")
            return ""
        return value.strip()

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        path: tuple[str | int, ...],
        *,
        low: float,
        high: float,
        default: float | None,
    ) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail((*path, key), "must be a number")
            return default
        if not low <= value <= high:
            self.fail((*path, key), f"must be between {low:g} and {high:g}")
            return default
        return float(value)

    def identifier(self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...]) -> str:
        value = self.text(data, key, path)
        if value and not ID_PATTERN.match(value):
            self.fail((*path, key), "use lower-case letters, digits and _ (start with a letter, up to 64)")
        return value

    def known_keys(self, data: Mapping[str, Any], allowed: set[str], path: tuple[str | int, ...]) -> None:
        for key in sorted(set(data) - allowed, key=str):
            self.fail((*path, str(key)), "unknown field")


_TEMPLATE_KEYS = {"key", "title", "description", "sections", "red_flags", "schema_version"}
_SECTION_KEYS = {"id", "title", "description", "questions"}
_QUESTION_KEYS = {
    "id",
    "text",
    "type",
    "weight",
    "required",
    "help",
    "options",
    "yes_score",
    "no_score",
    "bands",
    "show_if",
}


def template_from_dict(document: Any) -> Template:
    """Build a template from a parsed YAML/JSON document; TemplateError lists every problem with its path."""
    reader = _Reader()
    data = reader.mapping(document, ())
    reader.known_keys(data, _TEMPLATE_KEYS, ())
    schema_version = data.get("schema_version", SCHEMA_VERSION)
    if schema_version != SCHEMA_VERSION:
        reader.fail(("schema_version",), f"only schema version {SCHEMA_VERSION} is understood")
    key = reader.identifier(data, "key", ())
    title = reader.text(data, "title", ())
    description = reader.text(data, "description", (), required=False)
    sections: list[Section] = []
    questions: list[Question] = []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        reader.fail(("sections",), "needs at least one section")
        raw_sections = []
    seen_sections: set[str] = set()
    for s_index, raw_section in enumerate(raw_sections):
        s_path: tuple[str | int, ...] = ("sections", s_index)
        s_data = reader.mapping(raw_section, s_path)
        if not s_data:
            continue
        reader.known_keys(s_data, _SECTION_KEYS, s_path)
        section = Section(
            id=reader.identifier(s_data, "id", s_path),
            title=reader.text(s_data, "title", s_path),
            description=reader.text(s_data, "description", s_path, required=False),
        )
        if section.id in seen_sections:
            reader.fail((*s_path, "id"), f"section {section.id!r} appears twice")
        seen_sections.add(section.id)
        sections.append(section)
        raw_questions = s_data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            reader.fail((*s_path, "questions"), "needs at least one question")
            continue
        for q_index, raw_question in enumerate(raw_questions):
            q_path = (*s_path, "questions", q_index)
            question = _question(reader, raw_question, q_path, section.id, {q.id: q for q in questions})
            if question is not None:
                questions.append(question)
    if len(questions) > MAX_QUESTIONS:
        reader.fail(("sections",), f"at most {MAX_QUESTIONS} questions")
    by_id = {q.id: q for q in questions}
    red_flags: list[RedFlagRule] = []
    raw_flags = data.get("red_flags", [])
    if not isinstance(raw_flags, list):
        reader.fail(("red_flags",), "must be a list")
        raw_flags = []
    for f_index, raw_flag in enumerate(raw_flags):
        f_path: tuple[str | int, ...] = ("red_flags", f_index)
        f_data = reader.mapping(raw_flag, f_path)
        if not f_data:
            continue
        reader.known_keys(f_data, {"id", "text", "severity", "when"}, f_path)
        severity = f_data.get("severity", "high")
        if severity not in SEVERITIES:
            reader.fail((*f_path, "severity"), f"must be one of {', '.join(SEVERITIES)}")
        when = _conditions(reader, f_data.get("when"), (*f_path, "when"), by_id)
        if not when:
            reader.fail((*f_path, "when"), "needs at least one condition")
        red_flags.append(
            RedFlagRule(
                id=reader.identifier(f_data, "id", f_path),
                text=reader.text(f_data, "text", f_path),
                severity=str(severity),
                when=when,
            )
        )
    if reader.problems:
        raise TemplateError(reader.problems)
    return Template(
        key=key,
        title=title,
        description=description,
        sections=tuple(sections),
        questions=tuple(questions),
        red_flags=tuple(red_flags),
    )


def _question(
    reader: _Reader,
    raw: Any,
    path: tuple[str | int, ...],
    section: str,
    earlier: dict[str, Question],
) -> Question | None:
    data = reader.mapping(raw, path)
    if not data:
        return None
    reader.known_keys(data, _QUESTION_KEYS, path)
    before = len(reader.problems)
    question_id = reader.identifier(data, "id", path)
    if question_id in earlier:
        reader.fail((*path, "id"), f"question {question_id!r} appears twice")
    text = reader.text(data, "text", path)
    try:
        qtype = QuestionType(str(data.get("type")))
    except ValueError:
        reader.fail((*path, "type"), f"must be one of {', '.join(t.value for t in QuestionType)}")
        return None
    weight = reader.number(data, "weight", path, low=0, high=100, default=0.0) or 0.0
    required = data.get("required", True)
    if not isinstance(required, bool):
        reader.fail((*path, "required"), "must be true or false")
        required = True
    options: list[Option] = []
    if qtype in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}:
        raw_options = data.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            reader.fail((*path, "options"), "a choice question needs at least two options")
            raw_options = []
        for o_index, raw_option in enumerate(raw_options):
            o_path = (*path, "options", o_index)
            o_data = reader.mapping(raw_option, o_path)
            if not o_data:
                continue
            reader.known_keys(o_data, {"value", "label", "score"}, o_path)
            value = reader.identifier(o_data, "value", o_path)
            if any(o.value == value for o in options):
                reader.fail((*o_path, "value"), f"option {value!r} appears twice")
            options.append(
                Option(
                    value=value,
                    label=reader.text(o_data, "label", o_path),
                    score=reader.number(o_data, "score", o_path, low=0, high=1, default=None),
                )
            )
    elif "options" in data:
        reader.fail((*path, "options"), f"only choice questions have options, not {qtype.value}")
    yes_score = no_score = None
    if qtype is QuestionType.YES_NO:
        yes_score = reader.number(data, "yes_score", path, low=0, high=1, default=None)
        no_score = reader.number(data, "no_score", path, low=0, high=1, default=None)
    else:
        for key in ("yes_score", "no_score"):
            if key in data:
                reader.fail((*path, key), "only yes/no questions have yes_score and no_score")
    bands: list[NumberBand] = []
    if qtype is QuestionType.NUMBER:
        raw_bands = data.get("bands", [])
        if not isinstance(raw_bands, list):
            reader.fail((*path, "bands"), "must be a list")
            raw_bands = []
        for b_index, raw_band in enumerate(raw_bands):
            b_path = (*path, "bands", b_index)
            b_data = reader.mapping(raw_band, b_path)
            reader.known_keys(b_data, {"at_least", "score"}, b_path)
            at_least = reader.number(b_data, "at_least", b_path, low=-1e12, high=1e12, default=None)
            band_score = reader.number(b_data, "score", b_path, low=0, high=1, default=None)
            if at_least is None or band_score is None:
                reader.fail(b_path, "a band needs at_least and score")
                continue
            bands.append(NumberBand(at_least, band_score))
        bands.sort(key=lambda b: b.at_least)
    elif "bands" in data:
        reader.fail((*path, "bands"), "only number questions have bands")
    question = Question(
        id=question_id,
        text=text,
        type=qtype,
        section=section,
        weight=weight,
        required=required,
        help=reader.text(data, "help", path, required=False),
        options=tuple(options),
        yes_score=yes_score,
        no_score=no_score,
        bands=tuple(bands),
        show_if=_conditions(reader, data.get("show_if"), (*path, "show_if"), earlier),
    )
    if weight > 0 and not _has_scores(question):
        reader.fail(
            (*path, "weight"), "a weighted question needs scores (option scores, yes/no scores or bands)"
        )
    return question if len(reader.problems) == before else None


def _has_scores(question: Question) -> bool:
    if question.type is QuestionType.YES_NO:
        return question.yes_score is not None or question.no_score is not None
    if question.type in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}:
        return any(o.score is not None for o in question.options)
    if question.type is QuestionType.NUMBER:
        return bool(question.bands)
    return False


def _conditions(
    reader: _Reader, raw: Any, path: tuple[str | int, ...], earlier: Mapping[str, Question]
) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    out: list[Condition] = []
    for index, item in enumerate(raw):
        c_path = (*path, index)
        data = reader.mapping(item, c_path)
        if not data:
            continue
        reader.known_keys(data, {"question", "op", "value"}, c_path)
        target_id = data.get("question")
        target = earlier.get(target_id) if isinstance(target_id, str) else None
        if target is None:
            reader.fail((*c_path, "question"), f"{target_id!r} is not an earlier question")
            continue
        try:
            op = Operator(data.get("op", "equals"))
        except ValueError:
            reader.fail((*c_path, "op"), f"must be one of {', '.join(o.value for o in Operator)}")
            continue
        value, problem = _condition_value(target, op, data.get("value"))
        if problem:
            reader.fail((*c_path, "value"), problem)
            continue
        out.append(Condition(question=target.id, op=op, value=value))
    return tuple(out)


def _condition_value(target: Question, op: Operator, raw: Any) -> tuple[ConditionValue, str]:
    if op is Operator.ANSWERED:
        return None, ""
    if op in {Operator.AT_LEAST, Operator.AT_MOST}:
        if target.type is not QuestionType.NUMBER:
            return None, f"{op.value} needs a number question"
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return None, "must be a number"
        return float(raw), ""
    values = raw if op is Operator.IN else [raw]
    if not isinstance(values, list) or not values:
        return None, "'in' needs a list of values"
    if op in {Operator.CONTAINS, Operator.NOT_CONTAINS} and target.type is not QuestionType.MULTIPLE_CHOICE:
        return None, f"{op.value} needs a multiple-choice question"
    if target.type is QuestionType.MULTIPLE_CHOICE and op not in {Operator.CONTAINS, Operator.NOT_CONTAINS}:
        return None, "use contains or not_contains (or answered) with a multiple-choice question"
    checked: list[Any] = []
    for value in values:
        if target.type is QuestionType.YES_NO:
            if not isinstance(value, bool):
                return None, "a yes/no question's value is true or false"
        elif target.type in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}:
            if target.option(str(value)) is None:
                return None, f"{value!r} is not an option of {target.id!r}"
        elif target.type is QuestionType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None, "must be a number"
            value = float(value)
        else:
            return None, f"conditions on {target.type.value} questions can only use 'answered'"
        checked.append(value)
    if op is Operator.IN:
        return tuple(str(v) if isinstance(v, str) else v for v in checked), ""
    return checked[0], ""


def template_to_dict(template: Template) -> dict[str, Any]:
    """The document form of a template (what template_from_dict reads back)."""
    sections = []
    for section in template.sections:
        questions = []
        for q in template.questions:
            if q.section != section.id:
                continue
            item: dict[str, Any] = {"id": q.id, "text": q.text, "type": q.type.value}
            if q.weight:
                item["weight"] = q.weight
            if not q.required:
                item["required"] = False
            if q.help:
                item["help"] = q.help
            if q.options:
                item["options"] = [
                    {
                        "value": o.value,
                        "label": o.label,
                        **({"score": o.score} if o.score is not None else {}),
                    }
                    for o in q.options
                ]
            if q.yes_score is not None:
                item["yes_score"] = q.yes_score
            if q.no_score is not None:
                item["no_score"] = q.no_score
            if q.bands:
                item["bands"] = [{"at_least": b.at_least, "score": b.score} for b in q.bands]
            if q.show_if:
                item["show_if"] = [_condition_dict(c) for c in q.show_if]
            questions.append(item)
        sections.append(
            {
                "id": section.id,
                "title": section.title,
                "description": section.description,
                "questions": questions,
            }
        )
    return {
        "schema_version": template.schema_version,
        "key": template.key,
        "title": template.title,
        "description": template.description,
        "sections": sections,
        "red_flags": [
            {"id": f.id, "text": f.text, "severity": f.severity, "when": [_condition_dict(c) for c in f.when]}
            for f in template.red_flags
        ],
    }


def _condition_dict(condition: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"question": condition.question, "op": condition.op.value}
    if condition.op is not Operator.ANSWERED:
        out["value"] = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return out
