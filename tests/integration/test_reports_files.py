"""The reports as files: each PDF and XLSX is opened and holds the real content."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from aisms.apps.assets.models import Asset
from aisms.apps.audits.services import create_review
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks.models import Risk, TreatmentAction
from aisms.reports.catalogue import REPORTS, produce
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    command = ["pdftotext", "-layout", str(path), "-"]  # poppler-utils, installed by the test setup
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout


def workbook_text(content: bytes) -> dict[str, str]:
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: "\n".join(
            " | ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True)
        )
        for sheet in book.worksheets
    }


@pytest.fixture
def register() -> dict[str, Any]:
    owner = make_user("risk_owner", username="daniel", first_name="Daniel", last_name="Reyes")
    portal = Asset.objects.create(name="Patient portal", kind="application")
    levels = {"inherent_level": "high", "current_level": "high", "target_level": "low"}
    risk = Risk.objects.create(
        ref="R-042",
        title="Prompt injection exfiltrates patient records",
        owner=owner,
        treatment="mitigate",
        inherent_likelihood=4,
        inherent_impact=5,
        current_likelihood=4,
        current_impact=4,
        target_likelihood=2,
        target_impact=3,
        **levels,
    )
    risk.assets.add(portal)
    action = TreatmentAction.objects.create(
        risk=risk, title="Isolate tool calls behind an allow-list", owner=owner, due_date=dt.date(2026, 6, 1)
    )
    action.controls.add(CatalogueEntry.objects.get(uid="iso27002:2022:8.28"))
    Risk.objects.create(
        ref="R-043",
        title="Untreated supplier model change",
        treatment="",
        inherent_likelihood=2,
        inherent_impact=2,
        current_likelihood=2,
        current_impact=2,
        target_likelihood=1,
        target_impact=1,
        inherent_level="low",
        current_level="low",
        target_level="low",
    )
    return {"risk": risk, "owner": owner}


def test_risk_register_pdf_and_xlsx(register: dict[str, Any], tmp_path: Path) -> None:
    content, content_type, name = produce("risk-register", "pdf", NOW)
    assert content_type == "application/pdf"
    assert name == "risk-register-2026-11-30.pdf"
    text = pdf_text(content, tmp_path)
    assert "Risk register" in text
    assert "R-042" in text
    assert "R-043" in text
    assert "Patient portal" in text
    assert "Heat map" in text
    sheets = workbook_text(produce("risk-register", "xlsx", NOW)[0])
    assert "Risk register" in sheets
    assert "R-042 | Prompt injection exfiltrates patient records | Patient portal" in sheets["Risk register"]
    assert "Daniel Reyes" in sheets["Risk register"]
    assert "Heat map (current risk)" in sheets


def test_treatment_plan_lists_actions_controls_and_untreated_risks(
    register: dict[str, Any], tmp_path: Path
) -> None:
    text = pdf_text(produce("treatment-plan", "pdf", NOW)[0], tmp_path)
    assert "Risk treatment plan" in text
    assert "Isolate tool calls behind an allow-list" in text
    assert "8.28" in text
    sheets = workbook_text(produce("treatment-plan", "xlsx", NOW)[0])
    actions = sheets["Treatment actions"]
    assert "R-042" in actions
    assert "8.28" in actions
    assert "2026-06-01" in actions
    assert "Planned (overdue)" in actions
    assert "R-043" in sheets["Without actions"]


def test_gap_analysis_covers_clauses_and_controls(register: dict[str, Any], tmp_path: Path) -> None:
    text = pdf_text(produce("gap-analysis", "pdf", NOW)[0], tmp_path)
    assert "Gap analysis" in text
    assert "Annex A controls" in text
    sheets = workbook_text(produce("gap-analysis", "xlsx", NOW)[0])
    assert "Clauses" in sheets
    assert "6.1.2" in sheets["Clauses"]
    assert "Controls" in sheets


def test_management_review_report_from_the_latest_review(register: dict[str, Any], tmp_path: Path) -> None:
    empty = pdf_text(produce("management-review", "pdf", NOW)[0], tmp_path)
    assert "No management review has been recorded yet" in empty
    create_review(None, title="Management review 2026", date=dt.date(2026, 11, 20), attendees="Amira\nDaniel")
    text = pdf_text(produce("management-review", "pdf", NOW)[0], tmp_path)
    assert "Management review 2026" in text
    assert "9.3" in text
    sheets = workbook_text(produce("management-review", "xlsx", NOW)[0])
    assert "Amira, Daniel" in sheets["Summary"]
    assert "Decisions" in sheets


def test_every_report_renders_in_both_formats_on_an_empty_instance(db: None) -> None:
    for report in REPORTS:
        assert produce(report.key, "pdf", NOW)[0].startswith(b"%PDF")
        assert produce(report.key, "xlsx", NOW)[0].startswith(b"PK")
