"""Reads for threat intelligence: sources with their last run, the item store with filters, one item
with its vulnerability record and the catalogue names of its techniques, and running jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.intel.models import IngestRun, IntelEvent, IntelItem, IntelSource, Vulnerability
from aisms.domain.access import Action


def _view(user: User | None) -> None:
    if user is not None:
        require(user, Action.VIEW)


def sources(user: User | None = None) -> QuerySet[IntelSource]:
    _view(user)
    return IntelSource.objects.all()


def runs(user: User | None = None, *, source: IntelSource | None = None) -> QuerySet[IngestRun]:
    _view(user)
    queryset = IngestRun.objects.select_related("source", "job")
    return queryset.filter(source=source) if source is not None else queryset


@dataclass(frozen=True)
class ItemFilters:
    kind: str = ""
    source: int | None = None
    tlp: str = ""
    technique: str = ""
    kev: bool | None = None
    epss_min: float | None = None
    cve: str = ""
    q: str = ""


def items(user: User | None = None, filters: ItemFilters | None = None) -> QuerySet[IntelItem]:
    """The item store, newest sighting first, narrowed by the filters."""
    _view(user)
    f = filters or ItemFilters()
    queryset = IntelItem.objects.select_related("source", "vulnerability")
    if f.kind:
        queryset = queryset.filter(kind=f.kind)
    if f.source is not None:
        queryset = queryset.filter(source_id=f.source)
    if f.tlp:
        queryset = queryset.filter(tlp=f.tlp)
    if f.technique:
        uid = f.technique if ":" in f.technique else None
        # JSON lists are searched as text so that the same query works on SQLite and PostgreSQL.
        needles = [uid] if uid else [f"atlas:{f.technique}", f"attack:{f.technique}"]
        condition = Q()
        for needle in needles:
            condition |= Q(technique_uids__icontains=f'"{needle}"')
        queryset = queryset.filter(condition)
    if f.kev is not None:
        queryset = (
            queryset.filter(vulnerability__in_kev=True)
            if f.kev
            else queryset.exclude(vulnerability__in_kev=True)
        )
    if f.epss_min is not None:
        queryset = queryset.filter(vulnerability__epss__gte=f.epss_min)
    if f.cve:
        queryset = queryset.filter(cve_ids__icontains=f'"{f.cve.strip().upper()}"')
    if f.q:
        text = f.q.strip()
        queryset = queryset.filter(
            Q(title__icontains=text) | Q(external_id__icontains=text) | Q(description__icontains=text)
        )
    return queryset


def item(user: User | None, pk: int) -> IntelItem:
    _view(user)
    return IntelItem.objects.select_related("source", "vulnerability").get(pk=pk)


def vulnerabilities(
    user: User | None = None, *, kev: bool | None = None, epss_min: float | None = None, q: str = ""
) -> QuerySet[Vulnerability]:
    _view(user)
    queryset = Vulnerability.objects.select_related("item")
    if kev is not None:
        queryset = queryset.filter(in_kev=kev)
    if epss_min is not None:
        queryset = queryset.filter(epss__gte=epss_min)
    if q:
        queryset = queryset.filter(
            Q(cve_id__icontains=q) | Q(product__icontains=q) | Q(vendor_project__icontains=q)
        )
    return queryset.order_by("-kev_date_added", "-cve_id")


def technique_names(uids: list[str]) -> dict[str, str]:
    """Catalogue names for technique uids (those not in the catalogue, e.g. ATT&CK ones, are absent)."""
    return dict(CatalogueEntry.objects.filter(uid__in=uids).values_list("uid", "name"))


def provenance(item_: IntelItem) -> list[dict[str, Any]]:
    """The item's sightings with source names resolved."""
    ids = {p.get("source") for p in item_.provenance if p.get("source")}
    names = dict(IntelSource.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        {**p, "source_name": names.get(p.get("source"), p.get("file") or "(deleted source)")}
        for p in item_.provenance
    ]


def events(user: User | None = None, *, unprocessed: bool = False) -> QuerySet[IntelEvent]:
    _view(user)
    queryset = IntelEvent.objects.select_related("item", "vulnerability", "run")
    return queryset.filter(processed_at__isnull=True) if unprocessed else queryset


def last_runs(source_ids: list[int]) -> dict[int, IngestRun]:
    """The latest run of each source (two queries, whatever the number of runs)."""
    latest_ids = (
        IngestRun.objects.filter(source_id__in=source_ids)
        .values("source_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return {run.source_id: run for run in IngestRun.objects.filter(pk__in=list(latest_ids)) if run.source_id}
