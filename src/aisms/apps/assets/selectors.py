"""Reads of the asset inventory: the filtered, sorted list with counts, one asset, its dependency graph."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.domain.assets import AI_KINDS, AssetKind, CiaValue, Classification, reachable, reverse_graph

EU_AI_ACT = "eu-ai-act"
NO_OWNER = "none"
HIGH_RISK_TIERS = (
    "eu-ai-act:2024:high",
    "eu-ai-act:2024:unacceptable",
)  # the owner filter's value for assets nobody owns

Dependency = Asset.depends_on.through


def _rank(field: str, values: list[str]) -> Case:
    return Case(
        *[When(**{field: value}, then=Value(index)) for index, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


_CIA_ORDER = [c.value for c in CiaValue]
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "kind": ("kind", "name"),
    "owner": ("owner__username", "name"),
    "classification": ("classification_rank", "name"),
    "confidentiality": ("confidentiality_rank", "name"),
    "integrity": ("integrity_rank", "name"),
    "availability": ("availability_rank", "name"),
    "components": ("component_count", "name"),
    "dependencies": ("dependency_count", "name"),
    "dependents": ("dependent_count", "name"),
}


def _count(rows: QuerySet[Any], key: str) -> Coalesce:
    counted = rows.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(rows: QuerySet[Asset]) -> QuerySet[Asset]:
    """Components, dependencies and dependents counted in the same query (no N+1)."""
    return rows.annotate(
        component_count=_count(SoftwareComponent.objects.all(), "asset"),
        dependency_count=_count(Dependency.objects.all(), "from_asset"),
        dependent_count=_count(Dependency.objects.all(), "to_asset"),
    )


def filter_assets(
    *,
    kind: str | None = None,
    ai: bool | None = None,
    owner: str | None = None,
    classification: str | None = None,
    in_scope: bool | None = None,
    q: str = "",
    archived: bool | None = False,
) -> QuerySet[Asset]:
    """Assets matching every given filter.

    kind "ai" means any AI kind; owner is a user name or "none"; archived None means both; q matches
    every word in the name, description, hosting, supplier, model type, AI purpose or components.
    """
    rows = Asset.objects.all()
    if kind == "ai":
        ai = True if ai is None else ai
    elif kind:
        rows = rows.filter(kind=kind)
    if ai is not None:
        ai_values = [k.value for k in AI_KINDS]
        rows = rows.filter(kind__in=ai_values) if ai else rows.exclude(kind__in=ai_values)
    if owner == NO_OWNER:
        rows = rows.filter(owner__isnull=True)
    elif owner:
        rows = rows.filter(owner__username=owner)
    if classification:
        rows = rows.filter(classification=classification)
    if in_scope is not None:
        rows = rows.filter(in_scope=in_scope)
    if archived is not None:
        rows = rows.filter(archived=archived)
    for word in q.split()[:8]:
        in_components = SoftwareComponent.objects.filter(
            Q(vendor__icontains=word) | Q(product__icontains=word) | Q(cpe__icontains=word)
        ).values("asset_id")
        rows = rows.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(hosting__icontains=word)
            | Q(supplier__icontains=word)
            | Q(model_type__icontains=word)
            | Q(ai_purpose__icontains=word)
            | Q(pk__in=in_components)
        )
    return rows


def inventory(*, sort: str = "name", **filters: Any) -> QuerySet[Asset]:
    """filter_assets with the owner and counts loaded, in the requested order: sort is a key of SORTS,
    with a leading "-" for descending order (unknown keys sort by name)."""
    rows = with_counts(filter_assets(**filters).select_related("owner")).annotate(
        classification_rank=_rank("classification", [c.value for c in Classification]),
        confidentiality_rank=_rank("confidentiality", _CIA_ORDER),
        integrity_rank=_rank("integrity", _CIA_ORDER),
        availability_rank=_rank("availability", _CIA_ORDER),
    )
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS["name"])
    first, *ties = fields  # ties always by name, A to Z
    return rows.order_by(f"-{first}" if descending else first, *ties)


def counts_by_kind(rows: QuerySet[Asset]) -> list[tuple[AssetKind, int]]:
    """How many of the rows are of each kind, in the vocabulary's order (kinds with none left out)."""
    counts = Counter(dict(rows.order_by().values_list("kind").annotate(n=Count("pk"))))
    return [(kind, counts[kind.value]) for kind in AssetKind if counts[kind.value]]


def asset_detail(pk: int) -> Asset:
    """One asset with its owner, components, dependencies and dependents loaded."""
    return (
        Asset.objects.select_related("owner")
        .prefetch_related("components", "depends_on__owner", "dependents__owner")
        .get(pk=pk)
    )


def dependency_edges() -> dict[int, list[int]]:
    """The whole dependency graph as asset id -> ids it depends on (one query)."""
    graph: dict[int, list[int]] = defaultdict(list)
    for source, target in Dependency.objects.values_list("from_asset_id", "to_asset_id").order_by("pk"):
        graph[source].append(target)
    return dict(graph)


@dataclass(frozen=True)
class Reach:
    asset: Asset
    depth: int  # 1 = directly, 2 = through one other asset, ...


@dataclass(frozen=True)
class DependencyGraph:
    asset: Asset
    depends_on: list[Reach]  # what the asset needs, transitively
    dependents: list[Reach]  # what needs the asset, transitively

    @property
    def direct_dependencies(self) -> list[Asset]:
        return [r.asset for r in self.depends_on if r.depth == 1]

    @property
    def direct_dependents(self) -> list[Asset]:
        return [r.asset for r in self.dependents if r.depth == 1]


def dependency_graph(asset: Asset) -> DependencyGraph:
    """What the asset depends on and what depends on it, transitively (three queries in all)."""
    graph = dependency_edges()
    down = reachable(graph, asset.pk)
    up = reachable(reverse_graph(graph), asset.pk)
    assets = Asset.objects.select_related("owner").in_bulk([*down, *up])

    def ordered(depths: dict[int, int]) -> list[Reach]:
        reaches = [Reach(assets[pk], depth) for pk, depth in depths.items() if pk in assets]
        return sorted(reaches, key=lambda r: (r.depth, r.asset.name))

    return DependencyGraph(asset=asset, depends_on=ordered(down), dependents=ordered(up))


TIER_SHORT_NAMES = {
    "unacceptable": "prohibited",
    "high": "high-risk",
    "limited": "limited",
    "minimal": "minimal",
    "gpai": "GPAI",
    "gpai-systemic": "GPAI systemic",
}


@dataclass(frozen=True)
class Tier:
    uid: str
    ref: str
    name: str

    @property
    def short(self) -> str:
        return TIER_SHORT_NAMES.get(self.ref, self.ref)


def tiers_by_uid() -> dict[str, Tier]:
    rows = CatalogueEntry.objects.filter(source__key=EU_AI_ACT).order_by("position")
    return {uid: Tier(uid, ref, name) for uid, ref, name in rows.values_list("uid", "ref", "name")}


def eu_ai_act_tiers() -> dict[str, str]:
    """The EU AI Act risk tiers of the catalogue: uid -> name, in the catalogue's order."""
    rows = CatalogueEntry.objects.filter(source__key=EU_AI_ACT, withdrawn=False).order_by("position")
    return dict(rows.values_list("uid", "name"))


def eu_ai_act_tier_lookup() -> dict[str, str]:
    """Lower-cased uid, ref ('high') or name ('High risk') -> uid, for reading what people type."""
    lookup: dict[str, str] = {}
    rows = CatalogueEntry.objects.filter(source__key=EU_AI_ACT, withdrawn=False)
    for uid, ref, name in rows.values_list("uid", "ref", "name"):
        for key in (uid, ref, name):
            lookup.setdefault(key.lower(), uid)
    return lookup
