"""An auditor opens Reports from the menu and downloads the risk register as PDF and the treatment plan as
XLSX; both files open and hold the demo's risks."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_auditor_downloads_the_risk_register_and_treatment_plan(
    page: Page, aisms_server: AismsServer, tmp_path: Path
) -> None:
    # Given tom (auditor) opens Reports from the navigation
    login(page, aisms_server, "tom")
    open_from_menu(page, "Reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")

    # When he downloads the risk register as PDF
    register = page.get_by_role("region", name="Risk register")
    with page.expect_download() as pdf_download:
        register.get_by_role("link", name="PDF").click()
    pdf_path = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)

    # Then the PDF opens and lists the demo's risks
    assert pdf_path.name.startswith("risk-register-")
    command = ["pdftotext", str(pdf_path), "-"]  # poppler-utils, installed by the test setup
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "Risk register: Helixa Health Ltd" in text
    assert "R-001" in text

    # And the treatment plan as XLSX has its actions with controls
    plan = page.get_by_role("region", name="Risk treatment plan")
    with page.expect_download() as xlsx_download:
        plan.get_by_role("link", name="XLSX").click()
    xlsx_path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    book = load_workbook(io.BytesIO(xlsx_path.read_bytes()))
    rows = list(book["Treatment actions"].iter_rows(values_only=True))
    assert rows[0][0] == "Risk"
    assert any(str(row[0]).startswith("R-0") and "iso27002" not in str(row[5]) and row[5] for row in rows[1:])
