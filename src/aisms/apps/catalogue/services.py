"""Writes to the stored catalogue: load the shipped content, apply an upstream ATLAS release."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import (
    CatalogueEntry,
    CatalogueImport,
    CatalogueLink,
    CatalogueSource,
    LabelledExample,
)
from aisms.apps.catalogue.tasks import start_retraining
from aisms.catalogue.atlas_import import parse_atlas_distribution
from aisms.catalogue.atlas_merge import plan_atlas_update
from aisms.catalogue.model import Catalogue, Entry, Link, Relation, SourceInfo
from aisms.domain.access import Action

Progress = Callable[[str, int, int], None]

_ENTRY_FIELDS = ["name", "summary", "kind", "ref", "attributes", "position", "withdrawn", "source"]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def _upsert_source(info: SourceInfo) -> CatalogueSource:
    source, _ = CatalogueSource.objects.update_or_create(
        key=info.key,
        defaults={
            "prefix": info.prefix,
            "version": info.version,
            "title": info.title,
            "publisher": info.publisher,
            "url": info.url,
            "licence": info.licence,
            "loaded_at": timezone.now(),
        },
    )
    return source


def _upsert_entries(
    entries: Iterable[Entry], sources: dict[str, CatalogueSource], user: User | None
) -> dict[str, CatalogueEntry]:
    """Create or update entries (and their parents), keeping history; returns every stored entry by uid."""
    stored = {e.uid: e for e in CatalogueEntry.objects.all()}
    entries = list(entries)
    new_rows: list[CatalogueEntry] = []
    changed_rows: list[CatalogueEntry] = []
    for entry in entries:
        values = {
            "name": entry.name,
            "summary": entry.summary,
            "kind": entry.kind,
            "ref": entry.ref,
            "attributes": entry.attributes,
            "position": entry.position,
            "withdrawn": False,
            "source": sources[entry.catalogue],
        }
        row = stored.get(entry.uid)
        if row is None:
            new_rows.append(CatalogueEntry(uid=entry.uid, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed_rows.append(row)
    if new_rows:
        bulk_create_with_history(new_rows, CatalogueEntry, batch_size=500, default_user=user)
    if changed_rows:
        bulk_update_with_history(
            changed_rows, CatalogueEntry, _ENTRY_FIELDS, batch_size=500, default_user=user
        )
    stored = {e.uid: e for e in CatalogueEntry.objects.all()}
    reparented = []
    for entry in entries:
        row = stored[entry.uid]
        parent_id = stored[entry.parent_uid].pk if entry.parent_uid else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            reparented.append(row)
    if reparented:
        bulk_update_with_history(reparented, CatalogueEntry, ["parent"], batch_size=500, default_user=user)
    return stored


def _create_links(links: Iterable[Link], stored: dict[str, CatalogueEntry]) -> int:
    rows = {
        (link.source_uid, link.target_uid, link.relation.value): CatalogueLink(
            source=stored[link.source_uid],
            target=stored[link.target_uid],
            relation=link.relation.value,
            rationale=link.rationale,
        )
        for link in links
    }
    CatalogueLink.objects.bulk_create(rows.values(), batch_size=1000)
    return len(rows)


@dataclass(frozen=True)
class LoadResult:
    loaded: bool
    entries: int
    links: int


def load_builtin_catalogue(
    catalogue: Catalogue, *, force: bool = False, progress: Progress = _no_progress
) -> LoadResult:
    """Store the shipped catalogue. Skipped when one is already stored, unless forced."""
    if CatalogueSource.objects.exists() and not force:
        return LoadResult(
            loaded=False, entries=CatalogueEntry.objects.count(), links=CatalogueLink.objects.count()
        )
    steps = 3
    with transaction.atomic():
        progress("sources", 0, steps)
        sources = {key: _upsert_source(info) for key, info in catalogue.sources.items()}
        progress("entries", 1, steps)
        stored = _upsert_entries(catalogue.entries.values(), sources, None)
        progress("links", 2, steps)
        CatalogueLink.objects.all().delete()
        links = _create_links(catalogue.links, stored)
        progress("done", 3, steps)
    return LoadResult(loaded=True, entries=len(catalogue.entries), links=links)


def _as_domain(row: CatalogueEntry, parent_uids: dict[int, str]) -> Entry:
    return Entry(
        uid=row.uid,
        catalogue="atlas",
        ref=row.ref,
        kind=row.kind,
        name=row.name,
        summary=row.summary,
        parent_uid=parent_uids.get(row.parent_id) if row.parent_id else None,
        attributes=dict(row.attributes),
        position=row.position,
    )


@dataclass(frozen=True)
class AtlasImportResult:
    version: str
    previous_version: str | None
    added: int
    changed: int
    unchanged: int
    withdrawn: int
    links: int
    examples: int


_ATLAS_RELATIONS = [Relation.TACTIC.value, Relation.MITIGATES.value]


def import_atlas(text: str, filename: str, *, actor: User | None = None) -> AtlasImportResult:
    """Apply an upstream ATLAS distribution file in one transaction.

    The file is parsed and checked in full before anything is written, and every write happens in one
    transaction: a bad or partial file raises CatalogueError and leaves the catalogue exactly as it was.
    """
    if actor is not None:
        require(actor, Action.MANAGE_CATALOGUE)
    dist = parse_atlas_distribution(text, filename)
    with transaction.atomic():
        source = CatalogueSource.objects.select_for_update().filter(key="atlas").first()
        if source is None:
            raise CatalogueSource.DoesNotExist("load the built-in catalogue first (aisms init)")
        previous_version = source.version
        rows = list(CatalogueEntry.objects.filter(source=source))
        parent_uids = {r.pk: r.uid for r in CatalogueEntry.objects.filter(source=source)}
        current = {r.uid: _as_domain(r, parent_uids) for r in rows}
        plan = plan_atlas_update(current, dist)
        stored = _upsert_entries(plan.upserts, {"atlas": source}, actor)
        withdrawn_rows = [stored[uid] for uid in plan.withdrawn if not stored[uid].withdrawn]
        for row in withdrawn_rows:
            row.withdrawn = True
        if withdrawn_rows:
            bulk_update_with_history(withdrawn_rows, CatalogueEntry, ["withdrawn"], default_user=actor)
        CatalogueLink.objects.filter(source__source=source, relation__in=_ATLAS_RELATIONS).delete()
        links = _create_links(dist.links, stored)
        LabelledExample.objects.filter(origin="atlas-case-study").delete()
        LabelledExample.objects.bulk_create(
            [
                LabelledExample(
                    technique=stored[example.technique_uid],
                    text=example.text,
                    origin="atlas-case-study",
                    case_study=example.case_study,
                    case_study_name=example.case_study_name[:300],
                    step=example.step,
                )
                for example in dist.examples
            ],
            batch_size=1000,
        )
        source.version = dist.version
        source.loaded_at = timezone.now()
        if actor is not None:
            source._history_user = actor  # type: ignore[attr-defined]
        source.save()
        result = AtlasImportResult(
            version=dist.version,
            previous_version=previous_version,
            added=len(plan.added),
            changed=len(plan.changed),
            unchanged=len(plan.unchanged),
            withdrawn=len(plan.withdrawn),
            links=links,
            examples=len(dist.examples),
        )
        CatalogueImport.objects.create(
            kind="atlas",
            filename=filename[-255:],
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            upstream_version=dist.version,
            counts={k: v for k, v in result.__dict__.items() if isinstance(v, int)},
            imported_by=actor,
        )
        reason = f"ATLAS {dist.version} imported with {len(dist.examples)} case-study examples"
        transaction.on_commit(lambda: start_retraining(reason, actor))
    return result
