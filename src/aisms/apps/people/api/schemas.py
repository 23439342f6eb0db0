"""Schemas of people, competences, job roles, training modules, assignments, completions, gaps and
coverage."""

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aisms.apps.people.models import (
    CompetenceRecord,
    Completion,
    JobRole,
    ModuleAssignment,
    Person,
    TrainingModule,
)
from aisms.catalogue.training_modules import CATEGORIES


class PersonOut(Schema):
    id: int
    employee_id: str
    name: str
    email: str
    department: str
    manager: str | None = Field(description="Employee id of the manager.")
    roles: list[str]
    start_date: date
    active: bool

    @staticmethod
    def resolve_manager(obj: Person) -> str | None:
        return obj.manager.employee_id if obj.manager else None

    @staticmethod
    def resolve_roles(obj: Person) -> list[str]:
        return sorted(r.name for r in obj.roles.all())


class PersonIn(Schema):
    employee_id: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(default="", max_length=254)
    department: str = Field(default="", max_length=100)
    manager: str | None = Field(default=None, description="Employee id of the manager.")
    roles: list[int] = Field(default_factory=list, description="Job role ids.")
    start_date: date | None = None
    active: bool = True


class PersonPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    department: str | None = Field(default=None, max_length=100)
    manager: str | None = None
    roles: list[int] | None = None
    start_date: date | None = None
    active: bool | None = None


class CompetenceOut(Schema):
    id: int
    name: str
    description: str
    category: str


class CompetenceIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    category: Literal[CATEGORIES] = "security"  # type: ignore[valid-type]


class CompetencePatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]


class CompetenceRecordOut(Schema):
    id: int
    competence: int
    kind: str
    description: str
    obtained_on: date
    expires_on: date | None
    reference: str
    verified_by: str | None

    @staticmethod
    def resolve_competence(obj: CompetenceRecord) -> int:
        return obj.competence_id

    @staticmethod
    def resolve_verified_by(obj: CompetenceRecord) -> str | None:
        return obj.verified_by.username if obj.verified_by else None


class CompetenceRecordIn(Schema):
    competence: int
    kind: Literal["qualification", "experience"]
    description: str = Field(min_length=1, max_length=300)
    obtained_on: date
    expires_on: date | None = None
    reference: str = Field(default="", max_length=500)


class PeopleRequirementOut(Schema):
    competence: int
    name: str
    evidence: str


class RoleOut(Schema):
    id: int
    name: str
    description: str
    requirements: list[PeopleRequirementOut]

    @staticmethod
    def resolve_requirements(obj: JobRole) -> list[dict[str, Any]]:
        return [
            {"competence": r.competence_id, "name": r.competence.name, "evidence": r.evidence}
            for r in obj.requirements.select_related("competence")
        ]


class RoleIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class PeopleRequirementIn(Schema):
    competence: int
    evidence: Literal["training", "qualification", "experience"] = "training"


class ModulePatch(Schema):
    code: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    objectives: str | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=1440)
    recurrence_months: int | None = Field(default=None, ge=1, le=120)
    competences: list[int] | None = None


class ModuleOut(Schema):
    id: int
    code: str
    title: str
    objectives: str
    duration_minutes: int
    recurrence_months: int | None
    competences: list[int]

    @staticmethod
    def resolve_competences(obj: TrainingModule) -> list[int]:
        return sorted(c.pk for c in obj.competences.all())


class ModuleIn(Schema):
    code: str = Field(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    title: str = Field(min_length=1, max_length=200)
    objectives: str = ""
    duration_minutes: int = Field(default=30, ge=1, le=1440)
    recurrence_months: int | None = Field(default=None, ge=1, le=120)
    competences: list[int] = Field(default_factory=list)


class PeopleAdoptIn(Schema):
    ids: list[str] | None = Field(default=None, description="Starter module ids; null: all of them.")


class AssignmentOut(Schema):
    id: int
    role: int
    module: int
    due_days: int

    @staticmethod
    def resolve_role(obj: ModuleAssignment) -> int:
        return obj.role_id

    @staticmethod
    def resolve_module(obj: ModuleAssignment) -> int:
        return obj.module_id


class AssignmentIn(Schema):
    role: int
    module: int
    due_days: int = Field(default=30, ge=0, le=3650)


class CompletionOut(Schema):
    id: int
    person: str = Field(description="Employee id.")
    module: str = Field(description="Module code.")
    completed_on: date
    score: int | None
    evidence: str
    source: str

    @staticmethod
    def resolve_person(obj: Completion) -> str:
        return obj.person.employee_id

    @staticmethod
    def resolve_module(obj: Completion) -> str:
        return obj.module.code


class CompletionIn(Schema):
    person: str = Field(description="Employee id.")
    module: str = Field(description="Module code.")
    completed_on: date
    score: int | None = Field(default=None, ge=0, le=100)
    evidence: str = Field(default="", max_length=2000)


class GapOut(Schema):
    person: str
    name: str
    module: str
    due: date | None
    status: str


class CompetenceGapOut(Schema):
    person: str
    name: str
    competence: str
    role: str
    evidence: str = Field(description="How the role expects it shown: training, qualification or experience.")


class GapsOut(Schema):
    today: date
    training: list[GapOut]
    competences: list[CompetenceGapOut]


class CoverageOut(Schema):
    module: str
    covered: int
    required: int
    ratio: float


class TrendPoint(Schema):
    month_end: date
    covered: int
    required: int
    ratio: float


class CoverageReport(Schema):
    today: date
    overall: float
    modules: list[CoverageOut]
    departments: dict[str, float]
    trend: list[TrendPoint]
