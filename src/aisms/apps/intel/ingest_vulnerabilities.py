"""Storing CVE records: KEV, NVD and STIX/MISP vulnerabilities merged per CVE, EPSS scores, their history
rows and the change-log events the posture correlation reads (kev-added, nvd-updated, epss-changed)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from types import SimpleNamespace
from typing import Any

from django.db.models import Field, Model

from aisms.apps.intel import bulk_sql
from aisms.apps.intel.ingest_plan import WRITE_BATCH, Plan, load_rows, new_event
from aisms.apps.intel.models import Vulnerability
from aisms.domain.intel.records import ParsedEpss, ParsedVulnerability

EPSS_EVENT_DELTA = 0.01
_VULN_FIELDS = (
    "description",
    "cvss_score",
    "cvss_vector",
    "published",
    "last_modified",
    "cpe_matches",
    "vendor_project",
    "product",
    "in_kev",
    "kev_date_added",
    "kev_due_date",
    "kev_known_ransomware",
    "kev_required_action",
    "epss",
    "epss_percentile",
    "epss_date",
)


def _existing_vulnerabilities(cve_ids: Sequence[str]) -> dict[str, Vulnerability]:
    pks = list(bulk_sql.ids_by(Vulnerability, "cve_id", cve_ids).values())
    return {vuln.cve_id: vuln for vuln in load_rows(Vulnerability, pks)}


def upsert_vulnerabilities(plan: Plan, parsed: Sequence[ParsedVulnerability], items: dict[str, int]) -> None:
    merged: dict[str, ParsedVulnerability] = {}
    for record in parsed:
        previous = merged.get(record.cve_id)
        if previous is None:
            merged[record.cve_id] = record
        else:
            previous.kev = record.kev or previous.kev
            previous.nvd = record.nvd or previous.nvd
            previous.description = record.description or previous.description
    existing = _existing_vulnerabilities(list(merged))
    created: list[Any] = []
    changed: list[Vulnerability] = []
    pending_events: list[tuple[Any, dict[str, Any] | None, ParsedVulnerability]] = []
    for cve_id, new in merged.items():
        vuln = existing.get(cve_id)
        if vuln is None:
            fresh = _new_vulnerability(cve_id, items[cve_id])
            _apply_vulnerability(fresh, new)
            created.append(fresh)
            pending_events.append((fresh, None, new))
            continue
        before = {name: getattr(vuln, name) for name in _VULN_FIELDS}
        _apply_vulnerability(vuln, new)
        if {name: getattr(vuln, name) for name in _VULN_FIELDS} != before:
            changed.append(vuln)
            if ("vulnerability", cve_id) in plan.unchanged_items:
                # The item's text did not change but its CVE record did: count it as updated.
                plan.unchanged_items.discard(("vulnerability", cve_id))
                plan.counts.unchanged -= 1
                plan.counts.updated += 1
        pending_events.append((vuln, before, new))
    _write_vulnerabilities(plan, created, changed)
    for vuln, earlier, record in pending_events:
        _vulnerability_events(plan, vuln, earlier, record)


def _new_vulnerability(cve_id: str, item_id: int) -> Any:
    """A CVE record to insert, with the model's field defaults, as a plain object: the row is written by
    bulk_sql, and thousands of model instances would cost a tenth of a second for nothing."""
    defaults = {name: column.get_default() for name, column in _vulnerability_fields()}
    return SimpleNamespace(pk=None, cve_id=cve_id, item_id=item_id, **defaults)


@cache
def _vulnerability_fields() -> tuple[tuple[str, Field[Any, Any]], ...]:
    return tuple((name, _concrete(Vulnerability, name)) for name in _VULN_FIELDS)


def _concrete(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101  # _VULN_FIELDS names plain columns
    return field


def _apply_vulnerability(vuln: Any, new: ParsedVulnerability) -> None:
    if new.description and (new.nvd is not None or not vuln.description):
        vuln.description = new.description
    if new.kev is not None:
        kev = new.kev
        vuln.in_kev = True
        vuln.kev_date_added = kev.date_added
        vuln.kev_due_date = kev.due_date
        vuln.kev_known_ransomware = kev.known_ransomware
        vuln.kev_required_action = kev.required_action
        vuln.vendor_project = vuln.vendor_project or kev.vendor_project
        vuln.product = vuln.product or kev.product
    if new.nvd is not None:
        nvd = new.nvd
        vuln.cvss_score = nvd.cvss_score
        vuln.cvss_vector = nvd.cvss_vector
        vuln.published = nvd.published
        vuln.last_modified = nvd.last_modified
        vuln.cpe_matches = [m.as_json() for m in nvd.cpe_matches]


def _vulnerability_events(
    plan: Plan, vuln: Any, before: dict[str, Any] | None, new: ParsedVulnerability
) -> None:
    was_in_kev = bool(before and before["in_kev"])
    if new.kev is not None and not was_in_kev:
        plan.events.append(
            new_event(
                plan,
                "kev-added",
                vuln.item_id,
                vulnerability_id=vuln.pk,
                detail={
                    "cve": vuln.cve_id,
                    "date_added": new.kev.date_added.isoformat(),
                    "due_date": new.kev.due_date.isoformat() if new.kev.due_date else None,
                    "known_ransomware": new.kev.known_ransomware,
                },
            )
        )
    if new.nvd is not None and (
        before is None
        or before["last_modified"] != vuln.last_modified
        or before["cpe_matches"] != vuln.cpe_matches
        or before["cvss_score"] != vuln.cvss_score
    ):
        plan.events.append(
            new_event(
                plan,
                "nvd-updated",
                vuln.item_id,
                vulnerability_id=vuln.pk,
                detail={
                    "cve": vuln.cve_id,
                    "cvss_old": before["cvss_score"] if before else None,
                    "cvss_new": vuln.cvss_score,
                    "last_modified": vuln.last_modified.isoformat() if vuln.last_modified else None,
                },
            )
        )


def _write_vulnerabilities(plan: Plan, created: list[Any], changed: list[Vulnerability]) -> None:
    user_id = plan.actor.pk if plan.actor is not None else None
    for start in range(0, len(created), WRITE_BATCH):
        batch = created[start : start + WRITE_BATCH]
        bulk_sql.insert(Vulnerability, batch, (*_VULN_FIELDS, "cve_id", "item"))
        ids = bulk_sql.ids_by(Vulnerability, "cve_id", [v.cve_id for v in batch])
        for vuln in batch:
            vuln.pk = ids[vuln.cve_id]
        bulk_sql.copy_history(
            Vulnerability, [v.pk for v in batch], history_type="+", user_id=user_id, at=plan.now
        )
    bulk_sql.update(Vulnerability, changed, _VULN_FIELDS)
    bulk_sql.copy_history(
        Vulnerability, [v.pk for v in changed], history_type="~", user_id=user_id, at=plan.now
    )


def apply_epss(plan: Plan, scores: Sequence[ParsedEpss]) -> None:
    """EPSS enriches CVEs already known (from KEV, NVD, STIX, MISP or reports); others are skipped."""
    latest = {s.cve_id: s for s in scores}
    existing = _existing_vulnerabilities(list(latest))
    changed: list[Vulnerability] = []
    for cve_id, score in latest.items():
        vuln = existing.get(cve_id)
        if vuln is None:
            plan.counts.skipped += 1
            continue
        old = vuln.epss
        if (
            old == score.epss
            and vuln.epss_percentile == score.percentile
            and vuln.epss_date == score.score_date
        ):
            plan.counts.unchanged += 1
            continue
        vuln.epss = score.epss
        vuln.epss_percentile = score.percentile
        vuln.epss_date = score.score_date
        changed.append(vuln)
        plan.counts.updated += 1
        if old is None or abs(score.epss - old) >= EPSS_EVENT_DELTA:
            plan.events.append(
                new_event(
                    plan,
                    "epss-changed",
                    vuln.item_id,
                    vulnerability_id=vuln.pk,
                    detail={"cve": cve_id, "old": old, "new": score.epss, "percentile": score.percentile},
                )
            )
    user_id = plan.actor.pk if plan.actor is not None else None
    bulk_sql.update(Vulnerability, changed, ("epss", "epss_percentile", "epss_date"))
    bulk_sql.copy_history(
        Vulnerability, [v.pk for v in changed], history_type="~", user_id=user_id, at=plan.now
    )
