"""Adaptive posture API: intel matched to assets, risk re-assessment proposals (accept/reject),
emerging-threat candidates (name/accept/dismiss), the weekly 'what changed' summary, and correlation runs."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from aisms.apps.accounts.models import User
from aisms.apps.posture import emerging as emerging_services
from aisms.apps.posture import selectors, services
from aisms.apps.posture.models import AssetIntelMatch, EmergingThreat, Proposal
from aisms.config.api_pagination import BoundedPageNumberPagination

router = Router(tags=["posture"])


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class MatchOut(Schema):
    id: int
    asset_id: int
    asset: str
    component: str | None
    item_id: int
    item: str
    item_kind: str
    cve_id: str | None
    technique_uid: str
    method: str
    confidence: float
    possible: bool = Field(description="The version could not be decided; an analyst should confirm.")
    criterion: str
    reason: str
    in_kev: bool
    epss: float | None
    first_matched_at: dt.datetime
    dismissed: bool
    dismissed_reason: str

    @staticmethod
    def resolve_asset(obj: AssetIntelMatch) -> str:
        return obj.asset.name

    @staticmethod
    def resolve_component(obj: AssetIntelMatch) -> str | None:
        return str(obj.component) if obj.component else None

    @staticmethod
    def resolve_item(obj: AssetIntelMatch) -> str:
        return obj.item.title

    @staticmethod
    def resolve_item_kind(obj: AssetIntelMatch) -> str:
        return obj.item.kind

    @staticmethod
    def resolve_cve_id(obj: AssetIntelMatch) -> str | None:
        return obj.vulnerability.cve_id if obj.vulnerability else None

    @staticmethod
    def resolve_in_kev(obj: AssetIntelMatch) -> bool:
        return bool(obj.vulnerability and obj.vulnerability.in_kev)

    @staticmethod
    def resolve_epss(obj: AssetIntelMatch) -> float | None:
        return obj.vulnerability.epss if obj.vulnerability else None


class ProposalOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    asset_id: int
    asset: str
    risk: str | None = Field(description="Reference of the risk to re-score (none for a new risk).")
    owner: str | None = Field(description="Who decides: the risk's owner, or the asset's for a new risk.")
    current_likelihood: int | None
    proposed_likelihood: int | None
    proposed_impact: int | None
    technique_uid: str
    custom_threat: str
    evidence: list[dict[str, Any]]
    item_ids: list[int]
    rules_version: str
    method_version: int | None
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str
    superseded_by: int | None
    resulting_risk: str | None

    @staticmethod
    def resolve_asset(obj: Proposal) -> str:
        return obj.asset.name

    @staticmethod
    def resolve_risk(obj: Proposal) -> str | None:
        return obj.risk.ref if obj.risk else None

    @staticmethod
    def resolve_owner(obj: Proposal) -> str | None:
        owner = obj.risk.owner if obj.risk else obj.asset.owner
        return owner.username if owner else None

    @staticmethod
    def resolve_item_ids(obj: Proposal) -> list[int]:
        return sorted(i.pk for i in obj.items.all())

    @staticmethod
    def resolve_decided_by(obj: Proposal) -> str | None:
        return obj.decided_by.username if obj.decided_by else None

    @staticmethod
    def resolve_superseded_by(obj: Proposal) -> int | None:
        return obj.superseded_by_id

    @staticmethod
    def resolve_resulting_risk(obj: Proposal) -> str | None:
        return obj.resulting_risk.ref if obj.resulting_risk else None


class PostureAcceptIn(Schema):
    reason: str = Field(default="", max_length=2000)
    likelihood: int | None = Field(default=None, ge=1, le=7, description="Override the proposed likelihood.")


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class EmergingOut(Schema):
    id: int
    name: str
    summary: str
    key_terms: list[str]
    sources: list[str]
    item_ids: list[int]
    novelty: float | None
    status: str
    catalogue_uid: str
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_item_ids(obj: EmergingThreat) -> list[int]:
        return sorted(i.pk for i in obj.items.all())


class NameIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=5000)


class AcceptEmergingIn(Schema):
    name: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=5000)


class AcceptedEmergingOut(Schema):
    emerging_threat: EmergingOut
    catalogue_uid: str


class WeekOut(Schema):
    week_start: dt.date
    intel: int
    matches: int
    opened: int
    accepted: int
    rejected: int
    rescored: int


class CorrelateIn(Schema):
    full: bool = Field(default=False, description="Re-examine every vulnerability and technique item.")


class PostureJobRef(Schema):
    job_id: int


# --- matches -----------------------------------------------------------------------------------------


@router.get("/matches", response=list[MatchOut], summary="Intel matched to assets (filter by asset)")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_matches(request: HttpRequest, asset_id: int | None = None, include_dismissed: bool = False) -> Any:
    return selectors.matches(_actor(request), asset_id=asset_id, include_dismissed=include_dismissed)


@router.post("/matches/{int:match_id}/dismiss", response=MatchOut, summary="Dismiss a match with a reason")
def dismiss_match(request: HttpRequest, match_id: int, payload: ReasonIn) -> Any:
    match = selectors.matches(_actor(request), include_dismissed=True).get(pk=match_id)
    return services.dismiss_match(_actor(request), match, reason=payload.reason)


# --- proposals ---------------------------------------------------------------------------------------


@router.get("/proposals", response=list[ProposalOut], summary="Risk re-assessment proposals")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_proposals(
    request: HttpRequest,
    status: str = "",
    kind: str = "",
    asset_id: int | None = None,
    risk_id: int | None = None,
) -> Any:
    return selectors.proposals(
        _actor(request), status=status or None, kind=kind or None, asset_id=asset_id, risk_id=risk_id
    ).prefetch_related("items")


@router.get("/proposals/{int:proposal_id}", response=ProposalOut, summary="One proposal with its evidence")
def get_proposal(request: HttpRequest, proposal_id: int) -> Any:
    return selectors.proposal(_actor(request), proposal_id)


@router.post(
    "/proposals/{int:proposal_id}/accept",
    response=ProposalOut,
    summary="Accept: re-score the risk (or create the new risk); only its owner or a manager",
)
def accept_proposal(request: HttpRequest, proposal_id: int, payload: PostureAcceptIn) -> Any:
    proposal = selectors.proposal(_actor(request), proposal_id)
    return services.accept_proposal(
        _actor(request), proposal, reason=payload.reason, likelihood=payload.likelihood
    )


@router.post(
    "/proposals/{int:proposal_id}/reject",
    response=ProposalOut,
    summary="Reject with a reason; only the risk's owner or a manager",
)
def reject_proposal(request: HttpRequest, proposal_id: int, payload: ReasonIn) -> Any:
    proposal = selectors.proposal(_actor(request), proposal_id)
    return services.reject_proposal(_actor(request), proposal, reason=payload.reason)


# --- emerging threats --------------------------------------------------------------------------------


@router.get("/emerging", response=list[EmergingOut], summary="Emerging-threat candidates")
@paginate(BoundedPageNumberPagination, page_size=100)
def list_emerging(request: HttpRequest, status: str = "") -> Any:
    return selectors.emerging(_actor(request), status=status or None)


@router.get("/emerging/{int:threat_id}", response=EmergingOut, summary="One emerging-threat candidate")
def get_emerging(request: HttpRequest, threat_id: int) -> Any:
    return selectors.emerging_one(_actor(request), threat_id)


@router.post("/emerging/{int:threat_id}/name", response=EmergingOut, summary="Name and describe a candidate")
def name_emerging(request: HttpRequest, threat_id: int, payload: NameIn) -> Any:
    threat = selectors.emerging_one(_actor(request), threat_id)
    return emerging_services.name_emerging(
        _actor(request), threat, name=payload.name, summary=payload.summary
    )


@router.post(
    "/emerging/{int:threat_id}/accept",
    response={201: AcceptedEmergingOut},
    summary="Turn a candidate into a custom threat in the catalogue (custom:<slug>)",
)
def accept_emerging(request: HttpRequest, threat_id: int, payload: AcceptEmergingIn) -> Status[Any]:
    threat = selectors.emerging_one(_actor(request), threat_id)
    entry = emerging_services.accept_emerging(
        _actor(request), threat, name=payload.name, summary=payload.summary
    )
    threat = selectors.emerging_one(_actor(request), threat_id)
    return Status(201, {"emerging_threat": threat, "catalogue_uid": entry.uid})


@router.post("/emerging/{int:threat_id}/dismiss", response=EmergingOut, summary="Dismiss a candidate")
def dismiss_emerging(request: HttpRequest, threat_id: int, payload: ReasonIn) -> Any:
    threat = selectors.emerging_one(_actor(request), threat_id)
    return emerging_services.dismiss_emerging(_actor(request), threat, reason=payload.reason)


# --- what changed and correlation --------------------------------------------------------------------


@router.get("/what-changed", response=list[WeekOut], summary="Per week: new intel, matches, proposals")
def what_changed(request: HttpRequest, weeks: int = 12) -> Any:
    return [{"week_start": w.start, **w.counts} for w in selectors.what_changed(_actor(request), weeks=weeks)]


@router.post("/correlate", response={202: PostureJobRef}, summary="Run correlation now (as a background job)")
def correlate(request: HttpRequest, payload: CorrelateIn) -> Status[Any]:
    return Status(202, {"job_id": services.run_correlation(_actor(request), full=payload.full)})
