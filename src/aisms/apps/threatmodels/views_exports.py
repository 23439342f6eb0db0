"""Threat-model outputs: the report (HTML page and PDF), the diagram, the YAML source and the analysis as
JSON, Markdown or SARIF, and the diff between two versions."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels import pdf_report, selectors
from aisms.apps.threatmodels.models import ThreatModel, ThreatModelVersion
from aisms.domain.access import Action
from aisms.domain.threatmodel import reports

MITIGATION_ORDER = ("atlas", "iso27002", "iso42001")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _version(request: HttpRequest, tm: ThreatModel) -> ThreatModelVersion:
    number = request.GET.get("version", "")
    try:
        return selectors.version(tm, int(number) if number.isdigit() else None)
    except ValidationError as exc:
        raise Http404(str(exc)) from exc


def mitigation_summary(tm: ThreatModel, row: ThreatModelVersion) -> list[dict[str, object]]:
    """Each mitigation of the threats marked relevant, with how many threats it treats and their status."""
    analysis = selectors.analysis_of(row)
    decisions = selectors.decisions(tm)
    out: dict[str, dict[str, object]] = {}
    for t in analysis.threats:
        d = decisions.get(t.id)
        if d is None or not d.relevant:
            continue
        for ref in t.mitigations:
            entry = out.setdefault(ref.uid, {"uid": ref.uid, "name": ref.name, "threats": [], "statuses": {}})
            entry["threats"].append(t)  # type: ignore[attr-defined]
            statuses: dict[str, int] = entry["statuses"]  # type: ignore[assignment]
            label = d.get_mitigation_status_display()
            statuses[label] = statuses.get(label, 0) + 1
    return sorted(
        out.values(),
        key=lambda e: (MITIGATION_ORDER.index(str(e["uid"]).split(":")[0]), str(e["uid"])),
    )


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    tm = get_object_or_404(ThreatModel.objects.select_related("owner"), pk=pk)
    row = _version(request, tm)
    model = selectors.domain_model(row.source)
    analysis = selectors.analysis_of(row)
    decisions = selectors.decisions(tm)
    groups = [
        (model.element_name(element_id), [(t, decisions.get(t.id)) for t in threats])
        for element_id, threats in analysis.by_element().items()
    ]
    context = {
        "tm": tm,
        "row": row,
        "model": model,
        "svg": mark_safe(selectors.diagram(row)),  # noqa: S308 - render_svg escapes every text it draws
        "counts": analysis.counts(),
        "states": selectors.state_counts(tm, analysis),
        "groups": groups,
        "mitigations": mitigation_summary(tm, row),
        "generated": timezone.now(),
    }
    return render(request, "threatmodels/report.html", context)


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    tm = get_object_or_404(ThreatModel, pk=pk)
    row = _version(request, tm)
    data = pdf_report.to_pdf(
        selectors.domain_model(row.source),
        selectors.analysis_of(row),
        selectors.diagram(row),
        selectors.decision_views(tm),
        version=row.number,
        generated=timezone.now(),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(tm.name)}-threat-model-v{row.number}.pdf"'
    )
    return response


@login_required
def diagram_svg(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    tm = get_object_or_404(ThreatModel, pk=pk)
    return HttpResponse(selectors.diagram(_version(request, tm)), content_type="image/svg+xml")


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    require(_user(request), Action.VIEW)
    tm = get_object_or_404(ThreatModel, pk=pk)
    row = _version(request, tm)
    name = f"{slugify(tm.name)}.threatmodel"
    if fmt == "yaml":
        body, content_type, filename = row.source, "application/yaml; charset=utf-8", f"{name}.yaml"
    else:
        model = selectors.domain_model(row.source)
        analysis = selectors.analysis_of(row)
        if fmt == "json":
            body, content_type = reports.to_json(model, analysis, f"{name}.yaml"), "application/json"
        elif fmt == "md":
            body = reports.to_markdown(model, analysis, selectors.decision_views(tm))
            content_type = "text/markdown; charset=utf-8"
        elif fmt == "sarif":
            from aisms.apps.threatmodels.services import engine, organisation_rules

            titles = {r.id: (r.title, r.description) for r in engine().rules_with(organisation_rules())}
            body = json.dumps(reports.to_sarif(analysis, f"{name}.yaml", titles), indent=2)
            content_type = "application/sarif+json"
        else:
            raise Http404("unknown format")
        filename = f"{name}-v{row.number}.{fmt}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    tm = get_object_or_404(ThreatModel, pk=pk)
    before, after = request.GET.get("from", ""), request.GET.get("to", "")
    try:
        older, newer, result = selectors.diff(
            tm, int(before) if before.isdigit() else None, int(after) if after.isdigit() else None
        )
    except ValidationError as exc:
        raise Http404(str(exc)) from exc
    decisions = selectors.decisions(tm)
    context = {
        "tm": tm,
        "older": older,
        "newer": newer,
        "diff": result,
        "versions": selectors.versions(tm),
        "stale": [(t, decisions[t.id]) for t in result.disappeared if t.id in decisions],
    }
    return render(request, "threatmodels/diff.html", context)
