"""Work out what an upstream ATLAS distribution changes in the catalogue (pure, no side effects)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from aisms.catalogue.atlas_import import AtlasDistribution
from aisms.catalogue.model import Entry


@dataclass
class AtlasUpdate:
    version: str
    upserts: list[Entry] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # in the catalogue, absent upstream: kept, marked


def _facts(attributes: dict[str, object]) -> dict[str, object]:
    """What counts as a change: upstream prose is shown but does not make an entry 'changed'."""
    return {k: v for k, v in attributes.items() if k != "upstream_description"}


def plan_atlas_update(current: dict[str, Entry], dist: AtlasDistribution) -> AtlasUpdate:
    """Keep our own summaries for entries we know; take names, maturity and links from upstream."""
    update = AtlasUpdate(version=dist.version)
    incoming = {e.uid for e in dist.entries}
    for new in dist.entries:
        old = current.get(new.uid)
        if old is None:
            update.upserts.append(new)
            update.added.append(new.uid)
            continue
        merged_attributes = {k: v for k, v in old.attributes.items() if k not in ("withdrawn",)}
        merged_attributes.update(new.attributes)
        for stale in ("maturity", "attack_ref", "categories", "lifecycle", "upstream_description"):
            if stale in old.attributes and stale not in new.attributes:
                merged_attributes.pop(stale, None)
        merged = replace(new, summary=old.summary, attributes=merged_attributes)
        if (merged.name, merged.parent_uid, _facts(merged.attributes), merged.kind) == (
            old.name,
            old.parent_uid,
            _facts(old.attributes),
            old.kind,
        ):
            update.unchanged.append(new.uid)
        else:
            update.changed.append(new.uid)
        update.upserts.append(merged)
    update.withdrawn = sorted(
        uid for uid, e in current.items() if e.catalogue == "atlas" and uid not in incoming
    )
    return update
