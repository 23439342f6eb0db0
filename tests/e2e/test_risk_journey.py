"""Issue 3's journey: add an AI asset, accept a suggested AI threat as a risk, plan its treatment with
controls, see it in the Statement of Applicability and export the SoA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ASSET = "Symptom summary bot"


def test_ai_asset_to_suggested_risk_to_treatment_to_soa(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given amira (ISMS manager) adds an LLM application that reads patients' free text
    login(page, aisms_server, "amira")
    page.goto(aisms_server.url("/assets/new/"))
    page.get_by_label("Name").fill(ASSET)
    page.get_by_label("Kind").select_option(label="AI system")
    ai = page.get_by_role("group", name="AI asset")
    ai.get_by_label("Reads untrusted content").select_option(label="Yes")
    ai.get_by_label("Processes personal data").select_option(label="Yes")
    page.get_by_role("button", name="Add asset").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ASSET)

    # When she asks the risk register for AI threats that fit the asset
    page.goto(aisms_server.url("/risks/suggest/"))
    page.get_by_label("Asset").select_option(label=f"{ASSET} (AI system)")
    page.get_by_role("button", name="Suggest").click()

    # Then prompt injection is suggested first, with why and the controls that treat it
    first = page.locator("section.card").first
    expect(first.get_by_role("heading", level=2)).to_contain_text("LLM Prompt Injection")
    expect(first).to_contain_text("reads content from outside the organisation")
    expect(first).to_contain_text("8.28 Secure coding")

    # When she accepts the suggestion as a risk, scoring it
    first.get_by_role("link", name="Add as a risk").click()
    expect(page.get_by_label("Title")).to_have_value("LLM Prompt Injection")
    page.get_by_label("Title").fill("Patients' messages inject instructions into the summary bot")
    page.get_by_label("Inherent likelihood").select_option("4")
    page.get_by_label("Inherent impact").select_option("5")
    page.get_by_label("Current likelihood").select_option("4")
    page.get_by_label("Current impact").select_option("4")
    page.get_by_label("Target (residual) likelihood").select_option("2")
    page.get_by_label("Target (residual) impact").select_option("3")
    page.get_by_role("button", name="Save").click()

    # Then the risk is in the register, linked to the asset and the ATLAS technique, scored by the method
    expect(page.get_by_role("status")).to_contain_text("added to the register")
    ref = (page.locator("h1 .ref").text_content() or "").strip()
    assert re.fullmatch(r"R-\d{3}", ref)
    expect(page.get_by_role("link", name=ASSET)).to_be_visible()
    expect(page.get_by_role("link", name="AML.T0051 LLM Prompt Injection")).to_be_visible()
    scores = page.locator("table").first
    expect(scores.locator("tr", has_text="Inherent")).to_contain_text("Critical")
    expect(scores.locator("tr", has_text="Target (residual)")).to_contain_text("Medium")

    # When she plans a treatment action tied to ISO/IEC 27002 controls (the threat's controls are offered)
    page.get_by_role("link", name="Add a treatment action").click()
    page.get_by_label("Title").fill("Keep patient text out of the instruction channel")
    page.get_by_label("Due date").fill("2027-03-31")
    controls = page.get_by_label("Controls")
    controls.select_option(
        label=["8.28 Secure coding", "8.29 Security testing in development and acceptance"]
    )
    page.get_by_role("button", name="Save").click()

    # Then the plan shows the action with its controls, and the risk is in treatment
    plan = page.locator("section", has=page.get_by_role("heading", name="Treatment plan"))
    expect(plan).to_contain_text("Keep patient text out of the instruction channel")
    expect(plan.locator("table").get_by_role("link", name="8.28", exact=True)).to_be_visible()

    # When she opens the Statement of Applicability
    open_from_menu(page, "SoA")

    # Then control 8.28 lists the new risk as calling for it (derived, not typed twice)
    row = page.locator("#c-8\\.28")
    expect(row.get_by_role("link", name=ref)).to_be_visible()

    # When she exports the SoA as XLSX, the risk is there too, readable without aisms
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").first.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    sheet = load_workbook(path)["SoA"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=10, values_only=True) if r and r[0]}
    assert ref in " ".join(str(cell) for cell in rows["8.28"] if cell)
