"""Regulation endpoints: the register of laws and regulations with their obligations, suggestions,
adoption from PESTEL issues, and the exposure."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.services import require
from aisms.apps.compliance import registers, regulation_services, selectors
from aisms.apps.compliance.api.routing import (
    actor_of,
    day_or_today,
    risks_by_ref,
    router,
    viewer_of,
)
from aisms.apps.compliance.models import (
    Obligation,
    Regulation,
)
from aisms.apps.context.models import PestelIssue
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action


class ObligationOut(Schema):
    id: int
    text: str
    controls: list[str]
    risks: list[str]

    @staticmethod
    def resolve_controls(obj: Obligation) -> list[str]:
        return sorted(c.uid for c in obj.controls.all())

    @staticmethod
    def resolve_risks(obj: Obligation) -> list[str]:
        return sorted(r.ref for r in obj.risks.all())


class RegulationOut(Schema):
    id: int
    key: str
    name: str
    short_name: str
    jurisdiction: str
    source_url: str
    pestel_issue: int | None
    applicability: str
    max_fixed_eur: Decimal | None
    max_turnover_pct: Decimal | None
    ceiling_rule: str
    penalty_basis: str
    obligations: list[ObligationOut]

    @staticmethod
    def resolve_pestel_issue(obj: Regulation) -> int | None:
        return obj.pestel_issue_id

    @staticmethod
    def resolve_obligations(obj: Regulation) -> list[Obligation]:
        return list(obj.obligations.all())


class RegulationIn(Schema):
    name: str = Field(min_length=1, max_length=300)
    short_name: str = Field(min_length=1, max_length=60)
    jurisdiction: str = Field(default="", max_length=200)
    source_url: str = Field(default="", max_length=500)
    applicability: str = ""
    max_fixed_eur: Decimal | None = Field(default=None, ge=0)
    max_turnover_pct: Decimal | None = Field(default=None, ge=0, le=100)
    ceiling_rule: Literal["higher", "lower"] = "higher"
    penalty_basis: str = ""


class RegulationPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    short_name: str | None = Field(default=None, min_length=1, max_length=60)
    jurisdiction: str | None = Field(default=None, max_length=200)
    source_url: str | None = Field(default=None, max_length=500)
    applicability: str | None = None
    max_fixed_eur: Decimal | None = Field(default=None, ge=0)
    max_turnover_pct: Decimal | None = Field(default=None, ge=0, le=100)
    ceiling_rule: Literal["higher", "lower"] | None = None
    penalty_basis: str | None = None


class ObligationIn(Schema):
    text: str = Field(min_length=1)
    controls: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)


class ObligationPatch(Schema):
    text: str | None = Field(default=None, min_length=1)
    controls: list[str] | None = None
    risks: list[str] | None = None


class ComplianceSuggestionOut(Schema):
    key: str
    name: str
    short_name: str
    jurisdiction: str
    max_fixed_eur: float | None
    max_turnover_pct: float | None
    rule: str
    penalty_article: str
    in_register: bool


class ExposureOut(Schema):
    regulation: int
    short_name: str
    turnover_eur: float | None
    max_penalty_eur: float
    probability: float
    expected_eur: float


def _regulation(regulation_id: int) -> Regulation:
    return get_object_or_404(registers.regulations(), pk=regulation_id)


@router.get("/regulations", response=list[RegulationOut], summary="The register of laws and regulations")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_regulations(request: HttpRequest) -> Any:
    viewer_of(request)
    return registers.regulations()


@router.post("/regulations", response={201: RegulationOut}, summary="Add a law or regulation")
def create_regulation(request: HttpRequest, payload: RegulationIn) -> Status[Regulation]:
    regulation = regulation_services.create_regulation(actor_of(request), **payload.dict())
    return Status(201, _regulation(regulation.pk))


@router.get(
    "/regulations/suggestions",
    response=list[ComplianceSuggestionOut],
    summary="Laws suggested from the catalogue",
)
def list_suggestions(request: HttpRequest) -> Any:
    viewer_of(request)
    present = set(Regulation.objects.values_list("key", flat=True))
    return [
        {
            "key": s.key,
            "name": s.name,
            "short_name": s.short_name,
            "jurisdiction": s.jurisdiction,
            "max_fixed_eur": s.penalty.fixed_eur,
            "max_turnover_pct": round(s.penalty.turnover_share * 100, 3)
            if s.penalty.turnover_share is not None
            else None,
            "rule": s.penalty.rule.value,
            "penalty_article": s.penalty_article,
            "in_register": s.key in present,
        }
        for s in regulation_services.suggestions()
    ]


@router.post(
    "/regulations/suggestions/{key}/adopt", response={201: RegulationOut}, summary="Add a suggested law"
)
def adopt(request: HttpRequest, key: str) -> Status[Regulation]:
    regulation = regulation_services.adopt_suggestion(actor_of(request), key)
    return Status(201, _regulation(regulation.pk))


@router.post(
    "/regulations/from-pestel/{issue_id}",
    response={201: RegulationOut},
    summary="Add a legal PESTEL issue to the register",
)
def from_pestel(request: HttpRequest, issue_id: int) -> Status[Regulation]:
    actor = actor_of(request)
    require(actor, Action.CREATE)
    regulation = regulation_services.from_pestel_issue(actor, get_object_or_404(PestelIssue, pk=issue_id))
    return Status(201, _regulation(regulation.pk))


@router.get(
    "/regulations/{regulation_id}", response=RegulationOut, summary="One regulation with its obligations"
)
def get_regulation(request: HttpRequest, regulation_id: int) -> Regulation:
    viewer_of(request)
    return _regulation(regulation_id)


@router.patch("/regulations/{regulation_id}", response=RegulationOut, summary="Change a regulation")
def patch_regulation(request: HttpRequest, regulation_id: int, payload: RegulationPatch) -> Regulation:
    regulation_services.update_regulation(
        actor_of(request), _regulation(regulation_id), **payload.dict(exclude_unset=True)
    )
    return _regulation(regulation_id)


@router.delete("/regulations/{regulation_id}", response={204: None}, summary="Remove a regulation")
def delete_regulation(request: HttpRequest, regulation_id: int) -> Status[None]:
    regulation_services.delete_regulation(actor_of(request), _regulation(regulation_id))
    return Status(204, None)


@router.post(
    "/regulations/{regulation_id}/obligations", response={201: ObligationOut}, summary="Add an obligation"
)
def add_obligation(request: HttpRequest, regulation_id: int, payload: ObligationIn) -> Status[Obligation]:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    obligation = regulation_services.add_obligation(
        actor,
        _regulation(regulation_id),
        text=payload.text,
        control_uids=payload.controls,
        risks=risks_by_ref(payload.risks),
    )
    return Status(201, obligation)


@router.patch("/obligations/{obligation_id}", response=ObligationOut, summary="Change an obligation")
def patch_obligation(request: HttpRequest, obligation_id: int, payload: ObligationPatch) -> Obligation:
    actor = actor_of(request)
    require(actor, Action.EDIT)
    obligation = get_object_or_404(Obligation, pk=obligation_id)
    return regulation_services.update_obligation(
        actor,
        obligation,
        text=payload.text,
        control_uids=payload.controls,
        risks=risks_by_ref(payload.risks) if payload.risks is not None else None,
    )


@router.delete("/obligations/{obligation_id}", response={204: None}, summary="Remove an obligation")
def delete_obligation(request: HttpRequest, obligation_id: int) -> Status[None]:
    regulation_services.delete_obligation(actor_of(request), get_object_or_404(Obligation, pk=obligation_id))
    return Status(204, None)


@router.get(
    "/exposure", response=list[ExposureOut], summary="Regulatory exposure given the organisation's turnover"
)
def exposure(request: HttpRequest, on: date | None = None) -> Any:
    viewer_of(request)
    return [
        {
            "regulation": r.regulation.pk,
            "short_name": r.regulation.short_name,
            "turnover_eur": r.turnover_eur,
            "max_penalty_eur": r.exposure.max_penalty_eur,
            "probability": r.exposure.probability,
            "expected_eur": r.exposure.expected_eur,
        }
        for r in selectors.exposure_rows(day_or_today(on))
    ]
