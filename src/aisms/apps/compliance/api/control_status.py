"""Status endpoints: the derived status of every clause and Annex A control, the gaps and the crosswalks."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError

from aisms.apps.compliance import selectors
from aisms.apps.compliance.api.routing import (
    day_or_today,
    router,
    viewer_of,
)


class CheckOut(Schema):
    check: str
    outcome: str
    message: str


class NcOut(Schema):
    major: int
    minor: int
    observation: int


class StatusOut(Schema):
    kind: str
    uid: str
    ref: str
    title: str
    group: str
    status: str
    status_label: str
    reasons: list[str]
    applicable: bool
    implementation: str
    owner: str | None
    evidence: dict[str, int]
    open_nonconformities: NcOut
    risks: list[str]
    checks: list[CheckOut]


def _status_out(row: selectors.StatusRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "uid": row.uid,
        "ref": row.ref,
        "title": row.title,
        "group": row.group,
        "status": row.status.value,
        "status_label": row.status.label,
        "reasons": list(row.reasons),
        "applicable": row.applicable,
        "implementation": row.implementation,
        "owner": row.owner,
        "evidence": row.evidence,
        "open_nonconformities": {
            "major": row.ncs.major,
            "minor": row.ncs.minor,
            "observation": row.ncs.observation,
        },
        "risks": list(row.risks),
        "checks": [{"check": c.check, "outcome": c.outcome.value, "message": c.message} for c in row.checks],
    }


@router.get("/status", response=list[StatusOut], summary="Derived status of every clause and Annex A control")
def status(
    request: HttpRequest,
    kind: Literal["", "clause", "control"] = "",
    status: str = "",
    on: date | None = None,
) -> Any:
    viewer_of(request)
    rows = selectors.compliance_status(None, day_or_today(on))
    return [
        _status_out(r)
        for r in rows
        if (not kind or r.kind == kind) and (not status or r.status.value == status)
    ]


@router.get(
    "/status/{uid}", response=StatusOut, summary="Derived status of one clause or control, with reasons"
)
def status_of(request: HttpRequest, uid: str, on: date | None = None) -> Any:
    viewer_of(request)
    rows = (
        selectors.clause_statuses(day_or_today(on))
        if uid.startswith("iso27001:")
        else selectors.control_statuses(day_or_today(on))
    )
    row = next((r for r in rows if r.uid == uid), None)
    if row is None:
        raise HttpError(404, f"no clause or control {uid!r}")
    return _status_out(row)


class ComplianceGapOut(Schema):
    rank: int
    kind: str
    ref: str
    uid: str
    title: str
    status: str
    status_label: str
    effect: float
    why_it_matters: str
    what_is_missing: str
    owner: str
    linked_risks: int
    open_nonconformities: int


@router.get(
    "/gaps", response=list[ComplianceGapOut], summary="Gap analysis for certification readiness, by effect"
)
def gaps(request: HttpRequest, on: date | None = None) -> Any:
    viewer_of(request)
    return selectors.gap_report_rows(day_or_today(on))


class CrosswalkOut(Schema):
    uid: str
    ref: str
    title: str
    group: str
    status: str
    coverage: float | None
    mapped: list[str]


@router.get(
    "/crosswalk/{framework}",
    response=list[CrosswalkOut],
    summary="Status against ISO/IEC 42001 or NIST AI RMF",
)
def crosswalk(
    request: HttpRequest, framework: Literal["iso42001", "nist-ai-rmf"], on: date | None = None
) -> Any:
    viewer_of(request)
    return [
        {
            "uid": r.uid,
            "ref": r.ref,
            "title": r.title,
            "group": r.group,
            "status": r.result.status_value,
            "coverage": round(r.result.coverage, 3) if r.result.coverage is not None else None,
            "mapped": list(r.result.mapped),
        }
        for r in selectors.crosswalk_status(framework, day_or_today(on))
    ]
