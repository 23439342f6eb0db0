"""An ISMS manager imports a threat model of an LLM application, looks at its data-flow diagram, marks
threats relevant or not, pushes one into the risk register and finds the risk there."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MODEL = """\
threatmodel: 1
name: Claims summariser
description: >-
  LLM application that summarises insurance claims for handlers, with retrieval over policy wordings.
boundaries:
  - {id: helixa, name: Helixa production}
  - {id: vendor, name: Model vendor}
components:
  - {id: handler, name: Claims handler, kind: user, boundary: helixa}
  - id: summariser
    name: Claims summariser
    kind: llm_application
    boundary: helixa
    asset: Claims platform
    properties: [handles_personal_data, output_shown_to_users, retrieves_untrusted_content]
  - {id: wordings, name: Policy wording index, kind: retrieval_store, boundary: helixa}
  - {id: model-api, name: Hosted model API, kind: third_party_model_api, boundary: vendor,
     properties: [third_party]}
flows:
  - {id: ask, from: handler, to: summariser, label: Claim to summarise,
     properties: [encrypted, authenticated]}
  - {id: retrieve, from: wordings, to: summariser, label: Policy passages}
  - {id: prompt, from: summariser, to: model-api, label: Prompt,
     properties: [encrypted, carries_personal_data]}
"""


def _open_menu(page: Page, label: str) -> None:
    """Follow a main-menu link, opening the menu group it sits in first when there is one."""
    nav = page.get_by_role("navigation", name="Main")
    group = nav.locator("details", has=page.locator(f"a:text-is('{label}')"))
    if group.count() and not group.first.get_attribute("open"):
        group.first.locator("summary").click()
    nav.get_by_role("link", name=label, exact=True).click()


INJECTION = "llm-indirect-prompt-injection@summariser"
EXTRACTION_FREE = "llm-direct-prompt-injection@summariser"


def test_import_view_diagram_mark_threats_and_push_one_to_the_register(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given amira (ISMS manager) opens Threat models from the navigation
    login(page, aisms_server, "amira")
    _open_menu(page, "Threat models")
    expect(page.get_by_role("heading", level=1)).to_have_text("AI threat models")

    # When she imports the model file
    page.get_by_role("link", name="Import a threat model").click()
    model_file = tmp_path / "claims-summariser.threatmodel.yaml"
    model_file.write_text(MODEL, encoding="utf-8")
    page.get_by_label("File").set_input_files(str(model_file))
    page.get_by_role("button", name="Import and analyse").click()

    # Then she sees the data-flow diagram with its trust boundaries and components
    expect(page.get_by_role("status")).to_contain_text(
        "Threat model Claims summariser imported and analysed."
    )
    diagram = page.locator("#diagram svg")
    expect(diagram).to_be_visible()
    expect(diagram.locator("g.tm-boundary")).to_have_count(2)
    expect(diagram.locator("g.tm-node")).to_have_count(4)
    expect(diagram).to_contain_text("Policy passages")

    # When she assesses the AI-specific threats
    page.get_by_role("link", name="Assess the threats").click()
    page.get_by_label("Kind").select_option("ai")
    page.get_by_role("button", name="Filter").click()
    direct = page.locator(f"article[data-threat='{EXTRACTION_FREE}']")
    direct.get_by_label(f"Reason for {EXTRACTION_FREE}").fill(
        "Handlers are trained staff; covered by the indirect case."
    )
    direct.get_by_role("button", name="Not relevant").click()
    expect(direct.locator(".tm-state")).to_have_text("not relevant")

    injection = page.locator(f"article[data-threat='{INJECTION}']")
    injection.get_by_label(f"Reason for {INJECTION}").fill("Claim attachments are written by claimants.")
    injection.get_by_role("button", name="Relevant", exact=True).click()
    expect(injection.locator(".tm-state")).to_have_text("relevant")

    # And pushes it into the risk register
    injection.get_by_role("button", name="Push to risk register").click()
    expect(injection.locator(".tm-state")).to_have_text("in the risk register")
    risk_link = injection.get_by_role("link", name="R-")
    ref = risk_link.inner_text()

    # Then the risk is in the register, on the linked asset, with the catalogue threat
    _open_menu(page, "Risks")
    row = page.get_by_role("row", name=ref)
    expect(row).to_contain_text("Indirect prompt injection through content Claims summariser retrieves")
    row.get_by_role("link").first.click()
    expect(page.locator("main")).to_contain_text("Claims platform")
    expect(page.locator("main")).to_contain_text("AML.T0051.001")
