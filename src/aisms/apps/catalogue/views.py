"""Catalogue browser: search, controls by attribute, the ATLAS matrix, entry pages, ATLAS upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from aisms.apps.accounts.services import require
from aisms.apps.catalogue import selectors, services
from aisms.apps.catalogue.forms import (
    CATALOGUE_CHOICES,
    AtlasUploadForm,
    ControlFilterForm,
    SearchForm,
    TechniqueFilterForm,
)
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueImport, CatalogueSource
from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.model import SHORT_NAMES
from aisms.domain.access import Action

RELATION_NAMES = {
    "treated-by": "threat-to-control mappings",
    "maps-to": "mappings to ISO/IEC 42001 and NIST AI RMF",
    "mitigates": "ATLAS mitigation links",
    "related-technique": "OWASP-to-ATLAS links",
    "tactic": "technique-to-tactic links",
}

RELATION_LABELS = {
    ("treated-by", "out"): "ISO/IEC 27002:2022 controls that treat it",
    ("treated-by", "in"): "AI threats this control treats",
    ("maps-to", "out"): "Related AI governance controls and categories",
    ("maps-to", "in"): "AI threats mapped here",
    ("tactic", "out"): "Tactics",
    ("tactic", "in"): "Techniques",
    ("mitigates", "out"): "Techniques it mitigates",
    ("mitigates", "in"): "ATLAS mitigations",
    ("related-technique", "out"): "Related ATLAS techniques",
    ("related-technique", "in"): "OWASP Top 10 entries",
}


def _viewer(request: HttpRequest) -> None:
    require(request.user, Action.VIEW)  # type: ignore[arg-type]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = SearchForm(request.GET or None)
    results = None
    page = None
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["catalogue"]):
        results = selectors.search(form.cleaned_data["q"], form.cleaned_data["catalogue"] or None)
        page = Paginator(results, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searched": results is not None,
        "sources": sorted(
            CatalogueSource.objects.exclude(key="crosswalks"),
            key=lambda s: list(SHORT_NAMES).index(s.key) if s.key in SHORT_NAMES else len(SHORT_NAMES),
        ),
        "crosswalks": CatalogueSource.objects.filter(key="crosswalks").first(),
        "relation_counts": [
            (RELATION_NAMES.get(relation, relation), n) for relation, n in selectors.stats()["links"].items()
        ],
        "stats": selectors.stats(),
        "query_string": request.GET.urlencode(),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "catalogue/_results.html", context)
    return render(request, "catalogue/index.html", context)


@login_required
def entry(request: HttpRequest, uid: str) -> HttpResponse:
    _viewer(request)
    try:
        detail = selectors.entry_detail(uid)
    except CatalogueEntry.DoesNotExist as exc:
        raise Http404("no such catalogue entry") from exc
    sections = []
    for direction, groups in (("out", detail.outgoing), ("in", detail.incoming)):
        for relation, items in groups.items():
            sections.append(
                {
                    "title": RELATION_LABELS.get((relation, direction), relation),
                    "items": items,
                    "relation": relation,
                }
            )
    order = ["treated-by", "mitigates", "related-technique", "tactic", "maps-to"]
    sections.sort(key=lambda s: order.index(s["relation"]) if s["relation"] in order else len(order))
    return render(
        request,
        "catalogue/entry.html",
        {"detail": detail, "e": detail.entry, "sections": sections, "facts": _facts(detail.entry.attributes)},
    )


def _facts(attributes: dict[str, object]) -> list[tuple[str, list[str]]]:
    """Attributes as (label, values) for display; lists and mappings become several values."""
    out = []
    for key, value in attributes.items():
        if key == "upstream_description":
            continue
        if isinstance(value, dict):
            values = [f"{k.replace('_', ' ')}: {v}" for k, v in value.items()]
        elif isinstance(value, list):
            values = [str(v).replace("_", " ") for v in value]
        else:
            values = [str(value)]
        out.append((key.replace("_", " ").capitalize(), values))
    return out


@login_required
def controls(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = ControlFilterForm(request.GET or None)
    theme = None
    attributes: dict[str, str] = {}
    if form.is_valid():
        theme = form.cleaned_data.pop("theme") or None
        attributes = {k: v for k, v in form.cleaned_data.items() if v}
    rows = selectors.controls(theme, attributes)
    return render(
        request,
        "catalogue/controls.html",
        {"form": form, "controls": rows, "filtered": bool(theme or attributes)},
    )


@login_required
def atlas(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    tactics = CatalogueEntry.objects.filter(source__key="atlas", kind="tactic").order_by("position")
    form = TechniqueFilterForm(request.GET or None, tactics=[(t.uid, f"{t.ref} {t.name}") for t in tactics])
    techniques = None
    if form.is_valid() and (form.cleaned_data["tactic"] or form.cleaned_data["maturity"]):
        techniques = selectors.techniques(
            form.cleaned_data["tactic"] or None, form.cleaned_data["maturity"] or None
        )
    return render(
        request,
        "catalogue/atlas.html",
        {
            "form": form,
            "techniques": techniques,
            "matrix": selectors.atlas_matrix() if techniques is None else None,
            "mitigations": CatalogueEntry.objects.filter(source__key="atlas", kind="mitigation").order_by(
                "ref"
            ),
        },
    )


@login_required
def browse(request: HttpRequest, key: str) -> HttpResponse:
    _viewer(request)
    source = CatalogueSource.objects.filter(key=key).first()
    if source is None:
        raise Http404("no such catalogue")
    rows = CatalogueEntry.objects.filter(source=source).select_related("parent").order_by("position")
    title = dict(CATALOGUE_CHOICES).get(key, source.title)
    return render(request, "catalogue/browse.html", {"source": source, "entries": rows, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def import_atlas(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_CATALOGUE)  # type: ignore[arg-type]
    form = AtlasUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8")
            result = services.import_atlas(text, upload.name, actor=request.user)  # type: ignore[arg-type]
        except UnicodeDecodeError:
            form.add_error("file", f"{upload.name}: not UTF-8 text.")
        except CatalogueError as exc:
            form.add_error("file", f"Nothing was changed. {exc}")
        else:
            messages.success(
                request,
                f"ATLAS {result.version} applied: {result.added} added, {result.changed} changed, "
                f"{result.unchanged} unchanged, {result.withdrawn} withdrawn; "
                f"{result.examples} labelled examples.",
            )
            return redirect("catalogue:import-atlas")
    return render(
        request,
        "catalogue/import_atlas.html",
        {"form": form, "imports": CatalogueImport.objects.select_related("imported_by")[:20]},
    )
