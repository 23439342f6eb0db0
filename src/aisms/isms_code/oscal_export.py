"""Write the ISMS as OSCAL JSON: catalog, profile (the SoA), component definition, assessment results."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from aisms import __version__
from aisms.apps.audits.models import Audit, ChecklistResult
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.compliance.models import EvidenceItem
from aisms.apps.controls.selectors import DRAFT, rows_of
from aisms.domain.isms_code import oscal
from aisms.isms_code.exporter import organisation_name

CATALOG_FILE = "catalog.json"
PROFILE_FILE = "profile.json"
COMPONENT_FILE = "component-definition.json"
RESULTS_FILE = "assessment-results.json"
STATE_OF_RESULT = {
    ChecklistResult.CONFORMING: "satisfied",
    ChecklistResult.OBSERVATION: "satisfied",
    ChecklistResult.OFI: "satisfied",
    ChecklistResult.MINOR_NC: "not-satisfied",
    ChecklistResult.MAJOR_NC: "not-satisfied",
}


def catalog_controls() -> list[oscal.CatalogControl]:
    entries = CatalogueEntry.objects.filter(source__key="iso27002", kind="control").order_by("position")
    return [
        oscal.CatalogControl(e.ref, e.name, str(e.attributes.get("theme", "")), e.summary) for e in entries
    ]


def _evidence() -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    through = EvidenceItem.entries.through.objects.select_related("catalogueentry", "evidenceitem")
    for link in through.order_by("evidenceitem__title", "evidenceitem_id"):
        item = link.evidenceitem
        found[link.catalogueentry.uid].append((item.title, item.file_name or item.url, item.sha256))
    return found


def implementations() -> list[oscal.Implementation]:
    evidence = _evidence()
    return [
        oscal.Implementation(
            ref=row.ref,
            applicable=row.applicable,
            status=row.effective_status.value,
            status_label=row.effective_status.label,
            justification=row.justification,
            notes=row.notes,
            owner=row.owner_name or row.owner or "",
            risks=tuple(sorted(row.risk_refs)),
            evidence=tuple(evidence.get(row.control_uid, [])),
        )
        for row in rows_of(DRAFT)
    ]


def now_date() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def latest_assessment() -> oscal.AssessmentInput | None:
    """The latest audit that has started: each checked item as a finding with its observation."""
    audit = (
        Audit.objects.exclude(actual_start=None).order_by("-actual_start", "-pk").first()
        or Audit.objects.order_by("-planned_start", "-pk").first()
    )
    if audit is None:
        return None
    findings = []
    for item in audit.checklist.exclude(result=ChecklistResult.NOT_CHECKED).order_by("position", "pk"):
        findings.append(
            oscal.ResultFinding(
                uid=item.uid,
                title=f"{item.uid} {item.title}".strip(),
                description=item.notes or item.get_result_display(),
                state=STATE_OF_RESULT.get(ChecklistResult(item.result), "satisfied"),
                kind=item.result,
            )
        )
    first_day = audit.actual_start or audit.planned_start or now_date()
    start = dt.datetime.combine(first_day, dt.time(9), tzinfo=dt.UTC)
    end_day = audit.actual_end
    end = dt.datetime.combine(end_day, dt.time(17), tzinfo=dt.UTC) if end_day else None
    return oscal.AssessmentInput(
        title=f"{audit.ref} {audit.title}",
        start=start,
        end=end,
        description=audit.report_summary or audit.scope or audit.title,
        findings=tuple(findings),
    )


def documents(now: dt.datetime) -> dict[str, dict[str, Any]]:
    organisation = organisation_name() or "Organisation not set up"
    rows = implementations()
    out = {
        CATALOG_FILE: oscal.catalog(catalog_controls(), now, __version__),
        PROFILE_FILE: oscal.profile(
            [r.ref for r in rows if r.applicable], now, __version__, organisation, CATALOG_FILE
        ),
        COMPONENT_FILE: oscal.component_definition(rows, now, __version__, organisation, PROFILE_FILE),
    }
    assessment = latest_assessment()
    if assessment is not None:
        out[RESULTS_FILE] = oscal.assessment_results(
            assessment, now, __version__, organisation, "assessment-plan.json"
        )
    return out


def export_oscal(directory: Path, *, now: dt.datetime) -> dict[str, int]:
    """Write the OSCAL JSON documents; returns each file's size in bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, document in documents(now).items():
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (directory / name).write_text(text, encoding="utf-8")
        sizes[name] = len(text.encode("utf-8"))
    return sizes
