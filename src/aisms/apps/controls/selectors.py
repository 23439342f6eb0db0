"""Reads of the Statement of Applicability: the current rows (risks and actions derived), versions, diffs."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from aisms.apps.catalogue.models import CatalogueEntry, CatalogueSource
from aisms.apps.context.services import current_organisation
from aisms.apps.controls.models import ANNEX_A_CONTROLS, ControlImplementation, SoAVersion, VersionStatus
from aisms.apps.risks.models import ActionStatus, RiskStatus, TreatmentAction
from aisms.domain import soa

DRAFT = "draft"
MAX_VERSION = 1_000_000
_CONTROL_REF = re.compile(r"\d{1,2}\.\d{1,3}")


def catalogue_label() -> str:
    source = CatalogueSource.objects.filter(key="iso27002").first()
    return f"ISO/IEC 27002:{source.version}" if source else "ISO/IEC 27002"


def annex_a_controls() -> list[soa.Control]:
    rows = CatalogueEntry.objects.filter(**ANNEX_A_CONTROLS, withdrawn=False).order_by("position")
    return [
        soa.Control(uid=e.uid, ref=e.ref, title=e.name, theme=str(e.attributes.get("theme", "")))
        for e in rows.only("uid", "ref", "name", "attributes")
    ]


def calls() -> dict[str, list[soa.ActionRef]]:
    """Control uid -> the treatment actions listing it, on risks that are not closed (cancelled actions
    call for nothing). Derived from the treatment plan on every read: never stored twice."""
    found: dict[str, list[soa.ActionRef]] = defaultdict(list)
    rows = (
        TreatmentAction.objects.filter(controls__isnull=False)
        .exclude(Q(risk__status=RiskStatus.CLOSED) | Q(status=ActionStatus.CANCELLED))
        .values_list("controls__uid", "id", "title", "risk__ref")
    )
    for uid, action_id, title, risk_ref in rows:
        found[uid].append(soa.ActionRef(risk_ref=risk_ref, id=action_id, title=title))
    return dict(found)


def _decision(row: ControlImplementation) -> soa.Decision:
    owner = row.owner
    return soa.Decision(
        applicable=row.applicable,
        justification=row.justification,
        status=soa.ImplementationStatus(row.implementation_status),
        owner=owner.username if owner else None,
        owner_name=(owner.get_full_name() or owner.username) if owner else None,
        notes=row.notes,
    )


def current_rows() -> list[soa.SoARow]:
    """The SoA as it stands (the draft): every control, its decision and what calls for it."""
    decisions = {
        row.control.uid: _decision(row)
        for row in ControlImplementation.objects.select_related("control", "owner")
    }
    return soa.derive_rows(annex_a_controls(), decisions, calls())


@dataclass(frozen=True)
class RowFilter:
    applicable: bool | None = None
    status: str = ""  # as the SoA states it: not_applicable for excluded controls
    theme: str = ""
    called_for: bool | None = None
    q: str = ""
    problems_only: bool = False


def filter_rows(rows: list[soa.SoARow], filters: RowFilter) -> list[soa.SoARow]:
    words = filters.q.lower().split()
    flagged = {p.control_uid for p in soa.problems(rows)} if filters.problems_only else set()
    return [
        row
        for row in rows
        if (filters.applicable is None or row.applicable == filters.applicable)
        and (not filters.status or row.effective_status.value == filters.status)
        and (not filters.theme or row.theme == filters.theme)
        and (filters.called_for is None or row.called_for == filters.called_for)
        and (not filters.problems_only or row.control_uid in flagged)
        and all(
            word in f"{row.ref} {row.title} {row.justification} {row.notes} {' '.join(row.risk_refs)}".lower()
            for word in words
        )
    ]


def implementation(ref: str) -> ControlImplementation:
    """The row of control `ref` (e.g. '5.7'); raises ControlImplementation.DoesNotExist."""
    if not _CONTROL_REF.fullmatch(ref):
        raise ControlImplementation.DoesNotExist(ref)
    return ControlImplementation.objects.select_related("control", "owner").get(
        control__source__key="iso27002", control__kind="control", control__ref=ref
    )


def row_of(ref: str) -> soa.SoARow:
    """The derived row of control `ref`, as in the current SoA; raises CatalogueEntry.DoesNotExist."""
    if not _CONTROL_REF.fullmatch(ref):
        raise CatalogueEntry.DoesNotExist(ref)
    entry = CatalogueEntry.objects.get(**ANNEX_A_CONTROLS, ref=ref)
    control = soa.Control(entry.uid, entry.ref, entry.name, str(entry.attributes.get("theme", "")))
    decision = ControlImplementation.objects.select_related("owner").filter(control=entry).first()
    decisions = {entry.uid: _decision(decision)} if decision else {}
    calls_for = {entry.uid: calls().get(entry.uid, [])}
    return soa.derive_rows([control], decisions, calls_for)[0]


# ------------------------------------------------------------------ versions


def versions() -> list[SoAVersion]:
    return list(SoAVersion.objects.select_related("approved_by").defer("snapshot").order_by("-version"))


def latest_approved() -> SoAVersion | None:
    return (
        SoAVersion.objects.filter(status=VersionStatus.APPROVED)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def version(number: int) -> SoAVersion:
    """Raises SoAVersion.DoesNotExist."""
    return SoAVersion.objects.select_related("approved_by").get(version=number)


def parse_which(value: str | int | None) -> str | int:
    """'draft' (or nothing) for the current SoA, else a version number; ValueError for anything else."""
    if value is None or str(value).strip().lower() in ("", DRAFT):
        return DRAFT
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_VERSION:
        raise ValueError(f"{value!r} is neither 'draft' nor a version number")
    return int(text)


def rows_of(which: str | int) -> list[soa.SoARow]:
    """The rows of a version (from its snapshot) or of the draft; raises SoAVersion.DoesNotExist."""
    if which == DRAFT:
        return current_rows()
    return soa.rows_from_snapshot(version(int(which)).snapshot)


@dataclass(frozen=True)
class Comparison:
    a: str | int
    b: str | int
    changes: list[soa.ControlChange]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys([kind.value for kind in soa.ChangeKind], 0)
        for change in self.changes:
            counts[change.kind.value] += 1
        return counts


def compare(a: str | int, b: str | int) -> Comparison:
    """What changed from `a` to `b` (each a version number or 'draft')."""
    return Comparison(a, b, soa.diff(rows_of(a), rows_of(b)))


# ------------------------------------------------------------------ export header


@dataclass(frozen=True)
class ExportHeader:
    organisation: str
    catalogue: str
    version: str  # "Version 2" or "Draft"
    approval: str  # who approved it, when; or that it is not approved
    generated_at: datetime
    file_stem: str


def export_header(which: str | int) -> ExportHeader:
    organisation = current_organisation()
    name = organisation.name if organisation else "Organisation not set up"
    now = timezone.now()
    if which == DRAFT:
        latest = latest_approved()
        approval = "Not approved (draft: the SoA as it stands)" + (
            f"; the latest approved version is {latest.version}" if latest else ""
        )
        label = "Draft"
        stem = f"soa-draft-{now:%Y-%m-%d}"
        catalogue = catalogue_label()
    else:
        row = version(int(which))
        who = (row.approved_by.get_full_name() or row.approved_by.username) if row.approved_by else "unknown"
        approval = (
            f"Approved by {who} on {row.approved_at:%Y-%m-%d %H:%M} UTC"
            if row.status == VersionStatus.APPROVED and row.approved_at
            else "Not approved"
        )
        label = f"Version {row.version}"
        stem = f"soa-v{row.version}"
        catalogue = str(row.snapshot.get("catalogue") or catalogue_label())
    return ExportHeader(name, catalogue, label, approval, now, stem)
