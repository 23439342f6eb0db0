"""Decisions on correlated intelligence: accept or reject a proposal, dismiss a match, run correlation.

Accepting re-scores the risk through the risk register's own service (the current method levels the new
scores and the risk's history records why), or creates the proposed risk. Only the risk's owner, or an
ISMS manager or administrator, decides; a rejection needs a reason.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.posture.models import (
    AssetIntelMatch,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from aisms.apps.risks import services as risk_services
from aisms.apps.risks.models import Risk
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.posture.rules import headline


def may_decide(actor: User, proposal: Proposal) -> bool:
    if not actor.is_authenticated or not actor.is_active:
        return False
    return can_on_object(Role(actor.role), Action.APPROVE, is_owner=actor.pk == proposal.responsible_id)


def _check_decider(actor: User, proposal: Proposal) -> None:
    require(actor, Action.APPROVE)
    if not may_decide(actor, proposal):
        whose = f"{proposal.risk.ref}'s" if proposal.risk else f"{proposal.asset.name}'s"
        raise PermissionDenied(f"only {whose} owner or an ISMS manager may decide proposal #{proposal.pk}")


def _lock_open(proposal: Proposal) -> Proposal:
    locked = (
        Proposal.objects.select_for_update(of=("self",)).select_related("risk", "asset").get(pk=proposal.pk)
    )
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError({"status": f"proposal #{locked.pk} is {locked.get_status_display().lower()}"})
    return locked


def history_reason(proposal: Proposal, *, limit: int = 100) -> str:
    """Why the risk changed, as its history records it (history reasons hold 100 characters)."""
    prefix = f"Accepted proposal #{proposal.pk}: "
    first = proposal.evidence[0] if proposal.evidence else {}
    more = f" +{len(proposal.evidence) - 1} more" if len(proposal.evidence) > 1 else ""
    text = headline(first, limit=limit - len(prefix) - len(more)) if first else proposal.title
    return (prefix + text + more)[:limit]


def _rescore(actor: User, proposal: Proposal, likelihood: int) -> Risk:
    risk = Risk.objects.get(pk=proposal.risk.pk) if proposal.risk else None
    if risk is None:
        raise ValidationError({"risk": f"proposal #{proposal.pk} names no risk"})
    method = risk_services.current_method()
    likelihood = max(1, min(len(method.likelihood), likelihood))
    current = (max(likelihood, 1), risk.current_impact)
    inherent = (max(risk.inherent_likelihood, likelihood), risk.inherent_impact)
    scores = risk_services.Scores(
        inherent=inherent, current=current, target=(risk.target_likelihood, risk.target_impact)
    )
    return risk_services.update_risk(actor, risk, scores=scores, reason=history_reason(proposal))


def _create_risk(actor: User, proposal: Proposal, likelihood: int, note: str) -> Risk:
    method = risk_services.current_method()
    likelihood = max(1, min(len(method.likelihood), likelihood))
    impact = max(1, min(len(method.impact), proposal.proposed_impact or 3))
    summaries = "\n".join(f"- {e.get('summary', '')}" for e in proposal.evidence)
    if proposal.technique is not None:
        title = f"{proposal.technique.name} against {proposal.asset.name}"
        custom = ""
    else:
        title = proposal.custom_threat or proposal.title
        custom = proposal.custom_threat or proposal.technique_uid or proposal.title
    risk = risk_services.create_risk(
        actor,
        title=title[:300],
        scores=risk_services.Scores((likelihood, impact), (likelihood, impact), (likelihood, impact)),
        assets=[proposal.asset],
        threat=proposal.technique,
        custom_threat=custom[:300],
        owner=proposal.asset.owner or actor,
        description=f"Raised by threat intelligence (proposal #{proposal.pk}).\n{summaries}"
        + (f"\n{note}" if note else ""),
    )
    # Every history record of the new risk (created, then its assets set) says where it came from.
    risk.history.filter(history_change_reason__isnull=True).update(
        history_change_reason=history_reason(proposal)
    )
    return risk


@transaction.atomic
def accept_proposal(
    actor: User, proposal: Proposal, *, reason: str = "", likelihood: int | None = None
) -> Proposal:
    """Accept: re-score the risk (or create the new one); the proposal records who, when and why."""
    _check_decider(actor, proposal)
    proposal = _lock_open(proposal)
    chosen = likelihood or proposal.proposed_likelihood
    if proposal.kind == ProposalKind.NEW_RISK:
        proposal.resulting_risk = _create_risk(actor, proposal, chosen or 3, reason.strip())
    elif proposal.risk_id is not None:
        current = proposal.risk.current_likelihood if proposal.risk else 1
        proposal.resulting_risk = _rescore(actor, proposal, max(chosen or current, 1))
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal._history_user = actor  # type: ignore[attr-defined]
    proposal._change_reason = "accepted"  # type: ignore[attr-defined]
    proposal.save()
    return proposal


@transaction.atomic
def reject_proposal(actor: User, proposal: Proposal, *, reason: str) -> Proposal:
    _check_decider(actor, proposal)
    if not reason.strip():
        raise ValidationError({"reason": "say why the proposal is rejected"})
    proposal = _lock_open(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal._history_user = actor  # type: ignore[attr-defined]
    proposal._change_reason = "rejected"  # type: ignore[attr-defined]
    proposal.save()
    return proposal


@transaction.atomic
def dismiss_match(actor: User, match: AssetIntelMatch, *, reason: str) -> AssetIntelMatch:
    """Mark a match as not relevant (e.g. the component is not exposed); it no longer proposes.

    Like editing the asset itself: a contributor may do it only on assets they own."""
    require(actor, Action.EDIT)
    match = AssetIntelMatch.objects.select_for_update(of=("self",)).select_related("asset").get(pk=match.pk)
    if not can_on_object(Role(actor.role), Action.EDIT, is_owner=match.asset.owner_id == actor.pk):
        raise PermissionDenied(f"only the owner of {match.asset.name} or a manager may dismiss its matches")
    if not reason.strip():
        raise ValidationError({"reason": "say why the match does not apply"})
    match.dismissed = True
    match.dismissed_reason = reason.strip()
    match.dismissed_by = actor
    match.dismissed_at = timezone.now()
    match._history_user = actor  # type: ignore[attr-defined]
    match.save()
    return match


def run_correlation(actor: User, *, full: bool = False) -> int:
    """Queue a correlation job (a writer may ask for one); returns the job id."""
    require(actor, Action.CREATE)
    from aisms.apps.jobs.services import submit  # jobs registers tasks at start-up

    job = submit(
        "posture.correlate",
        title="Correlate threat intelligence with assets and risks" + (" (full)" if full else ""),
        user=actor,
        full=full,
    )
    return int(job.pk)
