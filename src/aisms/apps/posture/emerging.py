"""Emerging threats: intelligence that fits no known technique well, grouped for an analyst to review.

New reports, notes, MISP events and attack patterns without known technique ids are run through the
technique classifier; those it flags as novel are clustered, and each cluster becomes a candidate with
its key terms and sources. An analyst names it, turns it into a custom threat in the catalogue (uid
``custom:<slug>``) or dismisses it with a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueSource
from aisms.apps.intel.models import IntelItem
from aisms.apps.posture.models import EmergingStatus, EmergingThreat
from aisms.domain.access import Action
from aisms.domain.classify.novelty import cluster_novel

logger = logging.getLogger(__name__)

NOVELTY_KINDS = ("report", "note", "misp-event", "attack-pattern")
CUSTOM_SOURCE = "custom"
_MAX_TEXT = 5000


def _text(item: IntelItem) -> str:
    return f"{item.title}\n{item.description}"[:_MAX_TEXT]


def _sources(items: Sequence[IntelItem]) -> list[str]:
    names: list[str] = []
    for item in items:
        candidates = [item.source.name] if item.source else []
        for sighting in item.provenance or []:
            if isinstance(sighting, dict):
                name = sighting.get("source") or sighting.get("source_name")
                if isinstance(name, str):
                    candidates.append(name)
        for name in candidates:
            if name and name not in names:
                names.append(name)
    return names


def _fingerprint(item_ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(item_ids)).encode()).hexdigest()


def find_emerging(item_ids: Sequence[int], *, now: dt.datetime) -> tuple[int, str]:
    """Classify the candidate items among `item_ids`; cluster the novel ones into new candidates.

    Returns how many candidates were created and a note (empty, or why nothing could be done)."""
    items = list(
        IntelItem.objects.filter(pk__in=item_ids, kind__in=NOVELTY_KINDS, emerging_threats__isnull=True)
        .select_related("source")
        .order_by("pk")
    )
    items = [i for i in items if not i.technique_uids]
    if not items:
        return 0, ""
    from aisms.apps.catalogue import technique_classifier  # loads scikit-learn on use

    novel: dict[str, IntelItem] = {}
    novelty: dict[str, float] = {}
    try:  # one model lookup and one batch: only the novelty is needed, not the explanations
        results = technique_classifier.classify_texts([_text(item) for item in items], k=1, explain=False)
    except Exception as exc:  # a classifier failure must not lose the correlation run
        logger.warning("classifying %d intel items failed: %s", len(items), exc)
        return 0, f"emerging threats skipped: the classifier failed ({exc})"
    for item, result in zip(items, results, strict=True):
        if result.is_novel:
            novel[str(item.pk)] = item
            novelty[str(item.pk)] = float(result.novelty)
    if not novel:
        return 0, ""
    clusters = cluster_novel([(key, _text(item)) for key, item in novel.items()])
    created = 0
    for cluster in clusters:
        members = [novel[m] for m in cluster.member_ids if m in novel]
        if not members:
            continue
        fingerprint = _fingerprint([m.pk for m in members])
        if EmergingThreat.objects.filter(fingerprint=fingerprint).exists():
            continue
        threat = EmergingThreat.objects.create(
            fingerprint=fingerprint,
            key_terms=list(cluster.key_terms)[:12],
            sources=_sources(members),
            novelty=sum(novelty[str(m.pk)] for m in members) / len(members),
            created_at=now,
        )
        threat.items.set(members)
        created += 1
    return created, ""


# ------------------------------------------------------------------ analyst decisions


def _open(threat: EmergingThreat) -> EmergingThreat:
    locked = EmergingThreat.objects.select_for_update().get(pk=threat.pk)
    if locked.status != EmergingStatus.CANDIDATE:
        raise ValidationError({"status": f"this candidate is already {locked.get_status_display().lower()}"})
    return locked


@transaction.atomic
def name_emerging(actor: User, threat: EmergingThreat, *, name: str, summary: str = "") -> EmergingThreat:
    """Give a candidate a name and a short description (an analyst's first step)."""
    require(actor, Action.EDIT)
    if not name.strip():
        raise ValidationError({"name": "give the emerging threat a name"})
    threat = _open(threat)
    threat.name = name.strip()[:200]
    threat.summary = summary.strip()
    threat._history_user = actor  # type: ignore[attr-defined]
    threat.save()
    return threat


def _custom_source() -> CatalogueSource:
    source, _ = CatalogueSource.objects.get_or_create(
        key=CUSTOM_SOURCE,
        defaults={
            "prefix": CUSTOM_SOURCE,
            "version": "local",
            "title": "Custom threats",
            "publisher": "This organisation",
            "url": "",
            "licence": "Written by this organisation's analysts from its threat intelligence.",
        },
    )
    return source


def _free_uid(name: str) -> tuple[str, str]:
    base = slugify(name)[:60] or "threat"
    slug, n = base, 1
    while CatalogueEntry.objects.filter(uid=f"{CUSTOM_SOURCE}:{slug}").exists():
        n += 1
        slug = f"{base}-{n}"
    return f"{CUSTOM_SOURCE}:{slug}", slug


@transaction.atomic
def accept_emerging(
    actor: User, threat: EmergingThreat, *, name: str = "", summary: str = ""
) -> CatalogueEntry:
    """Turn a candidate into a custom threat in the catalogue (uid ``custom:<slug>``)."""
    require(actor, Action.MANAGE_CATALOGUE)
    threat = _open(threat)
    name = (name or threat.name).strip()
    if not name:
        raise ValidationError({"name": "name the threat before turning it into a catalogue entry"})
    summary = (summary or threat.summary).strip()
    source = _custom_source()
    uid, slug = _free_uid(name)
    members = list(threat.items.all())
    entry = CatalogueEntry(
        uid=uid,
        source=source,
        ref=slug[:40],
        kind="technique",
        name=name[:300],
        summary=summary,
        attributes={
            "key_terms": threat.key_terms,
            "intel_sources": threat.sources,
            "intel_items": [m.external_id for m in members],
            "emerging_threat": threat.pk,
        },
        position=CatalogueEntry.objects.filter(source=source).count(),
    )
    entry._history_user = actor  # type: ignore[attr-defined]
    entry._change_reason = f"from emerging threat #{threat.pk}"  # type: ignore[attr-defined]
    entry.save()
    threat.name = name[:200]
    threat.summary = summary
    threat.status = EmergingStatus.ACCEPTED
    threat.catalogue_uid = uid
    threat.decided_by = actor
    threat.decided_at = timezone.now()
    threat._history_user = actor  # type: ignore[attr-defined]
    threat.save()
    return entry


@transaction.atomic
def dismiss_emerging(actor: User, threat: EmergingThreat, *, reason: str) -> EmergingThreat:
    require(actor, Action.MANAGE_CATALOGUE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the candidate is dismissed"})
    threat = _open(threat)
    threat.status = EmergingStatus.DISMISSED
    threat.reason = reason.strip()
    threat.decided_by = actor
    threat.decided_at = timezone.now()
    threat._history_user = actor  # type: ignore[attr-defined]
    threat.save()
    return threat
