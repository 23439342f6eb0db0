"""An ISMS manager imports people from an HR export, assigns an AI-risk training module to their role,
imports completions from the learning platform and sees the coverage chart and the gaps change."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS_DIR, AismsServer, login, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MODULE = "Using generative AI with company data"
HR_CSV = (
    "employee_id,name,email,department,manager_id,roles,start_date,active\n"
    "H9001,Nora Quinn,nora.quinn@helixa.example,Data,H5001,Data scientist,2024-03-01,yes\n"
    "H9002,Paulo Reis,paulo.reis@helixa.example,Data,H9001,Data scientist,2024-04-01,yes\n"
)
LMS_CSV = (
    "employee_id,module,completed_on,score,evidence\n"
    "H9001,genai-with-company-data,{today},92,LMS-77\n"
    "H9002,Using generative AI with company data,{today},81,LMS-78\n"
)


def test_import_people_assign_a_module_import_completions_and_see_the_chart_change(
    page: Page, aisms_server: AismsServer, tmp_path
) -> None:
    # Given amira (ISMS manager) opens People from the navigation
    login(page, aisms_server, "amira")
    open_from_menu(page, "People")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")

    # When she imports two people from an HR export
    page.get_by_role("link", name="Import people from an HR export").click()
    hr = tmp_path / "hr-export.csv"
    hr.write_text(HR_CSV, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(hr))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("hr-export.csv: 2 added, 0 updated, 0 unchanged.")
    expect(page.get_by_role("cell", name="H9001")).to_be_visible()

    # And assigns the generative-AI module to their new role, due 30 days after starting
    page.get_by_role("link", name="Training modules").click()
    assign = page.get_by_role("region", name="Assign a module to a role")
    assign.get_by_label("Module").select_option(label=MODULE)
    assign.get_by_label("Role").select_option(label="Data scientist")
    assign.get_by_label("Due within (days of starting)").fill("30")
    assign.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text(f"{MODULE} assigned to Data scientist.")

    # Then the dashboard lists both as overdue
    page.get_by_role("link", name="Gaps & coverage").click()
    gaps = page.locator("section", has=page.get_by_role("heading", name="Gaps", exact=True))
    expect(gaps.get_by_role("row", name="Nora Quinn")).to_contain_text("Overdue")
    chart_before = page.locator("#module-chart svg").inner_html()

    # When she imports their completions from the learning platform
    page.get_by_role("link", name="Completions").click()
    page.get_by_role("link", name="Import completions from an LMS export").click()
    lms = tmp_path / "lms-export.csv"
    today = page.evaluate("() => new Date().toISOString().slice(0, 10)")
    lms.write_text(LMS_CSV.format(today=today), encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(lms))
    page.get_by_role("button", name="Import").click()

    # Then the coverage chart has changed and neither is listed as overdue any more
    expect(page.get_by_role("status")).to_contain_text("lms-export.csv: 2 added")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training gaps and coverage")
    assert page.locator("#module-chart svg").inner_html() != chart_before
    expect(gaps.get_by_role("row", name="Nora Quinn")).to_have_count(0)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "people-gaps-dashboard.png"), full_page=True)
