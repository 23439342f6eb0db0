"""What one feed's ingest is writing: the run, the counts and the change-log events it collects, shared by
the item and the vulnerability upserts (aisms.apps.intel.ingest, aisms.apps.intel.ingest_vulnerabilities)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Model

from aisms.apps.accounts.models import User
from aisms.apps.intel import bulk_sql
from aisms.apps.intel.models import IngestRun, IntelSource

WRITE_BATCH = 2000
LOOKUP_CHUNK = bulk_sql.LOOKUP_CHUNK
Progress = Callable[[int, int | None], None]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass
class Plan:
    run: IngestRun
    source: IntelSource | None
    now: datetime
    actor: User | None
    counts: Counts = field(default_factory=Counts)
    events: list[Any] = field(default_factory=list)
    unchanged_items: set[tuple[str, str]] = field(default_factory=set)
    seen_at: str = ""  # now, as provenance entries write it (worked out once, not per item)

    def __post_init__(self) -> None:
        self.seen_at = self.now.isoformat()


def load_rows(model: type[Model], pks: Sequence[int]) -> Iterable[Any]:
    """Model objects by primary key, in chunks (keys are found first with a cheap two-column query)."""
    for start in range(0, len(pks), LOOKUP_CHUNK):
        yield from model.objects.filter(pk__in=pks[start : start + LOOKUP_CHUNK])  # type: ignore[attr-defined]


def new_event(
    plan: Plan,
    kind: str,
    item_id: int,
    *,
    vulnerability_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Any:
    return SimpleNamespace(
        kind=kind,
        item_id=item_id,
        vulnerability_id=vulnerability_id,
        run_id=plan.run.pk,
        at=plan.now,
        detail=detail or {},
        processed_at=None,
    )
