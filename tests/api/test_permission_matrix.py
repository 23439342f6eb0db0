"""Role x endpoint matrix for the HTTP API at /api/v1/.

Every role calls every endpoint with a bearer token (and a smaller subset with the browser session).
Allowed calls must return the documented success status and take effect; denied calls must return
403 with a JSON message and leave the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aisms.apps.accounts.models import ApiToken, User
from aisms.apps.accounts.tokens import issue_token
from aisms.apps.catalogue.models import (
    CatalogueEntry,
    CatalogueImport,
    CatalogueLink,
    CatalogueSource,
    LabelledExample,
)
from aisms.apps.context.models import Organisation
from aisms.domain.access import Role
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.4 s per user; these tests create hundreds of users and test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


API = "/api/v1"

ROLES = [
    Role.ADMINISTRATOR.value,
    Role.ISMS_MANAGER.value,
    Role.RISK_OWNER.value,
    Role.CONTRIBUTOR.value,
    Role.AUDITOR.value,
]


def _row(
    administrator: int, isms_manager: int, risk_owner: int, contributor: int, auditor: int
) -> dict[str, int]:
    return dict(zip(ROLES, (administrator, isms_manager, risk_owner, contributor, auditor), strict=True))


# The expected status of every endpoint for every role.
#                                                admin  isms  risk  contrib  auditor
EXPECTED: dict[str, dict[str, int]] = {
    "GET /me":                              _row(200,   200,  200,  200,     200),
    "GET /tokens":                          _row(200,   200,  200,  200,     200),
    "POST /tokens":                         _row(201,   201,  201,  201,     201),
    "DELETE /tokens/{own}":                 _row(200,   200,  200,  200,     200),
    "GET /users":                           _row(200,   200,  200,  200,     200),
    "POST /users":                          _row(201,   403,  403,  403,     403),
    "PATCH /users/{id}":                    _row(200,   403,  403,  403,     403),
    "GET /organisation":                    _row(200,   200,  200,  200,     200),
    "PUT /organisation":                    _row(200,   200,  403,  403,     403),
    "GET /catalogue/stats":                 _row(200,   200,  200,  200,     200),
    "GET /catalogue/sources":               _row(200,   200,  200,  200,     200),
    "GET /catalogue/entries":               _row(200,   200,  200,  200,     200),
    "GET /catalogue/entries/{uid}":         _row(200,   200,  200,  200,     200),
    "GET /catalogue/controls":              _row(200,   200,  200,  200,     200),
    "GET /catalogue/techniques":            _row(200,   200,  200,  200,     200),
    "GET /catalogue/atlas-imports":         _row(200,   200,  200,  200,     200),
    "POST /catalogue/atlas-imports":        _row(201,   201,  403,  403,     403),
    "GET /history/{model}/{id}":            _row(200,   200,  200,  200,     200),
}  # fmt: skip

# The endpoints the matrix also runs with session authentication (CSRF not enforced by the test client).
SESSION_SUBSET = [
    "GET /me",
    "POST /tokens",
    "POST /users",
    "PATCH /users/{id}",
    "PUT /organisation",
    "POST /catalogue/atlas-imports",
    "GET /history/{model}/{id}",
]

SMALL_ATLAS = """\
id: ATLAS
name: Adversarial Threat Landscape for AI Systems
version: 9.9.9-matrix
matrices:
- id: ATLAS
  name: ATLAS Machine Learning Threat Matrix
  tactics:
  - id: AML.TA0002
    name: Reconnaissance
    description: The adversary is trying to gather information about the AI system.
  techniques:
  - id: AML.T0000
    name: Search Open Technical Databases
    description: Adversaries may search for publicly available research.
    tactics:
    - AML.TA0002
    maturity: demonstrated
  - id: AML.T0000.000
    name: Journals and Conference Proceedings
    subtechnique-of: AML.T0000
    maturity: demonstrated
  mitigations:
  - id: AML.M0000
    name: Limit Public Release of Information
    techniques:
    - id: AML.T0000
case-studies:
- id: AML.CS0000
  name: A small case study
  procedure:
  - technique: AML.T0000
    description: The team read published papers about the victim's model.
"""

ORGANISATION_FIELDS = (
    "name",
    "sector",
    "country",
    "headcount",
    "annual_turnover_eur",
    "description",
    "ai_use",
    "is_demo",
)


def snapshot() -> dict[str, Any]:
    """Everything a write through the API could change (token use times excluded: reads update them)."""
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "role", "is_active", "email", "first_name", "last_name", "is_staff"
            )
        ),
        "user_history": User.history.count(),  # type: ignore[attr-defined]
        "tokens": list(
            ApiToken.objects.order_by("pk").values_list("pk", "user_id", "name", "expires_at", "revoked_at")
        ),
        "organisations": list(Organisation.objects.order_by("pk").values(*ORGANISATION_FIELDS)),
        "organisation_history": Organisation.history.count(),  # type: ignore[attr-defined]
        "sources": list(CatalogueSource.objects.order_by("key").values_list("key", "version", "loaded_at")),
        "source_history": CatalogueSource.history.count(),  # type: ignore[attr-defined]
        "entries": CatalogueEntry.objects.count(),
        "withdrawn_entries": CatalogueEntry.objects.filter(withdrawn=True).count(),
        "entry_history": CatalogueEntry.history.count(),  # type: ignore[attr-defined]
        "links": CatalogueLink.objects.count(),
        "examples": LabelledExample.objects.count(),
        "imports": CatalogueImport.objects.count(),
    }


@dataclass
class World:
    """The actor, the objects the requests refer to, and a client authenticated as the actor."""

    actor: Any
    target: Any
    own_token: ApiToken
    organisation: Organisation
    client: Client


def atlas_source_version() -> str:
    return CatalogueSource.objects.get(key="atlas").version


# --- the requests, and what an allowed request must have done ---------------------------------------


def _get(path: str) -> Callable[[World], Any]:
    return lambda world: world.client.get(f"{API}{path}")


def _history(world: World) -> Any:
    return world.client.get(f"{API}/history/user/{world.target.pk}")


def _post_token(world: World) -> Any:
    return world.client.post(
        f"{API}/tokens", {"name": "matrix token", "days": 7}, content_type="application/json"
    )


def _delete_own_token(world: World) -> Any:
    return world.client.delete(f"{API}/tokens/{world.own_token.pk}")


def _post_user(world: World) -> Any:
    body = {
        "username": "matrix-new-user",
        "role": "risk_owner",
        "email": "new@example.org",
        "first_name": "New",
    }
    return world.client.post(f"{API}/users", body, content_type="application/json")


def _patch_user(world: World) -> Any:
    return world.client.patch(
        f"{API}/users/{world.target.pk}", {"role": "auditor"}, content_type="application/json"
    )


def _put_organisation(world: World) -> Any:
    body = {"name": "Renamed Org", "sector": "Insurance", "country": "NL", "headcount": 42}
    return world.client.put(f"{API}/organisation", body, content_type="application/json")


def _post_atlas(world: World) -> Any:
    upload = SimpleUploadedFile("ATLAS.yaml", SMALL_ATLAS.encode(), content_type="application/x-yaml")
    return world.client.post(f"{API}/catalogue/atlas-imports", {"file": upload})


REQUESTS: dict[str, Callable[[World], Any]] = {
    "GET /me": _get("/me"),
    "GET /tokens": _get("/tokens"),
    "POST /tokens": _post_token,
    "DELETE /tokens/{own}": _delete_own_token,
    "GET /users": _get("/users"),
    "POST /users": _post_user,
    "PATCH /users/{id}": _patch_user,
    "GET /organisation": _get("/organisation"),
    "PUT /organisation": _put_organisation,
    "GET /catalogue/stats": _get("/catalogue/stats"),
    "GET /catalogue/sources": _get("/catalogue/sources"),
    "GET /catalogue/entries": _get("/catalogue/entries"),
    "GET /catalogue/entries/{uid}": _get("/catalogue/entries/iso27002:2022:5.7"),
    "GET /catalogue/controls": _get("/catalogue/controls"),
    "GET /catalogue/techniques": _get("/catalogue/techniques"),
    "GET /catalogue/atlas-imports": _get("/catalogue/atlas-imports"),
    "POST /catalogue/atlas-imports": _post_atlas,
    "GET /history/{model}/{id}": _history,
}


def _check_allowed(key: str, world: World, body: Any) -> None:
    """The allowed request returned the right body and its effect is in the database."""
    if key == "GET /me":
        assert body["id"] == world.actor.pk
        assert body["username"] == world.actor.username
        assert body["role"] == world.actor.role
    elif key == "GET /tokens":
        assert {t["id"] for t in body} == set(
            ApiToken.objects.filter(user=world.actor).values_list("pk", flat=True)
        )
    elif key == "POST /tokens":
        assert body["token"]["name"] == "matrix token"
        assert body["secret"].startswith("aisms_")
        assert ApiToken.objects.get(pk=body["token"]["id"]).user_id == world.actor.pk
    elif key == "DELETE /tokens/{own}":
        assert body["id"] == world.own_token.pk
        world.own_token.refresh_from_db()
        assert world.own_token.revoked_at is not None
    elif key == "GET /users":
        assert body["count"] == User.objects.count()
        assert world.target.username in [u["username"] for u in body["items"]]
    elif key == "POST /users":
        created = User.objects.get(username="matrix-new-user")
        assert created.role == "risk_owner"
        assert body["user"]["id"] == created.pk
        assert created.check_password(body["password"])
    elif key == "PATCH /users/{id}":
        world.target.refresh_from_db()
        assert world.target.role == "auditor"
        assert body["role"] == "auditor"
    elif key == "GET /organisation":
        assert body["name"] == "Matrix Org"
    elif key == "PUT /organisation":
        world.organisation.refresh_from_db()
        assert (world.organisation.name, world.organisation.headcount) == ("Renamed Org", 42)
        assert body["name"] == "Renamed Org"
    elif key == "GET /catalogue/stats":
        assert (
            body["catalogues"]["iso27002"]["entries"]
            == CatalogueEntry.objects.filter(source__key="iso27002").count()
        )
    elif key == "GET /catalogue/sources":
        assert sorted(s["key"] for s in body) == sorted(CatalogueSource.objects.values_list("key", flat=True))
    elif key == "GET /catalogue/entries":
        assert body["count"] == CatalogueEntry.objects.count()
    elif key == "GET /catalogue/entries/{uid}":
        assert body["uid"] == "iso27002:2022:5.7"
    elif key == "GET /catalogue/controls":
        assert body["count"] == CatalogueEntry.objects.filter(source__key="iso27002", kind="control").count()
    elif key == "GET /catalogue/techniques":
        assert body["count"] == CatalogueEntry.objects.filter(source__key="atlas", kind="technique").count()
    elif key == "GET /catalogue/atlas-imports":
        assert body == []
    elif key == "POST /catalogue/atlas-imports":
        assert body["version"] == "9.9.9-matrix"
        assert atlas_source_version() == "9.9.9-matrix"
        assert CatalogueImport.objects.get().imported_by_id == world.actor.pk
    elif key == "GET /history/{model}/{id}":
        assert body[0]["action"] == "created"
    else:  # pragma: no cover - every key above is handled
        raise AssertionError(key)


def _build_world(role: str, make_client: Callable[[Any], Client]) -> World:
    actor = make_user(role, username=f"actor-{role}")
    target = make_user("contributor", username="matrix-target")
    own_token = issue_token(actor, "to revoke", 30).token
    organisation = Organisation.objects.create(name="Matrix Org", sector="Banking", headcount=10)
    return World(
        actor=actor, target=target, own_token=own_token, organisation=organisation, client=make_client(actor)
    )


def _run_cell(role: str, key: str, make_client: Callable[[Any], Client]) -> None:
    world = _build_world(role, make_client)
    expected = EXPECTED[key][role]
    atlas_before = atlas_source_version()
    before = snapshot()

    response = REQUESTS[key](world)

    assert response.status_code == expected, (key, role, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if expected == 403:
        assert body["message"].startswith("your role may not"), body
        assert snapshot() == before
        assert atlas_source_version() == atlas_before
    else:
        _check_allowed(key, world, body)


def test_the_matrix_covers_every_role_and_endpoint() -> None:
    assert set(EXPECTED) == set(REQUESTS)
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())
    assert set(SESSION_SUBSET) <= set(EXPECTED)


def test_auditors_may_read_everything_and_write_only_their_own_tokens() -> None:
    for key, row in EXPECTED.items():
        method = key.split()[0]
        if method == "GET" or "/tokens" in key:
            assert row[Role.AUDITOR.value] in (200, 201), key
        else:
            assert row[Role.AUDITOR.value] == 403, key


@pytest.mark.parametrize("key", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_bearer_token_matrix(role: str, key: str) -> None:
    _run_cell(role, key, token_client)


@pytest.mark.parametrize("key", SESSION_SUBSET)
@pytest.mark.parametrize("role", ROLES)
def test_session_matrix(role: str, key: str) -> None:
    _run_cell(role, key, session_client)


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.ADMINISTRATOR.value])
def test_non_administrators_cannot_deactivate_a_user(role: str) -> None:
    world = _build_world(role, token_client)
    before = snapshot()

    response = world.client.patch(
        f"{API}/users/{world.target.pk}", {"is_active": False}, content_type="application/json"
    )

    assert response.status_code == 403
    assert snapshot() == before
    world.target.refresh_from_db()
    assert world.target.is_active is True


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_revoke_another_users_token(role: str) -> None:
    world = _build_world(role, token_client)
    others = issue_token(world.target, "someone else's", 30).token
    before = snapshot()

    response = world.client.delete(f"{API}/tokens/{others.pk}")

    assert response.status_code == 404
    assert response.json() == {"message": "not found"}
    assert snapshot() == before
