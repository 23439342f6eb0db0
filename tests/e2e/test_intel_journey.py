"""A contributor uploads a STIX bundle and finds its techniques among the items; an ISMS manager pulls a
feed source now and sees its run succeed on the source page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, log_out, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

T = "2026-11-20T08:00:00.000Z"
BUNDLE = {
    "type": "bundle",
    "id": "bundle--5b0c7a3e-6d2f-4b8a-9e1c-3f4a5b6c7d8e",
    "objects": [
        {
            "type": "attack-pattern",
            "spec_version": "2.1",
            "id": "attack-pattern--7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            "created": T,
            "modified": T,
            "name": "LLM Prompt Self-Replication",
            "description": "Prompts that make an assistant copy the injected instructions into its output.",
            "external_references": [{"source_name": "mitre-atlas", "external_id": "AML.T0061"}],
            "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
        }
    ],
}


def test_upload_a_stix_bundle_see_its_items_and_pull_a_source_now(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given sofia (contributor) opens Threat intel and uploads a STIX bundle
    login(page, aisms_server, "sofia")
    menu = page.get_by_role("navigation", name="Main")
    menu.locator("summary", has_text="Threats").click()
    menu.get_by_role("link", name="Threat intel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Threat intelligence")
    page.get_by_role("link", name="Upload a feed file or paste a report").click()
    bundle = tmp_path / "worm-bundle.json"
    bundle.write_text(json.dumps(BUNDLE), encoding="utf-8")
    page.get_by_label("File").set_input_files(str(bundle))
    page.get_by_role("button", name="Upload and ingest").click()
    # Then the ingest job finishes (the status polls while it runs)
    expect(page.locator(".job-status")).to_contain_text("Succeeded", timeout=20_000)

    # And the technique is among the items, marked TLP:AMBER, with its catalogue name
    page.get_by_role("navigation", name="Threat intelligence").get_by_role("link", name="Items").click()
    page.get_by_label("Technique").fill("AML.T0061")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text="LLM Prompt Self-Replication")
    expect(row).to_contain_text("TLP:AMBER")
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LLM Prompt Self-Replication")
    expect(page.get_by_text("atlas:AML.T0061")).to_be_visible()
    expect(page.get_by_text("worm-bundle.json")).to_be_visible()

    # When amira (ISMS manager) pulls the KEV source now
    log_out(page)
    login(page, aisms_server, "amira")
    page.goto(aisms_server.url("/intel/"))
    page.get_by_role("link", name="CISA KEV (demo excerpt)").click()
    page.get_by_role("button", name="Pull now").click()
    # Then the source page follows the job and its run log shows the new run
    expect(page.locator(".job-status")).to_contain_text("Succeeded", timeout=20_000)
    page.reload()
    expect(page.get_by_role("table", name="Runs of this source").get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("table", name="Runs of this source")).to_contain_text("Succeeded")
