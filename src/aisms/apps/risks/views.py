"""Risk register pages: register with heat maps, detail, create/edit, acceptance, actions, method."""

from __future__ import annotations

from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks import quantification, selectors, services
from aisms.apps.risks.forms import AcceptForm, ActionForm, MethodForm, QuantificationForm, RiskForm
from aisms.apps.risks.models import Risk, RiskMethodVersion, RiskQuantification, RiskStatus, TreatmentAction
from aisms.apps.web.charts import exceedance_chart, heat_grid
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action, Role, can
from aisms.domain.fair_inputs import FACTOR_FIELDS
from aisms.domain.risk_method import RiskMethod, RiskMethodError, method_from_dict, method_to_dict


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _level_info(method: RiskMethod) -> dict[str, Any]:
    return {level.key: level for level in method.levels}


@login_required
def register(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    method = services.current_method()
    get = request.GET
    filters = selectors.RiskFilter(
        q=get.get("q", "")[:200],
        status=get.get("status", ""),
        level=get.get("level", ""),
        owner=int(get["owner"]) if get.get("owner", "").isdigit() else None,
        asset=int(get["asset"]) if get.get("asset", "").isdigit() else None,
        ai_only=get.get("ai") == "1",
        needs_reassessment=get.get("reassess") == "1",
        stage=get.get("stage", ""),
        likelihood=int(get["r"]) if get.get("r", "").isdigit() else None,
        impact=int(get["c"]) if get.get("c", "").isdigit() else None,
        sort=get.get("sort", "ref"),
    )
    risks = selectors.register(filters, method)
    everything = (
        risks
        if filters == selectors.RiskFilter(sort=filters.sort)
        else selectors.register(selectors.RiskFilter(), method)
    )
    context = {
        "risks": risks,
        "filters": filters,
        "method": method,
        "levels": _level_info(method),
        "statuses": RiskStatus.choices,
        "owners": User.objects.filter(is_active=True).order_by("username"),
        "assets": Asset.objects.filter(archived=False).order_by("name"),
        "heat_maps": [
            selectors.heat_map(everything, method, "inherent", "Inherent risk"),
            selectors.heat_map(everything, method, "current", "Current risk"),
            selectors.heat_map(everything, method, "target", "Target (residual) risk"),
        ],
        "stale": sum(1 for r in risks if r.method_version != method.version),
        "query": get.urlencode(),
        "sort_choices": [
            ("ref", "Reference"),
            ("current", "Current level (highest first)"),
            ("inherent", "Inherent level"),
            ("target", "Target level"),
            ("owner", "Owner"),
            ("status", "Status"),
            ("title", "Title"),
        ],
    }
    return render(request, "risks/register.html", context)


def _risk(ref: str) -> Risk:
    return get_object_or_404(
        Risk.objects.select_related("owner", "threat__source", "accepted_by", "created_by"), ref=ref
    )


@login_required
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    risk = _risk(ref)
    method = services.current_method()
    scored_with = method
    if risk.method_version and risk.method_version != method.version:
        scored_with = services.method_version(risk.method_version)
    actions = list(risk.actions.select_related("owner").prefetch_related("controls"))
    context = {
        "risk": risk,
        "method": method,
        "scored_with": scored_with,
        "levels": _level_info(scored_with),
        "assets": risk.assets.all(),
        "actions": actions,
        "controls": selectors.controls_for_threat(risk.threat) if risk.threat else [],
        "accept_form": AcceptForm(),
        "may_approve": can(Role(user.role), Action.APPROVE),
        "may_edit": can(Role(user.role), Action.EDIT),
        "today": timezone.localdate(),
        "fair": _fair_summary(risk),
    }
    return render(request, "risks/detail.html", context)


def _fair_summary(risk: Risk) -> dict[str, Any] | None:
    analysis = quantification.analyse([risk], quantification.UI_RUNS, seed=1)
    if analysis is None:
        return None
    result = analysis.rows[0][1]
    chart = exceedance_chart(
        analysis.result.thresholds, [(risk.ref, result.annual_loss.exceedance)], title="Loss exceedance"
    )
    return {"result": analysis.result, "risk": result, "chart": chart}


def _scores(data: dict[str, Any]) -> services.Scores:
    return services.Scores(
        inherent=(data["inherent_likelihood"], data["inherent_impact"]),
        current=(data["current_likelihood"], data["current_impact"]),
        target=(data["target_likelihood"], data["target_impact"]),
    )


_FIELDS = ("description", "vulnerability", "consequences", "treatment", "treatment_notes", "review_date")


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    method = services.current_method()
    initial: dict[str, Any] = {"owner": user.pk}
    for stage in ("inherent", "current", "target"):
        initial[f"{stage}_likelihood"] = 3
        initial[f"{stage}_impact"] = 3
    asset_id = request.GET.get("asset", "")
    if asset_id.isdigit():
        initial["assets"] = [int(asset_id)]
    threat_uid = request.GET.get("threat", "")
    threat = CatalogueEntry.objects.filter(uid=threat_uid).first() if threat_uid else None
    if threat is not None:
        initial["threat"] = threat.pk
        initial["title"] = threat.name
    form = RiskForm(request.POST or None, method=method, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            risk = services.create_risk(
                user,
                title=data["title"],
                scores=_scores(data),
                assets=list(data["assets"]),
                threat=data["threat"],
                custom_threat=data["custom_threat"],
                owner=data["owner"],
                **{name: data[name] for name in _FIELDS},
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{risk.ref} added to the register.")
            return redirect("risks:detail", ref=risk.ref)
    return render(
        request, "risks/form.html", {"form": form, "method": method, "risk": None, "threat": threat}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    risk = _risk(ref)
    method = services.current_method()
    initial = {name: getattr(risk, name) for name in (*_FIELDS, "title", "custom_threat", "status")}
    initial.update({"assets": list(risk.assets.values_list("pk", flat=True)), "threat": risk.threat_id})
    initial["owner"] = risk.owner_id
    for stage in ("inherent", "current", "target"):
        for axis in ("likelihood", "impact"):
            initial[f"{stage}_{axis}"] = getattr(risk, f"{stage}_{axis}")
    form = RiskForm(request.POST or None, method=method, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        status = data["status"] or risk.status
        if risk.status == RiskStatus.ACCEPTED and status != RiskStatus.CLOSED:
            status = risk.status  # the form cannot offer "accepted"; keep the sign-off unless closing
        try:
            services.update_risk(
                user,
                risk,
                scores=_scores(data),
                assets=list(data["assets"]),
                title=data["title"],
                threat=data["threat"],
                custom_threat=data["custom_threat"],
                owner=data["owner"],
                status=status,
                **{name: data[name] for name in _FIELDS},
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{risk.ref} saved.")
            return redirect("risks:detail", ref=risk.ref)
    return render(
        request, "risks/form.html", {"form": form, "method": method, "risk": risk, "threat": risk.threat}
    )


@login_required
@require_POST
def accept(request: HttpRequest, ref: str) -> HttpResponse:
    user = _user(request)
    risk = _risk(ref)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.accept_risk(
                user,
                risk,
                justification=form.cleaned_data["justification"],
                exception=form.cleaned_data["exception"],
            )
        except PermissionDenied as exc:
            messages.error(request, f"Not accepted: {exc}")
        except ValidationError as exc:
            messages.error(request, "Not accepted: " + "; ".join(exc.messages))
        else:
            messages.success(request, f"Residual risk of {risk.ref} accepted.")
    return redirect("risks:detail", ref=risk.ref)


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    asset_id = request.GET.get("asset", "")
    asset = get_object_or_404(Asset, pk=int(asset_id)) if asset_id.isdigit() else None
    suggestions = selectors.suggestions_for(asset) if asset else []
    assets = Asset.objects.filter(archived=False).order_by("name")
    return render(
        request, "risks/suggest.html", {"asset": asset, "suggestions": suggestions, "assets": assets}
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_form(request: HttpRequest, ref: str, action_id: int | None = None) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    risk = _risk(ref)
    action = get_object_or_404(TreatmentAction, pk=action_id, risk=risk) if action_id else None
    if action is not None:
        initial: dict[str, Any] = {
            "title": action.title,
            "description": action.description,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "status": action.status,
            "controls": list(action.controls.values_list("pk", flat=True)),
        }
    else:
        initial = {
            "owner": risk.owner_id,
            "controls": [c.pk for c, _ in selectors.controls_for_threat(risk.threat)[:3]]
            if risk.threat
            else [],
        }
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action is None:
                action = services.add_action(
                    user,
                    risk,
                    title=data["title"],
                    description=data["description"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                    controls=list(data["controls"]),
                )
                if data["status"] != action.status:
                    services.update_action(user, action, status=data["status"])
            else:
                services.update_action(
                    user,
                    action,
                    controls=list(data["controls"]),
                    **{k: data[k] for k in ("title", "description", "owner", "due_date", "status")},
                )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Treatment action saved on {risk.ref}.")
            return redirect("risks:detail", ref=risk.ref)
    suggested = selectors.controls_for_threat(risk.threat) if risk.threat else []
    return render(
        request,
        "risks/action_form.html",
        {"form": form, "risk": risk, "action": action, "suggested": suggested},
    )


@login_required
def treatment(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    overview = selectors.actions_overview(today)
    return render(request, "risks/treatment.html", {"overview": overview, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def method(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    row = services.current_method_row()
    current = method_from_dict(row.definition)
    may_change = can(Role(user.role), Action.MANAGE_ORGANISATION)
    form = None
    if may_change:
        editable = {k: v for k, v in method_to_dict(current).items() if k != "version"}
        form = MethodForm(
            request.POST or None,
            initial={"definition": yaml.safe_dump(editable, sort_keys=False, allow_unicode=True, width=100)},
        )
    if request.method == "POST":
        require(user, Action.MANAGE_ORGANISATION)
        if form is not None and form.is_valid():
            try:
                definition = yaml.safe_load(form.cleaned_data["definition"])
                if not isinstance(definition, dict):
                    raise ValidationError(
                        {"definition": "expected a mapping with likelihood, impact, levels, matrix"}
                    )
                new = services.publish_method(user, definition, form.cleaned_data["notes"])
            except yaml.YAMLError as exc:
                form.add_error("definition", f"not valid YAML: {exc}")
            except RiskMethodError as exc:
                form.add_error("definition", str(exc))
            except ValidationError as exc:
                form.add_error(
                    "definition", "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
                )
            else:
                messages.success(
                    request, f"Method version {new.version} is now current; re-assess the risks listed."
                )
                return redirect("risks:method")
    stale = (
        Risk.objects.exclude(method_version=current.version).exclude(status=RiskStatus.CLOSED).order_by("ref")
    )
    heat = selectors.heat_map([], current, "current", "Risk matrix")
    names = {level.key: level.name for level in current.levels}
    matrix_svg = heat_grid(
        heat.rows,
        heat.impact_names,
        title="Risk matrix: level for each likelihood and impact",
        cell_labels=[
            [names[key] for key in current.matrix[likelihood.value - 1]]
            for likelihood in reversed(current.likelihood)
        ],
    )
    return render(
        request,
        "risks/method.html",
        {
            "method": current,
            "row": row,
            "versions": RiskMethodVersion.objects.select_related("created_by"),
            "stale": stale,
            "form": form,
            "matrix_svg": matrix_svg,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quantify(request: HttpRequest, ref: str) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    risk = _risk(ref)
    stored = RiskQuantification.objects.filter(risk=risk).first()
    initial = (
        QuantificationForm.initial_from({f: getattr(stored, f) for f in FACTOR_FIELDS}) if stored else {}
    )
    form = QuantificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            quantification.set_quantification(user, risk, form.factors())
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"FAIR inputs of {risk.ref} saved.")
            return redirect("risks:detail", ref=risk.ref)
    return render(request, "risks/quantify.html", {"form": form, "risk": risk})


@login_required
def quantitative(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    method = services.current_method()
    get = request.GET
    runs = int(get["runs"]) if get.get("runs", "").isdigit() else quantification.UI_RUNS
    seed = int(get["seed"]) if get.get("seed", "").isdigit() else 1
    filters = selectors.RiskFilter(
        q=get.get("q", "")[:200],
        level=get.get("level", ""),
        asset=int(get["asset"]) if get.get("asset", "").isdigit() else None,
        ai_only=get.get("ai") == "1",
    )
    risks = selectors.register(filters, method)
    try:
        analysis = quantification.analyse(risks, runs, seed)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        analysis = None
    chart = ""
    if analysis is not None:
        top = sorted(analysis.rows, key=lambda row: -row[1].annual_loss.mean)[:7]
        series = [("Portfolio", analysis.result.portfolio.exceedance)] + [
            (risk.ref, result.annual_loss.exceedance) for risk, result in top
        ]
        chart = exceedance_chart(analysis.result.thresholds, series, title="Loss exceedance curves")
    return render(
        request,
        "risks/quantitative.html",
        {
            "analysis": analysis,
            "chart": chart,
            "runs": runs,
            "seed": seed,
            "filters": filters,
            "method": method,
            "assets": Asset.objects.filter(archived=False).order_by("name"),
            "unquantified": [r for r in risks if not hasattr(r, "quantification")][:50],
        },
    )
