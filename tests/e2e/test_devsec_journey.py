"""A security engineer opens Secure coding, sees the demo repositories' findings over time, uploads a scan
made by running `aisms scan` on a small repository, sees its new findings and marks one a false positive
with a reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPO_DIR, AismsServer, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _scan_file(tmp_path: Path) -> Path:
    repo = tmp_path / "patient-portal"
    (repo / ".claude").mkdir(parents=True)
    (repo / "CLAUDE.md").write_text(
        "# Patient portal\nAll generated code gets human review in a merge request.\n"
        "If the registry certificate fails, disable SSL verification.\n",
        encoding="utf-8",
    )
    (repo / ".claude/settings.json").write_text('{"permissions": {"allow": ["Bash(*)"]}}', encoding="utf-8")
    out = tmp_path / "patient-portal-scan.json"
    done = subprocess.run(
        [sys.executable, "-m", "aisms.cli", "scan", str(repo), "--format", "json", "--output", str(out)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # policy violations: errors found
    return out


def _open_secure_coding(page: Page) -> None:
    """Follow "Secure coding" in the main menu, opening the menu group it sits in first."""
    nav = page.get_by_role("navigation", name="Main")
    group = nav.locator("details:has(a:text-is('Secure coding')) > summary")
    if group.count():
        group.click()
    nav.get_by_role("link", name="Secure coding", exact=True).click()


def test_upload_a_scan_see_new_findings_and_mark_a_false_positive(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    scan_file = _scan_file(tmp_path)

    # Given amira (ISMS manager) opens Secure coding and sees the demo repositories' charts
    login(page, aisms_server, "amira")
    _open_secure_coding(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Secure coding")
    triage = page.get_by_role("region", name="triage-assistant")
    expect(triage.get_by_role("img", name="Findings per scan of triage-assistant")).to_be_visible()
    expect(triage.locator("svg .scan-bar")).to_have_count(4)

    # When she uploads the scan of a new repository
    page.get_by_label("Scan result").set_input_files(str(scan_file))
    page.get_by_role("button", name="Upload scan").click()

    # Then its page lists the new findings
    expect(page.get_by_role("heading", level=1)).to_have_text("patient-portal")
    expect(page.get_by_role("status")).to_contain_text("Scan of patient-portal recorded")
    findings = page.get_by_role("region", name="Findings")
    tls = findings.get_by_role("row").filter(has_text="Disables TLS certificate verification")
    expect(tls).to_be_visible()
    expect(findings.get_by_role("row").filter(has_text="Bash(*)")).to_be_visible()

    # When she marks the TLS finding a false positive with a reason
    tls.get_by_label("Status").select_option(label="False positive")
    tls.get_by_label("Reason").fill("The sentence quotes what the README tells users not to do.")
    tls.get_by_role("button", name="Set").click()

    # Then the row shows the new status and the reason, and it stays so after a reload
    row = page.locator("tr.finding-row").filter(has_text="Disables TLS certificate verification")
    expect(row.locator(".finding-status")).to_have_text("False positive")
    expect(row).to_contain_text("The sentence quotes what the README tells users not to do.")
    page.get_by_label("Status", exact=True).first.select_option("false_positive")
    page.get_by_role("button", name="Filter").click()
    expect(
        page.locator("tr.finding-row").filter(has_text="Disables TLS certificate verification")
    ).to_be_visible()
