"""API: the risk register, acceptance, treatment actions, the risk method and threat suggestions."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks import quantification, selectors, services
from aisms.apps.risks.models import (
    ActionStatus,
    Risk,
    RiskMethodVersion,
    RiskStatus,
    Treatment,
    TreatmentAction,
)
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action
from aisms.domain.risk_method import method_to_dict

router = Router(tags=["risks"])


class ScorePair(Schema):
    likelihood: int = Field(ge=1, le=7)
    impact: int = Field(ge=1, le=7)


class ActionOut(Schema):
    id: int
    title: str
    description: str
    owner: str | None
    due_date: dt.date | None
    status: ActionStatus
    controls: list[str]
    overdue: bool

    @staticmethod
    def resolve_owner(obj: TreatmentAction) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_controls(obj: TreatmentAction) -> list[str]:
        return [c.uid for c in obj.controls.all()]

    @staticmethod
    def resolve_overdue(obj: TreatmentAction) -> bool:
        open_ = obj.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
        return bool(open_ and obj.due_date and obj.due_date < dt.date.today())


class RiskOut(Schema):
    ref: str
    title: str
    description: str
    threat: str | None
    custom_threat: str
    vulnerability: str
    consequences: str
    assets: list[int]
    owner: str | None
    status: RiskStatus
    method_version: int | None
    inherent: dict[str, Any]
    current: dict[str, Any]
    target: dict[str, Any]
    treatment: str
    treatment_notes: str
    accepted_by: str | None
    accepted_at: dt.datetime | None
    acceptance_justification: str
    acceptance_exception: bool
    review_date: dt.date | None
    actions: list[ActionOut]

    @staticmethod
    def resolve_threat(obj: Risk) -> str | None:
        return obj.threat.uid if obj.threat else None

    @staticmethod
    def resolve_assets(obj: Risk) -> list[int]:
        return [a.pk for a in obj.assets.all()]

    @staticmethod
    def resolve_owner(obj: Risk) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_accepted_by(obj: Risk) -> str | None:
        return obj.accepted_by.username if obj.accepted_by else None

    @staticmethod
    def resolve_inherent(obj: Risk) -> dict[str, Any]:
        return {
            "likelihood": obj.inherent_likelihood,
            "impact": obj.inherent_impact,
            "level": obj.inherent_level,
        }

    @staticmethod
    def resolve_current(obj: Risk) -> dict[str, Any]:
        return {
            "likelihood": obj.current_likelihood,
            "impact": obj.current_impact,
            "level": obj.current_level,
        }

    @staticmethod
    def resolve_target(obj: Risk) -> dict[str, Any]:
        return {"likelihood": obj.target_likelihood, "impact": obj.target_impact, "level": obj.target_level}

    @staticmethod
    def resolve_actions(obj: Risk) -> list[TreatmentAction]:
        return list(obj.actions.all())


class RiskIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    threat: str | None = Field(None, description="Catalogue uid, e.g. atlas:AML.T0051")
    custom_threat: str = Field("", max_length=300)
    vulnerability: str = ""
    consequences: str = ""
    assets: list[int] = []
    owner: str | None = Field(None, description="User name of the risk owner")
    inherent: ScorePair
    current: ScorePair
    target: ScorePair
    treatment: Treatment | None = None
    treatment_notes: str = ""
    review_date: dt.date | None = None


class AcceptIn(Schema):
    justification: str = ""
    exception: bool = False


class ActionIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    owner: str | None = None
    due_date: dt.date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    controls: list[str] = Field([], description="ISO/IEC 27002 uids, e.g. iso27002:2022:8.28")


class MethodOut(Schema):
    version: int
    name: str
    is_current: bool
    notes: str
    created_at: dt.datetime
    definition: dict[str, Any]


class MethodIn(Schema):
    definition: dict[str, Any]
    notes: str = Field(min_length=1, max_length=500)


class SuggestionOut(Schema):
    threat: str
    name: str
    reasons: list[str]
    controls: list[str]


class RiskFilterIn(Schema):
    q: str = ""
    status: str = ""
    level: str = ""
    asset: int | None = None
    ai_only: bool = False
    needs_reassessment: bool = False
    sort: str = "ref"


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


def _entries(uids: list[str], field: str) -> list[CatalogueEntry]:
    found = {e.uid: e for e in CatalogueEntry.objects.filter(uid__in=uids).select_related("source")}
    missing = [uid for uid in uids if uid not in found]
    if missing:
        raise HttpError(422, f"{field}: unknown catalogue identifiers {', '.join(missing)}")
    return [found[uid] for uid in uids]


def _assets(ids: list[int]) -> list[Asset]:
    found = {a.pk: a for a in Asset.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise HttpError(422, f"assets: unknown asset ids {missing}")
    return [found[i] for i in ids]


def _scores(payload: RiskIn) -> services.Scores:
    return services.Scores(
        inherent=(payload.inherent.likelihood, payload.inherent.impact),
        current=(payload.current.likelihood, payload.current.impact),
        target=(payload.target.likelihood, payload.target.impact),
    )


def _risk(ref: str) -> Risk:
    return get_object_or_404(Risk.objects.select_related("owner", "threat", "accepted_by"), ref=ref)


@router.get("", response=list[RiskOut], summary="The risk register, filtered and sorted")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_risks(request: HttpRequest, filters: Query[RiskFilterIn]) -> Any:
    _viewer(request)
    method = services.current_method()
    return selectors.register(selectors.RiskFilter(**filters.dict()), method)


@router.post("", response={201: RiskOut}, summary="Add a risk (scored with the current method)")
def create_risk(request: HttpRequest, payload: RiskIn) -> Status[Any]:
    user = _viewer(request)
    threat = _entries([payload.threat], "threat")[0] if payload.threat else None
    risk = services.create_risk(
        user,
        title=payload.title,
        scores=_scores(payload),
        assets=_assets(payload.assets),
        threat=threat,
        custom_threat=payload.custom_threat,
        owner=_user_named(payload.owner),
        description=payload.description,
        vulnerability=payload.vulnerability,
        consequences=payload.consequences,
        treatment=payload.treatment or "",
        treatment_notes=payload.treatment_notes,
        review_date=payload.review_date,
    )
    return Status(201, risk)


@router.get("/method", response=MethodOut, summary="The current risk method")
def get_method(request: HttpRequest) -> RiskMethodVersion:
    _viewer(request)
    return services.current_method_row()


@router.get("/method/versions", response=list[MethodOut], summary="Every version of the risk method")
def method_versions(request: HttpRequest) -> list[RiskMethodVersion]:
    _viewer(request)
    services.current_method_row()
    return list(RiskMethodVersion.objects.all())


@router.post("/method", response={201: MethodOut}, summary="Publish a new version of the risk method")
def publish_method(request: HttpRequest, payload: MethodIn) -> Status[Any]:
    user = _viewer(request)
    return Status(201, services.publish_method(user, payload.definition, payload.notes))


@router.get("/suggestions", response=list[SuggestionOut], summary="AI threats suggested for an asset")
def suggestions(request: HttpRequest, asset: int) -> list[dict[str, Any]]:
    _viewer(request)
    found = selectors.suggestions_for(get_object_or_404(Asset, pk=asset))
    return [
        {
            "threat": s.threat.uid,
            "name": s.threat.name,
            "reasons": list(s.reasons),
            "controls": [c.uid for c, _ in s.controls],
        }
        for s in found
    ]


@router.get("/heatmap", response=dict[str, Any], summary="Counts of risks per likelihood x impact cell")
def heatmap(request: HttpRequest) -> dict[str, Any]:
    _viewer(request)
    method = services.current_method()
    risks = selectors.register(selectors.RiskFilter(), method)
    out: dict[str, Any] = {"method_version": method.version, "definition": method_to_dict(method)}
    for stage in ("inherent", "current", "target"):
        grid = [[0] * len(method.impact) for _ in method.likelihood]
        for r in risks:
            if r.method_version == method.version:
                grid[getattr(r, f"{stage}_likelihood") - 1][getattr(r, f"{stage}_impact") - 1] += 1
        out[stage] = grid
    return out


@router.get("/{ref}", response=RiskOut, summary="One risk with its treatment actions")
def get_risk(request: HttpRequest, ref: str) -> Risk:
    _viewer(request)
    return _risk(ref)


@router.put("/{ref}", response=RiskOut, summary="Edit or re-assess a risk")
def update_risk(request: HttpRequest, ref: str, payload: RiskIn) -> Risk:
    user = _viewer(request)
    risk = _risk(ref)
    threat = _entries([payload.threat], "threat")[0] if payload.threat else None
    return services.update_risk(
        user,
        risk,
        scores=_scores(payload),
        assets=_assets(payload.assets),
        title=payload.title,
        threat=threat,
        custom_threat=payload.custom_threat,
        owner=_user_named(payload.owner),
        description=payload.description,
        vulnerability=payload.vulnerability,
        consequences=payload.consequences,
        treatment=payload.treatment or "",
        treatment_notes=payload.treatment_notes,
        review_date=payload.review_date,
    )


@router.post("/{ref}/acceptance", response=RiskOut, summary="Sign off the residual (target) risk")
def accept_risk(request: HttpRequest, ref: str, payload: AcceptIn) -> Risk:
    user = _viewer(request)
    return services.accept_risk(
        user, _risk(ref), justification=payload.justification, exception=payload.exception
    )


@router.post("/{ref}/actions", response={201: ActionOut}, summary="Add a treatment action tied to controls")
def add_action(request: HttpRequest, ref: str, payload: ActionIn) -> Status[Any]:
    user = _viewer(request)
    risk = _risk(ref)
    action = services.add_action(
        user,
        risk,
        title=payload.title,
        description=payload.description,
        owner=_user_named(payload.owner),
        due_date=payload.due_date,
        controls=_entries(payload.controls, "controls"),
    )
    if payload.status != action.status:
        action = services.update_action(user, action, status=payload.status)
    return Status(201, action)


@router.put("/{ref}/actions/{action_id}", response=ActionOut, summary="Change a treatment action")
def update_action(request: HttpRequest, ref: str, action_id: int, payload: ActionIn) -> TreatmentAction:
    user = _viewer(request)
    action = get_object_or_404(TreatmentAction, pk=action_id, risk__ref=ref)
    return services.update_action(
        user,
        action,
        controls=_entries(payload.controls, "controls"),
        title=payload.title,
        description=payload.description,
        owner=_user_named(payload.owner),
        due_date=payload.due_date,
        status=payload.status,
    )


class RangeIn(Schema):
    low: float = Field(ge=0)
    most_likely: float | None = Field(None, ge=0)
    high: float = Field(ge=0)
    distribution: str = Field("pert", pattern="^(pert|lognormal)$")


class QuantificationIn(Schema):
    tef: RangeIn | None = None
    vulnerability: RangeIn | None = None
    lef: RangeIn | None = None
    primary_loss: RangeIn
    secondary_loss_probability: RangeIn | None = None
    secondary_loss: RangeIn | None = None


class LossOut(Schema):
    mean: float
    std_dev: float
    percentiles: dict[int, float]
    exceedance: list[float]


class RiskLossOut(Schema):
    ref: str
    title: str
    mean_loss_event_frequency: float
    mean_loss_magnitude: float
    annual_loss: LossOut


class AnalysisOut(Schema):
    runs: int
    seed: int
    method: str
    thresholds: list[float]
    portfolio: LossOut | None
    risks: list[RiskLossOut]


@router.put("/{ref}/quantification", response=dict[str, Any], summary="Set a risk's FAIR inputs")
def set_quantification(request: HttpRequest, ref: str, payload: QuantificationIn) -> dict[str, Any]:
    user = _viewer(request)
    data = {name: (value.dict() if value else None) for name, value in payload}
    row = quantification.set_quantification(user, _risk(ref), data)
    return {name: getattr(row, name) for name in data}


@router.get("/analysis/quantitative", response=AnalysisOut, summary="FAIR Monte Carlo of the filtered risks")
def quantitative(
    request: HttpRequest,
    filters: Query[RiskFilterIn],
    runs: int = 20_000,
    seed: int = 1,
) -> dict[str, Any]:
    _viewer(request)
    if not 1 <= runs <= quantification.MAX_RUNS:
        raise HttpError(422, f"runs: between 1 and {quantification.MAX_RUNS}")
    if not 0 <= seed < 2**63:
        raise HttpError(422, "seed: between 0 and 2**63 - 1")
    risks = selectors.register(selectors.RiskFilter(**filters.dict()), services.current_method())
    analysis = quantification.analyse(risks, runs, seed)
    if analysis is None:
        return {"runs": runs, "seed": seed, "method": "", "thresholds": [], "portfolio": None, "risks": []}
    result = analysis.result
    return {
        "runs": result.runs,
        "seed": result.seed,
        "method": result.method,
        "thresholds": list(result.thresholds),
        "portfolio": result.portfolio,
        "risks": [
            {
                "ref": risk.ref,
                "title": risk.title,
                "mean_loss_event_frequency": r.mean_loss_event_frequency,
                "mean_loss_magnitude": r.mean_loss_magnitude,
                "annual_loss": r.annual_loss,
            }
            for risk, r in analysis.rows
        ],
    }
