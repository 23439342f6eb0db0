"""The gap analysis report: what is missing for certification readiness, highest effect first."""

from __future__ import annotations

import datetime as dt

from aisms.apps.compliance.selectors import gap_report_rows
from aisms.reports.document import Report, ReportSection, ReportTable
from aisms.reports.organisation import organisation_name


def build(now: dt.datetime) -> Report:
    rows = gap_report_rows(now.date())
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status_label"]] = by_status.get(row["status_label"], 0) + 1
    counts = ", ".join(f"{n} {label.lower()}" for label, n in sorted(by_status.items()))
    clauses = [r for r in rows if r["kind"] == "clause"]
    controls = [r for r in rows if r["kind"] != "clause"]

    def table(title: str, items: list[dict[str, object]]) -> ReportTable:
        return ReportTable(
            title,
            (
                "Rank",
                "Ref",
                "Title",
                "Status",
                "What is missing",
                "Why it matters",
                "Owner",
                "Risks",
                "Open NCs",
            ),
            (10, 14, 40, 18, 60, 45, 20, 10, 10),
            tuple(
                (
                    str(r["rank"]),
                    str(r["ref"]),
                    str(r["title"]),
                    str(r["status_label"]),
                    str(r["what_is_missing"]),
                    str(r["why_it_matters"]),
                    str(r["owner"]),
                    str(r["linked_risks"]),
                    str(r["open_nonconformities"]),
                )
                for r in items
            ),
        )

    return Report(
        title="Gap analysis",
        organisation=organisation_name(),
        generated_at=now,
        facts=(
            ("Against", "ISO/IEC 27001:2022 clauses 4-10 and Annex A (ISO/IEC 27002:2022 controls)"),
            ("Items", f"{len(rows)} items: {counts}" if rows else "nothing to assess"),
        ),
        sections=(
            ReportSection(
                "Clauses (ISO/IEC 27001:2022)",
                "Management-system requirements, the ones with the largest effect on readiness first.",
                (table("Clauses", clauses),),
            ),
            ReportSection(
                "Annex A controls",
                "Applicable controls and how far they are implemented and evidenced.",
                (table("Controls", controls),),
            ),
        ),
    )
