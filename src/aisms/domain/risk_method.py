"""The risk assessment method (ISO/IEC 27001 clause 6.1.2): scales, matrix, appetite, acceptance criteria.

A method is versioned: every stored score records the version it was made with, and a risk scored with
an older version needs re-assessment. Validation returns every problem with the field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from aisms.domain.access import Role

MIN_SCALE_LEVELS = 3
MAX_SCALE_LEVELS = 7


@dataclass(frozen=True)
class ScaleLevel:
    value: int  # 1 = lowest
    name: str
    description: str = ""


@dataclass(frozen=True)
class RiskLevel:
    """A level of the matrix (e.g. 'high'), with what the organisation's appetite says about it."""

    key: str
    name: str
    rank: int  # 0 = least severe; higher ranks are more severe
    colour: str  # CSS colour for heat maps
    within_appetite: bool
    accept_roles: frozenset[Role] = frozenset()  # who may accept a residual risk at this level
    justification_required: bool = False


@dataclass(frozen=True)
class RiskMethod:
    name: str
    version: int
    likelihood: tuple[ScaleLevel, ...]
    impact: tuple[ScaleLevel, ...]
    levels: tuple[RiskLevel, ...]
    # matrix[likelihood - 1][impact - 1] is the key of a RiskLevel
    matrix: tuple[tuple[str, ...], ...]

    def level(self, key: str) -> RiskLevel:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)


@dataclass(frozen=True)
class MethodProblem:
    field: str
    message: str


class RiskMethodError(ValueError):
    def __init__(self, problems: list[MethodProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class ScoreError(ValueError):
    pass


def _check_scale(name: str, scale: tuple[ScaleLevel, ...]) -> list[MethodProblem]:
    problems = []
    if not MIN_SCALE_LEVELS <= len(scale) <= MAX_SCALE_LEVELS:
        problems.append(
            MethodProblem(name, f"needs {MIN_SCALE_LEVELS} to {MAX_SCALE_LEVELS} levels, has {len(scale)}")
        )
    for index, level in enumerate(scale):
        if level.value != index + 1:
            problems.append(
                MethodProblem(f"{name}[{index}].value", f"expected {index + 1}, got {level.value}")
            )
        if not level.name.strip():
            problems.append(MethodProblem(f"{name}[{index}].name", "a level needs a name"))
    return problems


def validate_method(method: RiskMethod) -> list[MethodProblem]:
    """Every problem with the method; an empty list means it can be used."""
    problems = _check_scale("likelihood", method.likelihood) + _check_scale("impact", method.impact)
    keys = [level.key for level in method.levels]
    if not method.levels:
        problems.append(MethodProblem("levels", "define at least one risk level"))
    if len(set(keys)) != len(keys):
        problems.append(MethodProblem("levels", "level keys must be unique"))
    ranks = [level.rank for level in method.levels]
    if len(set(ranks)) != len(ranks):
        problems.append(MethodProblem("levels", "level ranks must be unique"))
    # Appetite is a threshold: no level may be within appetite while a less severe one is not.
    by_rank = sorted(method.levels, key=lambda level: level.rank)
    for lower, higher in pairwise(by_rank):
        if higher.within_appetite and not lower.within_appetite:
            problems.append(
                MethodProblem(
                    "levels", f"'{higher.name}' is within appetite but less severe '{lower.name}' is not"
                )
            )
    for level in method.levels:
        if level.within_appetite and not level.accept_roles:
            problems.append(MethodProblem(f"levels.{level.key}", "say who may accept risks at this level"))
    if len(method.matrix) != len(method.likelihood):
        problems.append(MethodProblem("matrix", f"needs {len(method.likelihood)} rows (one per likelihood)"))
        return problems
    known = {level.key: level.rank for level in method.levels}
    for row_index, row in enumerate(method.matrix):
        if len(row) != len(method.impact):
            problems.append(
                MethodProblem(f"matrix[{row_index}]", f"needs {len(method.impact)} cells (one per impact)")
            )
            continue
        for cell_index, key in enumerate(row):
            if key not in known:
                problems.append(MethodProblem(f"matrix[{row_index}][{cell_index}]", f"unknown level {key!r}"))
    if any(p.field.startswith("matrix") for p in problems):
        return problems
    # Monotone: a risk never gets a lower level when likelihood or impact rises.
    for row_index, row in enumerate(method.matrix):
        for cell_index, key in enumerate(row):
            if cell_index and known[key] < known[row[cell_index - 1]]:
                problems.append(
                    MethodProblem(f"matrix[{row_index}][{cell_index}]", "level falls as impact rises")
                )
            if row_index and known[key] < known[method.matrix[row_index - 1][cell_index]]:
                problems.append(
                    MethodProblem(f"matrix[{row_index}][{cell_index}]", "level falls as likelihood rises")
                )
    return problems


def require_valid(method: RiskMethod) -> RiskMethod:
    problems = validate_method(method)
    if problems:
        raise RiskMethodError(problems)
    return method


def score(method: RiskMethod, likelihood: int, impact: int) -> RiskLevel:
    """The level of a (likelihood, impact) pair under the method."""
    if not 1 <= likelihood <= len(method.likelihood):
        raise ScoreError(f"likelihood must be 1 to {len(method.likelihood)}, got {likelihood}")
    if not 1 <= impact <= len(method.impact):
        raise ScoreError(f"impact must be 1 to {len(method.impact)}, got {impact}")
    return method.level(method.matrix[likelihood - 1][impact - 1])


@dataclass(frozen=True)
class AcceptanceRule:
    allowed_roles: frozenset[Role]
    justification_required: bool
    exception_required: bool  # above appetite: only as an explicit, justified exception


def acceptance_rule(level: RiskLevel) -> AcceptanceRule:
    if level.within_appetite:
        return AcceptanceRule(level.accept_roles, level.justification_required, exception_required=False)
    # Above appetite, only the ISMS's top roles may grant an exception, always with a justification.
    top = frozenset({Role.ADMINISTRATOR, Role.ISMS_MANAGER})
    return AcceptanceRule(level.accept_roles | top, justification_required=True, exception_required=True)


@dataclass(frozen=True)
class AcceptanceRequest:
    role: Role
    is_owner: bool
    justification: str
    exception: bool


def acceptance_problems(level: RiskLevel, request: AcceptanceRequest) -> list[str]:
    """Why this acceptance of a residual risk at `level` may not be recorded (empty when it may)."""
    rule = acceptance_rule(level)
    problems = []
    if request.role not in rule.allowed_roles:
        problems.append(f"the {request.role.label} role may not accept a '{level.name}' risk")
    elif request.role is Role.RISK_OWNER and not request.is_owner:
        problems.append("only the risk's owner may accept it")
    if rule.justification_required and not request.justification.strip():
        problems.append(f"accepting a '{level.name}' risk needs a justification")
    if rule.exception_required and not request.exception:
        problems.append(f"'{level.name}' is above the risk appetite: accept only as an explicit exception")
    return problems


@dataclass(frozen=True)
class ReassessmentNeed:
    risk_id: str
    scored_with: int | None
    current: int


def needing_reassessment(scored: dict[str, int | None], current_version: int) -> list[ReassessmentNeed]:
    """Risks whose score was made with another method version (or never scored)."""
    return [
        ReassessmentNeed(risk_id, version, current_version)
        for risk_id, version in sorted(scored.items())
        if version != current_version
    ]


def _scale(*rows: tuple[str, str]) -> tuple[ScaleLevel, ...]:
    return tuple(ScaleLevel(index + 1, name, description) for index, (name, description) in enumerate(rows))


# The method a new ISMS starts with: 5 x 5, four levels, appetite up to Medium.
DEFAULT_METHOD: RiskMethod = require_valid(
    RiskMethod(
        name="aisms default 5x5",
        version=1,
        likelihood=_scale(
            ("Rare", "Not expected in the next five years; no known attempts against us or peers."),
            ("Unlikely", "Could happen within five years; seen against peers, not against us."),
            ("Possible", "Could happen within two years; attempts seen or tooling readily available."),
            ("Likely", "Expected within a year; active campaigns target systems like ours."),
            ("Almost certain", "Expected within months, or already happening."),
        ),
        impact=_scale(
            ("Negligible", "No effect on patients, customers or operations; loss below EUR 10k."),
            ("Minor", "Short disruption or limited data exposure; loss below EUR 100k."),
            ("Moderate", "Notifiable incident or service outage of hours; loss below EUR 1m."),
            ("Major", "Regulatory action, harm to individuals or days of outage; loss below EUR 10m."),
            ("Severe", "Threat to the organisation's licence, safety of people or survival."),
        ),
        levels=(
            RiskLevel("low", "Low", 0, "#2e7d32", True, frozenset(Role) - {Role.AUDITOR, Role.CONTRIBUTOR}),
            RiskLevel(
                "medium",
                "Medium",
                1,
                "#f9a825",
                True,
                frozenset({Role.RISK_OWNER, Role.ISMS_MANAGER, Role.ADMINISTRATOR}),
                justification_required=True,
            ),
            RiskLevel(
                "high", "High", 2, "#ef6c00", False, frozenset({Role.ISMS_MANAGER, Role.ADMINISTRATOR})
            ),
            RiskLevel("critical", "Critical", 3, "#c62828", False, frozenset({Role.ADMINISTRATOR})),
        ),
        matrix=(
            ("low", "low", "low", "medium", "medium"),
            ("low", "low", "medium", "medium", "high"),
            ("low", "medium", "medium", "high", "high"),
            ("medium", "medium", "high", "high", "critical"),
            ("medium", "high", "high", "critical", "critical"),
        ),
    )
)


def method_to_dict(method: RiskMethod) -> dict[str, Any]:
    """A JSON-ready form of the method, stored with each method version."""
    return {
        "name": method.name,
        "version": method.version,
        "likelihood": [
            {"value": s.value, "name": s.name, "description": s.description} for s in method.likelihood
        ],
        "impact": [{"value": s.value, "name": s.name, "description": s.description} for s in method.impact],
        "levels": [
            {
                "key": level.key,
                "name": level.name,
                "rank": level.rank,
                "colour": level.colour,
                "within_appetite": level.within_appetite,
                "accept_roles": sorted(role.value for role in level.accept_roles),
                "justification_required": level.justification_required,
            }
            for level in method.levels
        ],
        "matrix": [list(row) for row in method.matrix],
    }


def method_from_dict(data: dict[str, Any]) -> RiskMethod:
    """The method from its stored form; raises RiskMethodError naming the field on bad data."""
    try:
        return RiskMethod(
            name=str(data["name"]),
            version=int(data["version"]),
            likelihood=tuple(
                ScaleLevel(int(s["value"]), str(s["name"]), str(s.get("description", "")))
                for s in data["likelihood"]
            ),
            impact=tuple(
                ScaleLevel(int(s["value"]), str(s["name"]), str(s.get("description", "")))
                for s in data["impact"]
            ),
            levels=tuple(
                RiskLevel(
                    key=str(level["key"]),
                    name=str(level["name"]),
                    rank=int(level["rank"]),
                    colour=str(level["colour"]),
                    within_appetite=bool(level["within_appetite"]),
                    accept_roles=frozenset(Role(r) for r in level.get("accept_roles", [])),
                    justification_required=bool(level.get("justification_required", False)),
                )
                for level in data["levels"]
            ),
            matrix=tuple(tuple(str(cell) for cell in row) for row in data["matrix"]),
        )
    except KeyError as exc:
        raise RiskMethodError([MethodProblem(str(exc.args[0]), "missing")]) from exc
    except (TypeError, ValueError) as exc:
        raise RiskMethodError([MethodProblem("definition", str(exc))]) from exc
