"""Demo: correlate the demo intelligence feeds with Helixa Health's assets and risks, as if the ISMS had
been watching those feeds for the past ten weeks.

Correlation runs once over the shipped feeds (loaded just before). With them it matches the HTTP/2 Rapid
Reset CVE (in KEV) to nginx on the patient portal and the claims platform, and the PostgreSQL CVE (high
EPSS) to the portal and the guideline vector store; it proposes raising the likelihood of the portal's
known-vulnerability risk and new risks for AI techniques (e.g. agent tool invocation) that concern the
Triage Assistant but that no risk covers yet.

Two of the analyst reports (our SOC's note and a sector alert on GPU memory left uncleared between
tenants) fit no catalogue technique: correlation groups them into an emerging-threat candidate for the
analyst to review.

Then the demo dates what correlation found, so that "Posture: what changed" shows weeks of work rather
than one busy day:

- Each intel item is first seen somewhere in the past ten weeks, spread in the order the feeds published
  them (the CVEs first, our own analyst report a day ago) and never before its feed published it. Its
  change-log events, its history and its matches are dated when it was first seen; every source still
  lists it, so its last sighting stays at the load. Each proposal opened a little after the newest intel
  it cites, and not before the risk it concerns was identified.
- The owners have decided three proposals through the posture services: Daniel rejected a new risk for
  Rapid Reset on the claims platform (its nginx is not exposed) six weeks ago; Amira confirmed the
  foundation-model supplier risk after the MLOps exploitation report about four weeks ago; Daniel raised
  the likelihood of the ClaimGuard poisoning risk after the sharing group's report (aimed at three weeks
  ago, but never sooner than two days after the proposal opened nor on a weekend; the report it rests
  on came out in late November 2026). Each re-score is in the risk's history with its reason, dated on
  the day of the decision, after the risk's earlier history.
- The other proposals stay open for the demo's users, among them the raise of the patient portal risk.

Dating uses queryset updates only (no history rows are made up); a second call finds no new intel and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.intel.demo_data import DEMO_SOURCES
from aisms.apps.intel.models import IntelEvent, IntelItem, Vulnerability
from aisms.apps.posture import services
from aisms.apps.posture.correlation import CorrelationResult, correlate
from aisms.apps.posture.models import (
    AssetIntelMatch,
    EmergingThreat,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from aisms.apps.risks.models import Risk

WINDOW_DAYS = 70  # the oldest demo intel was first seen ten weeks ago
NEWEST_DAYS = 1  # and the newest yesterday
FEED_LAG = dt.timedelta(hours=1)  # an item is first seen an hour after its feed published it
CORRELATION_LAG = dt.timedelta(hours=2)  # correlation runs a little after each ingest
DECISION_LAG = dt.timedelta(days=2)  # an owner decides a proposal two days after it opened, at the soonest


@dataclass(frozen=True)
class Decision:
    """An owner's decision on the open proposal that ``find`` (Proposal filters) selects, aimed at
    ``weeks_ago`` (never sooner than DECISION_LAG after the proposal opened, nor on a weekend). Accepted
    ones re-score an existing risk."""

    who: str
    accept: bool
    weeks_ago: int
    reason: str
    find: dict[str, Any] = field(default_factory=dict)
    likelihood: int | None = None


DECISIONS: tuple[Decision, ...] = (
    Decision(
        "daniel",
        accept=False,
        weeks_ago=6,
        reason="Not exposed: the claims platform's nginx sits behind the cloud load balancer, which "
        "terminates HTTP/2 (patched for Rapid Reset) and forwards HTTP/1.1 only.",
        find={
            "kind": ProposalKind.NEW_RISK,
            "asset__name": "Claims platform",
            "items__external_id": "CVE-2023-44487",
        },
    ),
    Decision(
        "amira",
        accept=True,
        weeks_ago=4,
        reason="Reviewed: the report concerns self-hosted Airflow and MLflow, not the supplier's API; "
        "the likelihood stays as it is.",
        # The supplier risk (OWASP LLM03, supply chain), reported on as ATLAS AML.T0010.
        find={"kind": ProposalKind.REVIEW, "risk__threat__uid": "owasp-llm:2025:LLM03"},
    ),
    Decision(
        "daniel",
        accept=True,
        weeks_ago=3,
        reason="Two insurers in the sharing group found poisoned claims batches; likelihood raised until "
        "batch provenance checks are live.",
        find={"kind": ProposalKind.REVIEW, "risk__threat__uid": "atlas:AML.T0020"},
        likelihood=4,
    ),
)


def load_demo_posture() -> CorrelationResult:
    """Correlate the unprocessed intel, date it over the past weeks and record the owners' decisions."""
    now = timezone.now()
    result = correlate(now=now)
    if result.events == 0:
        return result
    _spread_intel(now)
    _date_correlation(now)
    _decide(now)
    return result


def _spread_intel(now: dt.datetime) -> None:
    """First sightings over the window, oldest publication first; an item's events and history with it."""
    names = [name for name, *_ in DEMO_SOURCES]
    rows = list(
        IntelItem.objects.filter(source__name__in=names, events__processed_at=now)
        .distinct()
        .values_list("pk", "published", "last_seen")
    )
    rows.sort(key=lambda row: (row[1] is None, row[1] or now, row[0]))
    step = (WINDOW_DAYS - NEWEST_DAYS) / max(len(rows) - 1, 1)
    for rank, (pk, published, last_seen) in enumerate(rows):
        seen = now - dt.timedelta(days=WINDOW_DAYS - step * rank)
        if published is not None and published + FEED_LAG > seen:
            seen = published + FEED_LAG
        seen = min(seen, last_seen)
        IntelItem.objects.filter(pk=pk).update(first_seen=seen)
        IntelItem.history.filter(id=pk).update(history_date=seen, first_seen=seen)
        Vulnerability.history.filter(item_id=pk).update(history_date=seen)
        IntelEvent.objects.filter(item_id=pk, processed_at=now).update(
            at=seen, processed_at=min(seen + CORRELATION_LAG, now)
        )


def _date_correlation(now: dt.datetime) -> None:
    """Matches and emerging-threat candidates when their intel arrived; proposals after their newest intel
    and their risk."""
    new_matches = AssetIntelMatch.objects.filter(first_matched_at=now)
    for item_id, seen in (
        IntelItem.objects.filter(asset_matches__in=new_matches).values_list("pk", "first_seen").distinct()
    ):
        at = min(seen + CORRELATION_LAG, now)
        pks = list(new_matches.filter(item_id=item_id).values_list("pk", flat=True))
        AssetIntelMatch.objects.filter(pk__in=pks).update(first_matched_at=at)
        AssetIntelMatch.history.filter(id__in=pks).update(history_date=at)
    for threat in EmergingThreat.objects.filter(created_at=now).annotate(newest=Max("items__first_seen")):
        if threat.newest is not None:
            at = min(threat.newest + CORRELATION_LAG, now)
            EmergingThreat.objects.filter(pk=threat.pk).update(created_at=at)
            EmergingThreat.history.filter(id=threat.pk).update(history_date=at)
    proposals = (
        Proposal.objects.filter(created_at=now)
        .select_related("risk")
        .annotate(newest=Max("items__first_seen"))
    )
    for proposal in proposals:
        if proposal.newest is None:
            continue
        basis = max(proposal.newest, proposal.risk.created_at) if proposal.risk else proposal.newest
        at = min(basis + CORRELATION_LAG, now)
        Proposal.objects.filter(pk=proposal.pk).update(created_at=at)
        Proposal.history.filter(id=proposal.pk).update(history_date=at)


def _decide(now: dt.datetime) -> None:
    users = {u.username: u for u in User.objects.filter(username__in={d.who for d in DECISIONS})}
    for decision in DECISIONS:
        actor = users.get(decision.who)
        proposal = Proposal.objects.filter(status=ProposalStatus.OPEN, **decision.find).order_by("pk").first()
        if actor is None or proposal is None or (decision.accept and proposal.risk_id is None):
            continue
        at = _working_day(
            max(now - dt.timedelta(weeks=decision.weeks_ago), proposal.created_at + DECISION_LAG), now
        )
        proposal_mark = _last_history_id(Proposal, proposal.pk)
        risk_mark = _last_history_id(Risk, proposal.risk_id)
        if decision.accept:
            services.accept_proposal(actor, proposal, reason=decision.reason, likelihood=decision.likelihood)
        else:
            services.reject_proposal(actor, proposal, reason=decision.reason)
        Proposal.objects.filter(pk=proposal.pk).update(decided_at=at)
        Proposal.history.filter(id=proposal.pk, history_id__gt=proposal_mark).update(history_date=at)
        if decision.accept and proposal.risk_id is not None:
            _date_rescore(proposal.risk_id, risk_mark, at)


def _working_day(at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """Owners decide on working days: a decision that would fall on a weekend waits for the Monday."""
    weekday = timezone.localtime(at).weekday()
    if weekday >= 5:
        at += dt.timedelta(days=7 - weekday)
    return min(at, now)


def _last_history_id(model: Any, pk: int | None) -> int:
    if pk is None:
        return 0
    return int(model.history.filter(id=pk).aggregate(last=Max("history_id"))["last"] or 0)


def _date_rescore(risk_id: int, mark: int, at: dt.datetime) -> None:
    """Date the re-score; the risk's earlier history, entered at the demo's load, moves back to when the
    risk was identified, so that its history stays in order (the re-score is its latest state)."""
    risk = Risk.objects.get(pk=risk_id)
    Risk.history.filter(id=risk_id, history_id__gt=mark).update(history_date=at)
    Risk.history.filter(id=risk_id, history_id__lte=mark, history_date__gt=at).update(
        history_date=min(risk.created_at, at)
    )
    Risk.objects.filter(pk=risk_id).update(updated_at=at)
