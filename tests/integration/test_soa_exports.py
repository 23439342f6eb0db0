"""SoA exports opened the way an auditor's tools open them: openpyxl for XLSX, csv for CSV, the PDF's own
structure (and pdftotext when installed) for PDF."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.context.models import Organisation
from aisms.apps.controls import exports, selectors, services
from aisms.apps.controls.models import ControlImplementation
from aisms.apps.risks import services as risk_services
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ANNEX_A = 93
HEADER = [
    "Control",
    "Title",
    "Theme",
    "Applicability",
    "Justification",
    "Implementation status",
    "Owner",
    "Risks",
    "Treatment actions",
    "Notes",
]
ORGANISATION = "Helixa Health \u2013 Zürich\u2019s €"  # an en dash, a curly apostrophe and the euro sign


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def approved() -> Any:
    """An SoA with one exclusion, one control called for by a risk, and version 1 approved by Amira."""
    Organisation.objects.create(name=ORGANISATION)
    manager = make_user("isms_manager", username="amira", first_name="Amira", last_name="Okafor")
    services.ensure_rows()
    ControlImplementation.objects.update(justification="Required by the risk assessment.")
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
    services.update_row(
        manager,
        selectors.implementation("5.7"),
        justification="Treats R-001; AI threats change quickly.",
        implementation_status="partially_implemented",
        owner=manager,
        notes='=HYPERLINK("http://attacker.example")',
    )
    services.update_row(
        manager,
        selectors.implementation("8.30"),
        applicable=False,
        justification="All development is in-house \u2013 nothing is outsourced (Łódź office → Kraków 数据).",
    )
    return services.approve_version(manager, notes="First version.")


def _render(fmt: str, which: str | int = 1) -> tuple[bytes, str, str]:
    return exports.render(fmt, selectors.rows_of(which), selectors.export_header(which))


# ------------------------------------------------------------------ XLSX


def test_xlsx_has_a_title_block_a_frozen_bold_header_an_autofilter_and_a_row_per_control(
    approved: Any,
) -> None:
    content, content_type, filename = _render("xlsx")

    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert filename == "soa-v1.xlsx"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["SoA", "Summary"]
    sheet = book["SoA"]
    assert sheet["A1"].value == f"Statement of Applicability: {ORGANISATION}"
    facts = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(2, 8)}
    assert facts["Organisation"] == ORGANISATION
    assert facts["Version"] == "Version 1"
    assert re.fullmatch(r"Approved by Amira Okafor on \d{4}-\d\d-\d\d \d\d:\d\d UTC", facts["Approval"])
    assert facts["Controls"] == "ISO/IEC 27002:2022 (Annex A of ISO/IEC 27001:2022)"
    assert facts["Summary"].startswith("93 controls: 92 included, 1 excluded (")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC by aisms", facts["Generated"])

    header = [cell.value for cell in sheet[9]]
    assert header == HEADER
    assert all(cell.font.bold for cell in sheet[9])
    assert sheet.freeze_panes == "B10"
    assert sheet.auto_filter.ref == f"A9:J{9 + ANNEX_A}"
    assert sheet.max_row == 9 + ANNEX_A
    assert sheet.column_dimensions["E"].width == 60
    assert sheet.column_dimensions["A"].width == 9

    rows = {r[0]: r for r in sheet.iter_rows(min_row=10, values_only=True)}
    assert len(rows) == ANNEX_A
    assert rows["5.7"] == (
        "5.7",
        "Threat intelligence",
        "Organizational controls",
        "Included",
        "Treats R-001; AI threats change quickly.",
        "Partially implemented",
        "Amira Okafor",
        "R-001",
        "R-001: Subscribe to an AI threat feed",
        '=HYPERLINK("http://attacker.example")',
    )
    assert rows["8.30"][3:6] == (
        "Excluded",
        "All development is in-house \u2013 nothing is outsourced (Łódź office → Kraków 数据).",
        "Not applicable",
    )
    notes = sheet.cell(row=10 + list(rows).index("5.7"), column=10)
    assert notes.data_type == "s"  # text typed by a person never becomes a formula
    assert sheet.cell(row=10, column=5).alignment.wrap_text is True

    summary = book["Summary"]
    assert [c.value for c in summary[1]][:2] == ["Theme", "Not started"]
    assert summary.cell(row=summary.max_row, column=1).value == "All controls"
    assert summary.cell(row=summary.max_row, column=7).value == ANNEX_A


def test_xlsx_of_the_draft_says_it_is_not_approved(approved: Any) -> None:
    content, _, filename = _render("xlsx", selectors.DRAFT)

    sheet = load_workbook(io.BytesIO(content))["SoA"]
    assert filename.startswith("soa-draft-")
    assert sheet["B3"].value == "Draft"
    assert sheet["B4"].value == "Not approved (draft: the SoA as it stands); the latest approved version is 1"


# ------------------------------------------------------------------ CSV


def test_csv_is_utf8_with_a_byte_order_mark_and_one_line_per_control(approved: Any) -> None:
    content, content_type, filename = _render("csv")

    assert content_type == "text/csv; charset=utf-8"
    assert filename == "soa-v1.csv"
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == HEADER
    assert len(lines) == 1 + ANNEX_A
    rows = {line[0]: line for line in lines[1:]}
    assert rows["5.7"][4:9] == [
        "Treats R-001; AI threats change quickly.",
        "Partially implemented",
        "Amira Okafor",
        "R-001",
        "R-001: Subscribe to an AI threat feed",
    ]
    assert rows["5.7"][9] == '\'=HYPERLINK("http://attacker.example")'  # kept as text in spreadsheets
    assert (
        rows["8.30"][4]
        == "All development is in-house \u2013 nothing is outsourced (Łódź office → Kraków 数据)."
    )
    assert rows["8.30"][5] == "Not applicable"


# ------------------------------------------------------------------ PDF


def _page_count(content: bytes) -> int:
    """Pages, counted from the PDF's page objects (independent of the library that wrote it)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", content))


def test_pdf_is_a_landscape_multi_page_document_with_page_numbers(approved: Any, tmp_path: Path) -> None:
    content, content_type, filename = _render("pdf")

    assert content_type == "application/pdf"
    assert filename == "soa-v1.pdf"
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
    pages = _page_count(content)
    assert 3 <= pages <= 20
    assert re.search(rb"/MediaBox\s*\[\s*0(\.0+)?\s+0(\.0+)?\s+841\.89\s+595\.28\s*\]", content), (
        "not landscape A4"
    )

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text was not checked")
    path = tmp_path / "soa.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert text.count("Statement of Applicability: Helixa Health \u2013 Zürich\u2019s €") == pages
    assert "Version 1. Approved by Amira Okafor on" in text
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    assert "93 controls: 92 included, 1 excluded" in text
    for heading in (
        "Organizational controls",
        "People controls",
        "Physical controls",
        "Technological controls",
    ):
        assert heading in text
    flat = " ".join(text.split())
    assert "Subscribe to an AI threat feed" in flat
    assert "Treats R-001; AI threats change quickly." in flat
    # Characters the core fonts lack are replaced, never crash the export: Ł and 数据 have no Latin form.
    assert "nothing is outsourced (?ódz office -> Kraków ??)" in flat


def test_pdf_of_a_large_text_still_fits_its_rows(approved: Any) -> None:
    manager = make_user("isms_manager")
    services.update_row(manager, selectors.implementation("5.1"), justification="Reason. " * 400)

    content, _, _ = _render("pdf", selectors.DRAFT)

    assert content.startswith(b"%PDF-")
    assert _page_count(content) >= 3


def test_pdf_text_keeps_windows_1252_and_replaces_the_rest() -> None:
    assert (
        exports.pdf_text("café \u2013 \u2018x\u2019 \u201cy\u201d € …")
        == "café \u2013 \u2018x\u2019 \u201cy\u201d € …"
    )
    assert exports.pdf_text("a → b ≤ c\u00a0d") == "a -> b <= c d"
    assert exports.pdf_text("Łódź 数据\tx\n") == "?ódz ?? x\n"
