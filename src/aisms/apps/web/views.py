"""Home page and the change-history viewer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aisms.apps.accounts.models import ApiToken, User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue import selectors as catalogue_selectors
from aisms.apps.context.services import current_organisation
from aisms.apps.controls.models import SoAVersion
from aisms.apps.risks.models import ActionStatus, Risk, TreatmentAction
from aisms.apps.web import dashboard, dashboard_areas
from aisms.apps.web.charts import horizontal_bars
from aisms.apps.web.history import object_history
from aisms.catalogue.model import SHORT_NAMES
from aisms.domain.access import Action, Role
from aisms.domain.assets import AI_KINDS


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW)  # type: ignore[arg-type]
    stats = catalogue_selectors.stats()
    catalogues = stats["catalogues"]
    links = stats["links"]
    roles = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")))
    chart = horizontal_bars(
        [(name, int(catalogues[key]["entries"])) for key, name in SHORT_NAMES.items() if key in catalogues],
        title="Catalogue entries per catalogue",
    )
    today = timezone.localdate()
    context = {
        "tiles": dashboard.core_tiles(today) + dashboard_areas.area_tiles(today),
        "organisation": current_organisation(),
        "catalogue_total": sum(int(item["entries"]) for item in catalogues.values()),
        "catalogue_count": len([c for c in catalogues.values() if c["entries"]]),
        "link_total": sum(links.values()),
        "catalogue_chart": chart,
        "user_count": sum(roles.values()),
        "users_by_role": [(Role(r).label, roles[r]) for r in Role if r.value in roles],
        "risk_count": Risk.objects.count(),
        "asset_count": Asset.objects.filter(archived=False).count(),
        "ai_asset_count": Asset.objects.filter(archived=False, kind__in=[k.value for k in AI_KINDS]).count(),
        "overdue_actions": TreatmentAction.objects.filter(
            status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS], due_date__lt=timezone.localdate()
        ).count(),
        "soa_version": SoAVersion.objects.filter(approved_at__isnull=False).order_by("-version").first(),
        "token_count": ApiToken.objects.filter(
            user_id=request.user.pk or 0, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).count(),
    }
    return render(request, "web/home.html", context)


def _back_url(model: str, obj: Any) -> str:
    """Where the history page's breadcrumb leads back to: the object's own page where it has one."""
    if hasattr(obj, "get_absolute_url"):
        return str(obj.get_absolute_url())
    if model == "catalogue-entry":
        return f"/catalogue/entry/{obj.uid}/"
    return {"organisation": "/organisation/", "user": "/users/"}.get(model, "/")


@login_required
def history(request: HttpRequest, model: str, object_id: str) -> HttpResponse:
    require(request.user, Action.VIEW)  # type: ignore[arg-type]
    try:
        model_class, items = object_history(model, object_id)
        obj = model_class._default_manager.get(
            **({"uid": object_id} if not object_id.isdigit() else {"pk": object_id})
        )
    except (LookupError, ValueError, ObjectDoesNotExist) as exc:
        raise Http404("no such object or no history kept for it") from exc
    return render(
        request,
        "web/history.html",
        {"object": obj, "items": items, "back_url": _back_url(model, obj)},
    )
