"""The management review report (clause 9.3): the input pack kept with a review, with its decisions."""

from __future__ import annotations

import datetime as dt

from aisms.apps.audits.models import ManagementReview
from aisms.apps.audits.selectors import management_review_pack
from aisms.domain.audits.review_pack import PackSection
from aisms.reports.document import Report, ReportSection, ReportTable
from aisms.reports.organisation import organisation_name, person


def latest_review() -> ManagementReview | None:
    return ManagementReview.objects.order_by("-date", "-pk").first()


def _sections(section: PackSection) -> list[ReportSection]:
    text = section.summary
    if section.metrics:
        text += ("\n" if text else "") + "\n".join(
            f"{m.label}: {m.value}" + (f" ({m.note})" if m.note else "") for m in section.metrics
        )
    tables = tuple(
        ReportTable(t.title, t.columns, tuple(20.0 for _ in t.columns), t.rows) for t in section.tables
    )
    tables += tuple(
        ReportTable(
            s.title,
            ("Item", "Value"),
            (60, 20),
            tuple((p[0], f"{p[1]:.0%}" if s.share else f"{p[1]:g}") for p in s.points),
        )
        for s in section.charts
    )
    out = [ReportSection(f"{section.clause} {section.title}".strip(), text, tables)]
    for sub in section.subsections:
        out.extend(_sections(sub))
    return out


def build(now: dt.datetime, review: ManagementReview | None = None) -> Report:
    review = review or latest_review()
    if review is None:
        return Report(
            title="Management review",
            organisation=organisation_name(),
            generated_at=now,
            facts=(("Review", "No management review has been recorded yet."),),
        )
    pack = management_review_pack(review)
    sections: list[ReportSection] = []
    for section in pack.sections:
        sections.extend(_sections(section))
    decisions = tuple(
        (
            d.decision,
            d.get_kind_display(),
            person(d.owner),
            d.due_date.isoformat() if d.due_date else "",
            d.get_status_display(),
        )
        for d in review.decisions.select_related("owner").order_by("pk")
    )
    sections.append(
        ReportSection(
            "Decisions and actions (clause 9.3.3)",
            review.minutes or "",
            (
                ReportTable(
                    "Decisions",
                    ("Decision", "Kind", "Owner", "Due", "Status"),
                    (70, 20, 25, 15, 15),
                    decisions,
                ),
            ),
        )
    )
    period = (
        f"{pack.period_start.isoformat() if pack.period_start else 'start'} to {pack.period_end.isoformat()}"
    )
    return Report(
        title="Management review",
        organisation=organisation_name(),
        generated_at=now,
        facts=(
            ("Review", f"{review.title} ({review.date.isoformat()})"),
            ("Status", review.get_status_display()),
            ("Period covered", period),
            ("Attendees", ", ".join(line.strip() for line in review.attendees.splitlines() if line.strip())),
        ),
        sections=tuple(sections),
    )
