"""An ISMS manager finds a control in the reference catalogue and follows it to the AI threats it treats."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CATALOGUE_PAGES = (
    "/catalogue/",
    "/catalogue/controls/",
    "/catalogue/atlas/",
    "/catalogue/entry/iso27002:2022:5.7/",
)
# From the shipped crosswalks: ATLAS AML.T0003 is treated by control 5.7, with this rationale.
T0003_RATIONALE = (
    "Periodically review the organisation's own public footprint from an attacker's perspective."
)


def test_search_as_you_type_then_control_to_threat_and_back(page: Page, aisms_server: AismsServer) -> None:
    # Given amira (ISMS manager) is logged in and on the catalogue page
    login(page, aisms_server, "amira")
    open_from_menu(page, "Catalogue")
    expect(page).to_have_url(aisms_server.url("/catalogue/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reference catalogue")
    page.evaluate("window.__sameDocument = true")

    # When she types into the search box
    page.get_by_role("searchbox", name="Search").press_sequentially("threat intelligence", delay=20)

    # Then the results appear in place (htmx), without a full page load, and the URL records the query
    results = page.locator("#results")
    first = results.get_by_role("link").first
    expect(first).to_have_text("5.7 Threat intelligence")
    expect(first).to_have_attribute("href", "/catalogue/entry/iso27002:2022:5.7/")
    expect(page).to_have_url(re.compile(r"/catalogue/\?q=threat(\+|%20)intelligence"))
    assert page.evaluate("window.__sameDocument === true"), "the search reloaded the whole page"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    # When she opens control 5.7
    first.click()

    # Then she sees the control and the AI threats it treats
    expect(page).to_have_url(aisms_server.url("/catalogue/entry/iso27002:2022:5.7/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("5.7 Threat intelligence")
    threats = page.get_by_role("region", name="AI threats this control treats")
    expect(threats.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^AI threats this control treats \d+$")
    )
    expect(threats.get_by_role("link", name="AML.T0000 Search Open Technical Databases")).to_be_visible()
    threat_link = threats.get_by_role("link", name="AML.T0003 Search Victim-Owned Websites")
    expect(threat_link).to_have_attribute("href", "/catalogue/entry/atlas:AML.T0003/")

    # When she follows the link to the ATLAS technique
    threat_link.click()

    # Then the technique's page lists the ISO/IEC 27002 controls that treat it, 5.7 with its rationale
    expect(page).to_have_url(aisms_server.url("/catalogue/entry/atlas:AML.T0003/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("AML.T0003 Search Victim-Owned Websites")
    controls = page.get_by_role("region", name="ISO/IEC 27002:2022 controls that treat it")
    back = controls.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="5.7 Threat intelligence")
    )
    expect(back).to_have_count(1)
    expect(back).to_contain_text(T0003_RATIONALE)

    # And the link leads back to the control
    back.get_by_role("link", name="5.7 Threat intelligence").click()
    expect(page).to_have_url(aisms_server.url("/catalogue/entry/iso27002:2022:5.7/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("5.7 Threat intelligence")


def test_search_by_pressing_enter_submits_the_form(page: Page, aisms_server: AismsServer) -> None:
    # Given amira is on the catalogue page
    login(page, aisms_server, "amira")
    page.goto(aisms_server.url("/catalogue/"))
    box = page.get_by_role("searchbox", name="Search")

    # When she fills the search box and presses Enter
    box.fill("threat intelligence")
    box.press("Enter")

    # Then the submitted search shows the control first, and the box keeps the query
    expect(page).to_have_url(re.compile(r"/catalogue/\?q=threat\+intelligence"))
    expect(page.locator("#results").get_by_role("link").first).to_have_text("5.7 Threat intelligence")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("threat intelligence")

    # And the same search works as a plain link (no script needed), e.g. shared with a colleague
    page.goto(aisms_server.url("/catalogue/?q=threat+intelligence"))
    expect(page.locator("#results").get_by_role("link").first).to_have_text("5.7 Threat intelligence")


def test_search_without_matches_says_so(page: Page, aisms_server: AismsServer) -> None:
    login(page, aisms_server, "amira")
    page.goto(aisms_server.url("/catalogue/?q=zzqqxx-nothing-like-this"))
    expect(page.locator("#results")).to_contain_text("No entries match.")
    expect(page.locator("#results").get_by_role("link")).to_have_count(0)


def test_atlas_matrix_shows_sixteen_tactic_columns(page: Page, aisms_server: AismsServer) -> None:
    # Given amira is logged in
    login(page, aisms_server, "amira")

    # When she opens the ATLAS matrix from the catalogue page
    page.goto(aisms_server.url("/catalogue/"))
    page.get_by_role("link", name="MITRE ATLAS matrix").click()

    # Then the matrix has one column per tactic, in the ATLAS order
    expect(page).to_have_url(aisms_server.url("/catalogue/atlas/"))
    matrix = page.get_by_role("region", name=re.compile(r"^ATLAS matrix"))
    columns = matrix.locator(".col")
    expect(columns).to_have_count(16)
    headings = matrix.get_by_role("heading", level=3)
    expect(headings).to_have_count(16)
    expect(headings.first.get_by_role("link")).to_have_text("Reconnaissance")
    expect(headings.last.get_by_role("link")).to_have_text("Impact")
    expect(columns.first.get_by_role("link", name="Search Open Technical Databases")).to_be_visible()


def test_controls_filtered_by_theme_people(page: Page, aisms_server: AismsServer) -> None:
    # Given amira is on the controls page, which lists all 93 controls
    login(page, aisms_server, "amira")
    page.goto(aisms_server.url("/catalogue/controls/"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(93)

    # When she filters by the theme "People"
    page.get_by_label("Theme").select_option(label="People")
    page.get_by_role("button", name="Filter").click()

    # Then the 8 people controls (6.1 to 6.8) are listed
    expect(page).to_have_url(re.compile(r"/catalogue/controls/\?theme=people"))
    expect(page.get_by_text("8 controls", exact=True)).to_be_visible()
    expect(rows).to_have_count(8)
    expect(rows.first.get_by_role("link").first).to_have_text("6.1 Screening")
    expect(rows.last.get_by_role("link").first).to_have_text("6.8 Information security event reporting")
    expect(rows.locator("td:nth-child(2)")).to_have_text(["People"] * 8)
    expect(page.get_by_role("link", name="Clear")).to_be_visible()


def test_main_navigation_marks_catalogue_as_current_on_its_sub_pages(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given amira is logged in
    login(page, aisms_server, "amira")
    nav = page.get_by_role("navigation", name="Main")

    # When she is on any page of the catalogue, the main navigation marks "Catalogue" (and only it) as current
    for path in CATALOGUE_PAGES:
        page.goto(aisms_server.url(path))
        current = nav.get_by_role("link", name="Catalogue", include_hidden=True)  # inside its menu group
        expect(current, f"Catalogue not marked current on {path}").to_have_attribute("aria-current", "page")
        expect(nav.locator("[aria-current]"), f"several current links on {path}").to_have_count(1)


def test_keyboard_reaches_skip_link_and_search_box(page: Page, aisms_server: AismsServer) -> None:
    # Given amira is logged in and opens the catalogue page
    login(page, aisms_server, "amira")
    page.goto(aisms_server.url("/catalogue/"))

    # When she presses Tab once from the top of the page
    page.keyboard.press("Tab")

    # Then the focus is on the skip link, which becomes visible
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_have_attribute("href", "#content")
    box = focused.bounding_box()
    assert box is not None
    assert box["x"] >= 0, f"the focused skip link is off-screen: {box}"
    assert box["y"] >= 0, f"the focused skip link is off-screen: {box}"

    # When she follows it, the page moves to the main content
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalogue/#content$"))

    # And pressing Tab from there eventually reaches the search box
    page.goto(aisms_server.url("/catalogue/"))
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "id_q":
            break
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()

    # And typing there searches
    page.keyboard.type("5.7")
    expect(page.locator("#results").get_by_role("link").first).to_have_text("5.7 Threat intelligence")
