"""Scoring: weights and per-answer scores normalised to 0-100, hidden and unanswered questions left out,
section scores, red flags; with Hypothesis properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aisms.domain.suppliers.questionnaire import Template, template_from_dict, visible_questions
from aisms.domain.suppliers.scoring import answer_score, rating_band, score_answers


def template() -> Template:
    return template_from_dict(
        {
            "key": "t",
            "title": "T",
            "sections": [
                {
                    "id": "ai",
                    "title": "AI",
                    "questions": [
                        {"id": "uses_ai", "text": "?", "type": "yes_no"},
                        {
                            "id": "trains",
                            "text": "?",
                            "type": "single_choice",
                            "weight": 4,
                            "options": [
                                {"value": "never", "label": "Never", "score": 1},
                                {"value": "consent", "label": "Consent", "score": 0.5},
                                {"value": "always", "label": "Always", "score": 0},
                                {"value": "na", "label": "N/A"},
                            ],
                            "show_if": [{"question": "uses_ai", "op": "equals", "value": True}],
                        },
                    ],
                },
                {
                    "id": "sec",
                    "title": "Security",
                    "questions": [
                        {
                            "id": "mfa",
                            "text": "?",
                            "type": "yes_no",
                            "weight": 2,
                            "yes_score": 1,
                            "no_score": 0,
                        },
                        {
                            "id": "certs",
                            "text": "?",
                            "type": "multiple_choice",
                            "weight": 2,
                            "options": [
                                {"value": "iso", "label": "ISO", "score": 0.7},
                                {"value": "soc", "label": "SOC", "score": 0.6},
                                {"value": "none", "label": "None", "score": 0},
                            ],
                        },
                        {
                            "id": "hours",
                            "text": "?",
                            "type": "number",
                            "weight": 1,
                            "required": False,
                            "bands": [
                                {"at_least": 0, "score": 1},
                                {"at_least": 25, "score": 0.5},
                                {"at_least": 73, "score": 0},
                            ],
                        },
                    ],
                },
            ],
            "red_flags": [
                {
                    "id": "train",
                    "text": "Trains without consent",
                    "severity": "critical",
                    "when": [{"question": "trains", "op": "equals", "value": "always"}],
                }
            ],
        }
    )


def test_exact_weighted_score_and_sections() -> None:
    result = score_answers(
        template(),
        {"uses_ai": True, "trains": "consent", "mfa": True, "certs": ("iso", "soc"), "hours": 48.0},
    )
    # trains 4 x 0.5 = 2; mfa 2 x 1 = 2; certs 2 x min(1, 1.3) = 2; hours 1 x 0.5 = 0.5 -> 6.5 / 9
    assert result.score == round(100 * 6.5 / 9, 1)
    assert [(s.section, s.score) for s in result.sections] == [("ai", 50.0), ("sec", 90.0)]
    assert result.flags == ()
    assert result.answered == 5
    assert result.visible == 5
    assert result.unanswered == ()


def test_hidden_questions_and_their_stale_answers_do_not_count() -> None:
    result = score_answers(template(), {"uses_ai": False, "trains": "always", "mfa": True})
    assert [s.score for s in result.sections] == [None, 100.0]
    assert result.score == 100.0
    assert result.flags == ()  # the flag's question is hidden
    assert "trains" not in result.unanswered


def test_unanswered_questions_are_left_out_and_reported() -> None:
    result = score_answers(template(), {"uses_ai": True, "mfa": False})
    assert result.score == 0.0  # only mfa counts: 2 x 0 / 2
    assert result.unanswered == ("trains", "certs", "hours")
    assert result.completeness == 40.0


def test_an_option_without_a_score_is_not_counted() -> None:
    result = score_answers(template(), {"uses_ai": True, "trains": "na", "mfa": True})
    assert result.sections[0].score is None
    assert result.sections[0].answered == 0
    assert result.score == 100.0


def test_red_flag_raised_when_its_condition_holds() -> None:
    result = score_answers(template(), {"uses_ai": True, "trains": "always"})
    assert [(f.id, f.severity) for f in result.flags] == [("train", "critical")]


def test_number_bands_and_nothing_answered() -> None:
    t = template()
    hours = t.question("hours")
    assert [answer_score(hours, v) for v in (0.0, 24.0, 25.0, 72.0, 73.0, -1.0)] == [1, 1, 0.5, 0.5, 0, 0.0]
    assert score_answers(t, {}).score is None
    assert rating_band(None) == "not scored"
    assert rating_band(80) == "strong"
    assert rating_band(39.9) == "poor"


ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "uses_ai": st.booleans(),
        "trains": st.sampled_from(["never", "consent", "always", "na"]),
        "mfa": st.booleans(),
        "certs": st.lists(st.sampled_from(["iso", "soc", "none"]), min_size=1, unique=True).map(tuple),
        "hours": st.floats(min_value=-10, max_value=1000, allow_nan=False),
    },
)


@settings(max_examples=150, deadline=None)
@given(ANSWERS)
def test_score_is_always_within_0_and_100(answers: dict[str, Any]) -> None:
    result = score_answers(template(), answers)
    assert result.score is None or 0.0 <= result.score <= 100.0
    for section in result.sections:
        assert section.score is None or 0.0 <= section.score <= 100.0
        assert section.earned <= section.possible + 1e-9


@settings(max_examples=150, deadline=None)
@given(ANSWERS)
def test_answers_to_hidden_questions_never_change_the_score(answers: dict[str, Any]) -> None:
    t = template()
    shown = {q.id for q in visible_questions(t, answers)}
    only_visible = {k: v for k, v in answers.items() if k in shown}
    assert score_answers(t, answers) == score_answers(t, only_visible)


@settings(max_examples=150, deadline=None)
@given(ANSWERS)
def test_the_total_is_the_weighted_mean_of_the_sections(answers: dict[str, Any]) -> None:
    result = score_answers(template(), answers)
    possible = sum(s.possible for s in result.sections)
    if possible == 0:
        assert result.score is None
    else:
        assert abs(result.score - 100 * sum(s.earned for s in result.sections) / possible) < 0.06  # type: ignore[operator]  # score is not None here


@settings(max_examples=100, deadline=None)
@given(ANSWERS)
def test_a_better_answer_never_lowers_the_score(answers: dict[str, Any]) -> None:
    worse = {**answers, "mfa": False}
    better = {**answers, "mfa": True}
    assert score_answers(template(), better).score >= score_answers(template(), worse).score  # type: ignore[operator]  # score is not None here
