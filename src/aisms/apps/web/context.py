"""Template context: the navigation (only areas that exist) and the user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from aisms.domain.access import Action, Role, can

# (label, url name, action needed). Later capabilities add their areas here.
NAVIGATION: list[tuple[str, str, Action]] = [
    ("Home", "web:home", Action.VIEW),
    ("Catalogue", "catalogue:index", Action.VIEW),
    ("Assets", "assets:list", Action.VIEW),
    ("Risks", "risks:register", Action.VIEW),
    ("SoA", "controls:soa", Action.VIEW),
    ("Context", "context:index", Action.VIEW),
    ("People", "people:index", Action.VIEW),
    ("Organisation", "context:organisation", Action.VIEW),
    ("Users", "accounts:users", Action.MANAGE_USERS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    role = Role(user.role)
    items = []
    for label, name, action in NAVIGATION:
        if not can(role, action):
            continue
        href = reverse(name)
        current = request.path == href if href == "/" else request.path.startswith(href)
        items.append((label, href, current))
    return {
        "nav_items": items,
        "user_role": role,
        "user_can": {action.value: can(role, action) for action in Action},
    }
