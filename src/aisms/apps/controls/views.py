"""SoA pages: the table by theme, one control's decision, versions, comparison, approval and exports."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.controls import exports, selectors, services
from aisms.apps.controls.charts import stacked_bars
from aisms.apps.controls.forms import ApproveForm, CompareForm, RowFilterForm, RowForm
from aisms.apps.controls.models import ControlImplementation
from aisms.domain import soa
from aisms.domain.access import Action


def _user(request: HttpRequest) -> User:
    require(request.user, Action.VIEW)  # type: ignore[arg-type]
    return request.user  # type: ignore[return-value]


def _by_theme(rows: Sequence[soa.SoARow]) -> list[tuple[str, list[soa.SoARow]]]:
    themes = [t for t in soa.THEMES if any(r.theme == t for r in rows)]
    themes += sorted({r.theme for r in rows} - set(soa.THEMES))
    return [(soa.theme_label(t), [r for r in rows if r.theme == t]) for t in themes]


def summary_chart(rows: Sequence[soa.SoARow]) -> str:
    counts = soa.summarise(rows)
    order = [
        soa.ImplementationStatus.IMPLEMENTED,
        soa.ImplementationStatus.PARTIALLY_IMPLEMENTED,
        soa.ImplementationStatus.PLANNED,
        soa.ImplementationStatus.NOT_STARTED,
        soa.ImplementationStatus.NOT_APPLICABLE,
    ]
    data = [
        (soa.theme_label(theme), [(s.value, s.label, per[s]) for s in order])
        for theme, per in counts.by_theme.items()
    ]
    return stacked_bars(data, title="Controls per theme by implementation status")


LEGEND = [
    soa.ImplementationStatus.IMPLEMENTED,
    soa.ImplementationStatus.PARTIALLY_IMPLEMENTED,
    soa.ImplementationStatus.PLANNED,
    soa.ImplementationStatus.NOT_STARTED,
    soa.ImplementationStatus.NOT_APPLICABLE,
]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    services.ensure_rows()
    rows = selectors.current_rows()
    form = RowFilterForm(request.GET or None)
    shown = selectors.filter_rows(rows, form.to_filter())
    owner_ids = dict(ControlImplementation.objects.values_list("control__ref", "owner_id"))
    editable = {ref for ref, owner_id in owner_ids.items() if services.can_edit(user, owner_id)}
    counts = soa.summarise(rows)
    found = soa.problems(rows)
    titles = {row.ref: row.title for row in rows}
    context = {
        "groups": _by_theme(shown),
        "shown": len(shown),
        "total": len(rows),
        "filtered": bool(request.GET),
        "form": form,
        "problems": [(problem, titles[problem.ref]) for problem in found],
        "flagged": {problem.ref for problem in found},
        "summary": counts,
        "chart": summary_chart(rows),
        "legend": [(s, counts.by_status[s]) for s in LEGEND],
        "editable": editable,
        "latest": selectors.latest_approved(),
        "may_approve": services.can_approve(user),
        "approve_form": ApproveForm(),
    }
    return render(request, "controls/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def row(request: HttpRequest, ref: str) -> HttpResponse:
    user = _user(request)
    services.ensure_rows()
    try:
        implementation = selectors.implementation(ref)
    except ObjectDoesNotExist as exc:
        raise Http404("no such control") from exc
    may_edit = services.can_edit(user, implementation.owner_id)
    form = RowForm(request.POST or None, instance=implementation)
    if request.method == "POST":
        services.check_may_edit(user, implementation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_row(
                    user,
                    implementation,
                    reason=data["reason"],
                    **{name: data[name] for name in services.EDITABLE},
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Control {ref} saved.")
                return redirect(reverse("controls:soa") + f"#c-{ref}")
    entry = CatalogueEntry.objects.get(pk=implementation.control_id)
    current = selectors.row_of(ref)
    context = {
        "implementation": implementation,
        "entry": entry,
        "soa_row": current,
        "row_problems": soa.row_problems(current),
        "form": form,
        "may_edit": may_edit,
    }
    return render(request, "controls/row.html", context)


@login_required
@require_POST
def approve(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApproveForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        version = services.approve_version(user, notes=notes)
    except ValidationError as exc:
        found = exc.message_dict.get("problems", exc.messages)
        messages.error(
            request,
            f"Not approved: {len(found)} problem{'s' if len(found) != 1 else ''} to resolve first: "
            + "; ".join(found[:5])
            + ("; ..." if len(found) > 5 else ""),
        )
        return redirect("controls:soa")
    messages.success(request, f"Version {version.version} of the Statement of Applicability approved.")
    return redirect("controls:version", number=version.version)


@login_required
def versions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    listed = selectors.versions()
    numbers = sorted(v.version for v in listed)
    initial = {"a": str(numbers[-1]) if numbers else selectors.DRAFT, "b": selectors.DRAFT}
    context = {
        "versions": listed,
        "compare_form": CompareForm(initial=initial, versions=numbers),
        "may_approve": services.can_approve(user),
        "approve_form": ApproveForm(),
        "problems": soa.problems(selectors.current_rows()),
    }
    return render(request, "controls/versions.html", context)


@login_required
def version(request: HttpRequest, number: int) -> HttpResponse:
    _user(request)
    try:
        found = selectors.version(number)
    except ObjectDoesNotExist as exc:
        raise Http404("no such version") from exc
    rows = soa.rows_from_snapshot(found.snapshot)
    counts = soa.summarise(rows)
    context = {
        "version": found,
        "groups": _by_theme(rows),
        "summary": counts,
        "chart": summary_chart(rows),
        "legend": [(s, counts.by_status[s]) for s in LEGEND],
        "previous": number - 1 if number > 1 else None,
    }
    return render(request, "controls/version.html", context)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    _user(request)
    numbers = sorted(v.version for v in selectors.versions())
    form = CompareForm(request.GET or None, versions=numbers)
    comparison = None
    if form.is_valid():
        try:
            comparison = selectors.compare(
                selectors.parse_which(form.cleaned_data["a"]), selectors.parse_which(form.cleaned_data["b"])
            )
        except (ValueError, ObjectDoesNotExist) as exc:
            raise Http404("no such version") from exc
    context = {"form": form, "comparison": comparison}
    return render(request, "controls/compare.html", context)


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    _user(request)
    if fmt not in exports.FORMATS:
        raise Http404("no such format")
    try:
        which = selectors.parse_which(request.GET.get("version"))
        rows = selectors.rows_of(which)
    except (ValueError, ObjectDoesNotExist) as exc:
        raise Http404("no such version") from exc
    content, content_type, filename = exports.render(fmt, rows, selectors.export_header(which))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
