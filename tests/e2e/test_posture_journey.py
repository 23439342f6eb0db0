"""The risk owner uploads a CISA KEV file whose CVE hits a component of a demo asset (through the NVD
record already in the demo), sees the proposal on the Posture page, accepts it and finds the risk
re-scored with the reason in its history."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AismsServer, login

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CVE = "CVE-2025-1094"  # PostgreSQL; the demo NVD page says 15.0 to 15.11 is affected, the portal runs 15.4
KEV = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities",
    "catalogVersion": "2026.11.30",
    "dateReleased": "2026-11-30T12:00:00.000Z",
    "count": 1,
    "vulnerabilities": [
        {
            "cveID": CVE,
            "vendorProject": "PostgreSQL",
            "product": "PostgreSQL",
            "vulnerabilityName": "PostgreSQL quoting API SQL injection",
            "dateAdded": "2026-11-30",
            "shortDescription": "Improper neutralisation of quoting syntax lets an attacker inject SQL.",
            "requiredAction": "Apply the vendor's updates.",
            "dueDate": "2026-12-21",
            "knownRansomwareCampaignUse": "Unknown",
            "notes": "",
            "cwes": ["CWE-149"],
        }
    ],
}


def test_kev_upload_gives_a_proposal_the_owner_accepts_and_the_risk_is_rescored(
    page: Page, aisms_server: AismsServer, tmp_path
) -> None:
    # Given daniel, owner of the portal's known-vulnerability risk, uploads today's KEV file
    login(page, aisms_server, "daniel")
    kev = tmp_path / "known_exploited_vulnerabilities.json"
    kev.write_text(json.dumps(KEV), encoding="utf-8")
    page.goto(aisms_server.url("/intel/ingest/"))
    page.get_by_label("File").set_input_files(str(kev))
    page.get_by_role("button", name="Upload and ingest").click()

    # When correlation has run (a background job after the ingest), the Posture page shows the proposal
    page.goto(aisms_server.url("/posture/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Posture: what changed")
    card = page.locator(
        "article.proposal-card", has_text=f"{CVE} was added to the CISA KEV catalogue"
    ).filter(has_text="Raise the likelihood")
    for _ in range(30):
        if card.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(card).to_have_count(1)
    expect(card).to_contain_text("affects PostgreSQL 15.4 on Patient portal")
    expect(card).to_contain_text("cpe:2.3:a:postgresql:postgresql:15.4")
    risk_ref = re.search(r"R-\d{3}", card.get_by_role("heading", level=3).inner_text()).group(0)  # type: ignore[union-attr]

    # And he accepts it
    card.get_by_role("button", name="Accept and re-score").click()
    expect(card).to_contain_text("Accepted by Daniel Reyes")
    expect(card).to_contain_text("likelihood 4")

    # Then the risk shows the new likelihood, and its history says why
    card.get_by_role("link", name=re.compile(f"{risk_ref} is now")).click()
    current = page.get_by_role("row", name=re.compile("^Current"))
    expect(current.get_by_role("cell").first).to_have_text("4")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_text(re.compile(rf"Accepted proposal #\d+: {CVE} added to CISA KEV"))).to_be_visible()
