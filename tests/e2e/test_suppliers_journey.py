"""An ISMS manager sends the AI questionnaire to a supplier, the supplier's contact answers it through the
link (no account; the follow-ups appear when they say they use AI on our data), saves a draft and submits;
the manager scores it, raises a finding and turns it into a risk that shows in the risk register."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SUPPLIER = "TalentLens"
FINDING = "Ranking model trained on our applicants' data unless we opt out"


def _answer_as_supplier(browser: Browser, link: str) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 800})  # no login, no cookies
    context.set_default_timeout(10_000)
    portal = context.new_page()
    try:
        portal.goto(link)
        expect(portal.get_by_role("heading", name="AI usage and AI governance of a supplier")).to_be_visible()
        expect(portal.get_by_role("navigation")).to_have_count(0)  # no product navigation on the portal
        follow_up = portal.locator("#q-trains_on_our_data")
        expect(follow_up).to_be_hidden()
        portal.locator("#q-uses_ai_on_our_data").get_by_label("Yes").check()
        expect(follow_up).to_be_visible()  # the condition "uses AI on our data = yes" shows the follow-ups
        portal.get_by_label("Describe the AI features").fill("Ranks applicants against the job description.")
        portal.locator("#q-ai_optional").get_by_label("No").check()
        follow_up.get_by_label("Yes, unless we opt out").check()
        expect(portal.locator("#q-training_shared_models")).to_be_visible()
        portal.locator("#q-training_shared_models").get_by_label("No").check()
        portal.locator("#q-training_deletion").get_by_label(
            "Our data only ever reaches models dedicated to us"
        ).check()
        portal.get_by_role("button", name="Save draft").click()
        expect(portal.get_by_role("status")).to_contain_text("Draft saved")

        portal.locator("#q-model_providers").get_by_label("Our own models").check()
        portal.get_by_label("Name the model providers").fill("Our own ranking model.")
        portal.locator("#q-ai_processing_location").get_by_label("Only in the EU/EEA").check()
        portal.locator("#q-model_change_notice").get_by_label("We do not notify customers").check()
        portal.locator("#q-human_oversight").get_by_label("Always").check()
        portal.locator("#q-model_evaluation").get_by_label("Yes").check()
        portal.get_by_label("Will you notify us of AI incidents").fill("48")
        portal.locator("#q-ai_policy").get_by_label("Yes").check()
        portal.locator("#q-ai_certification").get_by_label("None").check()
        portal.locator("#q-eu_ai_act_role").get_by_label("Deployer", exact=True).check()
        portal.get_by_role("button", name="Submit answers").click()
        expect(portal.get_by_role("status")).to_contain_text("Submitted on")
        expect(portal.get_by_role("button", name="Submit answers")).to_have_count(0)  # read-only now
    finally:
        context.close()


def test_send_answer_score_and_raise_a_supplier_finding_as_a_risk(
    page: Page, aisms_server: AismsServer, browser: Browser
) -> None:
    # Given amira (ISMS manager) opens the supplier register and a demo supplier
    login(page, aisms_server, "amira")
    open_from_menu(page, "Suppliers")
    page.get_by_role("link", name=SUPPLIER, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(SUPPLIER))).to_be_visible()

    # When she sends the AI questionnaire, the link is shown once
    page.get_by_role("link", name="Send a questionnaire").click()
    page.get_by_label("Questionnaire").select_option(label="AI usage and AI governance of a supplier (v1)")
    page.get_by_role("button", name="Send questionnaire").click()
    link = page.locator("#portal-link").inner_text().strip()
    assert re.fullmatch(re.escape(aisms_server.base_url) + r"/supplier-portal/[-\w]{43}/", link), link

    # And the supplier's contact answers it through the link, in a browser with no login
    _answer_as_supplier(browser, link)

    # Then amira sees the submitted answers with their score and red flags, and records her rating
    page.get_by_role("link", name="Go to the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    expect(page.locator("#flags")).to_contain_text(
        "Trains or fine-tunes models on our data without our prior consent."
    )
    page.get_by_label("Overall rating").select_option(label="Not acceptable")
    page.get_by_role("button", name="Record score").click()
    expect(page.get_by_role("status")).to_contain_text("Assessment scored")

    # And raises a finding, then raises it as a risk
    findings = page.locator("#findings")
    findings.get_by_label("Title").fill(FINDING)
    findings.get_by_label("Severity").select_option("critical")
    findings.get_by_role("button", name="Raise finding").click()
    expect(page.get_by_role("status")).to_contain_text("Finding raised")
    page.locator("#findings li", has_text=FINDING).get_by_role("button", name="Raise as risk").click()
    expect(page.get_by_role("status")).to_contain_text("created in the risk register")

    # Then the risk is in the register
    page.goto(aisms_server.url("/risks/"))
    expect(page.get_by_role("link", name=re.compile(f"{SUPPLIER}: {re.escape(FINDING)}"))).to_be_visible()
