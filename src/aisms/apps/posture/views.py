"""Posture pages: what changed (timeline, open proposals, re-scored risks, emerging threats), a proposal
with its evidence and the accept/reject forms (htmx), an emerging-threat candidate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.intel.models import IntelItem
from aisms.apps.posture import charts, forms, selectors, services
from aisms.apps.posture import emerging as emerging_services
from aisms.apps.posture.models import EmergingStatus, Proposal, ProposalStatus
from aisms.apps.risks.services import current_method
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action, Role, can


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _likelihoods() -> list[tuple[int, str]]:
    return [(level.value, f"{level.value} {level.name}") for level in current_method().likelihood]


def _card_context(user: User, proposal: Proposal, **extra: object) -> dict[str, object]:
    scale = len(current_method().likelihood)
    return {
        "p": proposal,
        "may_decide": proposal.status == ProposalStatus.OPEN and services.may_decide(user, proposal),
        "change_svg": mark_safe(  # noqa: S308  # built by our own chart code, values escaped
            charts.likelihood_change(proposal.current_likelihood, proposal.proposed_likelihood, scale)
        ),
        "accept_form": extra.get("accept_form") or forms.AcceptProposalForm(likelihoods=_likelihoods()),
        "reject_form": extra.get("reject_form") or forms.RejectProposalForm(),
        "items": {
            i.pk: i for i in IntelItem.objects.filter(pk__in=[e.get("item_id") for e in proposal.evidence])
        },
        **extra,
    }


DECISION_CARDS = 5  # open proposals shown with their forms on the overview


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    weeks = selectors.what_changed(user, weeks=12)
    open_rows = list(selectors.proposals(user, status=ProposalStatus.OPEN)[:200])
    mine = [p for p in open_rows if services.may_decide(user, p) and p.responsible_id == user.pk]
    if (
        not mine
        and can(Role(user.role), Action.APPROVE)
        and Role(user.role) in (Role.ISMS_MANAGER, Role.ADMINISTRATOR)
    ):
        mine = open_rows[:10]  # a manager decides any: show the newest as cards
    shown = {p.pk for p in mine}
    context = {
        "timeline": mark_safe(charts.weekly_timeline(weeks)),  # noqa: S308  # our SVG, values escaped
        "weeks": weeks,
        # the newest few with their decision forms; the rest of the user's as rows, so none is hidden
        "open_cards": [_card_context(user, p) for p in mine[:DECISION_CARDS]],
        "open_more": mine[DECISION_CARDS:],
        "open_others": [p for p in open_rows if p.pk not in shown],
        "counts": selectors.open_counts(user),
        "rescored": selectors.recently_rescored(user),
        "decided": list(
            selectors.proposals(user)
            .exclude(status=ProposalStatus.OPEN)
            .exclude(status=ProposalStatus.SUPERSEDED)[:10]
        ),
        "candidates": list(selectors.emerging(user, status=EmergingStatus.CANDIDATE)[:20]),
        "may_correlate": can(Role(user.role), Action.CREATE),
    }
    return render(request, "posture/index.html", context)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = request.GET.get("status", "")[:20]
    rows = selectors.proposals(user, status=status or None)[:200]
    return render(
        request,
        "posture/proposals.html",
        {"proposals": rows, "status": status, "statuses": ProposalStatus.choices},
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    proposal = selectors.proposal(user, pk)
    context = _card_context(user, proposal)
    context["history"] = proposal.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "posture/proposal.html", context)


def _decide(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    user = _user(request)
    proposal = selectors.proposal(user, pk)
    form: forms.AcceptProposalForm | forms.RejectProposalForm = (
        forms.AcceptProposalForm(request.POST, likelihoods=_likelihoods())
        if accept
        else forms.RejectProposalForm(request.POST)
    )
    if form.is_valid():
        try:
            if accept:
                proposal = services.accept_proposal(
                    user,
                    proposal,
                    reason=form.cleaned_data["reason"],
                    likelihood=form.cleaned_data.get("likelihood"),
                )
            else:
                proposal = services.reject_proposal(user, proposal, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
    htmx = request.headers.get("HX-Request") == "true"
    if form.errors:
        extra = {"accept_form": form} if accept else {"reject_form": form}
        if htmx:
            return render(request, "posture/_proposal_card.html", _card_context(user, proposal, **extra))
        context = _card_context(user, proposal, **extra)
        context["history"] = proposal.history.order_by("-history_date")[:20]
        return render(request, "posture/proposal.html", context, status=422)
    if htmx:
        return render(request, "posture/_proposal_card.html", _card_context(user, proposal))
    verb = "accepted" if accept else "rejected"
    messages.success(request, f"Proposal #{proposal.pk} {verb}.")
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=True)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=False)


@login_required
def emerging_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    threat = selectors.emerging_one(user, pk)
    role = Role(user.role)
    context = {
        "t": threat,
        "name_form": forms.NameEmergingForm(initial={"name": threat.name, "summary": threat.summary}),
        "dismiss_form": forms.DismissForm(),
        "may_name": can(role, Action.EDIT) and threat.status == EmergingStatus.CANDIDATE,
        "may_decide": can(role, Action.MANAGE_CATALOGUE) and threat.status == EmergingStatus.CANDIDATE,
    }
    return render(request, "posture/emerging.html", context)


@login_required
@require_POST
def emerging_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    threat = selectors.emerging_one(user, pk)
    try:
        if action == "name":
            form = forms.NameEmergingForm(request.POST)
            if form.is_valid():
                emerging_services.name_emerging(user, threat, **form.cleaned_data)
                messages.success(request, "Candidate named.")
        elif action == "accept":
            form = forms.NameEmergingForm(request.POST)
            if form.is_valid():
                entry = emerging_services.accept_emerging(user, threat, **form.cleaned_data)
                messages.success(request, f"Added {entry.uid} to the catalogue as a custom threat.")
        elif action == "dismiss":
            dismiss = forms.DismissForm(request.POST)
            if dismiss.is_valid():
                emerging_services.dismiss_emerging(user, threat, reason=dismiss.cleaned_data["reason"])
                messages.success(request, "Candidate dismissed.")
            else:
                messages.error(request, "Say why the candidate is dismissed.")
        else:
            return HttpResponse(status=404)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect(threat.get_absolute_url())


@login_required
@require_POST
def dismiss_match(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    match = selectors.matches(user, include_dismissed=True).get(pk=pk)
    form = forms.DismissForm(request.POST)
    if form.is_valid():
        try:
            services.dismiss_match(user, match, reason=form.cleaned_data["reason"])
            messages.success(request, "Match dismissed: it will not lead to proposals.")
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    else:
        messages.error(request, "Say why the match does not apply.")
    return redirect(match.get_absolute_url())


@login_required
@require_POST
def correlate(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    job_id = services.run_correlation(user, full=request.POST.get("full") == "1")
    messages.success(request, "Correlation started.")
    return redirect("jobs:detail", job_id)
