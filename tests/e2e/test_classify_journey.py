"""A security engineer pastes an incident paragraph into "Classify text", reads the ranked techniques with
their evidence, confirms the right one, and the confirmation is kept as a training example."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS_DIR, AismsServer, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TEXT = (
    "During testing a user typed a prompt telling the support chatbot to ignore its previous instructions "
    "and reveal its system prompt."
)


def test_classify_text_and_confirm_a_technique(page: Page, aisms_server: AismsServer) -> None:
    # Given sofia (contributor) opens the catalogue and follows "Classify text"
    login(page, aisms_server, "sofia")
    page.goto(aisms_server.url("/catalogue/"))
    page.get_by_role("link", name="Classify text").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Classify text")

    # When she classifies an incident paragraph
    page.get_by_label("Text to classify").fill(TEXT)
    page.get_by_role("button", name="Classify", exact=True).click()

    # Then prompt injection is among the ranked techniques, with a confidence bar and evidence words
    ranked = page.locator("ol.classify-ranked > li")
    expect(ranked).to_have_count(5, timeout=60_000)
    confirm = page.get_by_role("button", name="Confirm atlas:AML.T0051")
    expect(confirm).to_be_visible()
    expect(ranked.first.locator("svg")).to_be_visible()
    expect(ranked.first).to_contain_text("Evidence:")
    page.screenshot(path=str(ARTIFACTS_DIR / "classify-result.png"), full_page=True)

    # When she confirms it, it is stored as a training example; the retraining job then runs in the
    # server's worker thread, beside the requests, which wait longer on a busy test machine
    confirm.click(timeout=90_000)
    expect(page.get_by_role("status")).to_contain_text(
        "Confirmed atlas:AML.T0051 LLM Prompt Injection: saved as a training example."
    )
