"""The contract clause checklist: which clauses a supplier contract should have, which are missing.

AI clauses are expected when the supplier uses AI on our data; data clauses when we share data with it.
Incident notification must be promised within a bound that tightens with the supplier's tier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from aisms.domain.suppliers.schedule import Tier


class ClauseStatus(StrEnum):
    PRESENT = "present"
    PARTIAL = "partial"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ClauseSpec:
    key: str
    title: str
    summary: str
    ai: bool = False  # expected when the supplier uses AI on our data
    data: bool = False  # expected when we share data with the supplier


CLAUSES: tuple[ClauseSpec, ...] = (
    ClauseSpec(
        "security_requirements",
        "Information security requirements",
        "The supplier commits to agreed security measures for the service.",
    ),
    ClauseSpec("confidentiality", "Confidentiality", "Our information is kept confidential, also by staff."),
    ClauseSpec(
        "data_processing",
        "Data processing agreement",
        "Personal data is processed only on our documented instructions.",
        data=True,
    ),
    ClauseSpec(
        "data_location",
        "Data location",
        "Where our data is processed and stored, and no move without notice.",
        data=True,
    ),
    ClauseSpec(
        "incident_notification",
        "Incident notification time",
        "Security incidents affecting us are reported within a set number of hours.",
    ),
    ClauseSpec(
        "right_to_audit",
        "Right to audit",
        "We (or an auditor we name) may audit, or receive independent assurance reports.",
    ),
    ClauseSpec(
        "subprocessor_changes",
        "Notice of sub-processor changes",
        "Advance notice of new or changed sub-processors, with a right to object.",
        data=True,
    ),
    ClauseSpec(
        "exit_and_return",
        "Exit, return and deletion of data",
        "Our data is returned and deleted at the end of the contract.",
        data=True,
    ),
    ClauseSpec(
        "no_training_without_consent",
        "No training on our data without consent",
        "Our data is not used to train or fine-tune models without our written consent.",
        ai=True,
    ),
    ClauseSpec(
        "model_change_notice",
        "Notice of model changes",
        "Advance notice of material changes to the models that process our data.",
        ai=True,
    ),
    ClauseSpec(
        "ai_transparency",
        "AI use transparency",
        "The supplier tells us where and how AI is used on our data and by which providers.",
        ai=True,
    ),
)
CLAUSE_KEYS = tuple(c.key for c in CLAUSES)
BY_KEY = {c.key: c for c in CLAUSES}

# Longest acceptable incident notification, in hours, per tier.
MAX_NOTIFICATION_HOURS = {Tier.CRITICAL: 24, Tier.IMPORTANT: 48, Tier.STANDARD: 72}


@dataclass(frozen=True)
class ClauseRow:
    key: str
    status: ClauseStatus
    notification_hours: int | None = None


@dataclass(frozen=True)
class ClauseGap:
    key: str
    title: str
    reason: str
    ai: bool


@dataclass(frozen=True)
class ClauseChecklist:
    expected: tuple[str, ...]
    present: tuple[str, ...]
    gaps: tuple[ClauseGap, ...]

    @property
    def coverage(self) -> float:
        if not self.expected:
            return 100.0
        return round(100.0 * len(self.present) / len(self.expected), 1)

    @property
    def ai_gaps(self) -> tuple[ClauseGap, ...]:
        return tuple(g for g in self.gaps if g.ai)


def expected_clauses(*, uses_ai: bool, shares_data: bool) -> tuple[str, ...]:
    return tuple(c.key for c in CLAUSES if (not c.ai or uses_ai) and (not c.data or shares_data))


def evaluate_clauses(
    rows: Iterable[ClauseRow], *, tier: Tier, uses_ai: bool, shares_data: bool
) -> ClauseChecklist:
    """Expected clauses that are missing, partial, unrecorded or too weak are gaps; a row marked not
    applicable removes the clause from what is expected."""
    by_key = {row.key: row for row in rows}
    expected = [
        k
        for k in expected_clauses(uses_ai=uses_ai, shares_data=shares_data)
        if k not in by_key or by_key[k].status is not ClauseStatus.NOT_APPLICABLE
    ]
    present: list[str] = []
    gaps: list[ClauseGap] = []
    limit = MAX_NOTIFICATION_HOURS[tier]
    for key in expected:
        spec = BY_KEY[key]
        row = by_key.get(key)
        if row is None:
            gaps.append(ClauseGap(key, spec.title, "not recorded", spec.ai))
        elif row.status is ClauseStatus.MISSING:
            gaps.append(ClauseGap(key, spec.title, "missing from the contract", spec.ai))
        elif row.status is ClauseStatus.PARTIAL:
            gaps.append(ClauseGap(key, spec.title, "only partly covered", spec.ai))
        elif key == "incident_notification" and (
            row.notification_hours is None or row.notification_hours > limit
        ):
            hours = "no time given" if row.notification_hours is None else f"{row.notification_hours} h"
            gaps.append(ClauseGap(key, spec.title, f"{hours}; {tier.label} needs {limit} h or less", spec.ai))
        else:
            present.append(key)
    return ClauseChecklist(expected=tuple(expected), present=tuple(present), gaps=tuple(gaps))
