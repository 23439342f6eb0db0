"""The risk register report: every risk with its levels, owner, treatment and status, and a heat map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch

from aisms.apps.assets.models import Asset
from aisms.apps.risks.models import Risk, RiskMethodVersion, RiskStatus, Treatment
from aisms.reports.document import Report, ReportSection, ReportTable
from aisms.reports.organisation import organisation_name, person


def method_labels() -> tuple[dict[str, str], dict[int, str], dict[int, str], str]:
    """Level names by key, likelihood and impact names by value, and the method's label."""
    method = RiskMethodVersion.objects.filter(is_current=True).first() or RiskMethodVersion.objects.first()
    if method is None:
        return {}, {}, {}, "no risk method defined"
    definition: dict[str, Any] = method.definition or {}
    levels = {str(lv.get("key")): str(lv.get("name")) for lv in definition.get("levels", [])}
    likelihood = {int(x["value"]): str(x["name"]) for x in definition.get("likelihood", []) if "value" in x}
    impact = {int(x["value"]): str(x["name"]) for x in definition.get("impact", []) if "value" in x}
    return levels, likelihood, impact, f"{method.name} v{method.version}"


def _score(levels: dict[str, str], likelihood: int, impact: int, level: str) -> str:
    return f"{levels.get(level, level)} (L{likelihood} x I{impact})"


def risks() -> list[Risk]:
    return list(
        Risk.objects.select_related("owner", "threat")
        .prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("name")), "actions")
        .order_by("ref")
    )


def heat_map(rows: list[Risk], likelihood: dict[int, str], impact: dict[int, str]) -> ReportTable:
    """Risks counted by current likelihood (rows, highest first) and impact (columns)."""
    l_values = sorted(set(likelihood) | {r.current_likelihood for r in rows}, reverse=True)
    i_values = sorted(set(impact) | {r.current_impact for r in rows})
    counts: dict[tuple[int, int], int] = {}
    for r in rows:
        counts[(r.current_likelihood, r.current_impact)] = (
            counts.get((r.current_likelihood, r.current_impact), 0) + 1
        )
    table_rows = tuple(
        (f"{lv} {likelihood.get(lv, '')}".strip(), *(str(counts.get((lv, iv), "")) for iv in i_values))
        for lv in l_values
    )
    columns = ("Likelihood \\ impact", *(f"{iv} {impact.get(iv, '')}".strip() for iv in i_values))
    return ReportTable("Heat map (current risk)", columns, (30, *(20 for _ in i_values)), table_rows)


def build(now: dt.datetime) -> Report:
    levels, likelihood, impact, method = method_labels()
    rows = risks()
    statuses = dict(RiskStatus.choices)
    treatments = dict(Treatment.choices)
    table = ReportTable(
        "Risk register",
        (
            "Ref",
            "Risk",
            "Assets",
            "Threat",
            "Owner",
            "Inherent",
            "Current",
            "Target",
            "Treatment",
            "Status",
            "Review",
        ),
        (12, 40, 30, 28, 20, 22, 22, 22, 18, 16, 16),
        tuple(
            (
                r.ref,
                r.title,
                ", ".join(a.name for a in r.assets.all()),
                r.threat_name,
                person(r.owner),
                _score(levels, r.inherent_likelihood, r.inherent_impact, r.inherent_level),
                _score(levels, r.current_likelihood, r.current_impact, r.current_level),
                _score(levels, r.target_likelihood, r.target_impact, r.target_level),
                treatments.get(r.treatment, r.treatment or "not decided"),
                statuses.get(r.status, r.status),
                r.review_date.isoformat() if r.review_date else "",
            )
            for r in rows
        ),
    )
    by_level: dict[str, int] = {}
    for r in rows:
        by_level[r.current_level] = by_level.get(r.current_level, 0) + 1
    level_text = ", ".join(f"{n} {levels.get(k, k).lower()}" for k, n in sorted(by_level.items()))
    return Report(
        title="Risk register",
        organisation=organisation_name(),
        generated_at=now,
        facts=(
            ("Risk method", method),
            ("Risks", f"{len(rows)} risks" + (f" (current level: {level_text})" if level_text else "")),
            ("Open", str(sum(1 for r in rows if r.status in {RiskStatus.OPEN, RiskStatus.IN_TREATMENT}))),
        ),
        sections=(
            ReportSection(
                "Heat map",
                "Current risks by likelihood and impact.",
                (heat_map(rows, likelihood, impact),),
            ),
            ReportSection("Risks", "", (table,)),
        ),
    )
