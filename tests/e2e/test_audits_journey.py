"""Tom the auditor runs the planned internal audit: he starts it, records a checklist result as a minor
nonconformity and raises the nonconformity. Amira (ISMS manager) records its root cause and a corrective
action, marks the action done, records an effective review and closes the nonconformity."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_run_an_audit_raise_a_nonconformity_and_close_it_with_a_corrective_action(
    page: Page, aisms_server: AismsServer
) -> None:
    # Given tom (auditor) opens the planned audit from the audits overview
    login(page, aisms_server, "tom")
    page.goto(aisms_server.url("/audits/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audits and improvement")
    page.get_by_role("row", name=re.compile("Support and performance evaluation")).get_by_role("link").click()
    expect(page.locator("#audit-status")).to_have_text("Planned")

    # When he starts it
    page.get_by_role("button", name="Start the audit").click()
    expect(page.locator("#audit-status")).to_have_text("In progress")

    # And records the first checklist question as a minor nonconformity (htmx swaps the row in place)
    row = page.locator("table.checklist tbody tr").first
    row.get_by_role("textbox").fill("Two of five sampled leavers kept access for over a month")
    row.get_by_role("button", name="Minor NC").click()
    expect(row.locator("[data-result]")).to_have_text("Minor nonconformity")

    # And raises the nonconformity from it with one click
    row.get_by_role("button", name="Raise nonconformity").click()
    expect(page.get_by_role("status")).to_contain_text("raised")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Nonconformity")
    expect(page.locator(".nc-steps [aria-current=step]")).to_have_text("Open")
    nc_url = page.url
    nc_ref = page.locator("h1 .ref").inner_text()

    # Then amira records the root cause and a corrective action
    page.context.clear_cookies()
    login(page, aisms_server, "amira")
    page.goto(nc_url)
    page.get_by_role("link", name="Edit cause and details").click()
    page.locator("#id_root_cause").fill(
        "Why kept? Leaver tickets do not reach the AI platform team.\n"
        "Why? The platform is not in the HR workflow."
    )
    page.get_by_label("Root cause category").select_option("process")
    page.get_by_label("Owner").select_option(label="Amira Okafor")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("saved")

    page.get_by_label("Corrective action").fill("Add the AI platform to the HR leaver workflow")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".nc-steps [aria-current=step]")).to_have_text("Action planned")

    # And marks it done, records an effective review and closes the nonconformity
    page.get_by_placeholder("What shows it is done").fill("HR workflow v4; leavers test passed")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("Corrective action updated")
    page.get_by_label("Effective: the cause is removed").check()
    page.get_by_label("Notes").fill("Sampled 5 leavers since: access removed within a day")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_role("status")).to_contain_text("can be closed")
    page.get_by_role("button", name="Close the nonconformity").click()
    expect(page.get_by_role("status")).to_contain_text("is now closed")
    expect(page.locator(".nc-steps [aria-current=step]")).to_have_text("Closed")

    # Then the register lists it as closed
    page.goto(aisms_server.url("/audits/nonconformities/?status=closed"))
    expect(page.get_by_role("row", name=re.compile(nc_ref))).to_contain_text("Closed")
