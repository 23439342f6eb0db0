"""Server-rendered pages: catalogue browsing, permissions, login throttling, history (real database)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueLink
from aisms.apps.context.models import Organisation
from aisms.apps.context.services import update_organisation
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ENTRY_LINK = re.compile(r'href="/catalogue/entry/([^"/]+)/"')


def quick_user(role: str, username: str | None = None) -> User:
    """A user without a usable password (no slow hashing) for force_login."""
    user = User(username=username or f"web-{role}-{User.objects.count() + 1}", role=role)
    user.set_unusable_password()
    user.save()
    return user


def client_for(role: str, username: str | None = None) -> Client:
    client = Client()
    client.force_login(quick_user(role, username))
    return client


def entry_links(html: str) -> list[str]:
    return ENTRY_LINK.findall(html)


def section(html: str, label: str) -> str:
    start = html.index(f'aria-label="{label}"')
    return html[start : html.index("</section>", start)]


def org_state() -> list[dict[str, Any]]:
    return list(Organisation.objects.order_by("pk").values())


def test_home_shows_the_catalogue_entry_count() -> None:
    response = client_for("auditor").get("/")
    assert response.status_code == 200
    total = CatalogueEntry.objects.count()
    catalogues = CatalogueEntry.objects.values("source").distinct().count()
    assert total > 93
    assert f"Reference catalogue: {total} entries in {catalogues} catalogues" in response.content.decode()


def test_catalogue_search_lists_matching_entries() -> None:
    response = client_for("contributor").get("/catalogue/", {"q": "poisoning"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    links = entry_links(html)
    # entries that say "poisoning" in their name
    assert {"owasp-llm:2025:LLM04", "owasp-ml:2023:ML02"} <= set(links)
    assert "atlas:AML.T0051" not in links  # prompt injection is not about poisoning
    # ATLAS's own poisoning technique, "Poison Training Data"
    assert "atlas:AML.T0020" in links


def test_catalogue_search_by_word_stem() -> None:
    response = client_for("contributor").get("/catalogue/", {"q": "poison"})
    assert response.status_code == 200
    links = entry_links(response.content.decode())
    assert "atlas:AML.T0020" in links
    assert {"owasp-llm:2025:LLM04", "owasp-ml:2023:ML02"} <= set(links)


def test_catalogue_search_htmx_partial_returns_only_results() -> None:
    client = client_for("auditor")
    hx = {"HX-Request": "true", "HX-Target": "results"}
    response = client.get("/catalogue/", {"q": "poison"}, headers=hx)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<form" not in html
    assert "<h1" not in html
    assert "atlas:AML.T0020" in entry_links(html)
    assert html.lstrip().startswith('<p class="small muted">')

    # another target gets the whole page
    whole = client.get("/catalogue/", {"q": "poison"}, headers={"HX-Request": "true", "HX-Target": "main"})
    assert "<html" in whole.content.decode()
    assert "atlas:AML.T0020" in entry_links(whole.content.decode())


def test_controls_filtered_by_type() -> None:
    response = client_for("auditor").get("/catalogue/controls/", {"control_type": "detective"})
    assert response.status_code == 200
    html = response.content.decode()
    links = set(entry_links(html))
    detective = {
        e.uid
        for e in CatalogueEntry.objects.filter(source__key="iso27002", kind="control")
        if "detective" in e.attributes.get("control_type", [])
    }
    assert "iso27002:2022:8.16" in links
    assert "iso27002:2022:5.1" not in links
    assert links == detective
    assert f"{len(detective)} controls</p>" in html
    assert len(detective) < 93


def test_controls_unfiltered_lists_all_93() -> None:
    response = client_for("auditor").get("/catalogue/controls/")
    links = set(entry_links(response.content.decode()))
    assert {"iso27002:2022:8.16", "iso27002:2022:5.1"} <= links
    assert len(links) == 93


def test_atlas_techniques_filtered_by_tactic() -> None:
    response = client_for("auditor").get("/catalogue/atlas/", {"tactic": "atlas:AML.TA0002"})
    assert response.status_code == 200
    html = response.content.decode()
    direct = set(
        CatalogueLink.objects.filter(relation="tactic", target__uid="atlas:AML.TA0002").values_list(
            "source__uid", flat=True
        )
    )
    subs = set(CatalogueEntry.objects.filter(parent__uid__in=direct).values_list("uid", flat=True))
    expected = direct | subs
    shown = {uid for uid in entry_links(html) if uid.startswith("atlas:AML.T0")}
    assert {"atlas:AML.T0000", "atlas:AML.T0000.000"} <= shown
    assert "atlas:AML.T0051" not in shown
    assert shown == expected
    assert f"{len(expected)} techniques</p>" in html


def test_atlas_unknown_tactic_shows_the_matrix() -> None:
    response = client_for("auditor").get("/catalogue/atlas/", {"tactic": "atlas:AML.TA9999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="matrix"' in html  # an unknown tactic filters nothing: the whole matrix is shown


def test_control_entry_lists_the_ai_threats_it_treats() -> None:
    response = client_for("auditor").get("/catalogue/entry/iso27002:2022:8.28/")
    assert response.status_code == 200
    html = response.content.decode()
    treats = section(html, "AI threats this control treats")
    assert "atlas:AML.T0051" in entry_links(treats)
    expected = set(
        CatalogueLink.objects.filter(relation="treated-by", target__uid="iso27002:2022:8.28").values_list(
            "source__uid", flat=True
        )
    )
    assert set(entry_links(treats)) == expected


def test_unknown_entry_is_404() -> None:
    assert client_for("auditor").get("/catalogue/entry/unknown/").status_code == 404


def test_auditor_may_not_manage_users() -> None:
    client = client_for("auditor")
    assert client.get("/users/").status_code == 403
    count = User.objects.count()
    response = client.post("/users/", {"username": "mallory", "role": "administrator"})
    assert response.status_code == 403
    assert User.objects.count() == count


def test_auditor_may_not_change_the_organisation() -> None:
    update_organisation(None, name="Acme Analytics", sector="Finance")
    before = org_state()
    history_before = Organisation.history.count()
    client = client_for("auditor")
    assert client.get("/organisation/").status_code == 200
    response = client.post("/organisation/", {"name": "Hacked", "sector": "None"})
    assert response.status_code == 403
    assert org_state() == before
    assert Organisation.history.count() == history_before


def test_manager_may_change_the_organisation() -> None:
    update_organisation(None, name="Acme Analytics")
    response = client_for("isms_manager").post(
        "/organisation/", {"name": "Acme Holdings", "sector": "Retail"}
    )
    assert response.status_code == 302
    assert (Organisation.objects.get().name, Organisation.objects.get().sector) == ("Acme Holdings", "Retail")


@pytest.mark.parametrize(
    "path", ["/", "/catalogue/", "/catalogue/entry/iso27002:2022:5.7/", "/users/", "/history/user/1/"]
)
def test_anonymous_requests_redirect_to_login(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    ("path", "status", "logged_in"),
    [
        ("/", 200, True),
        ("/login/", 200, False),
        ("/catalogue/entry/unknown/", 404, True),
        ("/users/", 403, True),
    ],
)
def test_responses_carry_a_content_security_policy(path: str, status: int, logged_in: bool) -> None:
    client = client_for("auditor") if logged_in else Client()
    response = client.get(path)
    assert response.status_code == status
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_login_is_throttled_after_five_failures(settings: Any) -> None:
    # A fast hasher here: the throttle does not depend on it, and argon2 would make six attempts slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    make_user("contributor", username="alice")
    make_user("contributor", username="bob")
    client = Client()
    for _ in range(5):
        response = _login(client, "alice", "wrong-password-123")
        assert response.status_code == 200
        assert "Too many failed attempts" not in response.content.decode()

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed attempts. Wait 15 minutes and try again." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _login(client, "ALICE", PASSWORD).status_code == 200  # the lock ignores case
    # another user name from the same address is not locked
    other = Client()
    assert _login(other, "bob", PASSWORD).status_code == 302
    assert other.session["_auth_user_id"] == str(User.objects.get(username="bob").pk)


def test_login_succeeds_after_four_failures_and_resets_the_count(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    make_user("contributor", username="carol")
    client = Client()
    for _ in range(4):
        assert _login(client, "carol", "wrong-password-123").status_code == 200
    response = _login(client, "carol", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    # the successful login cleared the count: four more failures still do not lock
    fresh = Client()
    for _ in range(4):
        assert _login(fresh, "carol", "wrong-password-123").status_code == 200
    assert _login(fresh, "carol", PASSWORD).status_code == 302


def test_history_page_shows_who_changed_the_organisation() -> None:
    organisation = update_organisation(None, name="Acme Analytics", sector="Finance")
    editor = quick_user("isms_manager", "olivia-editor")
    update_organisation(editor, name="Acme Holdings")

    response = client_for("auditor").get(f"/history/organisation/{organisation.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")].split("<tr>")[1:]
    assert len(rows) == 2
    newest, oldest = rows
    assert "<td>olivia-editor</td>" in newest
    assert '<span class="chip">changed</span>' in newest
    assert re.search(
        r"<strong>name</strong>: <del>Acme Analytics</del> → Acme Holdings", newest, re.IGNORECASE
    )
    assert "sector" not in newest.lower()
    assert "<td>system</td>" in oldest
    assert '<span class="chip">created</span>' in oldest


def test_history_of_unknown_model_or_object_is_404() -> None:
    client = client_for("auditor")
    assert client.get("/history/nothing/1/").status_code == 404
    assert client.get("/history/organisation/999999/").status_code == 404
