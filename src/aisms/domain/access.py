"""Who may do what: one table, used by the web UI, the API and the CLI alike."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    ISMS_MANAGER = "isms_manager"
    RISK_OWNER = "risk_owner"
    CONTRIBUTOR = "contributor"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMINISTRATOR: "Administrator",
    Role.ISMS_MANAGER: "ISMS manager",
    Role.RISK_OWNER: "Risk owner",
    Role.CONTRIBUTOR: "Contributor",
    Role.AUDITOR: "Auditor",
}


class Action(StrEnum):
    VIEW = "view"  # read any register, report or history
    CREATE = "create"  # add register items
    EDIT = "edit"  # change register items (object rules may narrow this)
    DELETE = "delete"  # remove or archive register items
    APPROVE = "approve"  # sign off: accept a risk, approve a document or SoA version
    MANAGE_CATALOGUE = "manage_catalogue"  # import reference content (e.g. an ATLAS release)
    MANAGE_ORGANISATION = "manage_organisation"  # organisation profile and ISMS settings
    MANAGE_USERS = "manage_users"  # create users, change roles, deactivate


_WRITERS = frozenset({Role.ADMINISTRATOR, Role.ISMS_MANAGER, Role.RISK_OWNER, Role.CONTRIBUTOR})
_MANAGERS = frozenset({Role.ADMINISTRATOR, Role.ISMS_MANAGER})

POLICY: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.CREATE: _WRITERS,
    Action.EDIT: _WRITERS,
    Action.DELETE: _MANAGERS,
    Action.APPROVE: frozenset({Role.ADMINISTRATOR, Role.ISMS_MANAGER, Role.RISK_OWNER}),
    Action.MANAGE_CATALOGUE: _MANAGERS,
    Action.MANAGE_ORGANISATION: _MANAGERS,
    Action.MANAGE_USERS: frozenset({Role.ADMINISTRATOR}),
}

# Actions a risk owner or contributor may take only on objects they own.
_OWNER_BOUND: dict[Role, frozenset[Action]] = {
    Role.RISK_OWNER: frozenset({Action.APPROVE}),
    Role.CONTRIBUTOR: frozenset({Action.EDIT}),
}


def can(role: Role | None, action: Action) -> bool:
    """Whether the role may take the action on at least some objects."""
    return role is not None and role in POLICY[action]


def can_on_object(role: Role | None, action: Action, *, is_owner: bool) -> bool:
    """Whether the role may take the action on one object, given whether the user owns it."""
    if role is None or not can(role, action):
        return False
    return is_owner or action not in _OWNER_BOUND.get(role, frozenset())
