"""Crosswalk roll-up: the status of an ISO/IEC 42001 Annex A control or a NIST AI RMF category from the
ISO/IEC 27001 clauses and 27002 controls it maps to.

Rule (documented in docs/compliance.md): the status is the WORST status among the mapped items that
apply (a crosswalk item is only as met as its weakest supporting control), and the "coverage" is the
AVERAGE credit of those items (compliant 1, expiring 0.75, partial 0.5, gap and nonconforming 0), so two
items with the same worst status can still be told apart. Items that map to nothing, or only to excluded
controls, have no status (None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aisms.domain.compliance.status import ComplianceStatus, worse

CREDIT: dict[ComplianceStatus, float] = {
    ComplianceStatus.COMPLIANT: 1.0,
    ComplianceStatus.EXPIRING: 0.75,
    ComplianceStatus.PARTIAL: 0.5,
    ComplianceStatus.GAP: 0.0,
    ComplianceStatus.NONCONFORMING: 0.0,
}


@dataclass(frozen=True)
class CrosswalkResult:
    uid: str
    status: ComplianceStatus | None
    coverage: float | None  # 0..1
    mapped: tuple[str, ...]
    counts: dict[ComplianceStatus, int]

    @property
    def status_value(self) -> str:
        return self.status.value if self.status else "unmapped"


def roll_up(uid: str, mapped: Sequence[str], statuses: Mapping[str, ComplianceStatus]) -> CrosswalkResult:
    known = sorted({m for m in mapped if m in statuses})
    counts = dict.fromkeys(ComplianceStatus, 0)
    status: ComplianceStatus | None = None
    credits: list[float] = []
    for m in known:
        s = statuses[m]
        counts[s] += 1
        if s is ComplianceStatus.NOT_APPLICABLE:
            continue
        status = s if status is None else worse(status, s)
        credits.append(CREDIT[s])
    coverage = sum(credits) / len(credits) if credits else None
    return CrosswalkResult(uid, status, coverage, tuple(known), counts)


def roll_up_all(
    targets: Mapping[str, Sequence[str]], statuses: Mapping[str, ComplianceStatus]
) -> dict[str, CrosswalkResult]:
    return {uid: roll_up(uid, mapped, statuses) for uid, mapped in targets.items()}
