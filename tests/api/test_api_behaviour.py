"""Behaviour of the HTTP API at /api/v1/: authentication, CSRF, tokens, catalogue queries, errors, history."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from aisms.apps.accounts.models import ApiToken, User
from aisms.apps.accounts.tokens import issue_token, revoke_token
from aisms.apps.catalogue.models import (
    CatalogueEntry,
    CatalogueImport,
    CatalogueLink,
    CatalogueSource,
    LabelledExample,
)
from aisms.apps.context.models import Organisation
from tests.factories import PASSWORD, make_user, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1"
UNAUTHENTICATED = {"message": "authentication required: log in or send a valid bearer token"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.4 s per user and these tests test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.create(name="Acme Analytics", sector="Software", country="DE", headcount=120)


def catalogue_state() -> dict[str, Any]:
    return {
        "sources": list(CatalogueSource.objects.order_by("key").values_list("key", "version", "loaded_at")),
        "entries": list(
            CatalogueEntry.objects.order_by("pk").values_list("uid", "name", "withdrawn", "parent_id")
        ),
        "entry_history": CatalogueEntry.history.count(),  # type: ignore[attr-defined]
        "links": CatalogueLink.objects.count(),
        "examples": LabelledExample.objects.count(),
        "imports": CatalogueImport.objects.count(),
    }


def bearer(secret: str, **kwargs: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)


# --- authentication -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me"),
        ("get", "/tokens"),
        ("post", "/tokens"),
        ("get", "/users"),
        ("get", "/organisation"),
        ("put", "/organisation"),
        ("get", "/catalogue/entries"),
        ("get", "/catalogue/entries/iso27002:2022:5.7"),
        ("post", "/catalogue/atlas-imports"),
        ("get", "/history/user/1"),
    ],
)
def test_unauthenticated_requests_get_401_json(method: str, path: str, organisation: Organisation) -> None:
    tokens_before = ApiToken.objects.count()

    response = getattr(Client(), method)(f"{API}{path}", {} if method == "get" else None)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == UNAUTHENTICATED
    assert ApiToken.objects.count() == tokens_before
    organisation.refresh_from_db()
    assert organisation.name == "Acme Analytics"


@pytest.mark.parametrize(
    "value", ["Bearer nonsense", "Bearer aisms_000000000000_forged", "Basic dXNlcjpwdw=="]
)
def test_malformed_or_unknown_credentials_get_401(value: str) -> None:
    response = Client(HTTP_AUTHORIZATION=value).get(f"{API}/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("credentials", ["none", "expired bearer token"])
def test_an_unauthenticated_write_from_a_real_client_gets_401_not_a_csrf_error(credentials: str) -> None:
    """A script without a session; the client enforces CSRF as a real server does for curl or requests."""
    headers = {}
    if credentials == "expired bearer token":
        issued = issue_token(make_user("contributor"), "old", 1, now=timezone.now() - timedelta(days=2))
        headers["Authorization"] = f"Bearer {issued.secret}"
    client = Client(enforce_csrf_checks=True, headers=headers)
    before = ApiToken.objects.count()

    response = client.post(f"{API}/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code == 401, response.json()
    assert response.json() == UNAUTHENTICATED
    assert ApiToken.objects.count() == before


def test_an_expired_token_gets_401() -> None:
    user = make_user("contributor")
    issued = issue_token(user, "old", 1, now=timezone.now() - timedelta(days=2))

    response = bearer(issued.secret).get(f"{API}/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_token_that_expires_tomorrow_still_works() -> None:
    user = make_user("contributor")
    issued = issue_token(user, "nearly old", 1, now=timezone.now() - timedelta(hours=23))

    response = bearer(issued.secret).get(f"{API}/me")

    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_a_revoked_token_gets_401() -> None:
    user = make_user("isms_manager")
    issued = issue_token(user, "to revoke", 30)
    client = bearer(issued.secret)
    assert client.get(f"{API}/me").status_code == 200

    revoked = client.delete(f"{API}/tokens/{issued.token.pk}")

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_token_revoked_in_the_database_gets_401() -> None:
    user = make_user("auditor")
    issued = issue_token(user, "to revoke", 30)
    revoke_token(user, issued.token.pk)

    response = bearer(issued.secret).get(f"{API}/catalogue/stats")

    assert response.status_code == 401


def test_a_deactivated_users_token_gets_401() -> None:
    admin = make_user("administrator")
    user = make_user("risk_owner")
    issued = issue_token(user, "mine", 30)
    client = bearer(issued.secret)
    assert client.get(f"{API}/me").status_code == 200

    patched = token_client(admin).patch(
        f"{API}/users/{user.pk}", {"is_active": False}, content_type="application/json"
    )

    assert patched.status_code == 200
    assert patched.json()["is_active"] is False
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    created = client.post(f"{API}/tokens", {"name": "sneaky"}, content_type="application/json")
    assert created.status_code == 401
    assert ApiToken.objects.filter(user=user).count() == 1


def test_a_deactivated_users_session_gets_401() -> None:
    user = make_user("contributor")
    client = Client()
    client.force_login(user)
    assert client.get(f"{API}/me").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(f"{API}/me")

    assert response.status_code == 401


# --- CSRF for session authentication --------------------------------------------------------------------


def _logged_in_browser(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    return client, client.cookies["csrftoken"].value


def test_session_writes_without_the_csrf_token_are_refused() -> None:
    user = make_user("contributor")
    client, _ = _logged_in_browser(user)
    tokens_before = ApiToken.objects.count()

    response = client.post(f"{API}/tokens", {"name": "from the browser"}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert ApiToken.objects.count() == tokens_before


def test_session_writes_with_a_wrong_csrf_token_are_refused(organisation: Organisation) -> None:
    user = make_user("isms_manager")
    client, _ = _logged_in_browser(user)

    response = client.put(
        f"{API}/organisation",
        {"name": "Hijacked"},
        content_type="application/json",
        headers={"X-CSRFToken": "x" * 32},
    )

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Acme Analytics"


def test_session_writes_with_the_csrf_token_succeed(organisation: Organisation) -> None:
    user = make_user("isms_manager")
    client, csrf = _logged_in_browser(user)

    created = client.post(
        f"{API}/tokens",
        {"name": "from the browser"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    updated = client.put(
        f"{API}/organisation",
        {"name": "Acme Analytics GmbH", "sector": "Software"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert created.status_code == 201
    assert ApiToken.objects.get(pk=created.json()["token"]["id"]).user_id == user.pk
    assert updated.status_code == 200
    organisation.refresh_from_db()
    assert organisation.name == "Acme Analytics GmbH"


def test_session_reads_need_no_csrf_token() -> None:
    user = make_user("auditor")
    client, _ = _logged_in_browser(user)

    response = client.get(f"{API}/me")

    assert response.status_code == 200
    assert response.json()["role"] == "auditor"


def test_bearer_writes_need_no_csrf_token() -> None:
    user = make_user("contributor")
    issued = issue_token(user, "script", 30)
    client = bearer(issued.secret, enforce_csrf_checks=True)

    response = client.post(f"{API}/tokens", {"name": "second"}, content_type="application/json")

    assert response.status_code == 201


# --- tokens ---------------------------------------------------------------------------------------------


def test_a_new_tokens_secret_is_shown_once_and_never_listed() -> None:
    user = make_user("auditor")
    client = token_client(user)

    created = client.post(
        f"{API}/tokens", {"name": "CI pipeline", "days": 10}, content_type="application/json"
    )

    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    token = ApiToken.objects.get(pk=body["token"]["id"])
    assert secret.startswith(f"aisms_{token.prefix}_")
    assert body["token"]["name"] == "CI pipeline"
    assert body["token"]["prefix"] == token.prefix
    assert (token.expires_at - token.created_at) == timedelta(days=10)
    assert secret not in (token.digest, token.prefix, token.name)
    listed = client.get(f"{API}/tokens")
    assert listed.status_code == 200
    assert secret not in listed.content.decode()
    assert token.digest not in listed.content.decode()
    assert all(
        set(item) == {"id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"}
        for item in listed.json()
    )
    assert {item["id"] for item in listed.json()} == set(
        ApiToken.objects.filter(user=user).values_list("pk", flat=True)
    )
    assert bearer(secret).get(f"{API}/me").json()["username"] == user.username


def test_users_see_only_their_own_tokens() -> None:
    alice = make_user("administrator")
    bob = make_user("contributor")
    issue_token(bob, "bob's", 30)

    listed = token_client(alice).get(f"{API}/tokens")

    assert [t["name"] for t in listed.json()] == ["test"]


# --- catalogue queries ----------------------------------------------------------------------------------


def test_entries_are_paginated() -> None:
    client = token_client(make_user("auditor"))
    total = CatalogueEntry.objects.count()

    page1 = client.get(f"{API}/catalogue/entries").json()
    page2 = client.get(f"{API}/catalogue/entries", {"page": 2}).json()
    last_page = math.ceil(total / 50)
    last = client.get(f"{API}/catalogue/entries", {"page": last_page}).json()

    assert set(page1) == {"items", "count"}
    assert page1["count"] == page2["count"] == total
    assert len(page1["items"]) == len(page2["items"]) == 50
    assert not {e["uid"] for e in page1["items"]} & {e["uid"] for e in page2["items"]}
    assert len(last["items"]) == total - 50 * (last_page - 1)


@pytest.mark.parametrize("path", ["/users", "/catalogue/entries"])
@pytest.mark.parametrize("page", [2**31, 2**62, 10**20])
def test_a_page_far_beyond_the_last_is_not_a_server_error(path: str, page: int) -> None:
    """Any page after the last is empty (as page 2**31 is); a page too large to handle may be refused with
    422, but must never reach the database as an offset that overflows it (a 500)."""
    user = make_user("auditor")
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'pages', 1).secret}", raise_request_exception=False
    )

    response = client.get(f"{API}{path}", {"page": page})

    assert response.status_code in (200, 422), (response.status_code, response.content[:80])
    body = response.json()
    if response.status_code == 200:
        assert body["items"] == []
        model = User if path == "/users" else CatalogueEntry
        assert body["count"] == model.objects.count()
    else:
        assert "page" in body["message"]


def test_entries_filter_by_catalogue_and_kind() -> None:
    client = token_client(make_user("auditor"))

    body = client.get(f"{API}/catalogue/entries", {"catalogue": "atlas", "kind": "tactic"}).json()

    expected = CatalogueEntry.objects.filter(source__key="atlas", kind="tactic").count()
    assert body["count"] == expected > 0
    assert {(e["catalogue"], e["kind"]) for e in body["items"]} == {("atlas", "tactic")}


def test_search_finds_prompt_injection_first() -> None:
    client = token_client(make_user("contributor"))

    body = client.get(f"{API}/catalogue/entries?q=prompt%20injection").json()

    uids = [e["uid"] for e in body["items"]]
    assert uids[0] == "atlas:AML.T0051"
    assert "owasp-llm:2025:LLM01" in uids[:3]
    assert all(
        "prompt" in f"{e['ref']} {e['name']} {e['summary']}".lower()
        and "injection" in f"{e['ref']} {e['name']} {e['summary']}".lower()
        for e in body["items"]
    )


def test_controls_of_the_people_theme() -> None:
    client = token_client(make_user("auditor"))

    body = client.get(f"{API}/catalogue/controls", {"theme": "people"}).json()

    assert body["count"] == 8
    assert [e["uid"] for e in body["items"]] == [f"iso27002:2022:6.{n}" for n in range(1, 9)]
    assert {e["attributes"]["theme"] for e in body["items"]} == {"people"}


def test_controls_filter_by_attribute() -> None:
    client = token_client(make_user("auditor"))

    body = client.get(f"{API}/catalogue/controls", {"theme": "people", "control_type": "corrective"}).json()

    assert body["count"] >= 1
    assert all("corrective" in e["attributes"]["control_type"] for e in body["items"])
    assert body["count"] < 8


def _techniques_of_tactic(tactic_uid: str) -> set[str]:
    parents = set(
        CatalogueLink.objects.filter(relation="tactic", target__uid=tactic_uid).values_list(
            "source__uid", flat=True
        )
    )
    subs = set(
        CatalogueEntry.objects.filter(kind="technique", parent__uid__in=parents).values_list("uid", flat=True)
    )
    return parents | subs


@pytest.mark.parametrize("tactic", ["AML.TA0002", "atlas:AML.TA0002"])
def test_techniques_of_a_tactic_include_sub_techniques(tactic: str) -> None:
    client = token_client(make_user("auditor"))

    body = client.get(f"{API}/catalogue/techniques", {"tactic": tactic}).json()

    uids = {e["uid"] for e in body["items"]}
    assert uids == _techniques_of_tactic("atlas:AML.TA0002")
    assert body["count"] == len(uids)
    assert "atlas:AML.T0000" in uids
    assert "atlas:AML.T0000.000" in uids  # a sub-technique of a reconnaissance technique
    assert "atlas:AML.T0051" not in uids  # prompt injection is not reconnaissance
    assert {e["kind"] for e in body["items"]} == {"technique"}


def test_control_detail_lists_incoming_treated_by_links_with_rationales() -> None:
    client = token_client(make_user("auditor"))

    body = client.get(f"{API}/catalogue/entries/iso27002:2022:5.7").json()

    assert body["uid"] == "iso27002:2022:5.7"
    assert body["catalogue"] == "iso27002"
    incoming = [
        link for link in body["links"] if link["direction"] == "in" and link["relation"] == "treated-by"
    ]
    expected = dict(
        CatalogueLink.objects.filter(target__uid="iso27002:2022:5.7", relation="treated-by").values_list(
            "source__uid", "rationale"
        )
    )
    assert len(expected) >= 1
    assert {link["uid"]: link["rationale"] for link in incoming} == expected
    assert all(link["rationale"].strip() for link in incoming)
    assert "atlas:AML.T0000" in expected
    assert all(link["inherited_from"] is None for link in incoming)


def test_sub_technique_detail_inherits_its_parents_controls() -> None:
    client = token_client(make_user("auditor"))

    body = client.get(f"{API}/catalogue/entries/atlas:AML.T0051.000").json()

    assert body["parent"] == "atlas:AML.T0051"
    inherited = {(link["relation"], link["uid"]) for link in body["links"] if link["inherited_from"]}
    parents = set(
        CatalogueLink.objects.filter(
            source__uid="atlas:AML.T0051", relation__in=["treated-by", "maps-to"]
        ).values_list("relation", "target__uid")
    )
    assert ("treated-by", "iso27002:2022:8.28") in parents
    assert inherited == parents
    assert {link["inherited_from"] for link in body["links"] if link["inherited_from"]} == {"atlas:AML.T0051"}
    assert all(link["direction"] == "out" for link in body["links"] if link["inherited_from"])


def test_unknown_entry_is_404_json() -> None:
    response = token_client(make_user("auditor")).get(f"{API}/catalogue/entries/iso27002:2022:99.99")

    assert response.status_code == 404
    assert response.json() == {"message": "not found"}


# --- validation errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 367])
def test_token_days_out_of_range_is_422_naming_the_field(days: int) -> None:
    user = make_user("contributor")
    client = token_client(user)
    before = ApiToken.objects.count()

    response = client.post(f"{API}/tokens", {"name": "bad", "days": days}, content_type="application/json")

    assert response.status_code == 422
    assert "days" in response.json()["message"]
    assert ApiToken.objects.count() == before


@pytest.mark.parametrize("name", ["", "   "])
def test_organisation_without_a_name_is_422_naming_the_field(name: str, organisation: Organisation) -> None:
    client = token_client(make_user("administrator"))
    history_before = Organisation.history.count()  # type: ignore[attr-defined]

    response = client.put(f"{API}/organisation", {"name": name}, content_type="application/json")

    assert response.status_code == 422
    message = response.json()["message"]
    assert message.split(":")[0].endswith("name"), message
    organisation.refresh_from_db()
    assert organisation.name == "Acme Analytics"
    assert Organisation.history.count() == history_before  # type: ignore[attr-defined]


def test_creating_a_duplicate_user_is_422() -> None:
    admin = make_user("administrator")
    make_user("auditor", username="taken")
    before = User.objects.count()

    response = token_client(admin).post(
        f"{API}/users", {"username": "TAKEN", "role": "auditor"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["message"].startswith("username:")
    assert User.objects.count() == before


def test_an_administrator_cannot_demote_themselves() -> None:
    admin = make_user("administrator")

    response = token_client(admin).patch(
        f"{API}/users/{admin.pk}", {"role": "auditor"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["message"].startswith("role:")
    admin.refresh_from_db()
    assert admin.role == "administrator"


# --- ATLAS uploads --------------------------------------------------------------------------------------

BAD_ATLAS = """\
id: ATLAS
name: Adversarial Threat Landscape for AI Systems
version: 9.9.9-bad
matrices:
- id: ATLAS
  name: ATLAS Machine Learning Threat Matrix
  tactics:
  - id: AML.TA0002
    name: Reconnaissance
  techniques:
  - id: AML.T0000
    name: Search Open Technical Databases
    tactics:
    - AML.TA0099
  mitigations:
  - id: AML.M0000
    name: Limit Public Release of Information
    techniques:
    - id: AML.T0000
case-studies: []
"""


def _upload(client: Client, name: str, content: bytes) -> Any:
    return client.post(f"{API}/catalogue/atlas-imports", {"file": SimpleUploadedFile(name, content)})


def test_a_bad_atlas_upload_is_400_naming_file_and_line_and_changes_nothing() -> None:
    client = token_client(make_user("isms_manager"))
    before = catalogue_state()

    response = _upload(client, "ATLAS.yaml", BAD_ATLAS.encode())

    assert response.status_code == 400
    body = response.json()
    assert body["file"] == "ATLAS.yaml"
    assert body["line"] == 11
    assert body["field"] == "tactics"
    assert body["message"] == (
        "ATLAS.yaml, line 11, field 'tactics': refers to 'AML.TA0099', which is not defined in this file"
    )
    assert catalogue_state() == before


def test_an_atlas_upload_that_is_not_yaml_is_400_with_its_line() -> None:
    client = token_client(make_user("administrator"))
    before = catalogue_state()

    response = _upload(client, "ATLAS.yaml", b"id: ATLAS\nversion: 1\nmatrices: [\n  - {id: x\n")

    assert response.status_code == 400
    body = response.json()
    assert body["file"] == "ATLAS.yaml"
    assert isinstance(body["line"], int)
    assert "not valid YAML" in body["message"]
    assert catalogue_state() == before


def test_an_atlas_upload_that_is_not_utf8_is_400() -> None:
    client = token_client(make_user("administrator"))
    before = catalogue_state()

    response = _upload(client, "ATLAS.yaml", b"id: ATLAS\nname: \xff\xfe\n")

    assert response.status_code == 400
    assert response.json()["message"].startswith("ATLAS.yaml: not UTF-8 text")
    assert catalogue_state() == before


def test_an_atlas_upload_over_the_size_limit_is_413() -> None:
    client = token_client(make_user("administrator"))
    before = catalogue_state()

    with override_settings(AISMS_MAX_UPLOAD_BYTES=1000):
        response = _upload(client, "ATLAS.yaml", b"# padding\n" * 200)

    assert response.status_code == 413
    assert response.json() == {"message": "file: larger than the 1000 byte upload limit"}
    assert catalogue_state() == before


def test_an_atlas_post_without_a_file_is_422() -> None:
    client = token_client(make_user("administrator"))
    before = catalogue_state()

    response = client.post(f"{API}/catalogue/atlas-imports", {})

    assert response.status_code == 422
    assert "file" in response.json()["message"]
    assert catalogue_state() == before


# --- history --------------------------------------------------------------------------------------------


def test_history_shows_who_changed_a_users_role() -> None:
    admin = make_user("administrator", username="chief-admin")
    target = make_user("contributor", username="worker")
    client = token_client(admin)

    patched = client.patch(
        f"{API}/users/{target.pk}", {"role": "risk_owner"}, content_type="application/json"
    )
    history = client.get(f"{API}/history/user/{target.pk}")

    assert patched.status_code == 200
    assert history.status_code == 200
    items = history.json()
    assert [item["action"] for item in items] == ["changed", "created"]
    newest = items[0]
    assert newest["user"] == "chief-admin"
    assert [(c["field"], c["old"], c["new"]) for c in newest["changes"]] == [
        ("role", "contributor", "risk_owner")
    ]
    assert all(
        change["field"] not in ("password", "last_login") for item in items for change in item["changes"]
    )


def test_history_via_session_records_the_session_user(organisation: Organisation) -> None:
    manager = make_user("isms_manager", username="the-manager")
    client, csrf = _logged_in_browser(manager)

    client.put(
        f"{API}/organisation",
        {"name": "Acme Two", "headcount": 130},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    items = client.get(f"{API}/history/organisation/{organisation.pk}").json()

    assert items[0]["action"] == "changed"
    assert items[0]["user"] == "the-manager"
    changes = {c["field"]: (c["old"], c["new"]) for c in items[0]["changes"]}
    assert changes["name"] == ("Acme Analytics", "Acme Two")
    assert changes["headcount"] == (120, 130)


def test_history_of_an_unknown_model_is_404_json() -> None:
    response = token_client(make_user("auditor")).get(f"{API}/history/nope/1")

    assert response.status_code == 404
    from aisms.apps.web.history import HISTORY_MODELS

    known = ", ".join(sorted(HISTORY_MODELS))
    assert {"catalogue-entry", "organisation", "risk", "user"} <= set(HISTORY_MODELS)
    assert response.json() == {"message": f"no history is kept for 'nope'; known: {known}"}


def test_history_with_a_malformed_id_is_404_json() -> None:
    response = token_client(make_user("auditor")).get(f"{API}/history/user/abc")

    assert response.status_code == 404
    assert response.json() == {"message": "not found"}


def test_history_of_a_catalogue_entry_by_uid() -> None:
    response = token_client(make_user("auditor")).get(f"{API}/history/catalogue-entry/iso27002:2022:5.7")

    assert response.status_code == 200
    assert response.json()[-1]["action"] == "created"


def test_nul_characters_are_refused_before_they_reach_the_database() -> None:
    client = token_client(make_user("isms_manager"))

    in_query = client.get(f"{API}/catalogue/entries?q=poison%00")
    in_body = client.post(f"{API}/tokens", data='{"name": "ci\\u0000"}', content_type="application/json")

    assert (in_query.status_code, in_query.json()) == (
        400,
        {"message": "the query string contains a NUL character"},
    )
    assert (in_body.status_code, in_body.json()) == (
        400,
        {"message": "the request body contains a NUL character"},
    )


def test_every_schema_name_in_the_openapi_document_belongs_to_one_class() -> None:
    """Ninja files response schemas under their class name: two classes of one name would overwrite each
    other in the document, and clients would be told the wrong shape for one of them."""
    import inspect
    from collections import defaultdict

    from ninja import Schema

    from aisms.config.api import api

    api.get_openapi_schema()
    seen: dict[str, set[str]] = defaultdict(set)

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            module = inspect.getmodule(sub)
            if module is not None and module.__name__.startswith("aisms."):
                seen[sub.__name__].add(f"{module.__name__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    clashes = {name: places for name, places in seen.items() if len(places) > 1}
    assert clashes == {}
