"""Reads of the risk register: filtered lists, heat maps, treatment overview, threat suggestions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet

from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueLink
from aisms.apps.risks.models import ActionStatus, Risk, TreatmentAction
from aisms.apps.web.charts import heat_grid
from aisms.catalogue.model import Relation
from aisms.catalogue.threat_rules import load_builtin_rules
from aisms.domain.risk_method import RiskMethod
from aisms.domain.threat_suggestions import PROPERTIES, AssetProfile, ThreatRule, suggest

SORTS = {
    "ref": ("ref",),
    "title": ("title",),
    "owner": ("owner__username", "ref"),
    "inherent": ("-inherent_rank", "ref"),
    "current": ("-current_rank", "ref"),
    "target": ("-target_rank", "ref"),
    "status": ("status", "ref"),
}


@dataclass(frozen=True)
class RiskFilter:
    q: str = ""
    status: str = ""
    level: str = ""  # current level key
    owner: int | None = None
    asset: int | None = None
    ai_only: bool = False
    needs_reassessment: bool = False
    stage: str = ""  # with likelihood and impact: one heat-map cell (inherent, current or target)
    likelihood: int | None = None
    impact: int | None = None
    sort: str = "ref"


def register(filters: RiskFilter, method: RiskMethod) -> list[Risk]:
    """Risks matching the filter, sorted; severity sorts use the level ranks of the method."""
    rows: QuerySet[Risk] = Risk.objects.select_related(
        "owner", "threat__source", "quantification"
    ).prefetch_related(Prefetch("assets", queryset=Asset.objects.only("id", "name", "kind")))
    if filters.q:
        for word in filters.q.split()[:6]:
            rows = rows.filter(
                Q(ref__icontains=word)
                | Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(threat__name__icontains=word)
                | Q(custom_threat__icontains=word)
            )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.level:
        rows = rows.filter(current_level=filters.level)
    if filters.owner:
        rows = rows.filter(owner_id=filters.owner)
    if filters.asset:
        rows = rows.filter(assets__id=filters.asset)
    if filters.ai_only:
        rows = rows.filter(threat__source__key__in=["atlas", "owasp-llm", "owasp-ml"])
    if filters.stage in ("inherent", "current", "target") and filters.likelihood and filters.impact:
        rows = rows.filter(
            **{f"{filters.stage}_likelihood": filters.likelihood, f"{filters.stage}_impact": filters.impact}
        )
    if filters.needs_reassessment:
        rows = rows.exclude(method_version=method.version)
    result = list(rows.distinct())
    ranks = {level.key: level.rank for level in method.levels}
    for risk in result:
        for name in ("inherent", "current", "target"):
            setattr(risk, f"{name}_rank", ranks.get(getattr(risk, f"{name}_level"), -1))
    keys = SORTS.get(filters.sort, SORTS["ref"])

    def sort_key(risk: Risk) -> tuple[object, ...]:
        out: list[object] = []
        for key in keys:
            name = key.lstrip("-")
            value = getattr(risk, name) if "__" not in name else (risk.owner.username if risk.owner else "")
            out.append(-value if key.startswith("-") and isinstance(value, int) else value)
        return tuple(out)

    return sorted(result, key=sort_key)


@dataclass(frozen=True)
class HeatMap:
    """Counts of risks per (likelihood, impact) cell, rows from most to least likely."""

    title: str
    which: str  # inherent, current or target
    rows: list[tuple[str, list[tuple[int, str]]]]  # (likelihood name, [(count, colour) per impact])
    impact_names: list[str]
    total: int

    def svg(self) -> str:
        return heat_grid(self.rows, self.impact_names, title=self.title, link=f"?stage={self.which}&")


def heat_map(risks: list[Risk], method: RiskMethod, which: str, title: str) -> HeatMap:
    counts = Counter(
        (getattr(r, f"{which}_likelihood"), getattr(r, f"{which}_impact"))
        for r in risks
        if r.method_version == method.version
    )
    colours = {level.key: level.colour for level in method.levels}
    rows = []
    for likelihood in reversed(method.likelihood):
        cells = []
        for impact in method.impact:
            key = method.matrix[likelihood.value - 1][impact.value - 1]
            cells.append((counts.get((likelihood.value, impact.value), 0), colours[key]))
        rows.append((likelihood.name, cells))
    return HeatMap(title, which, rows, [i.name for i in method.impact], sum(counts.values()))


def actions_overview(today: dt.date) -> dict[str, list[TreatmentAction]]:
    """Open actions, overdue first; and recently done ones."""
    rows = list(
        TreatmentAction.objects.select_related("risk", "owner")
        .prefetch_related("controls")
        .order_by("due_date", "pk")
    )
    open_statuses = {ActionStatus.PLANNED, ActionStatus.IN_PROGRESS}
    overdue = [a for a in rows if a.status in open_statuses and a.due_date and a.due_date < today]
    upcoming = [a for a in rows if a.status in open_statuses and not (a.due_date and a.due_date < today)]
    done = [a for a in rows if a.status == ActionStatus.DONE]
    return {"overdue": overdue, "open": upcoming, "done": done}


def controls_for_threat(threat: CatalogueEntry) -> list[tuple[CatalogueEntry, str]]:
    """ISO/IEC 27002 controls that treat the threat (a sub-technique inherits its parent's)."""
    sources = [threat.pk] + ([threat.parent_id] if threat.parent_id else [])
    links = CatalogueLink.objects.filter(
        source_id__in=sources, relation=Relation.TREATED_BY.value
    ).select_related("target")
    seen: dict[int, tuple[CatalogueEntry, str]] = {}
    for link in links.order_by("target__position"):
        seen.setdefault(link.target_id, (link.target, link.rationale))
    return list(seen.values())


@lru_cache(maxsize=1)
def _rules(catalogue_size: int) -> tuple[ThreatRule, ...]:
    known = set(CatalogueEntry.objects.values_list("uid", flat=True))
    return tuple(load_builtin_rules(known))


@dataclass(frozen=True)
class ThreatSuggestion:
    threat: CatalogueEntry
    reasons: tuple[str, ...]
    controls: list[tuple[CatalogueEntry, str]]


def suggestions_for(asset: Asset) -> list[ThreatSuggestion]:
    """Catalogue threats relevant to this kind of asset, minus those already in a risk on it."""
    profile = AssetProfile(kind=asset.kind, properties={name: getattr(asset, name) for name in PROPERTIES})
    covered = frozenset(
        Risk.objects.filter(assets=asset, threat__isnull=False).values_list("threat__uid", flat=True)
    )
    rules = list(_rules(CatalogueEntry.objects.count()))
    found = suggest(profile, rules, exclude=covered)
    entries = {e.uid: e for e in CatalogueEntry.objects.filter(uid__in=[s.threat_uid for s in found])}
    return [
        ThreatSuggestion(entries[s.threat_uid], s.reasons, controls_for_threat(entries[s.threat_uid]))
        for s in found
        if s.threat_uid in entries
    ]
