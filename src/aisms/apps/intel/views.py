"""Threat-intelligence pages: sources with their status and run log, the item store with filters, an
item's detail, uploads and pasted reports. Every page checks the same permissions as the API."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Coalesce, TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.intel import charts, selectors, services
from aisms.apps.intel.forms import ReportForm, SourceForm, UploadForm
from aisms.apps.intel.models import ITEM_KINDS, TLP_CHOICES, IngestRun, IntelItem, IntelSource, Vulnerability
from aisms.apps.jobs.models import Job
from aisms.domain.access import Action

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _source_job(source: IntelSource) -> Job | None:
    return Job.objects.filter(name="intel.pull_source", kwargs__source_id=source.pk).order_by("-pk").first()


def _weekly_items(weeks: int = 12) -> str:
    start = timezone.now() - timedelta(weeks=weeks)
    rows = (
        IntelItem.objects.annotate(when=Coalesce("published", "first_seen"))
        .filter(when__gte=start)
        .annotate(week=TruncWeek("when"))
        .values("week", "kind")
        .annotate(n=Count("pk"))
    )
    by_week: dict[str, dict[str, int]] = {}
    for index in range(weeks + 1):
        monday = (start + timedelta(weeks=index)).date()
        monday -= timedelta(days=monday.weekday())
        by_week.setdefault(monday.isoformat()[5:], {})
    for row in rows:
        label = row["week"].date().isoformat()[5:]
        by_week.setdefault(label, {})[row["kind"]] = row["n"]
    return charts.stacked_weeks(sorted(by_week.items()), title=f"Items per week by kind (last {weeks} weeks)")


def _kev_additions() -> str:
    """KEV additions of the tracked CVEs: per month over the last two years, per quarter when older."""
    dates = [
        day
        for day in Vulnerability.objects.filter(in_kev=True).values_list("kev_date_added", flat=True)
        if day is not None
    ]
    if not dates:
        return charts.column_chart([], title="KEV additions")
    today = timezone.localdate()
    first = min(dates)
    if (today.year - first.year) * 12 + today.month - first.month < 24:

        def label(day: Any) -> str:
            return f"{day.year}-{day.month:02d}"

        year, month = (
            (today.year - 2, today.month) if first.year < today.year - 1 else (first.year, first.month)
        )
        periods = []
        while (year, month) <= (today.year, today.month):
            periods.append(f"{year}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        title = "KEV additions per month"
    else:

        def label(day: Any) -> str:
            return f"{day.year} Q{(day.month - 1) // 3 + 1}"

        periods = [f"{y} Q{q}" for y in range(first.year, today.year + 1) for q in range(1, 5)]
        periods = periods[(first.month - 1) // 3 : len(periods) - (3 - (today.month - 1) // 3)]
        title = "KEV additions per quarter (by date added to the catalogue)"
    counts: dict[str, int] = {}
    for day in dates:
        counts[label(day)] = counts.get(label(day), 0) + 1
    quarterly = periods[0].endswith(("Q1", "Q2", "Q3", "Q4"))
    return charts.column_chart(
        [(p, counts.get(p, 0)) for p in periods],
        title=title,
        tick=(lambda p: p[:4] if p.endswith("Q1") else None) if quarterly else None,
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    sources = list(selectors.sources(user))
    last = selectors.last_runs([s.pk for s in sources])
    rows = [{"source": s, "run": last.get(s.pk)} for s in sources]
    context = {
        "rows": rows,
        "totals": dict(IntelItem.objects.values_list("kind").annotate(n=Count("pk"))),
        "kev_count": Vulnerability.objects.filter(in_kev=True).count(),
        "weekly_chart": mark_safe(_weekly_items()),  # noqa: S308  # SVG built from escaped values
        "kev_chart": mark_safe(_kev_additions()),  # noqa: S308  # SVG built from escaped values
        "events": selectors.events(user)[:15],
        "recent_runs": selectors.runs(user)[:10],
    }
    return render(request, "intel/index.html", context)


@login_required
def source(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    src = get_object_or_404(selectors.sources(user), pk=pk)
    runs = Paginator(selectors.runs(user, source=src), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "intel/source.html",
        {
            "source": src,
            "runs": runs,
            "job": _source_job(src),
            "item_count": IntelItem.objects.filter(source=src).count(),
        },
    )


@login_required
def create_source(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.MANAGE_ORGANISATION)
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_source(user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Source {created.name} added.")
            return redirect(created)
    return render(request, "intel/source_form.html", {"form": form, "title": "Add a feed source"})


@login_required
def edit_source(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.MANAGE_ORGANISATION)
    src = get_object_or_404(IntelSource, pk=pk)
    form = SourceForm(request.POST or None, instance=src)
    if request.method == "POST" and form.is_valid():
        try:
            src = services.update_source(user, src, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Source saved.")
            return redirect(src)
    return render(
        request, "intel/source_form.html", {"form": form, "title": f"Change {src.name}", "source": src}
    )


def _form_errors(form: Any, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_POST
def delete_source(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    src = get_object_or_404(IntelSource, pk=pk)
    services.delete_source(user, src)
    messages.success(request, f"Source {src.name} deleted; the items it brought in are kept.")
    return redirect("intel:index")


@login_required
@require_POST
def pull_source(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    src = get_object_or_404(IntelSource, pk=pk)
    job = services.pull_now(user, src)
    messages.info(request, f"Pull of {src.name} started (job {job.pk}).")
    return redirect(src)


@login_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    ingest_run = get_object_or_404(selectors.runs(_user(request)), pk=pk)
    items = IntelItem.objects.filter(provenance__icontains=f'"run": {ingest_run.pk},')[:50]
    return render(
        request,
        "intel/run.html",
        {"run": ingest_run, "events": ingest_run.events.all()[:100], "items": items},
    )


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
def items(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    get = request.GET
    kev = {"yes": True, "no": False}.get(get.get("kev", ""))
    source_id = get.get("source", "")
    filters = selectors.ItemFilters(
        kind=get.get("kind", ""),
        source=int(source_id) if source_id.isdigit() else None,
        tlp=get.get("tlp", ""),
        technique=get.get("technique", "").strip(),
        kev=kev,
        epss_min=_float(get.get("epss_min")),
        q=get.get("q", "").strip(),
    )
    page = Paginator(selectors.items(user, filters), PAGE_SIZE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "intel/items.html",
        {
            "page": page,
            "filters": filters,
            "kinds": ITEM_KINDS,
            "tlps": TLP_CHOICES,
            "sources": selectors.sources(user),
            "kev": get.get("kev", ""),
            "query": query.urlencode(),
        },
    )


def _item_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _user(request)
    obj = selectors.item(user, pk)
    names = selectors.technique_names(list(obj.technique_uids))
    vulnerability = Vulnerability.objects.filter(item=obj).first()
    return {
        "item": obj,
        "techniques": [(uid, names.get(uid)) for uid in obj.technique_uids],
        "provenance": selectors.provenance(obj),
        "vulnerability": vulnerability,
        "events": obj.events.select_related("run")[:20],
        "classifier_available": _classifier() is not None,
    }


@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "intel/item.html", _item_context(request, pk))


def _classifier() -> Any:
    """The classifier engineer's module, when it is installed (imported late: it is optional here)."""
    try:
        return importlib.import_module("aisms.apps.catalogue.technique_classifier")
    except ImportError:
        return None


@login_required
@require_POST
def classify(request: HttpRequest, pk: int) -> HttpResponse:
    context = _item_context(request, pk)
    module = _classifier()
    if module is None:
        messages.error(request, "The technique classifier is not installed.")
        return redirect("intel:item", pk=pk)
    obj = context["item"]
    text = f"{obj.title}\n\n{obj.description}".strip()
    result = module.classify_text(text, k=5)
    ranked = [
        {"uid": p.label, "confidence": p.confidence, "evidence": ", ".join(p.evidence)} for p in result.ranked
    ]
    names = selectors.technique_names([r["uid"] for r in ranked])
    for row in ranked:
        row["name"] = names.get(row["uid"], "")
    context.update({"classification": ranked, "novel": getattr(result, "is_novel", False)})
    return render(request, "intel/item.html", context)


@login_required
@require_POST
def classify_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    obj = selectors.item(user, pk)
    module = _classifier()
    uid = request.POST.get("correction", "").strip() or request.POST.get("technique", "").strip()
    if module is None or not uid:
        messages.error(request, "Choose a technique to confirm.")
        return redirect(obj)
    text = f"{obj.title}\n\n{obj.description}".strip()
    predicted = request.POST.get("predicted", "")
    try:
        module.record_feedback(user, text, uid, correct=uid == predicted)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(obj)
    if uid not in obj.technique_uids:
        IntelItem.objects.filter(pk=obj.pk).update(technique_uids=[*obj.technique_uids, uid])
    messages.success(request, f"Recorded {uid} for this item; the classifier learns from it.")
    return redirect(obj)


@login_required
def ingest(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_authenticated:
        raise PermissionDenied
    require(user, Action.CREATE)
    upload = UploadForm(prefix="upload")
    report = ReportForm(prefix="report")
    job = None
    if request.method == "POST" and "upload-file" in request.FILES:
        upload = UploadForm(request.POST, request.FILES, prefix="upload")
        if upload.is_valid():
            data = upload.cleaned_data
            try:
                job = services.ingest_upload(
                    user, data["file"], data["file"].name, data["format"] or None, source=data["source"]
                )
            except ValidationError as exc:
                _form_errors(upload, exc)
    elif request.method == "POST":
        report = ReportForm(request.POST, prefix="report")
        if report.is_valid():
            data = report.cleaned_data
            try:
                outcome = services.ingest_text(user, data["text"], title=data["title"], source=data["source"])
            except services.IngestError as exc:
                report.add_error("text", str(exc))
            else:
                messages.success(request, "Report ingested.")
                return redirect("intel:item", pk=outcome.item_id)
    recent = IngestRun.objects.filter(created_by=user).select_related("job")[:5]
    return render(
        request, "intel/ingest.html", {"upload": upload, "report": report, "job": job, "recent": recent}
    )
