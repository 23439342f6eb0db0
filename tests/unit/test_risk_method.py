"""The risk method: validation, scoring, appetite and acceptance rules."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.access import Role
from aisms.domain.risk_method import (
    DEFAULT_METHOD,
    AcceptanceRequest,
    RiskLevel,
    RiskMethod,
    ScaleLevel,
    ScoreError,
    acceptance_problems,
    needing_reassessment,
    score,
    validate_method,
)

LEVELS = DEFAULT_METHOD.levels


def test_the_default_method_is_valid_and_scores_corners() -> None:
    assert validate_method(DEFAULT_METHOD) == []
    assert score(DEFAULT_METHOD, 1, 1).key == "low"
    assert score(DEFAULT_METHOD, 5, 5).key == "critical"
    assert score(DEFAULT_METHOD, 3, 3).key == "medium"
    assert score(DEFAULT_METHOD, 4, 4).key == "high"


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 1), (6, 1), (1, 0), (1, 6)])
def test_out_of_range_inputs_are_refused(likelihood: int, impact: int) -> None:
    with pytest.raises(ScoreError):
        score(DEFAULT_METHOD, likelihood, impact)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 4), st.integers(0, 4))
def test_the_default_level_never_falls_when_likelihood_or_impact_rises(
    lk: int, im: int, dl: int, di: int
) -> None:
    higher = score(DEFAULT_METHOD, min(5, lk + dl), min(5, im + di))
    assert higher.rank >= score(DEFAULT_METHOD, lk, im).rank


@st.composite
def monotone_methods(draw: st.DrawFn) -> RiskMethod:
    """Valid methods of any size: each cell's rank is the max of its neighbours' plus a non-negative step."""
    rows = draw(st.integers(3, 7))
    cols = draw(st.integers(3, 7))
    n_levels = draw(st.integers(1, 5))
    ranks: list[list[int]] = []
    for r in range(rows):
        row: list[int] = []
        for c in range(cols):
            floor = max(row[c - 1] if c else 0, ranks[r - 1][c] if r else 0)
            row.append(min(n_levels - 1, floor + draw(st.integers(0, 1))))
        ranks.append(row)
    levels = tuple(
        RiskLevel(
            f"l{k}",
            f"Level {k}",
            k,
            "#000",
            within_appetite=k == 0,
            accept_roles=frozenset({Role.RISK_OWNER}),
        )
        for k in range(n_levels)
    )
    return RiskMethod(
        name="generated",
        version=1,
        likelihood=tuple(ScaleLevel(v + 1, f"L{v + 1}") for v in range(rows)),
        impact=tuple(ScaleLevel(v + 1, f"I{v + 1}") for v in range(cols)),
        levels=levels,
        matrix=tuple(tuple(f"l{k}" for k in row) for row in ranks),
    )


@given(monotone_methods(), st.data())
def test_any_valid_method_never_lowers_a_level_when_an_input_rises(
    method: RiskMethod, data: st.DataObject
) -> None:
    assert validate_method(method) == []
    lk = data.draw(st.integers(1, len(method.likelihood)))
    im = data.draw(st.integers(1, len(method.impact)))
    lk2 = data.draw(st.integers(lk, len(method.likelihood)))
    im2 = data.draw(st.integers(im, len(method.impact)))
    assert score(method, lk2, im2).rank >= score(method, lk, im).rank


def test_a_matrix_whose_level_falls_is_refused_naming_the_cell() -> None:
    matrix = [list(row) for row in DEFAULT_METHOD.matrix]
    matrix[4][4] = "low"
    method = replace(DEFAULT_METHOD, matrix=tuple(tuple(row) for row in matrix))
    problems = validate_method(method)
    assert {(p.field, p.message) for p in problems} == {
        ("matrix[4][4]", "level falls as impact rises"),
        ("matrix[4][4]", "level falls as likelihood rises"),
    }


def test_scales_need_three_to_seven_levels_and_consecutive_values() -> None:
    two = DEFAULT_METHOD.likelihood[:2]
    problems = validate_method(replace(DEFAULT_METHOD, likelihood=two, matrix=DEFAULT_METHOD.matrix[:2]))
    assert [p.field for p in problems] == ["likelihood"]
    gap = (*DEFAULT_METHOD.impact[:4], ScaleLevel(7, "Huge"))
    assert [(p.field, p.message) for p in validate_method(replace(DEFAULT_METHOD, impact=gap))] == [
        ("impact[4].value", "expected 5, got 7")
    ]


def test_unknown_levels_and_wrong_shapes_are_named() -> None:
    bad = (*DEFAULT_METHOD.matrix[:4], ("low", "low", "nope", "high", "critical"))
    assert [(p.field, p.message) for p in validate_method(replace(DEFAULT_METHOD, matrix=bad))] == [
        ("matrix[4][2]", "unknown level 'nope'")
    ]
    short = (*DEFAULT_METHOD.matrix[:4], ("low",))
    assert [p.field for p in validate_method(replace(DEFAULT_METHOD, matrix=short))] == ["matrix[4]"]
    assert [p.field for p in validate_method(replace(DEFAULT_METHOD, matrix=DEFAULT_METHOD.matrix[:3]))] == [
        "matrix"
    ]


def test_appetite_must_be_a_threshold() -> None:
    low, medium, high, critical = LEVELS
    levels = (replace(low, within_appetite=False), medium, high, critical)
    problems = validate_method(replace(DEFAULT_METHOD, levels=levels))
    assert [(p.field, p.message) for p in problems] == [
        ("levels", "'Medium' is within appetite but less severe 'Low' is not")
    ]


def test_acceptance_within_appetite_follows_the_level_rule() -> None:
    medium = DEFAULT_METHOD.level("medium")
    owner = AcceptanceRequest(
        Role.RISK_OWNER, is_owner=True, justification="Compensating controls", exception=False
    )
    assert acceptance_problems(medium, owner) == []
    assert acceptance_problems(medium, replace(owner, justification=" ")) == [
        "accepting a 'Medium' risk needs a justification"
    ]
    assert acceptance_problems(medium, replace(owner, is_owner=False)) == [
        "only the risk's owner may accept it"
    ]
    assert acceptance_problems(medium, replace(owner, role=Role.AUDITOR)) == [
        "the Auditor role may not accept a 'Medium' risk"
    ]


def test_above_appetite_needs_an_explicit_exception_and_justification() -> None:
    high = DEFAULT_METHOD.level("high")
    manager = AcceptanceRequest(Role.ISMS_MANAGER, is_owner=False, justification="", exception=False)
    assert acceptance_problems(high, manager) == [
        "accepting a 'High' risk needs a justification",
        "'High' is above the risk appetite: accept only as an explicit exception",
    ]
    assert (
        acceptance_problems(high, replace(manager, justification="Board decision 2026-11", exception=True))
        == []
    )
    owner = AcceptanceRequest(Role.RISK_OWNER, is_owner=True, justification="x", exception=True)
    assert acceptance_problems(high, owner) == ["the Risk owner role may not accept a 'High' risk"]


def test_risks_scored_with_another_version_need_reassessment() -> None:
    needs = needing_reassessment({"R-2": 1, "R-1": 2, "R-3": None}, current_version=2)
    assert [(n.risk_id, n.scored_with) for n in needs] == [("R-2", 1), ("R-3", None)]
