"""An ISMS manager records an AI asset in the inventory, finds it marked as AI, opens it and exports the
AI part of the inventory as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NAME = "Discharge letter drafter"


def test_add_an_ai_asset_find_it_in_the_inventory_open_it_and_export_csv(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given amira (ISMS manager) is logged in and opens the inventory from the navigation
    login(page, aisms_server, "amira")
    open_from_menu(page, "Assets")
    expect(page).to_have_url(aisms_server.url("/assets/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Asset inventory")
    expect(page.get_by_role("link", name="Triage Assistant")).to_be_visible()  # the demo inventory

    # When she adds an AI asset through the form, with its AI fields and a dependency
    page.get_by_role("link", name="Add an asset").click()
    expect(page).to_have_url(aisms_server.url("/assets/new/"))
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Kind").select_option(label="AI system")
    page.get_by_label("Description").fill(
        "Drafts discharge letters from the clinical record for a doctor to sign."
    )
    page.get_by_label("Classification").select_option(label="Restricted")
    page.get_by_label("Confidentiality").select_option(label="Very high")
    ai = page.get_by_role("group", name="AI asset")
    ai.get_by_label("Purpose").fill("Drafts discharge letters; a doctor edits and signs each one.")
    ai.get_by_label("Model type").fill("LLM (hosted API)")
    ai.get_by_label("Processes personal data").select_option(label="Yes")
    ai.get_by_label("Learns from user data").select_option(label="No")
    ai.get_by_label("EU AI Act risk tier").select_option(label="Limited risk (transparency obligations)")
    page.get_by_role("group", name="Depends on").get_by_label(
        "Nimbus foundation model API (Third-party AI service)"
    ).check()
    page.get_by_role("button", name="Add asset").click()

    # Then its page shows it as an AI asset with what it depends on
    expect(page).to_have_url(re.compile(r"/assets/\d+/$"))
    asset_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.get_by_role("status")).to_contain_text(f"Asset “{NAME}” added.")
    facts = page.locator("section", has=page.get_by_role("heading", name="AI asset", exact=True))
    expect(facts).to_contain_text("Limited risk (transparency obligations)")
    deps = page.locator("#dependencies")
    expect(deps.get_by_role("link", name="Nimbus foundation model API").first).to_be_visible()

    # When she goes back to the inventory
    page.locator(".breadcrumbs").get_by_role("link", name="Assets").click()

    # Then the new asset is listed with the AI marker, owned by her
    row = page.locator("table.inventory tbody tr").filter(has=page.get_by_role("link", name=NAME, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator(".chip.ai")).to_have_text("AI asset")
    expect(row).to_contain_text("AI system")
    expect(row).to_contain_text("Amira Okafor")
    expect(row).to_contain_text("Restricted")

    # When she opens it from the list
    row.get_by_role("link", name=NAME, exact=True).click()
    expect(page).to_have_url(asset_url)
    page.locator(".breadcrumbs").get_by_role("link", name="Assets").click()

    # And filters to AI assets and exports them as CSV
    filters = page.get_by_role("search", name="Filter assets")
    filters.get_by_label("Kind").select_option(label="AI assets only")
    filters.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/assets/\?.*kind=ai"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value

    # Then the file holds the AI assets only, hers included, in the import format
    assert re.fullmatch(r"assets-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:4] == ["name", "kind", "description", "owner"]
    mine = [r for r in rows if r["name"] == NAME]
    assert len(mine) == 1
    assert (mine[0]["kind"], mine[0]["owner"], mine[0]["classification"], mine[0]["confidentiality"]) == (
        "ai_system",
        "amira",
        "restricted",
        "very_high",
    )
    assert (
        mine[0]["eu_ai_act_tier"],
        mine[0]["processes_personal_data"],
        mine[0]["learns_from_user_data"],
    ) == (
        "eu-ai-act:2024:limited",
        "yes",
        "no",
    )
    assert mine[0]["depends_on"] == "Nimbus foundation model API"
    assert {r["kind"] for r in rows} <= {
        "ai_system",
        "model",
        "dataset",
        "ml_pipeline",
        "vector_store",
        "agent",
        "ai_service",
    }
    assert "Triage Assistant" in {r["name"] for r in rows}
    assert "Patient portal" not in {r["name"] for r in rows}
