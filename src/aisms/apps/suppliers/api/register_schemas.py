"""Schemas of the supplier register: suppliers with their services, data shared, certifications,
sub-processors and contract clauses."""

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aisms.apps.suppliers.models import (
    Supplier,
)
from aisms.domain.suppliers.clauses import CLAUSE_KEYS

Tier = Literal[1, 2, 3]
Training = Literal["unknown", "never", "with_consent", "opt_out", "always"]
SupplierStatus = Literal["onboarding", "active", "exiting", "ended"]
Severity = Literal["low", "medium", "high", "critical"]
Classification = Literal["public", "internal", "confidential", "restricted"]
CertKind = Literal[
    "iso27001",
    "iso42001",
    "iso27701",
    "iso27017",
    "iso27018",
    "soc2_type2",
    "soc2_type1",
    "c5",
    "hds",
    "other",
]
ClauseKey = Literal[CLAUSE_KEYS]  # type: ignore[valid-type]  # a Literal built from data
ClauseStatus = Literal["present", "partial", "missing", "not_applicable"]


# ------------------------------------------------------------------ schemas


class ServiceOut(Schema):
    id: int
    name: str
    kind: str
    description: str


class ServiceIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["service", "product"] = "service"
    description: str = Field(default="", max_length=5000)


class ServicePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Literal["service", "product"] | None = None
    description: str | None = Field(default=None, max_length=5000)


class DataOut(Schema):
    id: int
    category: str
    classification: str
    personal_data: bool
    special_category: bool
    description: str


class DataIn(Schema):
    category: str = Field(min_length=1, max_length=200)
    classification: Classification = "internal"
    personal_data: bool = False
    special_category: bool = False
    description: str = Field(default="", max_length=5000)


class DataPatch(Schema):
    category: str | None = Field(default=None, min_length=1, max_length=200)
    classification: Classification | None = None
    personal_data: bool | None = None
    special_category: bool | None = None
    description: str | None = Field(default=None, max_length=5000)


class CertificationOut(Schema):
    id: int
    kind: str
    name: str
    scope: str
    issued_on: date | None
    expires_on: date | None
    evidence: str


class CertificationIn(Schema):
    kind: CertKind
    name: str = Field(default="", max_length=200)
    scope: str = Field(default="", max_length=5000)
    issued_on: date | None = None
    expires_on: date | None = None
    evidence: str = Field(default="", max_length=500)


class CertificationPatch(Schema):
    kind: CertKind | None = None
    name: str | None = Field(default=None, max_length=200)
    scope: str | None = Field(default=None, max_length=5000)
    issued_on: date | None = None
    expires_on: date | None = None
    evidence: str | None = Field(default=None, max_length=500)


class SubProcessorOut(Schema):
    id: int
    name: str
    purpose: str
    location: str
    uses_ai: bool


class SubProcessorIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(default="", max_length=300)
    location: str = Field(default="", max_length=200)
    uses_ai: bool = False


class SubProcessorPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=300)
    location: str | None = Field(default=None, max_length=200)
    uses_ai: bool | None = None


class ClauseOut(Schema):
    key: str
    status: str
    reference: str
    notification_hours: int | None
    notes: str


class ClauseIn(Schema):
    status: ClauseStatus
    reference: str = Field(default="", max_length=200)
    notification_hours: int | None = Field(default=None, ge=0, le=10000)
    notes: str = Field(default="", max_length=5000)


class ClauseGapOut(Schema):
    key: str
    title: str
    reason: str
    ai: bool


class ChecklistOut(Schema):
    expected: list[str]
    present: list[str]
    gaps: list[ClauseGapOut]
    coverage: float
    clauses: list[ClauseOut]


class SupplierOut(Schema):
    id: int
    name: str
    description: str
    website: str
    status: str
    tier: int
    owner: str | None
    contact_name: str
    contact_email: str
    contract_reference: str
    contract_start: date | None
    contract_end: date | None
    uses_ai_on_our_data: bool | None
    trains_on_our_data: str
    model_providers: list[str]
    processing_locations: str
    storage_locations: str
    model_change_notification: str
    ai_notes: str
    assets: list[int]
    onboarded_on: date
    last_reviewed_on: date | None
    next_review_due: date | None

    @staticmethod
    def resolve_owner(obj: Supplier) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_assets(obj: Supplier) -> list[int]:
        return sorted(a.pk for a in obj.assets.all())


class SupplierDetailOut(SupplierOut):
    services: list[ServiceOut]
    data_shared: list[DataOut]
    certifications: list[CertificationOut]
    subprocessors: list[SubProcessorOut]

    @staticmethod
    def resolve_services(obj: Supplier) -> Any:
        return list(obj.services.all())

    @staticmethod
    def resolve_data_shared(obj: Supplier) -> Any:
        return list(obj.data_shared.all())

    @staticmethod
    def resolve_certifications(obj: Supplier) -> Any:
        return list(obj.certifications.all())

    @staticmethod
    def resolve_subprocessors(obj: Supplier) -> Any:
        return list(obj.subprocessors.all())


class SupplierIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10000)
    website: str = Field(default="", max_length=200)
    status: SupplierStatus = "active"
    tier: Tier = 3
    owner: str | None = Field(default=None, description="User name of the supplier's owner.")
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    contract_reference: str = Field(default="", max_length=100)
    contract_start: date | None = None
    contract_end: date | None = None
    uses_ai_on_our_data: bool | None = None
    trains_on_our_data: Training = "unknown"
    model_providers: list[str] = Field(default_factory=list, max_length=50)
    processing_locations: str = Field(default="", max_length=300)
    storage_locations: str = Field(default="", max_length=300)
    model_change_notification: str = Field(default="", max_length=300)
    ai_notes: str = Field(default="", max_length=10000)
    assets: list[int] = Field(default_factory=list, description="Asset ids.")
    onboarded_on: date | None = None


class SupplierPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10000)
    website: str | None = Field(default=None, max_length=200)
    status: SupplierStatus | None = None
    tier: Tier | None = None
    owner: str | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contract_reference: str | None = Field(default=None, max_length=100)
    contract_start: date | None = None
    contract_end: date | None = None
    uses_ai_on_our_data: bool | None = None
    trains_on_our_data: Training | None = None
    model_providers: list[str] | None = Field(default=None, max_length=50)
    processing_locations: str | None = Field(default=None, max_length=300)
    storage_locations: str | None = Field(default=None, max_length=300)
    model_change_notification: str | None = Field(default=None, max_length=300)
    ai_notes: str | None = Field(default=None, max_length=10000)
    assets: list[int] | None = None
    onboarded_on: date | None = None


class ReviewedIn(Schema):
    on: date | None = None
