"""Logging in and out, what an auditor may not do, and personal API tokens."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, log_out, login, open_account_menu, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _get_me(server: AismsServer, secret: str) -> tuple[int, dict[str, object]]:
    """GET /api/v1/me with a bearer token and no cookies; returns (status, JSON body)."""
    request = urllib.request.Request(  # noqa: S310 - our own local server
        server.url("/api/v1/me"), headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own local server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given the login page
    page.goto(aisms_server.url("/login/"))

    # When daniel types a wrong password
    page.get_by_label("Username").fill("daniel")
    page.get_by_label("Password").fill("not-the-password-at-all")
    page.get_by_role("button", name="Log in").click()

    # Then an error is shown and he is still on the login page, not logged in
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password.")
    expect(page).to_have_url(aisms_server.url("/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to aisms")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_label("Username")).to_have_value("daniel")


def test_unauthenticated_visit_is_sent_to_the_login_page(page: Page, aisms_server: AismsServer) -> None:
    page.goto(aisms_server.url("/catalogue/"))
    expect(page).to_have_url(aisms_server.url("/login/?next=/catalogue/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to aisms")


def test_auditor_reads_but_cannot_manage(page: Page, aisms_server: AismsServer) -> None:
    # Given tom (auditor) is logged in
    login(page, aisms_server, "tom")

    # Then the navigation offers the areas he may read, grouped, and no "Users"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator(":scope > ul > li > a, :scope > ul > li > details > summary")).to_have_text(
        ["Home", "Context", "Risk", "Threats", "Compliance", "Suppliers", "People"]
    )
    expect(nav.get_by_role("link", name="Users", include_hidden=True)).to_have_count(0)
    expect(page.locator("header .user-menu")).to_contain_text("Auditor")

    # When he opens the organisation page, he sees the profile but no edit form
    open_from_menu(page, "Organisation")
    expect(page).to_have_url(aisms_server.url("/organisation/"))
    expect(page.locator("dl.facts")).to_contain_text("Helixa Health Ltd")
    expect(page.get_by_role("heading", name="Edit")).to_have_count(0)
    expect(
        page.locator("form[method=post]").filter(has=page.get_by_role("button", name="Save"))
    ).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)

    # When he visits the users page directly, access is denied
    response = page.goto(aisms_server.url("/users/"))
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Users and roles")).to_have_count(0)


def test_organisation_history_is_reachable_from_the_organisation_page(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given tom (auditor) is on the organisation page
    login(page, aisms_server, "tom")
    page.goto(aisms_server.url("/organisation/"))

    # When he follows the history link
    page.get_by_role("link", name="History of the profile").click()

    # Then he sees the organisation's change history, starting with its creation by the demo loader
    expect(page).to_have_url(re.compile(r"/history/organisation/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Helixa Health Ltd")
    rows = page.locator("table tbody tr")
    expect(rows.last.locator("td").nth(2)).to_contain_text("created")
    expect(rows.last).to_contain_text("Helixa Health Ltd")
    expect(page.locator(".breadcrumbs").get_by_role("link", name="Helixa Health Ltd")).to_have_attribute(
        "href", "/organisation/"
    )


def test_api_token_is_shown_once_works_and_stops_working_when_revoked(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given admin is logged in and opens the API tokens page from the user menu
    login(page, aisms_server, "admin")
    open_account_menu(page)
    page.locator("header .user-menu").get_by_role("link", name="API tokens").click()
    tokens_url = aisms_server.url("/account/tokens/")
    expect(page).to_have_url(tokens_url)

    # When he creates a token
    page.get_by_label("Name").fill("e2e pipeline")
    page.get_by_role("button", name="Create token").click()

    # Then its secret is shown once
    expect(page.get_by_role("heading", name="Token “e2e pipeline” created")).to_be_visible()
    secret = page.locator("#new-token").inner_text().strip()
    assert re.fullmatch(r"aisms_\S+", secret), secret
    row = page.locator("table tbody tr").filter(has_text="e2e pipeline")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("active")

    # And loading the page again no longer shows it
    page.goto(tokens_url)
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()
    expect(row).to_contain_text("aisms_")

    # And the token authenticates API calls as admin
    status, body = _get_me(aisms_server, secret)
    assert status == 200, body
    assert body["username"] == "admin"
    assert body["role"] == "administrator"

    # When he revokes it
    row.get_by_role("button", name="Revoke token e2e pipeline").click()

    # Then the page confirms it and the token no longer works
    expect(page).to_have_url(tokens_url)
    expect(page.get_by_role("status")).to_contain_text("Token 'e2e pipeline' revoked; it no longer works.")
    expect(row).to_contain_text("revoked")
    expect(row.get_by_role("button", name=re.compile("Revoke"))).to_have_count(0)
    status, body = _get_me(aisms_server, secret)
    assert status == 401, body
    assert isinstance(body.get("message"), str), body
    assert body["message"], body


def test_log_out_returns_to_the_login_page(page: Page, aisms_server: AismsServer) -> None:
    # Given sofia is logged in
    login(page, aisms_server, "sofia")

    # When she logs out from her account menu
    log_out(page)

    # Then she is on the login page and no longer logged in
    expect(page).to_have_url(aisms_server.url("/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to aisms")
    page.goto(aisms_server.url("/"))
    expect(page).to_have_url(aisms_server.url("/login/?next=/"))
