"""Issue 4's context journey: adopt an AI PESTEL template, link it to a risk, see it on the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TITLE = "Deepfake calls asking the finance team for urgent payments"


def test_adopt_ai_pestel_template_link_risk_and_see_it_on_the_board(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given amira (ISMS manager) opens the context overview and its starter templates
    login(page, aisms_server, "amira")
    open_from_menu(page, "Context")
    expect(page.get_by_role("heading", name="PESTEL board")).to_be_visible()
    page.get_by_role("link", name="Starter templates").click()
    # When she adopts the deepfake template, edits its title and links it to the demo risk R-007
    page.get_by_role("button", name="Adopt Deepfake voice and video in social engineering").click()
    expect(page.get_by_role("heading", name="Edit issue")).to_be_visible()
    page.get_by_label("Title").fill(TITLE)
    risk = page.locator("#id_risks option", has_text="R-007").get_attribute("value")
    assert risk is not None
    page.get_by_label("Risks").select_option(risk)
    page.get_by_role("button", name="Save").click()
    # Then the issue page shows the linked risk and where it came from
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("link", name="R-007", exact=False).first).to_be_visible()
    expect(page.get_by_text("deepfake-social-engineering (v1)")).to_be_visible()
    # And it sits on the board in the Social column with a rising trend and the external marker
    page.goto(aisms_server.url("/context/"))
    column = page.get_by_role("region", name="Social")
    card = column.locator("article.pestel-card", has_text=TITLE)
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="R-007")).to_be_visible()
    expect(card.locator(".trend-rising")).to_be_visible()
    expect(card.get_by_text("ext", exact=True)).to_be_visible()
    # And the overdue demo reviews are highlighted
    expect(page.locator("article.pestel-card.overdue").first).to_be_visible()
