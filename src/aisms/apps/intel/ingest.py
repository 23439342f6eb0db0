"""Storing parsed feeds: one transaction per file, bulk upserts, merged duplicates, provenance, events.

A feed is parsed completely (and so validated) before anything is written; the upsert then runs in one
transaction, so a bad file or a failure half-way stores nothing. After the commit the posture
correlation job is started when it is installed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.intel import bulk_sql
from aisms.apps.intel.ingest_plan import WRITE_BATCH, Counts, Plan, Progress, load_rows, new_event
from aisms.apps.intel.ingest_vulnerabilities import apply_epss as _apply_epss
from aisms.apps.intel.ingest_vulnerabilities import upsert_vulnerabilities as _upsert_vulnerabilities
from aisms.apps.intel.models import IngestRun, IntelEvent, IntelItem, IntelSource
from aisms.domain.intel.records import (
    ParsedFeed,
    ParsedItem,
    ParsedVulnerability,
    content_hash,
    stricter_tlp,
)

logger = logging.getLogger(__name__)

_ITEM_CONTENT = (
    "title",
    "description",
    "pattern",
    "confidence",
    "tlp",
    "technique_uids",
    "cve_ids",
    "labels",
    "references",
    "observables",
)
_ITEM_UPDATE_FIELDS = (*_ITEM_CONTENT, "stix_id", "published", "last_seen", "provenance", "content_hash")
_ITEM_CREATE_FIELDS = (*_ITEM_UPDATE_FIELDS, "source", "kind", "external_id", "first_seen", "created_by")
_EVENT_FIELDS = ("kind", "item", "vulnerability", "run", "at", "detail", "processed_at")


def start_run(
    *,
    fmt: str,
    source: IntelSource | None = None,
    filename: str = "",
    url: str = "",
    actor: User | None = None,
    job_id: int | None = None,
) -> IngestRun:
    """Record that an ingest has begun (committed at once, so the source page shows it running)."""
    return IngestRun.objects.create(
        source=source,
        format=fmt,
        filename=filename[:500],
        url=url[:1000],
        started_at=timezone.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        job_id=job_id,
    )


def finish_run(
    run: IngestRun, *, error: str = "", counts: dict[str, int] | None = None, log: str = ""
) -> None:
    run.finished_at = timezone.now()
    run.status = "failed" if error else "succeeded"
    run.error = error
    if counts is not None:
        run.counts = counts
    if log:
        run.log = (run.log + log)[-100_000:]
    run.save(update_fields=["finished_at", "status", "error", "counts", "log", "bytes_read"])
    if run.source_id is not None:
        IntelSource.objects.filter(pk=run.source_id).update(
            last_run_at=run.finished_at, last_status=run.status
        )


def store_feed(
    feed: ParsedFeed, run: IngestRun, *, actor: User | None = None, progress: Progress | None = None
) -> Counts:
    """Upsert everything a parsed feed holds, in one transaction; returns the counts."""
    plan = Plan(run=run, source=run.source, now=timezone.now(), actor=actor)
    plan.counts.skipped = feed.skipped
    with transaction.atomic():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # a larger page cache for bulk upserts (this connection)
                cursor.execute("PRAGMA cache_size = -65536")
        parsed = _merge_duplicates([*feed.items, *(_vulnerability_item(v) for v in feed.vulnerabilities)])
        items = _upsert_items(plan, parsed, progress)
        if feed.vulnerabilities:
            _upsert_vulnerabilities(plan, feed.vulnerabilities, items)
        if feed.epss:
            _apply_epss(plan, feed.epss)
        bulk_sql.insert(IntelEvent, plan.events, _EVENT_FIELDS)
        transaction.on_commit(lambda: start_posture_correlation(run, actor))
    return plan.counts


def start_posture_correlation(run: IngestRun, actor: User | None) -> None:
    """Start the posture engineer's correlation job, when that app registers it."""
    try:
        from aisms.apps.jobs.runner import is_registered  # optional dependency
        from aisms.apps.jobs.services import submit
    except ImportError:
        return
    if not is_registered("posture.correlate"):
        return
    try:
        submit("posture.correlate", title="Correlate new intelligence", user=actor, run_id=run.pk)
    except Exception:  # the ingest is committed; a failing follow-up job must not undo or hide that
        logger.exception("could not start posture.correlate for ingest run %s", run.pk)


# --- items -----------------------------------------------------------------------------------------------


def _vulnerability_item(vuln: ParsedVulnerability) -> ParsedItem:
    title = vuln.kev.name if vuln.kev is not None else vuln.cve_id
    return ParsedItem(
        kind="vulnerability",
        external_id=vuln.cve_id,
        title=title,
        description=vuln.description,
        cve_ids=[vuln.cve_id],
        references=list(vuln.nvd.references[:20]) if vuln.nvd is not None else [],
        labels=list(vuln.nvd.weaknesses) if vuln.nvd is not None else [],
        ref=vuln.ref or vuln.cve_id,
        published=_vulnerability_published(vuln),
    )


def _vulnerability_published(vuln: ParsedVulnerability) -> datetime | None:
    if vuln.nvd is not None and vuln.nvd.published is not None:
        return vuln.nvd.published
    if vuln.kev is not None:
        added = vuln.kev.date_added
        return datetime(added.year, added.month, added.day, tzinfo=UTC)
    return None


def _union(old: Sequence[Any], new: Iterable[Any]) -> list[Any]:
    merged = list(old)
    for value in new:
        if value not in merged:
            merged.append(value)
    return merged


def _merge_into(target: ParsedItem, other: ParsedItem) -> None:
    if other.title and (other.title != other.external_id or target.title == target.external_id):
        target.title = other.title
    for name in ("pattern", "stix_id"):
        if getattr(other, name):
            setattr(target, name, getattr(other, name))
    # A CVE keeps its fullest description (usually NVD's); other items take the latest one.
    if other.description and (
        target.kind != "vulnerability" or len(other.description) > len(target.description)
    ):
        target.description = other.description
    if other.confidence is not None:
        target.confidence = max(target.confidence or 0, other.confidence)
    if other.tlp is not None:
        target.tlp = other.tlp if target.tlp is None else stricter_tlp(target.tlp, other.tlp)
    for name in ("technique_uids", "cve_ids", "labels", "references"):
        setattr(target, name, _union(getattr(target, name), getattr(other, name)))
    if other.observables:
        target.observables = other.observables


def _merge_duplicates(parsed: Iterable[ParsedItem]) -> dict[tuple[str, str], ParsedItem]:
    by_key: dict[tuple[str, str], ParsedItem] = {}
    for item in parsed:
        existing = by_key.get(item.key)
        if existing is None:
            by_key[item.key] = item
        else:
            _merge_into(existing, item)
    return by_key


def _content(values: dict[str, Any]) -> str:
    return content_hash({name: values[name] for name in _ITEM_CONTENT})


def _provenance_entry(plan: Plan, ref: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "source": plan.source.pk if plan.source is not None else None,
        "run": plan.run.pk,
        "seen_at": plan.seen_at,
        "ref": ref,
    }
    if plan.source is None:
        entry["file"] = plan.run.filename
    return entry


def _add_provenance(existing: list[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per (source or file, original id): a re-sighting moves it on instead of growing the list."""
    key = (entry["source"], entry.get("file"), entry["ref"])
    merged = [e for e in existing if (e.get("source"), e.get("file"), e.get("ref")) != key]
    merged.append(entry)
    return merged


def _by_kind(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {}
    for kind, external_id in keys:
        by_kind.setdefault(kind, []).append(external_id)
    return by_kind


def _existing_items(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], IntelItem]:
    pks: list[int] = []
    for kind, ids in _by_kind(keys).items():
        pks.extend(bulk_sql.ids_by(IntelItem, "external_id", ids, kind=kind).values())
    return {(item.kind, item.external_id): item for item in load_rows(IntelItem, pks)}


def _existing_ids(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for kind, ids in _by_kind(keys).items():
        for external_id, pk in bulk_sql.ids_by(IntelItem, "external_id", ids, kind=kind).items():
            found[(kind, external_id)] = pk
    return found


def _new_item_event(plan: Plan) -> dict[str, Any]:
    """The change-log event of every item an ingest creates, but for the item (written with the items)."""
    return {
        "kind": "item-new",
        "vulnerability": None,
        "run": plan.run.pk,
        "at": plan.now,
        "detail": {},
        "processed_at": None,
    }


def _upsert_items(
    plan: Plan, parsed: dict[tuple[str, str], ParsedItem], progress: Progress | None
) -> dict[str, int]:
    """Create or merge the items; returns the ids of vulnerability items by CVE id."""
    existing = _existing_items(parsed)
    source = plan.source
    default_tlp = source.default_tlp if source is not None else "clear"
    default_confidence = source.default_confidence if source is not None else None
    user_id = plan.actor.pk if plan.actor is not None else None
    created: list[Any] = []
    changed: list[IntelItem] = []
    seen_again: list[IntelItem] = []
    change_detail: list[tuple[IntelItem, list[str]]] = []
    for key, new in parsed.items():
        item = existing.get(key)
        entry = _provenance_entry(plan, new.ref or new.external_id)
        if item is None:
            values: dict[str, Any] = {
                "title": (new.title or new.external_id)[:500],
                "description": new.description,
                "pattern": new.pattern,
                "confidence": new.confidence if new.confidence is not None else default_confidence,
                "tlp": new.tlp or default_tlp,
                "technique_uids": new.technique_uids,
                "cve_ids": new.cve_ids,
                "labels": new.labels,
                "references": new.references,
                "observables": new.observables,
            }
            created.append(
                SimpleNamespace(
                    id=None,
                    source_id=source.pk if source is not None else None,
                    kind=new.kind,
                    external_id=new.external_id[:300],
                    stix_id=new.stix_id[:300],
                    first_seen=plan.now,
                    last_seen=plan.now,
                    published=new.published,
                    provenance=[entry],
                    created_by_id=user_id,
                    content_hash=content_hash(values),  # values holds exactly the _ITEM_CONTENT fields
                    **values,
                )
            )
            continue
        before = {name: getattr(item, name) for name in _ITEM_CONTENT}
        merged = ParsedItem(
            kind=item.kind,
            external_id=item.external_id,
            title=item.title,
            description=item.description,
            stix_id=item.stix_id,
            pattern=item.pattern,
            confidence=item.confidence,
            tlp=item.tlp,
            technique_uids=list(item.technique_uids),
            cve_ids=list(item.cve_ids),
            labels=list(item.labels),
            references=list(item.references),
            observables=list(item.observables),
        )
        if new.confidence is None and default_confidence is not None:
            new.confidence = default_confidence
        if new.tlp is None and source is not None:
            new.tlp = default_tlp
        _merge_into(merged, new)
        for name in (*_ITEM_CONTENT, "stix_id"):
            setattr(item, name, getattr(merged, name))
        if item.published is None or (new.published is not None and new.published < item.published):
            item.published = new.published or item.published
        item.title = item.title[:500]
        item.last_seen = plan.now
        item.provenance = _add_provenance(item.provenance or [], entry)
        new_hash = _content({name: getattr(item, name) for name in _ITEM_CONTENT})
        if new_hash != item.content_hash:
            item.content_hash = new_hash
            changed.append(item)
            change_detail.append((item, [n for n in _ITEM_CONTENT if before[n] != getattr(item, n)]))
        else:
            seen_again.append(item)
    total = len(created) + len(changed) + len(seen_again)
    # A new item's first version is its row (no history row yet); it is copied into the history, dated
    # first_seen, just before the item first changes.
    for start in range(0, len(created), WRITE_BATCH):
        batch = created[start : start + WRITE_BATCH]
        bulk_sql.insert(IntelItem, batch, _ITEM_CREATE_FIELDS)
        ids = _existing_ids((i.kind, i.external_id) for i in batch)
        for row in batch:
            row.id = row.pk = ids[(row.kind, row.external_id)]
        bulk_sql.insert_per_row(
            IntelEvent, IntelItem, [row.id for row in batch], key="item", values=_new_item_event(plan)
        )
        if progress is not None:
            progress(start + len(batch), total)
    for start in range(0, len(changed), WRITE_BATCH):
        batch = changed[start : start + WRITE_BATCH]
        dated, by = IntelItem.FIRST_VERSION_ON_ROW
        bulk_sql.copy_first_versions(IntelItem, [i.pk for i in batch], dated=dated, by=by)
        bulk_sql.update(IntelItem, batch, _ITEM_UPDATE_FIELDS)
        bulk_sql.copy_history(
            IntelItem, [i.pk for i in batch], history_type="~", user_id=user_id, at=plan.now
        )
    bulk_sql.update(IntelItem, seen_again, ("last_seen", "provenance"))
    if progress is not None:
        progress(total, total)
    plan.counts.created += len(created)
    plan.counts.updated += len(changed)
    plan.counts.unchanged += len(seen_again)
    plan.unchanged_items.update((i.kind, i.external_id) for i in seen_again)
    for item, fields in change_detail:
        plan.events.append(new_event(plan, "item-updated", item.pk, detail={"fields": fields}))
    every = [*created, *changed, *seen_again]
    return {i.external_id: i.pk for i in every if i.kind == "vulnerability"}
