"""An ISMS manager updates the Statement of Applicability, approves a new version and downloads it for the
auditor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NEW_JUSTIFICATION = (
    "Risk assessment: AI threats to the triage assistant change weekly; feeds reviewed by the SOC."
)


def test_edit_a_control_approve_a_version_and_download_the_xlsx(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given amira (ISMS manager) is logged in, and the demo SoA has an approved version
    login(page, aisms_server, "amira")

    # When she opens the SoA from the navigation
    open_from_menu(page, "SoA")

    # Then she sees every control grouped by theme, the summary chart, and no problem blocking approval
    expect(page).to_have_url(aisms_server.url("/soa/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of Applicability")
    expect(page.get_by_text("93 of 93 controls")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Physical controls 14$"))).to_be_visible()
    expect(page.get_by_role("img", name="Controls per theme by implementation status")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("to resolve before approval"))).to_have_count(0)
    approve = page.get_by_role("button", name=re.compile(r"^Approve as version \d+$"))
    next_version = int((approve.text_content() or "").rsplit(" ", 1)[1])
    assert next_version >= 2

    # When she edits control 5.7: a new justification, and it is now implemented
    page.get_by_role("link", name="Edit 5.7 Threat intelligence").click()
    expect(page).to_have_url(aisms_server.url("/soa/5.7/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("5.7 Threat intelligence")
    page.get_by_label("Justification").fill(NEW_JUSTIFICATION)
    page.get_by_label("Implementation status").select_option(label="Implemented")
    page.get_by_label("Reason for the change").fill("Feeds live since the SOC contract")
    page.get_by_role("button", name="Save").click()

    # Then the table shows the new decision on the row
    expect(page).to_have_url(aisms_server.url("/soa/#c-5.7"))
    expect(page.get_by_role("status")).to_contain_text("Control 5.7 saved.")
    row = page.locator("#c-5\\.7")
    expect(row).to_contain_text(NEW_JUSTIFICATION[:60])
    expect(row.get_by_text("Implemented", exact=True)).to_be_visible()

    # When she approves the SoA as a new version
    page.get_by_label("Approval notes").fill("5.7 implemented.")
    page.get_by_role("button", name=f"Approve as version {next_version}").click()

    # Then the version page confirms it, and the comparison with the previous version shows her change
    expect(page).to_have_url(aisms_server.url(f"/soa/versions/{next_version}/"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Version {next_version} of the Statement of Applicability approved."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Statement of Applicability, version {next_version}"
    )
    expect(page.get_by_text("Approved by Amira Okafor")).to_be_visible()
    page.get_by_role("link", name=f"Changes since version {next_version - 1}").click()
    diff = page.locator("table.diff")
    expect(diff).to_contain_text("5.7 Threat intelligence")
    expect(diff.locator("ins", has_text="Implemented")).to_be_visible()
    page.go_back()

    # When she downloads the XLSX export of the version
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value

    # Then it is the approved version, readable without aisms, with her decision on 5.7
    assert download.suggested_filename == f"soa-v{next_version}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path)["SoA"]
    assert sheet["A1"].value == "Statement of Applicability: Helixa Health Ltd"
    assert sheet["B3"].value == f"Version {next_version}"
    assert sheet["B4"].value.startswith("Approved by Amira Okafor on ")
    rows = {r[0]: r for r in sheet.iter_rows(min_row=10, values_only=True)}
    assert len(rows) == 93
    assert rows["5.7"][4:6] == (NEW_JUSTIFICATION, "Implemented")
    assert rows["8.30"][3] == "Excluded"
