"""The access policy: who may do what, in general and on one object."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.access import POLICY, ROLE_LABELS, Action, Role, can, can_on_object

A, M, R, C, U = Role.ADMINISTRATOR, Role.ISMS_MANAGER, Role.RISK_OWNER, Role.CONTRIBUTOR, Role.AUDITOR

# The whole policy, written out: action -> roles that may take it on at least some objects.
EXPECTED: dict[Action, set[Role]] = {
    Action.VIEW: {A, M, R, C, U},
    Action.CREATE: {A, M, R, C},
    Action.EDIT: {A, M, R, C},
    Action.DELETE: {A, M},
    Action.APPROVE: {A, M, R},
    Action.MANAGE_CATALOGUE: {A, M},
    Action.MANAGE_ORGANISATION: {A, M},
    Action.MANAGE_USERS: {A},
}

# (role, action) pairs allowed only on objects the user owns.
OWNER_ONLY = {(R, Action.APPROVE), (C, Action.EDIT)}

# From least to most privileged; each role may do at least what the one before it may.
HIERARCHY = [U, C, R, M, A]

roles = st.sampled_from(list(Role))
roles_or_none = st.one_of(st.none(), roles)
actions = st.sampled_from(list(Action))


def test_role_and_action_values_are_the_stored_strings() -> None:
    assert [r.value for r in Role] == [
        "administrator",
        "isms_manager",
        "risk_owner",
        "contributor",
        "auditor",
    ]
    assert [a.value for a in Action] == [
        "view",
        "create",
        "edit",
        "delete",
        "approve",
        "manage_catalogue",
        "manage_organisation",
        "manage_users",
    ]
    assert Role("auditor") is Role.AUDITOR


def test_every_role_has_a_label() -> None:
    assert set(ROLE_LABELS) == set(Role)
    assert Role.ISMS_MANAGER.label == "ISMS manager"
    assert Role.RISK_OWNER.label == "Risk owner"
    assert Role.ADMINISTRATOR.label == "Administrator"


def test_the_policy_covers_every_action() -> None:
    assert set(POLICY) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_can_matches_the_written_out_policy(role: Role, action: Action) -> None:
    assert can(role, action) is (role in EXPECTED[action])


@pytest.mark.parametrize("is_owner", [True, False])
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_can_on_object_matches_the_written_out_policy(role: Role, action: Action, is_owner: bool) -> None:
    expected = role in EXPECTED[action] and (is_owner or (role, action) not in OWNER_ONLY)
    assert can_on_object(role, action, is_owner=is_owner) is expected


def test_auditor_may_only_view() -> None:
    assert [a for a in Action if can(Role.AUDITOR, a)] == [Action.VIEW]
    assert [a for a in Action if can_on_object(Role.AUDITOR, a, is_owner=True)] == [Action.VIEW]


def test_only_administrators_manage_users() -> None:
    assert [r for r in Role if can(r, Action.MANAGE_USERS)] == [Role.ADMINISTRATOR]


def test_every_role_may_view() -> None:
    assert all(can(r, Action.VIEW) for r in Role)
    assert all(can_on_object(r, Action.VIEW, is_owner=False) for r in Role)


def test_contributor_edits_only_what_they_own() -> None:
    assert can_on_object(Role.CONTRIBUTOR, Action.EDIT, is_owner=True) is True
    assert can_on_object(Role.CONTRIBUTOR, Action.EDIT, is_owner=False) is False
    # creating is not bound to ownership; deleting and approving are not a contributor's at all
    assert can_on_object(Role.CONTRIBUTOR, Action.CREATE, is_owner=False) is True
    assert can_on_object(Role.CONTRIBUTOR, Action.DELETE, is_owner=True) is False
    assert can_on_object(Role.CONTRIBUTOR, Action.APPROVE, is_owner=True) is False


def test_risk_owner_approves_only_what_they_own() -> None:
    assert can_on_object(Role.RISK_OWNER, Action.APPROVE, is_owner=True) is True
    assert can_on_object(Role.RISK_OWNER, Action.APPROVE, is_owner=False) is False
    assert can_on_object(Role.RISK_OWNER, Action.EDIT, is_owner=False) is True
    assert can_on_object(Role.RISK_OWNER, Action.DELETE, is_owner=True) is False


@pytest.mark.parametrize("role", [Role.ISMS_MANAGER, Role.ADMINISTRATOR])
def test_isms_manager_and_administrator_approve_and_edit_anything(role: Role) -> None:
    for action in (Action.APPROVE, Action.EDIT, Action.DELETE):
        assert can_on_object(role, action, is_owner=False) is True


def test_isms_manager_may_not_manage_users() -> None:
    assert can(Role.ISMS_MANAGER, Action.MANAGE_USERS) is False
    assert can_on_object(Role.ISMS_MANAGER, Action.MANAGE_USERS, is_owner=True) is False


@pytest.mark.parametrize("action", list(Action))
def test_a_user_without_a_role_may_do_nothing(action: Action) -> None:
    """A user without a role (e.g. a deactivated or half-created account) is refused everything."""
    assert can(None, action) is False
    assert can_on_object(None, action, is_owner=True) is False
    assert can_on_object(None, action, is_owner=False) is False


# ---------------------------------------------------------------- properties


@given(role=roles_or_none, action=actions)
def test_owning_an_object_never_takes_a_right_away(role: Role | None, action: Action) -> None:
    if can_on_object(role, action, is_owner=False):
        assert can_on_object(role, action, is_owner=True)


@given(role=roles_or_none, action=actions, is_owner=st.booleans())
def test_object_rules_never_grant_what_the_role_rules_refuse(
    role: Role | None, action: Action, is_owner: bool
) -> None:
    if can_on_object(role, action, is_owner=is_owner):
        assert can(role, action)


@given(role=roles_or_none, action=actions)
def test_an_owner_may_do_whatever_their_role_allows(role: Role | None, action: Action) -> None:
    assert can_on_object(role, action, is_owner=True) == can(role, action)


@given(role=roles, is_owner=st.booleans())
def test_viewing_is_never_refused_to_a_role(role: Role, is_owner: bool) -> None:
    assert can_on_object(role, Action.VIEW, is_owner=is_owner)


@given(action=actions, is_owner=st.booleans(), pair=st.tuples(st.integers(0, 4), st.integers(0, 4)))
def test_a_more_privileged_role_may_do_whatever_a_less_privileged_one_may(
    action: Action, is_owner: bool, pair: tuple[int, int]
) -> None:
    lower, higher = HIERARCHY[min(pair)], HIERARCHY[max(pair)]
    if can_on_object(lower, action, is_owner=is_owner):
        assert can_on_object(higher, action, is_owner=is_owner)


@given(role=roles, action=actions, is_owner=st.booleans())
def test_decisions_are_plain_booleans(role: Role, action: Action, is_owner: bool) -> None:
    assert isinstance(can(role, action), bool)
    assert isinstance(can_on_object(role, action, is_owner=is_owner), bool)
