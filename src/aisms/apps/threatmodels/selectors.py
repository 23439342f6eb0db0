"""Reads for the threat-model pages, API and reports: models with their counts, threats with the
analyst's decisions, version diffs and the diagram."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels.models import OrgRuleSet, ThreatDecision, ThreatModel, ThreatModelVersion
from aisms.domain.access import Action
from aisms.domain.threatmodel.analysis import (
    Analysis,
    AnalysisDiff,
    Threat,
    analysis_from_dict,
    diff_analyses,
)
from aisms.domain.threatmodel.diagram import render_svg
from aisms.domain.threatmodel.model import ThreatModel as DomainModel
from aisms.domain.threatmodel.model_file import parse_model
from aisms.domain.threatmodel.reports import DecisionView


def threat_models(actor: User, q: str = "") -> QuerySet[ThreatModel]:
    require(actor, Action.VIEW)
    rows = ThreatModel.objects.select_related("owner").prefetch_related("assets")
    if q:
        rows = rows.filter(name__icontains=q)
    return rows.order_by("name")


def rule_sets(actor: User) -> QuerySet[OrgRuleSet]:
    require(actor, Action.VIEW)
    return OrgRuleSet.objects.all().order_by("name")


def versions(tm: ThreatModel) -> list[ThreatModelVersion]:
    return list(tm.versions.select_related("created_by").order_by("-number"))


MAX_NUMBER = 2**31 - 1


def version(tm: ThreatModel, number: int | None) -> ThreatModelVersion:
    if number is not None and not 0 < number <= MAX_NUMBER:
        raise ValidationError({"version": f"no version {number} of {tm.name}"})
    rows = tm.versions.order_by("-number")
    row = rows.filter(number=number).first() if number is not None else rows.first()
    if row is None:
        raise ValidationError({"version": f"no version {number} of {tm.name}"})
    return row


def domain_model(source: str) -> DomainModel:
    return parse_model(source, "model.yaml")


def analysis_of(row: ThreatModelVersion) -> Analysis:
    return analysis_from_dict(row.analysis or {})


def decisions(tm: ThreatModel) -> dict[str, ThreatDecision]:
    return {d.threat_id: d for d in tm.decisions.select_related("risk", "decided_by")}


def decision_views(tm: ThreatModel) -> dict[str, DecisionView]:
    return {
        d.threat_id: DecisionView(
            relevant=d.relevant,
            reason=d.reason,
            risk_ref=d.risk.ref if d.risk else "",
            mitigation_status=d.get_mitigation_status_display(),
        )
        for d in decisions(tm).values()
    }


def threat_counts(analysis: Analysis) -> dict[str, int]:
    counts: dict[str, int] = {}
    for threat in analysis.threats:
        counts[threat.element_id] = counts.get(threat.element_id, 0) + 1
    return counts


def diagram(row: ThreatModelVersion) -> str:
    model = domain_model(row.source)
    return render_svg(model, threat_counts(analysis_of(row)))


@dataclass(frozen=True)
class ThreatRow:
    threat: Threat
    decision: ThreatDecision | None

    @property
    def state(self) -> str:
        if self.decision is None:
            return "undecided"
        if self.decision.risk_id:
            return "pushed"
        return "relevant" if self.decision.relevant else "not_relevant"


STATES = ("undecided", "relevant", "not_relevant", "pushed")


def threat_rows(
    tm: ThreatModel,
    analysis: Analysis,
    *,
    element: str = "",
    category: str = "",
    state: str = "",
    min_score: int = 0,
    q: str = "",
) -> list[ThreatRow]:
    by_id = decisions(tm)
    rows = []
    for threat in analysis.threats:
        row = ThreatRow(threat, by_id.get(threat.id))
        if element and threat.element_id != element:
            continue
        if category == "ai" and not threat.is_ai:
            continue
        if category == "stride" and not threat.stride:
            continue
        if state and row.state != state:
            continue
        if threat.score < min_score:
            continue
        if (
            q
            and q.lower()
            not in f"{threat.title} {threat.description} {' '.join(threat.catalogue_ids)}".lower()
        ):
            continue
        rows.append(row)
    return rows


def group_rows(rows: list[ThreatRow]) -> list[tuple[str, str, str, list[ThreatRow]]]:
    """(element id, element name, element type, rows) in analysis order."""
    groups: dict[str, tuple[str, str, str, list[ThreatRow]]] = {}
    for row in rows:
        t = row.threat
        groups.setdefault(t.element_id, (t.element_id, t.element_name, t.element_type, []))[3].append(row)
    return list(groups.values())


def state_counts(tm: ThreatModel, analysis: Analysis) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for row in threat_rows(tm, analysis):
        counts[row.state] += 1
    return counts


def diff(
    tm: ThreatModel, before: int | None, after: int | None
) -> tuple[ThreatModelVersion, ThreatModelVersion, AnalysisDiff]:
    """The diff between two versions; by default the previous and the current one."""
    newest = version(tm, after)
    if before is None:
        older = tm.versions.filter(number__lt=newest.number).order_by("-number").first() or newest
    else:
        older = version(tm, before)
    return older, newest, diff_analyses(analysis_of(older), analysis_of(newest))
