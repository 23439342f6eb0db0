"""Compliance status pages: the overview (heat map and clause bars), control and clause detail with the
evidence form, the gap analysis (page, print and CSV) and the crosswalk views."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.compliance import charts, forms, registers, selectors, services, storage
from aisms.apps.compliance.models import EvidenceItem
from aisms.apps.risks.models import TreatmentAction
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action
from aisms.domain.compliance.status import STATUS_ORDER


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required/auth: an authenticated aisms User


def _nonconformities(uid: str) -> list[object]:
    from django.apps import apps

    if not apps.is_installed("aisms.apps.audits"):
        return []
    model = apps.get_model("audits", "Nonconformity")
    field = "clause_uid" if uid.startswith("iso27001:") else "control_uid"
    return list(model.objects.filter(**{field: uid}).exclude(status="closed").order_by("-raised_at"))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    controls = selectors.control_statuses(today)
    clauses = selectors.clause_statuses(today)
    context = {
        "today": today,
        "heat_map": mark_safe(charts.control_heat_map(controls, reverse("compliance:control", args=["REF"]))),  # noqa: S308 - our own escaped SVG
        "clause_chart": mark_safe(charts.clause_bars(clauses, reverse("compliance:clause", args=["REF"]))),  # noqa: S308 - our own escaped SVG
        "legend": mark_safe(charts.legend()),  # noqa: S308 - our own escaped SVG
        "control_counts": [(s, selectors.status_counts(controls)[s.value]) for s in STATUS_ORDER],
        "clause_counts": [
            (s, selectors.status_counts([c for c in clauses if c.parent])[s.value]) for s in STATUS_ORDER
        ],
        "top_gaps": selectors.gap_analysis(today, clauses + controls)[:8],
    }
    return render(request, "compliance/overview.html", context)


def _evidence_form_post(request: HttpRequest, uid: str) -> forms.EvidenceForm:
    """Handle the evidence form of a control or clause page (links the new item to that uid)."""
    user = _user(request)
    form = forms.EvidenceForm(request.POST, request.FILES, initial={"links": uid})
    if form.is_valid():
        data = form.cleaned_data
        upload = None
        if data["file"]:
            if data["file"].size > storage.max_evidence_bytes():
                form.add_error("file", f"larger than the {storage.max_evidence_bytes()} byte limit")
                return form
            upload = services.Upload(data["file"].name, data["file"].read())
        links = {uid, *[p.strip() for p in (data["links"] or "").split(",") if p.strip()]}
        try:
            services.create_evidence(
                user,
                title=data["title"],
                evidence_date=data["evidence_date"],
                upload=upload,
                url=data["url"] or "",
                description=data["description"],
                owner=data["owner"],
                expires_on=data["expires_on"],
                review_due=data["review_due"],
                entry_uids=links,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Evidence “{data['title']}” added.")
    return form


def _entry(source: str, ref: str) -> CatalogueEntry:
    kind = "control" if source == "iso27002" else "clause"
    entry = CatalogueEntry.objects.filter(source__key=source, kind=kind, ref=ref[:20]).first()
    if entry is None:
        raise Http404("no such clause or control")
    return entry


def _detail(
    request: HttpRequest, entry: CatalogueEntry, row: selectors.StatusRow, template: str
) -> HttpResponse:
    user = _user(request)
    form = forms.EvidenceForm(initial={"evidence_date": timezone.localdate(), "links": ""})
    if request.method == "POST":
        require(user, Action.CREATE)
        form = _evidence_form_post(request, entry.uid)
        if not form.errors:
            return redirect(request.path)
    evidence = EvidenceItem.objects.filter(entries=entry).select_related("owner")
    today = timezone.localdate()
    context = {
        "entry": entry,
        "row": row,
        "form": form,
        "evidence": [(e, registers.state_of(e, today).value) for e in evidence],
        "nonconformities": _nonconformities(entry.uid),
        "actions": TreatmentAction.objects.filter(controls=entry).select_related("risk", "owner"),
        "obligations": selectors.obligations_for_control(entry.uid),
        "documents": entry.documents.filter(retired=False),
        "legend": mark_safe(charts.legend()),  # noqa: S308 - our own escaped SVG
    }
    return render(request, template, context)


@login_required
def control(request: HttpRequest, ref: str) -> HttpResponse:
    require(_user(request), Action.VIEW)
    entry = _entry("iso27002", ref)
    row = next(r for r in selectors.control_statuses(timezone.localdate()) if r.uid == entry.uid)
    return _detail(request, entry, row, "compliance/control.html")


@login_required
def clause(request: HttpRequest, ref: str) -> HttpResponse:
    require(_user(request), Action.VIEW)
    entry = _entry("iso27001", ref)
    rows = selectors.clause_statuses(timezone.localdate())
    row = next(r for r in rows if r.uid == entry.uid)
    return _detail(request, entry, row, "compliance/clause.html")


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    rows = selectors.gap_analysis(today)
    template = "compliance/gaps_print.html" if request.GET.get("print") else "compliance/gaps.html"
    return render(request, template, {"gaps": rows, "today": today})


@login_required
def gaps_csv(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    rows = selectors.gap_report_rows(today)
    out = io.StringIO()
    columns = [
        "rank",
        "kind",
        "ref",
        "uid",
        "title",
        "status",
        "effect",
        "why_it_matters",
        "what_is_missing",
        "owner",
        "linked_risks",
        "open_nonconformities",
    ]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gap-analysis-{today:%Y-%m-%d}.csv"'
    return response


def _csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
def crosswalk(request: HttpRequest, framework: str) -> HttpResponse:
    require(_user(request), Action.VIEW)
    if framework not in selectors.FRAMEWORKS:
        raise Http404("unknown framework")
    today = timezone.localdate()
    rows = selectors.crosswalk_status(framework, today)
    groups: dict[str, list[charts.Tile]] = {}
    names = dict(
        CatalogueEntry.objects.filter(source__key=framework)
        .exclude(kind__in=("control", "category"))
        .values_list("ref", "name")
    )
    for r in rows:
        note = f"coverage {r.result.coverage:.0%}" if r.result.coverage is not None else "no mapped control"
        groups.setdefault(r.group, []).append(
            charts.Tile(r.ref, r.title, r.result.status, f"#x-{r.ref}", note, label=r.ref.rsplit("-", 1)[-1])
        )
    grid = charts.tile_grid(
        [(g if names.get(g, g) == g else f"{g} {names[g]}", tiles) for g, tiles in groups.items()],
        title=f"{selectors.FRAMEWORKS[framework]}: status from the mapped ISO/IEC 27001/27002 items",
        columns=10,
    )
    context = {
        "framework": framework,
        "label": selectors.FRAMEWORKS[framework],
        "rows": rows,
        "grid": mark_safe(grid),  # noqa: S308 - our own escaped SVG
        "legend": mark_safe(charts.legend(unmapped=True)),  # noqa: S308 - our own escaped SVG
        "frameworks": selectors.FRAMEWORKS,
    }
    return render(request, "compliance/crosswalk.html", context)
