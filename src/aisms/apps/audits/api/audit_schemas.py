"""Schemas of audit programmes, their coverage, audits, checklist items and findings."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from aisms.apps.audits.api.routing import username_of
from aisms.apps.audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    Finding,
)

Result = Literal["not-checked", "conforming", "minor-nc", "major-nc", "observation", "ofi"]


class ProgrammeOut(Schema):
    id: int
    title: str
    cycle_years: int
    start_year: int
    objectives: str
    high_risk_uids: list[str]
    owner: str | None

    @staticmethod
    def resolve_owner(obj: AuditProgramme) -> str | None:
        return username_of(obj.owner)


class ProgrammeIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    cycle_years: int = Field(default=3, ge=1, le=10)
    start_year: int = Field(ge=2000, le=2100)
    objectives: str = ""
    high_risk_uids: list[str] = Field(default_factory=list, max_length=200)
    owner: str | None = Field(default=None, description="User name.")


class ProgrammePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    cycle_years: int | None = Field(default=None, ge=1, le=10)
    start_year: int | None = Field(default=None, ge=2000, le=2100)
    objectives: str | None = None
    high_risk_uids: list[str] | None = Field(default=None, max_length=200)
    owner: str | None = None


class CoverageItemOut(Schema):
    uid: str
    ref: str
    title: str
    kind: str
    group: str
    high_risk: bool
    years: list[int]
    missing_years: list[int]
    covered: bool


class CoverageCellOut(Schema):
    group: str
    year: int
    covered: int
    total: int


class AuditCoverageOut(Schema):
    years: list[int]
    share_covered: float
    cells: list[CoverageCellOut]
    uncovered: list[CoverageItemOut]


class ChecklistItemOut(Schema):
    id: int
    uid: str
    title: str
    question: str
    result: Result
    notes: str
    evidence_refs: str
    checked_by: str | None
    checked_at: dt.datetime | None

    @staticmethod
    def resolve_checked_by(obj: ChecklistItem) -> str | None:
        return username_of(obj.checked_by)


class ChecklistItemPatch(Schema):
    result: Result
    notes: str | None = Field(default=None, max_length=10_000)
    evidence_refs: str | None = Field(default=None, max_length=10_000)


class AuditFindingOut(Schema):
    id: int
    audit: int
    checklist_item: int | None
    kind: Literal["nc", "observation", "ofi"]
    severity: str
    uid: str
    text: str
    nonconformity: str | None = Field(description="Ref of the nonconformity raised from it.")

    @staticmethod
    def resolve_audit(obj: Finding) -> int:
        return obj.audit_id

    @staticmethod
    def resolve_checklist_item(obj: Finding) -> int | None:
        return obj.checklist_item_id

    @staticmethod
    def resolve_nonconformity(obj: Finding) -> str | None:
        return obj.nonconformity.ref if hasattr(obj, "nonconformity") else None


class AuditFindingIn(Schema):
    kind: Literal["nc", "observation", "ofi"]
    text: str = Field(min_length=1, max_length=10_000)
    severity: Literal["", "major", "minor", "observation"] = ""
    checklist_item: int | None = None
    uid: str = Field(default="", max_length=80)


class AuditOut(Schema):
    id: int
    ref: str
    title: str
    programme: int | None
    scope: str
    clause_uids: list[str]
    control_uids: list[str]
    criteria: str
    lead_auditor: str | None
    auditors: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    status: Literal["planned", "in-progress", "reported", "closed"]
    report_summary: str

    @staticmethod
    def resolve_programme(obj: Audit) -> int | None:
        return obj.programme_id

    @staticmethod
    def resolve_lead_auditor(obj: Audit) -> str | None:
        return username_of(obj.lead_auditor)

    @staticmethod
    def resolve_auditors(obj: Audit) -> list[str]:
        return sorted(u.username for u in obj.auditors.all())


class AuditDetailOut(AuditOut):
    checklist: list[ChecklistItemOut]
    findings: list[AuditFindingOut]

    @staticmethod
    def resolve_checklist(obj: Audit) -> list[ChecklistItem]:
        return list(obj.checklist.all())

    @staticmethod
    def resolve_findings(obj: Audit) -> list[Finding]:
        return list(obj.findings.all())


class AuditIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    programme: int | None = None
    scope: str = ""
    clause_uids: list[str] = Field(default_factory=list, max_length=100)
    control_uids: list[str] = Field(default_factory=list, max_length=100)
    criteria: str = ""
    lead_auditor: str | None = None
    auditors: list[str] = Field(default_factory=list, max_length=20)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


class AuditPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    programme: int | None = None
    scope: str | None = None
    clause_uids: list[str] | None = Field(default=None, max_length=100)
    control_uids: list[str] | None = Field(default=None, max_length=100)
    criteria: str | None = None
    lead_auditor: str | None = None
    auditors: list[str] | None = Field(default=None, max_length=20)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    report_summary: str | None = None


class AuditTransitionIn(Schema):
    status: Literal["in-progress", "reported", "closed"]
