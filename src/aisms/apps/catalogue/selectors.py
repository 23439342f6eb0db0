"""Reads of the stored catalogue: search, filtered lists, an entry with its links, the ATLAS matrix."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from aisms.apps.catalogue.models import CatalogueEntry, CatalogueLink, CatalogueSource, LabelledExample
from aisms.catalogue.model import AI_THREAT_CATALOGUES, Relation
from aisms.catalogue.schema import ATTRIBUTE_VOCABULARY, MATURITY, THEMES

__all__ = ["ATTRIBUTE_VOCABULARY", "MATURITY", "THEMES"]


def stats() -> dict[str, Any]:
    """Counts per catalogue and kind, links per relation, labelled examples."""
    per: dict[str, dict[str, Any]] = {
        source.key: {"version": source.version, "title": source.title, "entries": 0, "kinds": {}}
        for source in CatalogueSource.objects.all()
    }
    rows = CatalogueEntry.objects.values("source__key", "kind").annotate(n=Count("id")).order_by()
    for row in rows:
        item = per.setdefault(row["source__key"], {"version": "", "title": "", "entries": 0, "kinds": {}})
        item["kinds"][row["kind"]] = row["n"]
        item["entries"] += row["n"]
    links = {
        row["relation"]: row["n"]
        for row in CatalogueLink.objects.values("relation").annotate(n=Count("id")).order_by("relation")
    }
    return {"catalogues": per, "links": links, "labelled_examples": LabelledExample.objects.count()}


_SUFFIXES = ("ings", "ing", "ers", "ed", "es", "er", "s")


def word_stem(word: str) -> str:
    """A crude stem so that 'poisoning' finds 'Poison Training Data' and 'attacks' finds 'attack'."""
    lowered = word.lower()
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)]
    return word


def search(
    query: str = "", catalogue: str | None = None, kind: str | None = None
) -> QuerySet[CatalogueEntry]:
    """Entries matching every word of the query, identifier and name matches first."""
    rows = CatalogueEntry.objects.select_related("source")
    if catalogue:
        rows = rows.filter(source__key=catalogue)
    if kind:
        rows = rows.filter(kind=kind)
    words = query.split()
    for word in words[:8]:
        stem = word_stem(word)
        rows = rows.filter(Q(ref__icontains=stem) | Q(name__icontains=stem) | Q(summary__icontains=stem))
    if not words:
        return rows.order_by("source__key", "position")
    phrase = query.strip()
    rank = Case(
        When(Q(ref__iexact=phrase) | Q(uid__iexact=phrase), then=Value(0)),
        When(name__icontains=phrase, then=Value(1)),
        When(Q(ref__icontains=words[0]) | Q(name__icontains=words[0]), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return rows.annotate(rank=rank).order_by("rank", "source__key", "position")


def controls(theme: str | None = None, attributes: dict[str, str] | None = None) -> list[CatalogueEntry]:
    """ISO/IEC 27002 controls of a theme having every given attribute value (e.g. control_type=detective)."""
    rows = (
        CatalogueEntry.objects.filter(source__key="iso27002", kind="control")
        .select_related("source")
        .annotate(threat_count=Count("links_in", filter=Q(links_in__relation=Relation.TREATED_BY.value)))
        .order_by("position")
    )
    if theme:
        rows = rows.filter(attributes__theme=theme)
    wanted = {k: v for k, v in (attributes or {}).items() if v}
    return [row for row in rows if all(value in row.attributes.get(key, []) for key, value in wanted.items())]


def techniques(tactic: str | None = None, maturity: str | None = None) -> list[CatalogueEntry]:
    """ATLAS techniques (sub-techniques count under their parent's tactics)."""
    rows = CatalogueEntry.objects.filter(source__key="atlas", kind="technique").select_related("parent")
    if maturity:
        rows = rows.filter(attributes__maturity=maturity)
    if tactic:
        parents = CatalogueLink.objects.filter(relation=Relation.TACTIC.value, target__uid=tactic).values(
            "source_id"
        )
        rows = rows.filter(Q(id__in=parents) | Q(parent_id__in=parents))
    return list(rows.order_by("ref"))


@dataclass
class MatrixColumn:
    tactic: CatalogueEntry
    techniques: list[CatalogueEntry] = field(default_factory=list)


def atlas_matrix() -> list[MatrixColumn]:
    """Tactics in kill-chain order, each with its (parent) techniques: the ATLAS matrix."""
    tactics = list(CatalogueEntry.objects.filter(source__key="atlas", kind="tactic").order_by("position"))
    columns = {t.pk: MatrixColumn(tactic=t) for t in tactics}
    sub_counts = dict(
        CatalogueEntry.objects.filter(source__key="atlas", kind="technique", parent__isnull=False)
        .values_list("parent_id")
        .annotate(n=Count("id"))
    )
    links = CatalogueLink.objects.filter(relation=Relation.TACTIC.value).select_related("source")
    for link in links.order_by("source__name"):
        column = columns.get(link.target_id)
        if column is not None:
            link.source.sub_count = sub_counts.get(link.source_id, 0)  # type: ignore[attr-defined]
            column.techniques.append(link.source)
    return [columns[t.pk] for t in tactics]


@dataclass
class LinkedEntry:
    entry: CatalogueEntry
    rationale: str = ""
    inherited_from: CatalogueEntry | None = None


@dataclass
class EntryDetail:
    entry: CatalogueEntry
    children: list[CatalogueEntry]
    outgoing: dict[str, list[LinkedEntry]]  # relation -> targets
    incoming: dict[str, list[LinkedEntry]]  # relation -> sources
    examples: int

    @property
    def is_ai_threat(self) -> bool:
        return self.entry.source.key in AI_THREAT_CATALOGUES and self.entry.kind in ("technique", "risk")


def entry_detail(uid: str) -> EntryDetail:
    entry = CatalogueEntry.objects.select_related("source", "parent").get(uid=uid)
    children = list(entry.children.order_by("ref"))
    outgoing: dict[str, list[LinkedEntry]] = defaultdict(list)
    incoming: dict[str, list[LinkedEntry]] = defaultdict(list)
    for link in CatalogueLink.objects.filter(source=entry).select_related("target__source"):
        outgoing[link.relation].append(LinkedEntry(link.target, link.rationale))
    for link in CatalogueLink.objects.filter(target=entry).select_related("source__source"):
        incoming[link.relation].append(LinkedEntry(link.source, link.rationale))
    if entry.parent is not None and entry.kind == "technique":
        # A sub-technique is treated by what treats its parent, and mitigated by its parent's mitigations.
        inherited = CatalogueLink.objects.filter(
            source=entry.parent, relation__in=[Relation.TREATED_BY.value, Relation.MAPS_TO.value]
        ).select_related("target__source")
        for link in inherited:
            outgoing[link.relation].append(
                LinkedEntry(link.target, link.rationale, inherited_from=entry.parent)
            )
    for items in [*outgoing.values(), *incoming.values()]:
        items.sort(key=lambda item: (item.entry.source.key, item.entry.position))
    return EntryDetail(
        entry=entry,
        children=children,
        outgoing=dict(outgoing),
        incoming=dict(incoming),
        examples=entry.examples.count(),
    )
