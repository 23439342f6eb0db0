"""Threat-model API: import and edit models (YAML source or structured edits), analyses, the threats with
their decisions, marking, pushing to the risk register, version diffs, the diagram and the exports,
organisation rule sets and the optional language-model assistant."""

import json
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels import assistant, pdf_report, selectors, services
from aisms.apps.threatmodels.models import MitigationStatus, OrgRuleSet, ThreatModel
from aisms.config.api_pagination import BoundedPageNumberPagination
from aisms.domain.access import Action
from aisms.domain.threatmodel import editing
from aisms.domain.threatmodel.analysis import Threat
from aisms.domain.threatmodel.model import ThreatModel as DomainModel
from aisms.domain.threatmodel.reports import to_sarif

router = Router(tags=["threat models"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _rejected(exc: services.ThreatModelRejectedError) -> HttpError:
    return HttpError(422, "; ".join(str(p) for p in exc.problems[:20]))


class ThreatModelOut(Schema):
    id: int
    name: str
    description: str
    status: str
    owner: str | None
    version: int | None
    threats: int
    ai_threats: int
    assets: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: ThreatModel) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_version(obj: ThreatModel) -> int | None:
        v = services.current_version(obj)
        return v.number if v else None

    @staticmethod
    def resolve_threats(obj: ThreatModel) -> int:
        v = services.current_version(obj)
        return int(((v.analysis or {}).get("counts") or {}).get("threats", 0)) if v else 0

    @staticmethod
    def resolve_ai_threats(obj: ThreatModel) -> int:
        v = services.current_version(obj)
        return int(((v.analysis or {}).get("counts") or {}).get("ai", 0)) if v else 0

    @staticmethod
    def resolve_assets(obj: ThreatModel) -> list[str]:
        return sorted(a.name for a in obj.assets.all())


class ThreatModelDetailOut(ThreatModelOut):
    source: str


class SourceIn(Schema):
    source: str = Field(min_length=1, description="The threat-model YAML (see docs/threat-modelling.md).")
    note: str = Field(default="", max_length=300)


class DetailsIn(Schema):
    status: Literal["draft", "in_review", "current", "retired"]
    owner: str | None = Field(default=None, description="User name of the owner.")


class RefOut(Schema):
    uid: str
    name: str


class ThreatOut(Schema):
    id: str
    rule_id: str
    element_id: str
    element_type: str
    element_name: str
    title: str
    description: str
    stride: str | None
    catalogue: list[RefOut]
    mitigations: list[RefOut]
    likelihood: int
    impact: int
    rationale: list[str]
    assets: list[str]
    line: int | None
    origin: str
    state: str
    relevant: bool | None
    reason: str
    mitigation_status: str | None
    risk: str | None


def _threat_out(t: Threat, tm: ThreatModel) -> dict[str, Any]:
    row = selectors.ThreatRow(t, tm.decisions.select_related("risk").filter(threat_id=t.id).first())
    return _row_out(row)


def _row_out(row: selectors.ThreatRow) -> dict[str, Any]:
    t, d = row.threat, row.decision
    return {
        "id": t.id,
        "rule_id": t.rule_id,
        "element_id": t.element_id,
        "element_type": t.element_type,
        "element_name": t.element_name,
        "title": t.title,
        "description": t.description,
        "stride": t.stride,
        "catalogue": [{"uid": r.uid, "name": r.name} for r in t.threats],
        "mitigations": [{"uid": r.uid, "name": r.name} for r in t.mitigations],
        "likelihood": t.likelihood,
        "impact": t.impact,
        "rationale": list(t.rationale),
        "assets": list(t.assets),
        "line": t.line,
        "origin": t.origin,
        "state": row.state,
        "relevant": d.relevant if d else None,
        "reason": d.reason if d else "",
        "mitigation_status": d.mitigation_status if d else None,
        "risk": d.risk.ref if d and d.risk else None,
    }


class DecisionIn(Schema):
    relevant: bool
    reason: str = Field(default="", max_length=4000)
    mitigation_status: Literal["not_started", "planned", "in_progress", "implemented"] = "not_started"


class PushOut(Schema):
    risk: str
    url: str


class DiffOut(Schema):
    from_version: int
    to_version: int
    appeared: list[str]
    disappeared: list[str]
    changed: list[str]
    unchanged: int


class ThreatModelComponentIn(Schema):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    kind: str
    boundary: str | None = None
    properties: list[str] = Field(default_factory=list)
    asset: str | None = None
    description: str = ""


class FlowIn(Schema):
    id: str = Field(default="", max_length=80)
    source: str
    target: str
    label: str = ""
    properties: list[str] = Field(default_factory=list)


class BoundaryIn(Schema):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    parent: str | None = None


class RuleSetOut(Schema):
    id: int
    name: str
    enabled: bool
    rule_count: int
    created_at: datetime


class RuleSetIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    enabled: bool = True


class RuleSetPatch(Schema):
    enabled: bool | None = None
    source: str | None = None


class DraftIn(Schema):
    description: str = Field(min_length=1, max_length=8000)


class DraftOut(Schema):
    source: str
    valid: bool
    problems: list[str]


class ProposalsOut(Schema):
    proposals: list[dict[str, Any]]
    dropped: list[dict[str, str]]


# ------------------------------------------------------------------ models


@router.get("/", response=list[ThreatModelOut])
@paginate(BoundedPageNumberPagination)
def list_models(request: HttpRequest, q: str = "") -> Any:
    return selectors.threat_models(_user(request), q[:200])


@router.post("/", response={201: ThreatModelDetailOut})
def create_model(request: HttpRequest, payload: SourceIn) -> Any:
    try:
        tm = services.create_threat_model(
            _user(request), payload.source, filename="request.yaml", note=payload.note or "Imported"
        )
    except services.ThreatModelRejectedError as exc:
        raise _rejected(exc) from exc
    return Status(201, tm)


def _get(request: HttpRequest, pk: int) -> ThreatModel:
    require(_user(request), Action.VIEW)
    if not 0 < pk < 2**63:
        raise HttpError(404, "not found")
    return get_object_or_404(ThreatModel, pk=pk)


@router.get("/{pk}", response=ThreatModelDetailOut)
def get_model(request: HttpRequest, pk: int) -> Any:
    return _get(request, pk)


@router.put("/{pk}/source", response=ThreatModelDetailOut)
def put_source(request: HttpRequest, pk: int, payload: SourceIn) -> Any:
    tm = _get(request, pk)
    try:
        services.save_source(_user(request), tm, payload.source, note=payload.note, filename="request.yaml")
    except services.ThreatModelRejectedError as exc:
        raise _rejected(exc) from exc
    tm.refresh_from_db()
    return tm


@router.patch("/{pk}", response=ThreatModelDetailOut)
def patch_details(request: HttpRequest, pk: int, payload: DetailsIn) -> Any:
    tm = _get(request, pk)
    owner = get_object_or_404(User, username=payload.owner) if payload.owner else None
    return services.update_details(_user(request), tm, status=payload.status, owner=owner)


@router.post("/{pk}/analyse", response=ThreatModelDetailOut)
def analyse(request: HttpRequest, pk: int) -> Any:
    tm = _get(request, pk)
    services.reanalyse(_user(request), tm)
    return tm


def _edit(request: HttpRequest, pk: int, edit: Any, note: str) -> ThreatModel:
    tm = _get(request, pk)
    try:
        services.edit_structure(_user(request), tm, edit, note=note)
    except editing.EditError as exc:
        raise HttpError(422, str(exc)) from exc
    except services.ThreatModelRejectedError as exc:
        raise _rejected(exc) from exc
    tm.refresh_from_db()
    return tm


@router.post("/{pk}/components", response=ThreatModelDetailOut)
def put_component(request: HttpRequest, pk: int, payload: ThreatModelComponentIn) -> Any:
    def edit(m: DomainModel) -> DomainModel:
        return editing.upsert_component(
            m,
            element_id=payload.id,
            name=payload.name,
            kind=payload.kind,
            boundary=payload.boundary,
            properties=payload.properties,
            asset=payload.asset,
            description=payload.description,
        )

    return _edit(request, pk, edit, f"Component {payload.id}")


@router.post("/{pk}/flows", response=ThreatModelDetailOut)
def add_flow(request: HttpRequest, pk: int, payload: FlowIn) -> Any:
    def edit(m: DomainModel) -> DomainModel:
        return editing.add_flow(
            m,
            element_id=payload.id,
            source=payload.source,
            target=payload.target,
            label=payload.label,
            properties=payload.properties,
        )

    return _edit(request, pk, edit, "Flow added")


@router.post("/{pk}/boundaries", response=ThreatModelDetailOut)
def add_boundary(request: HttpRequest, pk: int, payload: BoundaryIn) -> Any:
    def edit(m: DomainModel) -> DomainModel:
        return editing.add_boundary(m, element_id=payload.id, name=payload.name, parent=payload.parent)

    return _edit(request, pk, edit, f"Boundary {payload.id}")


@router.delete("/{pk}/elements/{element_id}", response=ThreatModelDetailOut)
def remove_element(request: HttpRequest, pk: int, element_id: str) -> Any:
    def edit(m: DomainModel) -> DomainModel:
        return editing.remove_element(m, element_id)

    return _edit(request, pk, edit, f"Removed {element_id}")


# ------------------------------------------------------------------ threats


@router.get("/{pk}/threats", response=list[ThreatOut])
@paginate(BoundedPageNumberPagination)
def list_threats(
    request: HttpRequest, pk: int, element: str = "", category: str = "", state: str = "", min_score: int = 0
) -> Any:
    tm = _get(request, pk)
    analysis = services.current_analysis(tm)
    if analysis is None:
        return []
    rows = selectors.threat_rows(
        tm, analysis, element=element, category=category, state=state, min_score=min_score
    )
    return [_row_out(r) for r in rows]


@router.post("/{pk}/threats/{threat_id}/decision", response=ThreatOut)
def decide(request: HttpRequest, pk: int, threat_id: str, payload: DecisionIn) -> Any:
    tm = _get(request, pk)
    services.decide(
        _user(request),
        tm,
        threat_id,
        relevant=payload.relevant,
        reason=payload.reason,
        mitigation_status=MitigationStatus(payload.mitigation_status),
    )
    threat = services.current_analysis(tm).get(threat_id)  # type: ignore[union-attr]
    return _threat_out(threat, tm)  # type: ignore[arg-type]


@router.post("/{pk}/threats/{threat_id}/push", response={201: PushOut})
def push(request: HttpRequest, pk: int, threat_id: str) -> Any:
    tm = _get(request, pk)
    risk = services.push_to_register(_user(request), tm, threat_id)
    return Status(201, {"risk": risk.ref, "url": risk.get_absolute_url()})


@router.get("/{pk}/diff", response=DiffOut)
def diff(
    request: HttpRequest, pk: int, from_version: int | None = None, to_version: int | None = None
) -> Any:
    tm = _get(request, pk)
    try:
        older, newer, result = selectors.diff(tm, from_version, to_version)
    except ValidationError as exc:
        raise HttpError(404, "; ".join(exc.messages)) from exc
    return {
        "from_version": older.number,
        "to_version": newer.number,
        "appeared": [t.id for t in result.appeared],
        "disappeared": [t.id for t in result.disappeared],
        "changed": [after.id for _before, after in result.changed],
        "unchanged": result.unchanged,
    }


@router.get(
    "/{pk}/diagram.svg",
    response={200: None},
    summary="The data-flow diagram (SVG) of the current or a given version",
    openapi_extra={"responses": {"200": {"description": "SVG image", "content": {"image/svg+xml": {}}}}},
)
def diagram(request: HttpRequest, pk: int, version: int | None = None) -> HttpResponse:
    tm = _get(request, pk)
    try:
        row = selectors.version(tm, version)
    except ValidationError as exc:
        raise HttpError(404, f"no version {version}") from exc
    return HttpResponse(selectors.diagram(row), content_type="image/svg+xml")


@router.get(
    "/{pk}/sarif",
    response={200: None},
    summary="The current analysis as SARIF 2.1.0",
    openapi_extra={
        "responses": {"200": {"description": "SARIF log", "content": {"application/sarif+json": {}}}}
    },
)
def sarif(request: HttpRequest, pk: int) -> HttpResponse:
    tm = _get(request, pk)
    analysis = services.current_analysis(tm)
    if analysis is None:
        raise HttpError(404, "no analysis")
    titles = {
        r.id: (r.title, r.description) for r in services.engine().rules_with(services.organisation_rules())
    }
    body = json.dumps(to_sarif(analysis, f"threatmodel-{tm.pk}.yaml", titles))
    return HttpResponse(body, content_type="application/sarif+json")


@router.get(
    "/{pk}/report.pdf",
    response={200: None},
    summary="The report (system, diagram, threats by element, mitigations and status) as PDF",
    openapi_extra={"responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def report_pdf(request: HttpRequest, pk: int, version: int | None = None) -> HttpResponse:
    tm = _get(request, pk)
    try:
        row = selectors.version(tm, version)
    except ValidationError as exc:
        raise HttpError(404, f"no version {version}") from exc
    data = pdf_report.to_pdf(
        selectors.domain_model(row.source),
        selectors.analysis_of(row),
        selectors.diagram(row),
        selectors.decision_views(tm),
        version=row.number,
        generated=timezone.now(),
    )
    return HttpResponse(data, content_type="application/pdf")


class ThreatModelVersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    created_by: str | None
    threats: int
    source: str

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_threats(obj: Any) -> int:
        return int(((obj.analysis or {}).get("counts") or {}).get("threats", 0))


@router.get("/{pk}/versions", response=list[ThreatModelVersionOut])
@paginate(BoundedPageNumberPagination)
def list_versions(request: HttpRequest, pk: int) -> Any:
    return selectors.versions(_get(request, pk))


# ------------------------------------------------------------------ organisation rules


@router.get("/rule-sets/", response=list[RuleSetOut])
@paginate(BoundedPageNumberPagination)
def list_rule_sets(request: HttpRequest) -> Any:
    return selectors.rule_sets(_user(request))


@router.post("/rule-sets/", response={201: RuleSetOut})
def add_rule_set(request: HttpRequest, payload: RuleSetIn) -> Any:
    rule_set = services.add_rule_set(
        _user(request), name=payload.name, source=payload.source, enabled=payload.enabled
    )
    return Status(201, rule_set)


@router.patch("/rule-sets/{pk}", response=RuleSetOut)
def patch_rule_set(request: HttpRequest, pk: int, payload: RuleSetPatch) -> Any:
    require(_user(request), Action.MANAGE_CATALOGUE)
    if not 0 < pk < 2**63:
        raise HttpError(404, "not found")
    rule_set = get_object_or_404(OrgRuleSet, pk=pk)
    return services.update_rule_set(_user(request), rule_set, **payload.dict(exclude_none=True))


@router.delete("/rule-sets/{pk}", response={204: None})
def delete_rule_set(request: HttpRequest, pk: int) -> Any:
    require(_user(request), Action.MANAGE_CATALOGUE)
    services.delete_rule_set(_user(request), get_object_or_404(OrgRuleSet, pk=pk))
    return Status(204, None)


# ------------------------------------------------------------------ assistant


@router.post("/assistant/draft", response=DraftOut)
def assistant_draft(request: HttpRequest, payload: DraftIn) -> Any:
    try:
        result = assistant.draft(_user(request), payload.description)
    except assistant.AssistantUnavailableError as exc:
        raise HttpError(503, str(exc)) from exc
    return {
        "source": result.source,
        "valid": not result.problems,
        "problems": [str(p) for p in result.problems],
    }


@router.post("/{pk}/assistant/proposals", response=ProposalsOut)
def assistant_proposals(request: HttpRequest, pk: int) -> Any:
    tm = _get(request, pk)
    try:
        proposals, dropped = assistant.propose(_user(request), tm)
    except assistant.AssistantUnavailableError as exc:
        raise HttpError(503, str(exc)) from exc
    return {
        "proposals": [p.to_dict() for p in proposals],
        "dropped": [{"title": t, "reason": r} for t, r in dropped],
    }


@router.post("/{pk}/assistant/accept", response=ThreatModelDetailOut)
def assistant_accept(request: HttpRequest, pk: int, payload: dict[str, Any]) -> Any:
    tm = _get(request, pk)
    try:
        assistant.accept(_user(request), tm, payload)
    except ValidationError:
        raise
    tm.refresh_from_db()
    return tm
