"""API under /api/v1/context: PESTEL issues and templates, interested parties and requirements, the scope."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.context import selectors, services
from aisms.apps.context.models import (
    InterestedParty,
    IsmsScope,
    IssueOrigin,
    PartyKind,
    PartyRequirement,
    PestelCategory,
    PestelIssue,
    ScopeVersion,
    Trend,
)
from aisms.apps.risks.models import Risk
from aisms.catalogue.pestel_templates import load_builtin_templates
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action

router = Router(tags=["context"])


def _viewer(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    require(user, Action.VIEW)
    return user


def _user_named(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise HttpError(422, f"owner: no active user named {username!r}")
    return user


def _risks(refs: list[str]) -> list[Risk]:
    found = list(Risk.objects.filter(ref__in=refs))
    missing = sorted(set(refs) - {r.ref for r in found})
    if missing:
        raise HttpError(422, f"risks: no risk {', '.join(missing)}")
    return found


# ------------------------------------------------------------------ PESTEL issues


class IssueOut(Schema):
    id: int
    category: PestelCategory
    origin: IssueOrigin
    title: str
    description: str
    effect: str
    trend: Trend
    opportunities: str
    risks: list[str]
    owner: str | None
    template_id: str
    review_date: dt.date | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_overdue: bool

    @staticmethod
    def resolve_risks(obj: PestelIssue) -> list[str]:
        return sorted(r.ref for r in obj.risks.all())

    @staticmethod
    def resolve_owner(obj: PestelIssue) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_reviewed_by(obj: PestelIssue) -> str | None:
        return obj.reviewed_by.username if obj.reviewed_by else None

    @staticmethod
    def resolve_review_overdue(obj: PestelIssue) -> bool:
        return bool(obj.review_date and obj.review_date < timezone.localdate())


class IssueIn(Schema):
    category: PestelCategory
    origin: IssueOrigin = IssueOrigin.EXTERNAL
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    effect: str = Field("", max_length=20_000)
    trend: Trend = Trend.STABLE
    opportunities: str = Field("", max_length=20_000)
    owner: str | None = Field(None, description="User name of the issue owner")
    review_date: dt.date | None = None
    risks: list[str] = Field([], description="Risk references, e.g. R-009")


class TemplateOut(Schema):
    id: str
    category: str
    origin: str
    title: str
    description: str
    effect: str
    trend: str
    opportunities: str
    ai: bool
    review_months: int


class AdoptIn(Schema):
    template: str = Field(min_length=1, max_length=100)


class ReviewIn(Schema):
    next_review: dt.date | None = None
    notes: str = Field("", max_length=2000)


class RiskLinksIn(Schema):
    risks: list[str] = Field(min_length=1)


def _issue_values(payload: IssueIn) -> tuple[dict[str, Any], list[Risk]]:
    values = payload.dict(exclude={"risks", "owner"})
    values["owner"] = _user_named(payload.owner)
    return values, _risks(payload.risks)


@router.get("/pestel", response=list[IssueOut], summary="PESTEL issues")
@paginate(BoundedPageNumberPagination)
def list_issues(request: HttpRequest, category: PestelCategory | None = None) -> Any:
    _viewer(request)
    found = selectors.issues()
    return found.filter(category=category) if category else found


@router.post("/pestel", response={201: IssueOut}, summary="Add a PESTEL issue")
def create_issue(request: HttpRequest, payload: IssueIn) -> Any:
    values, risks = _issue_values(payload)
    if values["owner"] is None:
        values.pop("owner")
    issue = services.create_issue(request.auth, risks=risks, **values)  # type: ignore[attr-defined]
    return Status(201, issue)


@router.get("/pestel/templates", response=list[TemplateOut], summary="Starter PESTEL templates")
def list_templates(request: HttpRequest) -> Any:
    _viewer(request)
    return list(load_builtin_templates().templates)


@router.post("/pestel/adopt", response={201: IssueOut}, summary="Adopt a starter template as an issue")
def adopt(request: HttpRequest, payload: AdoptIn) -> Any:
    return Status(201, services.adopt_template(request.auth, payload.template))  # type: ignore[attr-defined]


@router.get("/pestel/due", response=list[IssueOut], summary="Issues due for review within 30 days")
def due(request: HttpRequest) -> Any:
    _viewer(request)
    return list(selectors.due_for_review(timezone.localdate()))


@router.get("/pestel/{int:issue_id}", response=IssueOut, summary="One PESTEL issue")
def get_issue(request: HttpRequest, issue_id: int) -> PestelIssue:
    _viewer(request)
    return get_object_or_404(selectors.issues(), pk=issue_id)


@router.put("/pestel/{int:issue_id}", response=IssueOut, summary="Update a PESTEL issue")
def put_issue(request: HttpRequest, issue_id: int, payload: IssueIn) -> PestelIssue:
    _viewer(request)
    issue = get_object_or_404(PestelIssue, pk=issue_id)
    values, risks = _issue_values(payload)
    return services.update_issue(request.auth, issue, risks=risks, **values)  # type: ignore[attr-defined]


@router.delete("/pestel/{int:issue_id}", response={204: None}, summary="Delete a PESTEL issue")
def delete_issue(request: HttpRequest, issue_id: int) -> Any:
    _viewer(request)
    services.delete_issue(request.auth, get_object_or_404(PestelIssue, pk=issue_id))  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/pestel/{int:issue_id}/review", response=IssueOut, summary="Mark an issue reviewed")
def review(request: HttpRequest, issue_id: int, payload: ReviewIn) -> PestelIssue:
    _viewer(request)
    issue = get_object_or_404(PestelIssue, pk=issue_id)
    return services.mark_reviewed(
        request.auth,  # type: ignore[attr-defined]
        issue,
        next_review=payload.next_review,
        notes=payload.notes,
    )


@router.post("/pestel/{int:issue_id}/risks", response=IssueOut, summary="Link risks the issue raises")
def link(request: HttpRequest, issue_id: int, payload: RiskLinksIn) -> PestelIssue:
    _viewer(request)
    issue = get_object_or_404(PestelIssue, pk=issue_id)
    return services.link_risks(request.auth, issue, _risks(payload.risks))  # type: ignore[attr-defined]


# ------------------------------------------------------------------ interested parties


class RequirementOut(Schema):
    id: int
    requirement: str
    addressed: bool
    how_addressed: str


class RequirementIn(Schema):
    requirement: str = Field(min_length=1, max_length=5000)
    addressed: bool = False
    how_addressed: str = Field("", max_length=5000)


class PartyOut(Schema):
    id: int
    name: str
    kind: PartyKind
    description: str
    owner: str | None
    requirements: list[RequirementOut]

    @staticmethod
    def resolve_owner(obj: InterestedParty) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_requirements(obj: InterestedParty) -> list[PartyRequirement]:
        return list(obj.requirements.all())


class PartyIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    description: str = Field("", max_length=20_000)
    owner: str | None = None


@router.get("/parties", response=list[PartyOut], summary="Interested parties and their requirements")
@paginate(BoundedPageNumberPagination)
def list_parties(request: HttpRequest) -> Any:
    _viewer(request)
    return selectors.parties()


@router.post("/parties", response={201: PartyOut}, summary="Add an interested party")
def create_party(request: HttpRequest, payload: PartyIn) -> Any:
    values = payload.dict(exclude={"owner"})
    owner = _user_named(payload.owner)
    if owner is not None:
        values["owner"] = owner
    return Status(201, services.create_party(request.auth, **values))  # type: ignore[attr-defined]


@router.get("/parties/{int:party_id}", response=PartyOut, summary="One interested party")
def get_party(request: HttpRequest, party_id: int) -> InterestedParty:
    _viewer(request)
    return get_object_or_404(selectors.parties(), pk=party_id)


@router.put("/parties/{int:party_id}", response=PartyOut, summary="Update an interested party")
def put_party(request: HttpRequest, party_id: int, payload: PartyIn) -> InterestedParty:
    _viewer(request)
    party = get_object_or_404(InterestedParty, pk=party_id)
    values = payload.dict(exclude={"owner"})
    values["owner"] = _user_named(payload.owner)
    return services.update_party(request.auth, party, **values)  # type: ignore[attr-defined]


@router.delete("/parties/{int:party_id}", response={204: None}, summary="Delete an interested party")
def delete_party(request: HttpRequest, party_id: int) -> Any:
    _viewer(request)
    services.delete_party(request.auth, get_object_or_404(InterestedParty, pk=party_id))  # type: ignore[attr-defined]
    return Status(204, None)


@router.post(
    "/parties/{int:party_id}/requirements", response={201: RequirementOut}, summary="Add a requirement"
)
def add_requirement(request: HttpRequest, party_id: int, payload: RequirementIn) -> Any:
    _viewer(request)
    party = get_object_or_404(InterestedParty, pk=party_id)
    return Status(201, services.add_requirement(request.auth, party, **payload.dict()))  # type: ignore[attr-defined]


@router.put(
    "/parties/{int:party_id}/requirements/{int:requirement_id}",
    response=RequirementOut,
    summary="Update a requirement",
)
def put_requirement(
    request: HttpRequest, party_id: int, requirement_id: int, payload: RequirementIn
) -> PartyRequirement:
    _viewer(request)
    requirement = get_object_or_404(
        PartyRequirement.objects.select_related("party"), pk=requirement_id, party_id=party_id
    )
    return services.update_requirement(request.auth, requirement, **payload.dict())  # type: ignore[attr-defined]


@router.delete(
    "/parties/{int:party_id}/requirements/{int:requirement_id}",
    response={204: None},
    summary="Remove a requirement",
)
def delete_requirement(request: HttpRequest, party_id: int, requirement_id: int) -> Status[None]:
    _viewer(request)
    requirement = get_object_or_404(
        PartyRequirement.objects.select_related("party"), pk=requirement_id, party_id=party_id
    )
    services.delete_requirement(request.auth, requirement)  # type: ignore[attr-defined]
    return Status(204, None)


# ------------------------------------------------------------------ scope


class ScopeItem(Schema):
    item: str = Field(min_length=1, max_length=500)
    reason: str = Field("", max_length=2000)


class ScopeOut(Schema):
    statement: str
    in_scope: list[ScopeItem]
    out_of_scope: list[ScopeItem]
    interfaces: str
    dependencies: str
    updated_at: dt.datetime


class ScopeIn(Schema):
    statement: str = Field("", max_length=20_000)
    in_scope: list[ScopeItem] = []
    out_of_scope: list[ScopeItem] = []
    interfaces: str = Field("", max_length=20_000)
    dependencies: str = Field("", max_length=20_000)


class ScopeVersionOut(Schema):
    version: int
    snapshot: dict[str, Any]
    notes: str
    approved_by: str | None
    approved_at: dt.datetime

    @staticmethod
    def resolve_approved_by(obj: ScopeVersion) -> str | None:
        return obj.approved_by.username if obj.approved_by else None


class ContextApproveIn(Schema):
    notes: str = Field("", max_length=2000)


class LineChangeOut(Schema):
    section: str
    kind: str
    old: str | None
    new: str | None


@router.get("/scope", response=ScopeOut, summary="The draft ISMS scope")
def get_scope(request: HttpRequest) -> IsmsScope:
    _viewer(request)
    return services.draft_scope()


@router.put("/scope", response=ScopeOut, summary="Update the draft ISMS scope")
def put_scope(request: HttpRequest, payload: ScopeIn) -> IsmsScope:
    _viewer(request)
    return services.update_scope(request.auth, **payload.dict())  # type: ignore[attr-defined]


@router.post("/scope/approve", response={201: ScopeVersionOut}, summary="Approve the draft as a new version")
def approve(request: HttpRequest, payload: ContextApproveIn) -> Any:
    return Status(201, services.approve_scope(request.auth, notes=payload.notes))  # type: ignore[attr-defined]


@router.get("/scope/versions", response=list[ScopeVersionOut], summary="Approved scope versions")
def versions(request: HttpRequest) -> Any:
    _viewer(request)
    return list(ScopeVersion.objects.select_related("approved_by"))


@router.get("/scope/compare", response=list[LineChangeOut], summary="Compare two scope versions")
def compare(request: HttpRequest, old: int, new: int | None = None) -> Any:
    """Lines added, removed or changed from version ``old`` to ``new`` (or to the draft when omitted)."""
    _viewer(request)
    return services.compare_versions(old, new)
