"""The audit lifecycle: planned -> in-progress -> reported -> closed."""

from __future__ import annotations

from enum import StrEnum


class AuditState(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    REPORTED = "reported"
    CLOSED = "closed"


NEXT: dict[AuditState, AuditState] = {
    AuditState.PLANNED: AuditState.IN_PROGRESS,
    AuditState.IN_PROGRESS: AuditState.REPORTED,
    AuditState.REPORTED: AuditState.CLOSED,
}


def audit_transition_problems(
    current: AuditState,
    target: AuditState,
    *,
    unchecked_items: int,
    report_summary: str,
    open_findings_without_nc: int,
) -> list[str]:
    """What prevents moving the audit to target (empty: allowed). Only forward, one step at a time."""
    if NEXT.get(current) != target:
        return [f"cannot go from {current.value} to {target.value}"]
    problems = []
    if target == AuditState.REPORTED:
        if unchecked_items:
            problems.append(f"{unchecked_items} checklist item(s) not checked yet")
        if not report_summary.strip():
            problems.append("write the report summary first")
    if target == AuditState.CLOSED and open_findings_without_nc:
        problems.append(f"{open_findings_without_nc} nonconformity finding(s) have no nonconformity raised")
    return problems
