"""`{% load posture_tags %}{% asset_intel asset %}`: the intel that concerns an asset, for its page."""

from __future__ import annotations

from typing import Any

from django import template

from aisms.apps.assets.models import Asset
from aisms.apps.posture import selectors
from aisms.apps.posture.models import ProposalStatus

register = template.Library()


@register.inclusion_tag("posture/_asset_intel.html", takes_context=True)
def asset_intel(context: dict[str, Any], asset: Asset) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"asset": asset, "matches": [], "proposals": [], "visible": False}
    return {
        "asset": asset,
        "visible": True,
        "matches": selectors.asset_intel(user, asset),
        "proposals": list(selectors.proposals(user, asset_id=asset.pk, status=ProposalStatus.OPEN)[:10]),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def evidence_item(items: dict[int, Any], item_id: Any) -> Any:
    """The intel item an evidence entry names (None when it is gone)."""
    try:
        return items.get(int(item_id))
    except (TypeError, ValueError):
        return None
