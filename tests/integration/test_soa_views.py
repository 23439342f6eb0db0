"""SoA pages (real database): the table by theme, editing a row, approval, versions, compare, exports."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.controls import selectors, services
from aisms.apps.controls.models import ControlImplementation, SoAVersion
from aisms.apps.risks import services as risk_services

pytestmark = pytest.mark.django_db


def quick_user(role: str, username: str | None = None, **fields: Any) -> User:
    """A user without a usable password (no slow hashing) for force_login."""
    user = User(username=username or f"soa-{role}-{User.objects.count() + 1}", role=role, **fields)
    user.set_unusable_password()
    user.save()
    return user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _justify_all() -> None:
    services.ensure_rows()
    ControlImplementation.objects.update(justification="Required by the risk assessment.")


def _row_state() -> list[tuple[Any, ...]]:
    return list(
        ControlImplementation.objects.order_by("pk").values_list(
            "applicable", "justification", "implementation_status", "owner_id", "notes"
        )
    )


FORM = {
    "applicable": "False",
    "justification": "No server rooms: the landlord owns the cabling.",
    "implementation_status": "not_started",
    "owner": "",
    "notes": "",
    "reason": "Scope review",
}


def test_the_soa_page_lists_all_93_controls_by_theme_with_problems_and_chart() -> None:
    manager = quick_user("isms_manager", "amira")
    risk = risk_services.create_risk(
        manager,
        title="Prompt injection",
        scores=risk_services.Scores((4, 4), (3, 3), (2, 2)),
        custom_threat="Prompt injection",
    )
    risk_services.add_action(
        manager,
        risk,
        title="Subscribe to an AI threat feed",
        controls=[CatalogueEntry.objects.get(uid="iso27002:2022:5.7")],
    )

    response = login(manager).get("/soa/")

    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<tr id="c-\d+\.\d+"', html)) == 93
    for theme, count in (("Organizational", 37), ("People", 8), ("Physical", 14), ("Technological", 34)):
        assert re.search(rf'>{theme} controls <span class="chip">{count}</span></h2>', html), theme
    assert "93 problems to resolve before approval" in html
    assert "no justification for including the control" in html
    assert '<svg class="stacked-chart" role="img"' in html
    assert '<g class="seg seg-not_started"><title>Organizational controls: 37 not started</title>' in html
    assert "Not started: 93</li>" in html
    assert 'href="/risks/R-001/"' in html
    assert "Subscribe to an AI threat feed" in html
    assert "Approve as version 1" in html
    assert 'href="/soa/export/xlsx/?version=draft"' in html
    assert "style=" not in html  # the CSP forbids inline styles
    assert ControlImplementation.objects.count() == 93  # rows created on first access


def test_filters_narrow_the_table() -> None:
    _justify_all()
    ControlImplementation.objects.filter(control__ref="8.30", control__source__key="iso27002").update(
        applicable=False
    )
    client = login(quick_user("auditor"))

    excluded = client.get("/soa/", {"applicable": "no"}).content.decode()
    physical = client.get("/soa/", {"theme": "physical"}).content.decode()

    assert re.findall(r'<tr id="c-([\d.]+)"', excluded) == ["8.30"]
    assert "1 of 93 controls" in excluded
    assert len(re.findall(r'<tr id="c-7\.\d+"', physical)) == 14
    assert "14 of 93 controls" in physical


def test_an_auditor_reads_but_gets_no_edit_or_approve_controls() -> None:
    services.ensure_rows()
    client = login(quick_user("auditor"))

    index = client.get("/soa/").content.decode()
    row = client.get("/soa/5.7/").content.decode()

    assert ">Edit</a>" not in index
    assert "Approve as version" not in index
    assert "An ISMS manager or administrator approves the SoA." in index
    assert '<form class="soa-form"' not in row
    assert "Your role may read the SoA but not change it." in row


def test_editing_a_row_saves_the_decision_and_returns_to_the_table() -> None:
    manager = quick_user("isms_manager", "amira")
    services.ensure_rows()

    response = login(manager).post("/soa/7.12/", FORM)

    assert response.status_code == 302
    assert response["Location"] == "/soa/#c-7.12"
    row = selectors.implementation("7.12")
    assert (row.applicable, row.justification) == (False, FORM["justification"])
    assert row.history.first().history_change_reason == "Scope review"  # type: ignore[attr-defined]


def test_a_row_without_a_justification_is_shown_again_with_the_error() -> None:
    manager = quick_user("isms_manager")
    services.ensure_rows()
    before = _row_state()

    response = login(manager).post("/soa/7.12/", {**FORM, "justification": "  "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _row_state() == before


@pytest.mark.parametrize("role", ["auditor", "contributor"])
def test_a_denied_edit_is_403_and_changes_nothing(role: str) -> None:
    services.ensure_rows()
    before = _row_state()

    response = login(quick_user(role)).post("/soa/7.12/", FORM)

    assert response.status_code == 403
    assert _row_state() == before


def test_a_contributor_edits_a_control_they_own() -> None:
    contributor = quick_user("contributor", "sofia")
    services.ensure_rows()
    ControlImplementation.objects.filter(control__ref="6.7", control__source__key="iso27002").update(
        owner=contributor
    )

    response = login(contributor).post(
        "/soa/6.7/",
        {**FORM, "applicable": "True", "implementation_status": "implemented", "owner": contributor.pk},
    )

    assert response.status_code == 302
    assert selectors.implementation("6.7").implementation_status == "implemented"


def test_unknown_control_is_404() -> None:
    client = login(quick_user("auditor"))

    assert client.get("/soa/9.99/").status_code == 404
    assert client.get("/soa/versions/7/").status_code == 404
    assert client.get("/soa/export/docx/").status_code == 404
    assert client.get("/soa/export/csv/", {"version": "nope"}).status_code == 404


def test_approval_refused_with_problems_lists_them_and_creates_nothing() -> None:
    services.ensure_rows()
    client = login(quick_user("isms_manager"))

    response = client.post("/soa/approve/", {"notes": ""}, follow=True)

    assert SoAVersion.objects.count() == 0
    html = response.content.decode()
    assert (
        "Not approved: 93 problems to resolve first: 5.1: no justification for including the control" in html
    )


def test_approval_creates_a_version_then_compare_highlights_the_change() -> None:
    manager = quick_user("isms_manager", "amira", first_name="Amira", last_name="Okafor")
    _justify_all()
    client = login(manager)

    first = client.post("/soa/approve/", {"notes": "Certification audit."})
    client.post("/soa/7.12/", FORM)
    client.post("/soa/approve/", {"notes": "Cabling excluded."})

    assert first.status_code == 302
    assert first["Location"] == "/soa/versions/1/"
    assert list(SoAVersion.objects.values_list("version", "notes").order_by("version")) == [
        (1, "Certification audit."),
        (2, "Cabling excluded."),
    ]
    versions = client.get("/soa/versions/").content.decode()
    assert 'href="/soa/versions/2/"' in versions
    assert "Amira Okafor" in versions
    version = client.get("/soa/versions/2/").content.decode()
    assert "Statement of Applicability, version 2" in version
    assert 'href="/soa/compare/?a=1&amp;b=2"' in version
    compare = client.get("/soa/compare/", {"a": "1", "b": "2"}).content.decode()
    assert "From version 1 to version 2: 1 control changed." in compare
    changed = compare[compare.index('<table class="diff">') :]
    assert '<span class="ref">7.12</span> Cabling security' in changed
    assert "<del>Included</del>" in changed
    assert "<ins>Excluded</ins>" in changed
    assert "<del>Not started</del>" in changed
    assert "<ins>Not applicable</ins>" in changed
    assert "<ins>No server rooms: the landlord owns the cabling.</ins>" in changed


@pytest.mark.parametrize("role", ["risk_owner", "contributor", "auditor"])
def test_roles_that_may_not_approve_get_403_and_no_version(role: str) -> None:
    _justify_all()

    response = login(quick_user(role)).post("/soa/approve/", {"notes": "x"})

    assert response.status_code == 403
    assert SoAVersion.objects.count() == 0


def test_export_buttons_download_files() -> None:
    _justify_all()
    services.approve_version(quick_user("isms_manager"))
    client = login(quick_user("auditor"))

    xlsx = client.get("/soa/export/xlsx/", {"version": "1"})
    csv = client.get("/soa/export/csv/")
    pdf = client.get("/soa/export/pdf/", {"version": "1"})

    assert xlsx["Content-Disposition"] == 'attachment; filename="soa-v1.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content))["SoA"]["B3"].value == "Version 1"
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="soa-draft-\d{4}-\d\d-\d\d\.csv"', csv["Content-Disposition"])
    assert pdf.content.startswith(b"%PDF-")


def test_history_pages_of_a_row_and_a_version_lead_back_to_them() -> None:
    manager = quick_user("isms_manager", "amira")
    _justify_all()
    row = selectors.implementation("5.7")
    services.update_row(manager, row, justification="Feeds.", implementation_status="planned")
    version = services.approve_version(manager)
    client = login(quick_user("auditor"))

    row_history = client.get(f"/history/soa-row/{row.pk}/").content.decode()
    version_history = client.get(f"/history/soa-version/{version.pk}/").content.decode()

    assert '<p class="breadcrumbs"><a href="/soa/5.7/">SoA control 5.7 Threat intelligence</a>' in row_history
    assert "amira" in row_history
    assert '<p class="breadcrumbs"><a href="/soa/versions/1/">SoA version 1</a>' in version_history


def test_the_navigation_has_a_soa_entry() -> None:
    html = login(quick_user("auditor")).get("/").content.decode()

    assert '<a href="/soa/">SoA</a>' in html
