"""An ISMS manager opens a control with a gap, uploads an evidence file for it and sees its derived status
change on the control page, on the overview heat map and on the home dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CONTROL = "8.9"  # Configuration management: implemented in the demo SoA, but no evidence yet


def open_compliance(page: Page) -> None:
    """Follow Compliance in the main menu (opening its menu group first when the menu has groups)."""
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name="Compliance", exact=True)
    if not link.is_visible():
        nav.locator("summary", has_text="Compliance").first.click()
    link.click()


def test_upload_evidence_for_a_control_and_see_its_status_change(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given amira's dashboard counts the controls with a gap
    login(page, aisms_server, "amira")
    gaps_figure = (
        page.locator(".tile-compliance .figures li").filter(has_text="controls with a gap").locator("strong")
    )
    gaps_before = int(gaps_figure.inner_text())

    # And she opens Compliance and finds control 8.9 as a gap on the heat map
    open_compliance(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    tile = page.locator(f'#control-heat-map a[data-ref="{CONTROL}"]')
    expect(tile).to_have_attribute("data-status", "gap")

    # When she opens the control, its status says why
    tile.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Configuration management")
    expect(page.locator("#derived-status")).to_have_text("Gap")
    expect(page.get_by_role("list", name="Reasons")).to_contain_text("No evidence recorded")

    # And she uploads the configuration baseline report as evidence
    evidence = tmp_path / "config-baseline-2026.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n")
    form = page.get_by_role("region", name="Add evidence")
    form.get_by_label("Title").fill("Configuration baseline report 2026")
    form.get_by_label("Evidence file").set_input_files(str(evidence))
    form.get_by_role("button", name="Upload evidence").click()

    # Then the control is compliant, with the evidence listed
    expect(page.get_by_role("status")).to_contain_text("Evidence “Configuration baseline report 2026” added.")
    expect(page.locator("#derived-status")).to_have_text("Compliant")
    expect(page.get_by_role("link", name="Configuration baseline report 2026")).to_be_visible()

    # And the overview heat map shows it too
    open_compliance(page)
    expect(page.locator(f'#control-heat-map a[data-ref="{CONTROL}"]')).to_have_attribute(
        "data-status", "compliant"
    )

    # And the dashboard counts one gap fewer
    page.goto(aisms_server.url("/"))
    expect(gaps_figure).to_have_text(str(gaps_before - 1))
