"""Threat-model pages: the list, import, a model with its diagram, its threats (mark and push with htmx),
the YAML and structured editors, and re-analysis."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels import forms, selectors, services
from aisms.apps.threatmodels.models import MitigationStatus, ThreatModel
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action, Role, can, can_on_object
from aisms.domain.threatmodel import editing
from aisms.domain.threatmodel.model import KIND_INFO
from aisms.domain.threatmodel.model import ThreatModel as DomainModel


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _may_edit(user: User, tm: ThreatModel) -> bool:
    return can_on_object(Role(user.role), Action.EDIT, is_owner=user.pk in (tm.owner_id, tm.created_by_id))


def _read_upload(upload: object, limit: int) -> str:
    size = getattr(upload, "size", 0) or 0
    if size > limit:
        raise ValidationError({"file": f"the file is larger than {limit} bytes"})
    data: bytes = upload.read()  # type: ignore[attr-defined]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": "the file is not UTF-8 text"}) from exc


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = request.GET.get("q", "")[:200]
    rows = []
    for tm in selectors.threat_models(user, q):
        current = services.current_version(tm)
        counts = (current.analysis or {}).get("counts", {}) if current else {}
        decided = tm.decisions.count()
        pushed = tm.decisions.exclude(risk=None).count()
        rows.append({"tm": tm, "version": current, "counts": counts, "decided": decided, "pushed": pushed})
    return render(request, "threatmodels/index.html", {"rows": rows, "q": q})


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[object] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        filename = getattr(upload, "name", "pasted.yaml") if upload else "pasted.yaml"
        try:
            source = (
                _read_upload(upload, services.max_source_bytes()) if upload else form.cleaned_data["source"]
            )
            tm = services.create_threat_model(user, source, filename=filename)
        except services.ThreatModelRejectedError as exc:
            problems = list(exc.problems)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Threat model {tm.name} imported and analysed.")
            return redirect("threatmodels:detail", pk=tm.pk)
    return render(request, "threatmodels/new.html", {"form": form, "problems": problems})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    tm = get_object_or_404(ThreatModel.objects.select_related("owner"), pk=pk)
    number = request.GET.get("version")
    try:
        row = selectors.version(tm, int(number) if number and number.isdigit() else None)
    except ValidationError:
        row = selectors.version(tm, None)
    model = selectors.domain_model(row.source)
    analysis = selectors.analysis_of(row)
    counts = selectors.threat_counts(analysis)
    assets = {a.name: a for a in tm.assets.all()} | {str(a.pk): a for a in tm.assets.all()}
    components = [
        {
            "c": c,
            "props": sorted(p.value for p in c.properties),
            "kind": KIND_INFO[c.kind][0],
            "asset": assets.get(c.asset or ""),
            "threats": counts.get(c.id, 0),
        }
        for c in model.components
    ]
    details = forms.DetailsForm(initial={"status": tm.status, "owner": tm.owner})
    context = {
        "tm": tm,
        "row": row,
        "is_current": row.number == services.current_version(tm).number,  # type: ignore[union-attr]
        "model": model,
        "svg": mark_safe(selectors.diagram(row)),  # noqa: S308 - render_svg escapes every text it draws
        "counts": analysis.counts(),
        "states": selectors.state_counts(tm, analysis),
        "components": components,
        "flows": [
            (
                f,
                model.element_name(f.id),
                counts.get(f.id, 0),
                model.crossed_boundaries(f),
                sorted(p.value for p in f.properties),
            )
            for f in model.flows
        ],
        "versions": selectors.versions(tm),
        "details": details,
        "may_edit": _may_edit(user, tm),
    }
    return render(request, "threatmodels/detail.html", context)


@login_required
@require_POST
def update_details(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    form = forms.DetailsForm(request.POST)
    if form.is_valid():
        try:
            services.update_details(
                user, tm, status=form.cleaned_data["status"], owner=form.cleaned_data["owner"]
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, "Details saved.")
    return redirect("threatmodels:detail", pk=pk)


@login_required
def threats(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    tm = get_object_or_404(ThreatModel, pk=pk)
    analysis = services.current_analysis(tm)
    if analysis is None:
        raise ValidationError("no analysis")
    f = {
        "element": request.GET.get("element", "")[:80],
        "category": request.GET.get("category", ""),
        "state": request.GET.get("state", ""),
        "q": request.GET.get("q", "")[:200],
    }
    min_score = request.GET.get("min_score", "")
    rows = selectors.threat_rows(
        tm,
        analysis,
        element=f["element"],
        category=f["category"] if f["category"] in ("ai", "stride") else "",
        state=f["state"] if f["state"] in selectors.STATES else "",
        min_score=int(min_score) if min_score.isdigit() else 0,
        q=f["q"],
    )
    model = selectors.domain_model(tm.source)
    context = {
        "tm": tm,
        "groups": selectors.group_rows(rows),
        "shown": len(rows),
        "total": len(analysis.threats),
        "filters": f,
        "min_score": min_score,
        "elements": [(c.id, c.name) for c in model.components]
        + [(fl.id, model.element_name(fl.id)) for fl in model.flows],
        "states": selectors.state_counts(tm, analysis),
        "may_edit": _may_edit(user, tm),
        "may_push": can(Role(user.role), Action.CREATE),
        "statuses": MitigationStatus.choices,
    }
    return render(request, "threatmodels/threats.html", context)


def _row_response(
    request: HttpRequest, user: User, tm: ThreatModel, threat_id: str, error: str = ""
) -> HttpResponse:
    analysis = services.current_analysis(tm)
    threat = analysis.get(threat_id) if analysis else None
    if threat is None:
        return HttpResponse("unknown threat", status=404)
    decision = tm.decisions.select_related("risk").filter(threat_id=threat_id).first()
    context = {
        "tm": tm,
        "row": selectors.ThreatRow(threat, decision),
        "may_edit": _may_edit(user, tm),
        "may_push": can(Role(user.role), Action.CREATE),
        "statuses": MitigationStatus.choices,
        "error": error,
    }
    return render(request, "threatmodels/_threat.html", context, status=422 if error else 200)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, threat_id: str) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    form = forms.DecisionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
    else:
        try:
            services.decide(
                user,
                tm,
                threat_id,
                relevant=form.cleaned_data["relevant"],
                reason=form.cleaned_data["reason"],
                mitigation_status=form.cleaned_data["mitigation_status"] or "not_started",
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    if request.headers.get("HX-Request"):
        return _row_response(request, user, tm, threat_id, error)
    if error:
        messages.error(request, error)
    return redirect(f"{tm.get_absolute_url()}threats/#t-{threat_id}")


@login_required
@require_POST
def push(request: HttpRequest, pk: int, threat_id: str) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    error = ""
    try:
        risk = services.push_to_register(user, tm, threat_id)
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    if request.headers.get("HX-Request"):
        return _row_response(request, user, tm, threat_id, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Risk {risk.ref} added to the register.")
    return redirect(f"{tm.get_absolute_url()}threats/#t-{threat_id}")


@login_required
def edit_source(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    if not _may_edit(user, tm):
        raise PermissionDenied("your role may not edit this threat model")
    form = forms.SourceForm(request.POST or None, initial={"source": tm.source})
    problems: list[object] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_source(
                user, tm, form.cleaned_data["source"], note=form.cleaned_data["note"]
            )
        except services.ThreatModelRejectedError as exc:
            problems = list(exc.problems)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved as version {version.number} and analysed.")
            return redirect("threatmodels:detail", pk=pk)
    return render(request, "threatmodels/edit.html", {"tm": tm, "form": form, "problems": problems})


@login_required
def structure(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    if not _may_edit(user, tm):
        raise PermissionDenied("your role may not edit this threat model")
    model = selectors.domain_model(tm.source)
    boundaries = [(b.id, b.name) for b in model.boundaries]
    components = [(c.id, c.name) for c in model.components]
    post = request.POST if request.method == "POST" else None
    what = request.POST.get("what", "")
    component_form = forms.ComponentForm(
        post if what == "component" else None, boundaries=boundaries, prefix="c"
    )
    flow_form = forms.FlowForm(post if what == "flow" else None, components=components, prefix="f")
    boundary_form = forms.BoundaryForm(
        post if what == "boundary" else None, boundaries=boundaries, prefix="b"
    )
    if request.method == "POST":
        edit: Callable[[DomainModel], DomainModel] | None = None
        form: Form | None = None
        if what == "component" and component_form.is_valid():
            d, form = component_form.cleaned_data, component_form

            def edit(m: DomainModel) -> DomainModel:
                return editing.upsert_component(
                    m,
                    element_id=d["element_id"],
                    name=d["name"],
                    kind=d["kind"],
                    boundary=d["boundary"] or None,
                    properties=d["properties"],
                    asset=d["asset"],
                    description=d["description"],
                )
        elif what == "flow" and flow_form.is_valid():
            d, form = flow_form.cleaned_data, flow_form

            def edit(m: DomainModel) -> DomainModel:
                return editing.add_flow(
                    m,
                    element_id=d["element_id"],
                    source=d["source"],
                    target=d["target"],
                    label=d["label"],
                    properties=d["properties"],
                )
        elif what == "boundary" and boundary_form.is_valid():
            d, form = boundary_form.cleaned_data, boundary_form

            def edit(m: DomainModel) -> DomainModel:
                return editing.add_boundary(
                    m, element_id=d["element_id"], name=d["name"], parent=d["parent"] or None
                )
        elif what == "remove":
            element_id = request.POST.get("element_id", "")

            def edit(m: DomainModel) -> DomainModel:
                return editing.remove_element(m, element_id)

        if edit is not None:
            try:
                version = services.edit_structure(user, tm, edit, note=f"Structured edit: {what}")
            except editing.EditError as exc:
                if form is not None:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.error(request, str(exc))
            except services.ThreatModelRejectedError as exc:
                messages.error(request, "; ".join(str(p) for p in exc.problems))
            else:
                messages.success(request, f"Saved as version {version.number} and analysed.")
                return redirect("threatmodels:structure", pk=pk)
    context = {
        "tm": tm,
        "model": model,
        "kinds": {c.id: KIND_INFO[c.kind][0] for c in model.components},
        "component_form": component_form,
        "flow_form": flow_form,
        "boundary_form": boundary_form,
        "flow_names": {f.id: model.element_name(f.id) for f in model.flows},
    }
    return render(request, "threatmodels/structure.html", context)


@login_required
@require_POST
def reanalyse(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    before = services.current_version(tm)
    version = services.reanalyse(user, tm)
    if before is not None and version.pk == before.pk:
        messages.info(request, "The current rules give the same threats; nothing changed.")
        return redirect("threatmodels:detail", pk=pk)
    messages.success(request, f"Re-analysed as version {version.number}.")
    return redirect("threatmodels:diff", pk=pk)
