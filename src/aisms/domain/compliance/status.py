"""Derived compliance status of one Annex A control or one clause, with the reasons for it.

The status is never typed in: it follows from what the other registers record.

Control rules, in order (the first that matches decides, then open minor nonconformities can only make
it worse):

1. Excluded in the SoA -> NOT_APPLICABLE.
2. An open major nonconformity -> NONCONFORMING.
3. Implementation not started or planned -> GAP.
4. No evidence that is still valid (none at all, or all expired) -> GAP: a claim without evidence is not
   demonstrable at an audit.
5. Partially implemented (with valid evidence) -> PARTIAL.
6. Implemented, but every valid evidence item expires within the warning window -> EXPIRING.
7. Implemented with evidence valid beyond the window -> COMPLIANT.
8. Then: an open minor nonconformity makes the result at least PARTIAL; observations add a reason only.

Statuses are ranked COMPLIANT < EXPIRING < PARTIAL < GAP < NONCONFORMING ("worse" = higher rank).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from aisms.domain.soa import ImplementationStatus

DEFAULT_WARNING_DAYS = 30


class ComplianceStatus(StrEnum):
    NOT_APPLICABLE = "not-applicable"
    COMPLIANT = "compliant"
    EXPIRING = "expiring"
    PARTIAL = "partial"
    GAP = "gap"
    NONCONFORMING = "nonconforming"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def rank(self) -> int:
        """How bad the status is: 0 for compliant (and not applicable), 4 for nonconforming."""
        return STATUS_RANK[self]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self]


STATUS_LABELS: dict[ComplianceStatus, str] = {
    ComplianceStatus.NOT_APPLICABLE: "Not applicable",
    ComplianceStatus.COMPLIANT: "Compliant",
    ComplianceStatus.EXPIRING: "At risk",
    ComplianceStatus.PARTIAL: "Partially met",
    ComplianceStatus.GAP: "Gap",
    ComplianceStatus.NONCONFORMING: "Nonconforming",
}
STATUS_RANK: dict[ComplianceStatus, int] = {
    ComplianceStatus.NOT_APPLICABLE: 0,
    ComplianceStatus.COMPLIANT: 0,
    ComplianceStatus.EXPIRING: 1,
    ComplianceStatus.PARTIAL: 2,
    ComplianceStatus.GAP: 3,
    ComplianceStatus.NONCONFORMING: 4,
}
STATUS_COLOURS: dict[ComplianceStatus, str] = {
    ComplianceStatus.NOT_APPLICABLE: "#c9ced6",
    ComplianceStatus.COMPLIANT: "#1a7f37",
    ComplianceStatus.EXPIRING: "#d4a72c",
    ComplianceStatus.PARTIAL: "#e16f24",
    ComplianceStatus.GAP: "#b42318",
    ComplianceStatus.NONCONFORMING: "#6e1010",
}
# Worst first: the order of legends and of stacked bars.
STATUS_ORDER: tuple[ComplianceStatus, ...] = (
    ComplianceStatus.NONCONFORMING,
    ComplianceStatus.GAP,
    ComplianceStatus.PARTIAL,
    ComplianceStatus.EXPIRING,
    ComplianceStatus.COMPLIANT,
    ComplianceStatus.NOT_APPLICABLE,
)


def worse(a: ComplianceStatus, b: ComplianceStatus) -> ComplianceStatus:
    """The worse of two statuses (not applicable counts as the best)."""
    if a is ComplianceStatus.NOT_APPLICABLE:
        return b
    if b is ComplianceStatus.NOT_APPLICABLE:
        return a
    return a if a.rank >= b.rank else b


class EvidenceState(StrEnum):
    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {"current": "Current", "expiring": "Expiring soon", "expired": "Expired"}[self.value]


def evidence_state(
    expires_on: date | None, today: date, warning_days: int = DEFAULT_WARNING_DAYS
) -> EvidenceState:
    """CURRENT without expiry or beyond the window, EXPIRING within it (expiry day included), else EXPIRED."""
    if expires_on is None or expires_on > today + timedelta(days=warning_days):
        return EvidenceState.CURRENT
    if expires_on >= today:
        return EvidenceState.EXPIRING
    return EvidenceState.EXPIRED


class Severity(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


@dataclass(frozen=True)
class OpenNonconformities:
    """Counts of open (not closed) nonconformities raised against one clause or control."""

    major: int = 0
    minor: int = 0
    observation: int = 0

    @property
    def total(self) -> int:
        return self.major + self.minor + self.observation

    def __add__(self, other: OpenNonconformities) -> OpenNonconformities:
        return OpenNonconformities(
            self.major + other.major, self.minor + other.minor, self.observation + other.observation
        )


NO_NCS = OpenNonconformities()


@dataclass(frozen=True)
class Evidence:
    """One evidence item as the roll-up sees it."""

    title: str
    expires_on: date | None = None


@dataclass(frozen=True)
class ControlInputs:
    applicable: bool = True
    implementation: ImplementationStatus = ImplementationStatus.NOT_STARTED
    evidence: Sequence[Evidence] = ()
    ncs: OpenNonconformities = NO_NCS


@dataclass(frozen=True)
class StatusResult:
    status: ComplianceStatus
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def evidence_counts(
    evidence: Iterable[Evidence], today: date, warning_days: int = DEFAULT_WARNING_DAYS
) -> dict[EvidenceState, int]:
    counts = dict.fromkeys(EvidenceState, 0)
    for item in evidence:
        counts[evidence_state(item.expires_on, today, warning_days)] += 1
    return counts


def apply_nonconformities(result: StatusResult, ncs: OpenNonconformities) -> StatusResult:
    """Open nonconformities only ever make a status worse, and always say so."""
    status, reasons = result.status, list(result.reasons)
    if status is ComplianceStatus.NOT_APPLICABLE:
        return result
    if ncs.major:
        status = ComplianceStatus.NONCONFORMING
        reasons.append(_nc_text(ncs.major, "major"))
    if ncs.minor:
        status = worse(status, ComplianceStatus.PARTIAL)
        reasons.append(_nc_text(ncs.minor, "minor"))
    if ncs.observation:
        reasons.append(f"{ncs.observation} open observation{'' if ncs.observation == 1 else 's'}")
    return StatusResult(status, tuple(reasons))


def _nc_text(n: int, severity: str) -> str:
    return f"{n} open {severity} nonconformit{'y' if n == 1 else 'ies'}"


def derive_control_status(
    inputs: ControlInputs, today: date, warning_days: int = DEFAULT_WARNING_DAYS
) -> StatusResult:
    """The status of one Annex A control from its SoA decision, its evidence and open nonconformities."""
    if not inputs.applicable:
        return StatusResult(ComplianceStatus.NOT_APPLICABLE, ("excluded in the Statement of Applicability",))
    counts = evidence_counts(inputs.evidence, today, warning_days)
    valid = counts[EvidenceState.CURRENT] + counts[EvidenceState.EXPIRING]
    reasons: list[str] = [f"implementation: {inputs.implementation.label.lower()}"]
    if counts[EvidenceState.EXPIRED]:
        reasons.append(f"{_plural(counts[EvidenceState.EXPIRED], 'evidence item')} expired")
    if counts[EvidenceState.EXPIRING]:
        reasons.append(
            f"{_plural(counts[EvidenceState.EXPIRING], 'evidence item')} expiring within {warning_days} days"
        )
    if counts[EvidenceState.CURRENT]:
        reasons.append(f"{_plural(counts[EvidenceState.CURRENT], 'current evidence item')}")
    impl = inputs.implementation
    if impl in (ImplementationStatus.NOT_STARTED, ImplementationStatus.PLANNED):
        status = ComplianceStatus.GAP
    elif valid == 0:
        status = ComplianceStatus.GAP
        reasons.append("no valid evidence" if counts[EvidenceState.EXPIRED] else "no evidence recorded")
    elif impl is ImplementationStatus.PARTIALLY_IMPLEMENTED:
        status = ComplianceStatus.PARTIAL
    elif counts[EvidenceState.CURRENT] == 0:
        status = ComplianceStatus.EXPIRING
    else:
        status = ComplianceStatus.COMPLIANT
    return apply_nonconformities(StatusResult(status, tuple(reasons)), inputs.ncs)
