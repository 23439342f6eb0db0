"""The gap analysis: what stands between the ISMS and certification, ordered by its effect.

Effect of one gap = (base + risk weight + nonconformity weight) x status factor, where

* base: a clause of 4-10 is mandatory for certification (a missing one stops it) and weighs most; an
  applicable Annex A control weighs less, more when a high-level risk calls for it;
* risk weight: each open risk whose treatment plan lists the control adds a little (capped);
* nonconformity weight: open nonconformities by severity;
* status factor: how far from met the item is (nonconforming > gap > partial > expiring).

Ties are broken by kind (clauses first) and catalogue order, so the list is stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aisms.domain.compliance.status import NO_NCS, ComplianceStatus, OpenNonconformities


@dataclass(frozen=True)
class GapWeights:
    clause_base: float = 100.0
    control_base: float = 40.0
    high_risk_bonus: float = 30.0
    per_risk: float = 3.0
    risk_cap: int = 10
    major_nc: float = 40.0
    minor_nc: float = 15.0
    observation: float = 3.0
    status_factor: dict[ComplianceStatus, float] = field(
        default_factory=lambda: {
            ComplianceStatus.NONCONFORMING: 1.5,
            ComplianceStatus.GAP: 1.0,
            ComplianceStatus.PARTIAL: 0.6,
            ComplianceStatus.EXPIRING: 0.3,
        }
    )


DEFAULT_WEIGHTS = GapWeights()


@dataclass(frozen=True)
class GapItem:
    kind: str  # "clause" or "control"
    uid: str
    ref: str
    title: str
    status: ComplianceStatus
    reasons: tuple[str, ...] = ()
    position: int = 0
    risks_linked: int = 0
    high_risks_linked: int = 0
    ncs: OpenNonconformities = NO_NCS
    owner: str | None = None


@dataclass(frozen=True)
class GapRow:
    item: GapItem
    effect: float
    rank: int
    why: tuple[str, ...]


def effect_of(item: GapItem, weights: GapWeights = DEFAULT_WEIGHTS) -> tuple[float, tuple[str, ...]]:
    """The effect score of one item and what made it (0 when the item is no gap)."""
    factor = weights.status_factor.get(item.status, 0.0)
    if factor == 0.0:
        return 0.0, ()
    why: list[str] = []
    if item.kind == "clause":
        base = weights.clause_base
        why.append("mandatory for certification")
    else:
        base = weights.control_base
        why.append("applicable Annex A control")
        if item.high_risks_linked:
            base += weights.high_risk_bonus
            n = item.high_risks_linked
            why.append(f"{n} high-level risk{'s' if n != 1 else ''}")
    risks = min(item.risks_linked, weights.risk_cap)
    if item.risks_linked:
        why.append(f"{item.risks_linked} linked risk{'s' if item.risks_linked != 1 else ''}")
    nc = item.ncs.major * weights.major_nc + item.ncs.minor * weights.minor_nc
    nc += item.ncs.observation * weights.observation
    if item.ncs.total:
        why.append(f"{item.ncs.total} open nonconformit{'y' if item.ncs.total == 1 else 'ies'}")
    return round((base + risks * weights.per_risk + nc) * factor, 2), tuple(why)


def order_gaps(items: Iterable[GapItem], weights: GapWeights = DEFAULT_WEIGHTS) -> list[GapRow]:
    """The items that are not met, highest effect first."""
    scored = []
    for item in items:
        effect, why = effect_of(item, weights)
        if effect > 0:
            scored.append((item, effect, why))
    scored.sort(key=lambda t: (-t[1], 0 if t[0].kind == "clause" else 1, t[0].position, t[0].ref))
    return [GapRow(item, effect, index + 1, why) for index, (item, effect, why) in enumerate(scored)]
