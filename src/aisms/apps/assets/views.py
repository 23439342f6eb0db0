"""Inventory pages: the filtered list with a chart, one asset with its dependency diagram, the asset form,
archive and restore, software components, and the CSV/XLSX import and export."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets import selectors, services, tabular
from aisms.apps.assets.diagram import dependency_svg
from aisms.apps.assets.forms import AssetFilterForm, AssetForm, ComponentForm, ImportForm
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.web.charts import horizontal_bars
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action
from aisms.domain.asset_table import COLUMNS
from aisms.domain.assets import AI_KINDS

PAGE_SIZE = 50
# (sort key, column heading, what an abbreviated heading stands for) of the inventory's sortable columns
SORTABLE = [
    ("name", "Asset", ""),
    ("kind", "Kind", ""),
    ("owner", "Owner", ""),
    ("classification", "Classification", ""),
    ("confidentiality", "C", "Confidentiality"),
    ("integrity", "I", "Integrity"),
    ("availability", "A", "Availability"),
    ("components", "Components", ""),
    ("dependencies", "Depends on", ""),
    ("dependents", "Used by", ""),
]
COLUMN_HELP = {
    "name": "Unique; rows update the asset of the same name or create it.",
    "kind": "information, application, infrastructure, service, people, site, ai_system, model, dataset, "
    "ml_pipeline, vector_store, agent, ai_service (or their labels).",
    "owner": "A user name.",
    "classification": "public, internal, confidential or restricted.",
    **dict.fromkeys(("confidentiality", "integrity", "availability"), "low, medium, high or very_high."),
    "in_scope": "yes or no (empty: yes).",
    **dict.fromkeys(
        (
            "learns_from_user_data",
            "processes_personal_data",
            "reads_untrusted_content",
            "can_act",
            "publicly_exposed",
        ),
        "yes, no, or empty when unknown.",
    ),
    "eu_ai_act_tier": "unacceptable, high, limited, minimal, gpai or gpai-systemic (or eu-ai-act:2024:high).",
    "depends_on": "Names of other assets, separated by ';'.",
    "software_components": "vendor|product|version|cpe entries separated by ';'.",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _asset_url(asset: Asset) -> str:
    return reverse("assets:detail", args=[asset.pk])


def _sort_headers(request: HttpRequest, sort: str) -> list[dict[str, Any]]:
    current, descending = sort.lstrip("-"), sort.startswith("-")
    params = request.GET.copy()
    params.pop("page", None)
    headers = []
    for key, label, title in SORTABLE:
        params["sort"] = f"-{key}" if key == current and not descending else key
        state = ("descending" if descending else "ascending") if key == current else None
        headers.append(
            {"key": key, "label": label, "title": title, "url": f"?{params.urlencode()}", "aria_sort": state}
        )
    return headers


@login_required
def inventory(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    form = AssetFilterForm(request.GET or None)
    filters = form.filters()
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in selectors.SORTS:
        sort = "name"
    rows = selectors.inventory(sort=sort, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tiers = selectors.tiers_by_uid()
    for asset in page:
        asset.tier = tiers.get(asset.eu_ai_act_tier)  # type: ignore[attr-defined]
    matching = selectors.filter_assets(**filters)
    by_kind = selectors.counts_by_kind(matching)
    totals = matching.aggregate(
        total=Count("pk"),
        ai=Count("pk", filter=Q(kind__in=[k.value for k in AI_KINDS])),
        unowned=Count("pk", filter=Q(owner__isnull=True)),
        high_risk=Count("pk", filter=Q(eu_ai_act_tier__in=selectors.HIGH_RISK_TIERS)),
    )
    params = request.GET.copy()
    params.pop("page", None)
    export_params = {k: v for k, v in params.items() if k not in ("sort",)}
    context = {
        "form": form,
        "page": page,
        "totals": totals,
        "filtered": any(v not in (None, "", False) for v in filters.values()),
        "chart": horizontal_bars(
            [(kind.label.split(" (")[0], n) for kind, n in by_kind], title="Assets by kind"
        ),
        "headers": _sort_headers(request, sort),
        "query_string": params.urlencode(),
        "export_csv": f"{reverse('assets:export')}?{urlencode({**export_params, 'format': 'csv'})}",
        "export_xlsx": f"{reverse('assets:export')}?{urlencode({**export_params, 'format': 'xlsx'})}",
        "may_create": services.may_create(_user(request)),
    }
    return render(request, "assets/list.html", context)


def _detail_context(
    request: HttpRequest, asset: Asset, component_form: ComponentForm | None
) -> dict[str, Any]:
    user = _user(request)
    graph = selectors.dependency_graph(asset)
    may_edit = services.may_edit(user, asset)
    return {
        "asset": asset,
        "graph": graph,
        "diagram": dependency_svg(asset, graph.direct_dependencies, graph.direct_dependents, _asset_url),
        "tier": selectors.tiers_by_uid().get(asset.eu_ai_act_tier),
        "may_edit": may_edit,
        "may_archive": services.may_archive(user),
        "component_form": (component_form or ComponentForm()) if may_edit else None,
        "risks": asset.risks.select_related("owner", "threat").order_by("ref"),
        "suggestion_count": len(_threat_suggestions(asset)),
    }


def _threat_suggestions(asset: Asset) -> list[Any]:
    # The risk register owns the suggestion rules; the asset page only shows how many are open.
    from aisms.apps.risks.selectors import suggestions_for

    return suggestions_for(asset)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    try:
        asset = selectors.asset_detail(pk)
    except Asset.DoesNotExist as exc:
        raise Http404("no such asset") from exc
    return render(request, "assets/detail.html", _detail_context(request, asset, None))


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = AssetForm(
        request.POST or None, initial=None if request.POST else {"owner": user.pk, "in_scope": True}
    )
    if request.method == "POST" and form.is_valid():
        values, depends_on = form.values()
        try:
            asset = services.create_asset(user, depends_on=depends_on, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Asset “{asset.name}” added.")
            return redirect("assets:detail", pk=asset.pk)
    return render(request, "assets/form.html", {"form": form, "asset": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    asset = get_object_or_404(Asset, pk=pk)
    services.require_edit(user, asset)
    form = AssetForm(request.POST or None, asset=asset)
    if request.method == "POST" and form.is_valid():
        values, depends_on = form.values()
        try:
            asset = services.update_asset(user, asset, depends_on=depends_on, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Asset “{asset.name}” saved.")
            return redirect("assets:detail", pk=asset.pk)
    return render(request, "assets/form.html", {"form": form, "asset": asset})


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    asset = services.archive_asset(_user(request), get_object_or_404(Asset, pk=pk))
    messages.success(request, f"Asset “{asset.name}” archived. It stays in the history and can be restored.")
    return redirect("assets:detail", pk=asset.pk)


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    asset = services.restore_asset(_user(request), get_object_or_404(Asset, pk=pk))
    messages.success(request, f"Asset “{asset.name}” restored to the inventory.")
    return redirect("assets:detail", pk=asset.pk)


@login_required
@require_POST
def add_component(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    asset = get_object_or_404(Asset, pk=pk)
    services.require_edit(user, asset)
    form = ComponentForm(request.POST)
    if form.is_valid():
        try:
            component = services.add_component(user, asset, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Component “{component}” added.")
            return redirect(f"{_asset_url(asset)}#components")
    asset = selectors.asset_detail(pk)
    return render(request, "assets/detail.html", _detail_context(request, asset, form), status=400)


@login_required
@require_POST
def remove_component(request: HttpRequest, pk: int, component_id: int) -> HttpResponse:
    component = get_object_or_404(
        SoftwareComponent.objects.select_related("asset"), pk=component_id, asset_id=pk
    )
    services.remove_component(_user(request), component)
    messages.success(request, f"Component “{component}” removed.")
    return redirect(f"{reverse('assets:detail', args=[pk])}#components")


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = ImportForm(request.POST or None, request.FILES or None)
    rejected = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = tabular.import_assets(user, upload.read(), upload.name)
        except tabular.AssetImportError as exc:
            rejected = exc
        else:
            messages.success(
                request,
                f"{result.filename}: {result.created} asset{'s' if result.created != 1 else ''} added, "
                f"{result.updated} updated, {result.unchanged} unchanged.",
            )
            return redirect("assets:list")
    columns = [(c, COLUMN_HELP.get(c, "")) for c in COLUMNS]
    status = 400 if rejected else 200
    return render(
        request, "assets/import.html", {"form": form, "rejected": rejected, "columns": columns}, status=status
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    file_format = request.GET.get("format", "csv")
    if file_format not in tabular.FORMATS:
        raise Http404("unknown export format")
    filters = AssetFilterForm(request.GET or None).filters()
    rows = selectors.filter_assets(**filters).order_by("name")
    return tabular.file_response(tabular.export_assets(user, rows, file_format), file_format)
