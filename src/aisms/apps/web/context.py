"""Template context: the navigation (only areas that exist) and the user's role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from aisms.domain.access import Action, Role, can

# (label, url name, action needed). Later capabilities add their areas here.
NAVIGATION: list[tuple[str, str, Action]] = [
    ("Home", "web:home", Action.VIEW),
    ("Context", "context:index", Action.VIEW),
    ("Organisation", "context:organisation", Action.VIEW),
    ("Assets", "assets:list", Action.VIEW),
    ("Risks", "risks:register", Action.VIEW),
    ("Threat models", "threatmodels:index", Action.VIEW),
    ("Posture", "posture:index", Action.VIEW),
    ("Threat intel", "intel:index", Action.VIEW),
    ("Catalogue", "catalogue:index", Action.VIEW),
    ("SoA", "controls:soa", Action.VIEW),
    ("Compliance", "compliance:overview", Action.VIEW),
    ("Audits", "audits:index", Action.VIEW),
    ("Secure coding", "devsec:index", Action.VIEW),
    ("Reports", "reports:index", Action.VIEW),
    ("ISMS as code", "isms_code:index", Action.VIEW),
    ("Suppliers", "suppliers:index", Action.VIEW),
    ("People", "people:index", Action.VIEW),
    ("Users", "accounts:users", Action.MANAGE_USERS),
]


# Areas are grouped in the menu by the namespace of their URL; a group of one is a plain link.
NAV_GROUPS: dict[str, str] = {
    "context": "Context",
    "assets": "Risk",
    "risks": "Risk",
    "threatmodels": "Risk",
    "posture": "Risk",
    "intel": "Threats",
    "catalogue": "Threats",
    "controls": "Compliance",
    "compliance": "Compliance",
    "audits": "Compliance",
    "devsec": "Compliance",
    "suppliers": "Suppliers",
    "people": "People",
    "reports": "Compliance",
    "isms_code": "Compliance",
}
GROUP_ORDER = ["Context", "Risk", "Threats", "Compliance", "Suppliers", "People"]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


@dataclass
class NavGroup:
    label: str
    items: list[NavItem] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)


def _nav_for(request: HttpRequest, role: Role) -> list[NavGroup]:
    groups: dict[str, NavGroup] = {}
    for label, name, action in NAVIGATION:
        if not can(role, action):
            continue
        try:
            href = reverse(name)
        except NoReverseMatch:  # an area whose pages are not installed
            continue
        current = request.path == href if href == "/" else request.path.startswith(href)
        group = NAV_GROUPS.get(name.split(":", 1)[0], label)
        groups.setdefault(group, NavGroup(group)).items.append(NavItem(label, href, current))
    order = {name: i for i, name in enumerate(GROUP_ORDER)}
    return sorted(groups.values(), key=lambda g: (g.label != "Home", order.get(g.label, len(order))))


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "user_role": None}
    role = Role(user.role)
    from aisms.apps.accounts.notifications import unread

    return {
        "nav_groups": _nav_for(request, role),
        "unread_notifications": unread(user).count(),
        "user_role": role,
        "user_can": {action.value: can(role, action) for action in Action},
    }
