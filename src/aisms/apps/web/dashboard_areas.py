"""Dashboard tiles of the compliance, audit and supplier areas (each reads its area's selectors)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from aisms.apps.audits.models import CorrectiveAction, Nonconformity
from aisms.apps.compliance import selectors as compliance_selectors
from aisms.apps.compliance.models import EvidenceItem
from aisms.apps.intel.models import IntelEvent, IntelItem
from aisms.apps.posture.models import EmergingThreat, Proposal, ProposalStatus
from aisms.apps.suppliers import selectors as supplier_selectors
from aisms.apps.web.dashboard import Tile, svg
from aisms.apps.web.dashboard_charts import status_strip
from aisms.domain.compliance.status import ComplianceStatus
from aisms.domain.suppliers.schedule import Tier

EXPIRY_WINDOW_DAYS = 30

_STATUS_COLOURS = [
    (ComplianceStatus.COMPLIANT, "compliant", "#2e8540"),
    (ComplianceStatus.EXPIRING, "evidence expiring", "#8cb369"),
    (ComplianceStatus.PARTIAL, "partial", "#f4a259"),
    (ComplianceStatus.GAP, "gap", "#bc4b51"),
    (ComplianceStatus.NONCONFORMING, "nonconforming", "#7a1f1f"),
]


def compliance_tile(today: dt.date) -> Tile:
    rows = compliance_selectors.compliance_status(None, today)
    counts = compliance_selectors.status_counts([r for r in rows if r.kind == "control"])
    clause_counts = compliance_selectors.status_counts([r for r in rows if r.kind == "clause"])
    soon = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    evidence = EvidenceItem.objects.aggregate(
        expired=Count("pk", filter=Q(expires_on__lt=today)),
        expiring=Count("pk", filter=Q(expires_on__gte=today, expires_on__lte=soon)),
    )
    tile = Tile("compliance", "Compliance and evidence", "/compliance/")
    gaps = counts[ComplianceStatus.GAP.value] + counts[ComplianceStatus.NONCONFORMING.value]
    clause_gaps = (
        clause_counts[ComplianceStatus.GAP.value] + clause_counts[ComplianceStatus.NONCONFORMING.value]
    )
    tile.figures = [
        ("controls with a gap", gaps, "bad" if gaps else "good"),
        ("clauses with a gap", clause_gaps, "bad" if clause_gaps else "good"),
        ("evidence expired", evidence["expired"], "bad" if evidence["expired"] else "good"),
        (f"expiring in {EXPIRY_WINDOW_DAYS} days", evidence["expiring"], ""),
    ]
    tile.charts = [
        svg(
            status_strip(
                [(label, counts[status.value], colour) for status, label, colour in _STATUS_COLOURS],
                title="Annex A controls by derived compliance status",
            )
        )
    ]
    expiring = EvidenceItem.objects.filter(expires_on__lte=soon).order_by("expires_on")[:3]
    tile.items = [
        (
            f"{item.title} ({'expired' if item.expires_on < today else 'expires'} {item.expires_on:%d %b})",
            item.get_absolute_url(),
            "bad" if item.expires_on < today else "",
        )
        for item in expiring
        if item.expires_on is not None
    ]
    return tile


def audits_tile(today: dt.date) -> Tile:
    open_ncs = Nonconformity.objects.exclude(status="closed")
    by_severity = dict(open_ncs.values_list("severity").annotate(n=Count("pk")))
    overdue_actions = CorrectiveAction.objects.filter(done_at__isnull=True, due_date__lt=today).count()
    tile = Tile("audits", "Audit findings", "/audits/nonconformities/")
    total = sum(by_severity.values())
    tile.figures = [
        ("open nonconformities", total, "bad" if by_severity.get("major") else ""),
        ("major", by_severity.get("major", 0), "bad" if by_severity.get("major") else "good"),
        ("corrective actions overdue", overdue_actions, "bad" if overdue_actions else "good"),
    ]
    tile.charts = [
        svg(
            status_strip(
                [
                    ("major", by_severity.get("major", 0), "#7a1f1f"),
                    ("minor", by_severity.get("minor", 0), "#f4a259"),
                    ("observation", by_severity.get("observation", 0), "#9fb3c8"),
                ],
                title="Open nonconformities by severity",
            )
        )
    ]
    tile.items = [
        (f"NC {nc.pk}: {nc.description[:70]}", nc.get_absolute_url(), "bad" if nc.severity == "major" else "")
        for nc in open_ncs.order_by("due_date")[:3]
    ]
    return tile


def suppliers_tile(today: dt.date) -> Tile:
    overview = supplier_selectors.overview(today)
    tile = Tile("suppliers", "Suppliers", "/suppliers/overview/")
    tile.figures = [
        ("suppliers", overview.total, ""),
        ("use AI on our data", overview.ai_using, ""),
        ("reviews overdue", len(overview.overdue), "bad" if overview.overdue else "good"),
        ("open findings", overview.open_findings, ""),
    ]
    tile.charts = [
        svg(
            status_strip(
                [
                    (Tier(tier).name.lower(), n, colour)
                    for (tier, n), colour in zip(
                        sorted(overview.by_tier.items()),
                        ["#7a1f1f", "#f4a259", "#9fb3c8", "#c7d4e2"],
                        strict=False,
                    )
                ],
                title="Suppliers by criticality tier",
            )
        )
    ]
    tile.items = [(f"{s.name}: review overdue", s.get_absolute_url(), "bad") for s in overview.overdue[:3]]
    return tile


INTEL_WINDOW_DAYS = 7


def intel_tile(today: dt.date) -> Tile:
    """New threat intelligence this week and the re-assessment proposals it produced."""
    since = dt.datetime.combine(today - dt.timedelta(days=INTEL_WINDOW_DAYS), dt.time.min, tzinfo=dt.UTC)
    new_items = IntelItem.objects.filter(first_seen__gte=since).count()
    kev_added = IntelEvent.objects.filter(kind="kev-added", at__gte=since).count()
    open_proposals = Proposal.objects.filter(status=ProposalStatus.OPEN)
    by_kind = dict(open_proposals.values_list("kind").annotate(n=Count("pk")))
    candidates = EmergingThreat.objects.filter(status="candidate").count()
    tile = Tile("intel", "Threat intelligence and proposals", "/posture/")
    tile.figures = [
        (f"new items in {INTEL_WINDOW_DAYS} days", new_items, ""),
        ("CVEs added to KEV", kev_added, "bad" if kev_added else ""),
        ("open proposals", sum(by_kind.values()), "bad" if by_kind else "good"),
        ("emerging-threat candidates", candidates, ""),
    ]
    tile.charts = [
        svg(
            status_strip(
                [
                    ("raise likelihood", by_kind.get("raise-likelihood", 0), "#bc4b51"),
                    ("new risk", by_kind.get("new-risk", 0), "#f4a259"),
                    ("review", by_kind.get("review", 0), "#9fb3c8"),
                ],
                title="Open re-assessment proposals by kind",
            )
        )
    ]
    tile.items = [
        (p.title[:90], p.get_absolute_url(), "bad" if p.kind == "raise-likelihood" else "")
        for p in open_proposals.order_by("-created_at")[:3]
    ]
    return tile


def area_tiles(today: dt.date) -> list[Tile]:
    return [intel_tile(today), compliance_tile(today), audits_tile(today), suppliers_tile(today)]
