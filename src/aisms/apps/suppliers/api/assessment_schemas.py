"""Schemas of questionnaire templates, assessments, findings, the review policy and the overview."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aisms.apps.suppliers import assessments
from aisms.apps.suppliers.api.register_schemas import Severity
from aisms.apps.suppliers.models import (
    Answer,
    Assessment,
    Finding,
    QuestionnaireTemplate,
    TemplateVersion,
)


class TemplateVersionOut(Schema):
    id: int
    template: int
    key: str
    version: int
    notes: str
    created_at: datetime
    definition: dict[str, Any]
    assessments: int

    @staticmethod
    def resolve_key(obj: TemplateVersion) -> str:
        return obj.template.key

    @staticmethod
    def resolve_template(obj: TemplateVersion) -> int:
        return obj.template_id

    @staticmethod
    def resolve_assessments(obj: TemplateVersion) -> int:
        return obj.assessments.count()


class SupplierTemplateOut(Schema):
    id: int
    key: str
    title: str
    description: str
    versions: list[int]
    latest_version_id: int | None

    @staticmethod
    def resolve_versions(obj: QuestionnaireTemplate) -> list[int]:
        return sorted(v.version for v in obj.versions.all())

    @staticmethod
    def resolve_latest_version_id(obj: QuestionnaireTemplate) -> int | None:
        latest = obj.latest
        return latest.pk if latest else None


class TemplateIn(Schema):
    definition: dict[str, Any] | str = Field(
        description="The questionnaire as an object, or as YAML/JSON text."
    )
    notes: str = Field(default="", max_length=300)


class AnswerOut(Schema):
    id: int
    question_id: str
    value: Any
    file_name: str
    file_size: int | None
    evidence_url: str | None

    @staticmethod
    def resolve_evidence_url(obj: Answer) -> str | None:
        return f"/api/v1/suppliers/evidence/{obj.pk}" if obj.file else None


class AssessmentOut(Schema):
    id: int
    supplier: int
    template_version: int
    template_key: str
    version: int
    contact_name: str
    contact_email: str
    status: str
    due_date: date | None
    expires_at: datetime | None
    sent_at: datetime | None
    draft_saved_at: datetime | None
    submitted_at: datetime | None
    score: float | None
    score_details: dict[str, Any]
    rating: str
    reviewer_comments: str
    scored_at: datetime | None

    @staticmethod
    def resolve_supplier(obj: Assessment) -> int:
        return obj.supplier_id

    @staticmethod
    def resolve_template_version(obj: Assessment) -> int:
        return obj.template_version_id

    @staticmethod
    def resolve_template_key(obj: Assessment) -> str:
        return obj.template_version.template.key

    @staticmethod
    def resolve_version(obj: Assessment) -> int:
        return obj.template_version.version


class AssessmentDetailOut(AssessmentOut):
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(obj: Assessment) -> Any:
        return list(obj.answers.all())


class SendIn(Schema):
    template_version: int
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: str = Field(min_length=3, max_length=254)
    due_date: date | None = None
    link_days: int = Field(default=assessments.LINK_DAYS_DEFAULT, ge=1, le=assessments.LINK_DAYS_MAX)


class SentOut(Schema):
    assessment: AssessmentOut
    link: str = Field(description="The supplier's link; shown once (only its hash is stored).")


class LinkIn(Schema):
    link_days: int = Field(default=assessments.LINK_DAYS_DEFAULT, ge=1, le=assessments.LINK_DAYS_MAX)


class ScoreIn(Schema):
    rating: Literal["acceptable", "conditions", "not_acceptable"]
    comments: str = Field(default="", max_length=10000)


class FindingOut(Schema):
    id: int
    supplier: int
    assessment: int | None
    question_id: str
    title: str
    description: str
    severity: str
    status: str
    risk: str | None = Field(description="Reference of the risk raised from it.")
    created_at: datetime

    @staticmethod
    def resolve_supplier(obj: Finding) -> int:
        return obj.supplier_id

    @staticmethod
    def resolve_assessment(obj: Finding) -> int | None:
        return obj.assessment_id

    @staticmethod
    def resolve_risk(obj: Finding) -> str | None:
        return obj.risk.ref if obj.risk else None


class FindingIn(Schema):
    supplier: int
    assessment: int | None = None
    question_id: str = Field(default="", max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10000)
    severity: Severity = "medium"


class FindingPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10000)
    severity: Severity | None = None
    status: Literal["open", "resolved", "accepted"] | None = None


class RaiseRiskIn(Schema):
    likelihood: int | None = Field(default=None, ge=1, le=7)
    impact: int | None = Field(default=None, ge=1, le=7)
    owner: str | None = Field(
        default=None, description="User name of the risk owner (default: the supplier's)."
    )


class RiskRefOut(Schema):
    id: int
    ref: str
    title: str
    threat: str | None
    assets: list[int]


class PolicyIO(Schema):
    tier1_months: int = Field(ge=1, le=120)
    tier2_months: int = Field(ge=1, le=120)
    tier3_months: int = Field(ge=1, le=120)
    reminder_days: int = Field(ge=0, le=120)


class OverviewSupplier(Schema):
    id: int
    name: str
    tier: int
    next_review_due: date | None


class TierScore(Schema):
    name: str
    tier: int
    score: float | None


class ExpiringCert(Schema):
    supplier: str
    kind: str
    expires_on: date


class OverviewOut(Schema):
    today: date
    total: int
    by_tier: dict[str, int]
    ai_using: int
    ai_training: int
    overdue: list[OverviewSupplier]
    due_soon: list[OverviewSupplier]
    tier_scores: list[TierScore]
    expiring: list[ExpiringCert]
    expired: list[ExpiringCert]
    open_findings: int
    findings_by_severity: dict[str, int]
    pending_assessments: int
