"""Regulatory exposure: where non-compliance is likely and what it could cost.

Maximum penalty of a law = its ceiling rule applied to the fixed amount and the share of worldwide annual
turnover: "higher" (e.g. GDPR art. 83(5): EUR 20m or 4 %, whichever is higher; EU AI Act art. 99(3):
EUR 35m or 7 %), or "lower" (the EU AI Act's rule for SMEs and start-ups, art. 99(6)). A missing part
counts as zero; without a known turnover only the fixed amount counts.

Probability of non-compliance with one obligation = the mean probability of its linked controls'
statuses (table below, configurable); an obligation with no linked control counts as "unassessed".
A law's probability is the highest of its obligations' (one unmet obligation is enough for a fine).
Expected exposure = probability x maximum penalty. Both are monotone: more turnover never lowers the
exposure, and a worse control status never lowers the probability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from aisms.domain.compliance.status import ComplianceStatus


class CeilingRule(StrEnum):
    HIGHER = "higher"  # whichever is higher (the general rule)
    LOWER = "lower"  # whichever is lower (e.g. EU AI Act for SMEs)


@dataclass(frozen=True)
class Penalty:
    fixed_eur: float | None = None
    turnover_share: float | None = None  # a fraction: 0.04 for 4 %
    rule: CeilingRule = CeilingRule.HIGHER


def max_penalty(penalty: Penalty, turnover_eur: float | None) -> float:
    fixed = penalty.fixed_eur or 0.0
    share = (penalty.turnover_share or 0.0) * max(turnover_eur or 0.0, 0.0)
    both = penalty.fixed_eur is not None and penalty.turnover_share is not None
    if penalty.rule is CeilingRule.LOWER and both:
        return min(fixed, share) if turnover_eur is not None else fixed
    return max(fixed, share)


@dataclass(frozen=True)
class ProbabilityTable:
    """Probability that an obligation is breached, given the status of a control that addresses it."""

    by_status: dict[ComplianceStatus, float] = field(
        default_factory=lambda: {
            ComplianceStatus.NONCONFORMING: 0.7,
            ComplianceStatus.GAP: 0.5,
            ComplianceStatus.PARTIAL: 0.25,
            ComplianceStatus.EXPIRING: 0.1,
            ComplianceStatus.COMPLIANT: 0.05,
            ComplianceStatus.NOT_APPLICABLE: 0.5,  # excluded, yet a law calls for it: treat as a gap
        }
    )
    unassessed: float = 0.5

    def of(self, status: ComplianceStatus) -> float:
        return self.by_status[status]


DEFAULT_PROBABILITIES = ProbabilityTable()


@dataclass(frozen=True)
class ObligationInput:
    text: str
    control_uids: Sequence[str] = ()


@dataclass(frozen=True)
class ObligationResult:
    text: str
    probability: float
    statuses: dict[str, ComplianceStatus]
    assessed: bool


@dataclass(frozen=True)
class Exposure:
    law: str
    max_penalty_eur: float
    probability: float
    expected_eur: float
    obligations: tuple[ObligationResult, ...]


def obligation_probability(
    obligation: ObligationInput,
    statuses: Mapping[str, ComplianceStatus],
    table: ProbabilityTable = DEFAULT_PROBABILITIES,
) -> ObligationResult:
    found = {uid: statuses[uid] for uid in obligation.control_uids if uid in statuses}
    if not found:
        return ObligationResult(obligation.text, table.unassessed, {}, assessed=False)
    p = sum(table.of(s) for s in found.values()) / len(found)
    return ObligationResult(obligation.text, round(p, 4), found, assessed=True)


def exposure(
    law: str,
    penalty: Penalty,
    turnover_eur: float | None,
    obligations: Sequence[ObligationInput],
    statuses: Mapping[str, ComplianceStatus],
    table: ProbabilityTable = DEFAULT_PROBABILITIES,
) -> Exposure:
    results = tuple(obligation_probability(o, statuses, table) for o in obligations)
    probability = max((r.probability for r in results), default=table.unassessed)
    ceiling = max_penalty(penalty, turnover_eur)
    return Exposure(law, ceiling, probability, round(probability * ceiling, 2), results)
