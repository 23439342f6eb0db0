"""Carrying findings across scans of one repository by their fingerprints.

- a fingerprint seen for the first time is a new, open finding;
- one seen again keeps its status (open stays open; a false positive or accepted risk stays so);
- one that was fixed and comes back is reopened (a regression);
- an open one missing from the new scan is fixed; a triaged one (false positive, accepted risk) that goes
  missing keeps its judgement but is marked absent, so it does not come back as open later.

Only findings of the tools the new scan covers are touched: a bandit-only upload does not fix the
assistant-configuration findings of an earlier full scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    ACCEPTED_RISK = "accepted_risk"
    FALSE_POSITIVE = "false_positive"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.OPEN: "Open",
    Status.FIXED: "Fixed",
    Status.ACCEPTED_RISK: "Accepted risk",
    Status.FALSE_POSITIVE: "False positive",
}
TRIAGED = frozenset({Status.ACCEPTED_RISK, Status.FALSE_POSITIVE})
NEEDS_REASON = frozenset({*TRIAGED, Status.FIXED})


@dataclass(frozen=True)
class Tracked:
    fingerprint: str
    tool: str
    status: Status
    present: bool


@dataclass
class Plan:
    new: list[str] = field(default_factory=list)
    still_present: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    gone_triaged: list[str] = field(default_factory=list)


def reconcile(existing: Iterable[Tracked], seen: Iterable[str], covered_tools: Iterable[str]) -> Plan:
    """What a new scan does to a repository's findings; `seen` are the new scan's fingerprints."""
    seen_set = set(seen)
    tools = set(covered_tools)
    plan = Plan()
    known: set[str] = set()
    for item in existing:
        known.add(item.fingerprint)
        if item.fingerprint in seen_set:
            if item.status == Status.FIXED:
                plan.reopened.append(item.fingerprint)
            else:
                plan.still_present.append(item.fingerprint)
        elif item.tool in tools and item.present:
            if item.status == Status.OPEN:
                plan.fixed.append(item.fingerprint)
            elif item.status in TRIAGED:
                plan.gone_triaged.append(item.fingerprint)
    plan.new = sorted(seen_set - known)
    return plan


def check_transition(status: Status, reason: str) -> str | None:
    """Why a status change by a person is refused, or None. Scans set "fixed" on their own; a person who
    marks a finding fixed, a false positive or an accepted risk says why."""
    if status in NEEDS_REASON and not reason.strip():
        return f"give a reason when marking a finding as {status.label.lower()}"
    return None
