"""The reports aisms produces: name, title, description and how each is built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from aisms.reports import gap_analysis, management_review, risk_register, treatment_plan
from aisms.reports.document import CONTENT_TYPES, Report, render


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: str
    description: str
    build: Callable[[dt.datetime], Report]


REPORTS: tuple[ReportKind, ...] = (
    ReportKind(
        "risk-register",
        "Risk register",
        "Every risk with its inherent, current and target level, owner, treatment and status; a heat map.",
        risk_register.build,
    ),
    ReportKind(
        "treatment-plan",
        "Risk treatment plan",
        "Treatment actions per risk with the controls they implement, owners, due dates and status.",
        treatment_plan.build,
    ),
    ReportKind(
        "gap-analysis",
        "Gap analysis",
        "What is missing for certification readiness against ISO/IEC 27001 clauses and Annex A.",
        gap_analysis.build,
    ),
    ReportKind(
        "management-review",
        "Management review",
        "The input pack of the latest management review (clause 9.3) with its decisions.",
        lambda now: management_review.build(now),
    ),
)
BY_KEY = {kind.key: kind for kind in REPORTS}
FORMATS = tuple(CONTENT_TYPES)


def produce(key: str, fmt: str, now: dt.datetime) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a report; KeyError for an unknown report or format."""
    kind = BY_KEY[key]
    content_type = CONTENT_TYPES[fmt]
    report = kind.build(now)
    return render(report, fmt), content_type, f"{key}-{now:%Y-%m-%d}.{fmt}"
