"""Reads for secure coding: the policy in force, repositories with their latest scan, findings with
filters, and findings over time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from aisms.apps.devsec.models import Finding, Repository, ScanRun, SecureCodingPolicy
from aisms.domain.devsec.policy import Policy, default_policy, parse_policy


@dataclass(frozen=True)
class PolicyState:
    in_force: SecureCodingPolicy | None  # newest approved version
    latest: SecureCodingPolicy | None  # newest version (may be a draft)
    parsed: Policy  # the policy in force, or the shipped default when none is approved

    @property
    def draft(self) -> SecureCodingPolicy | None:
        if self.latest is not None and not self.latest.approved:
            return self.latest
        return None


def policy_state() -> PolicyState:
    in_force = SecureCodingPolicy.objects.filter(approved_at__isnull=False).order_by("-version").first()
    latest = SecureCodingPolicy.objects.order_by("-version").first()
    parsed = parse_policy(in_force.yaml, f"policy v{in_force.version}") if in_force else default_policy()
    return PolicyState(in_force=in_force, latest=latest, parsed=parsed)


def policy_versions() -> QuerySet[SecureCodingPolicy]:
    return SecureCodingPolicy.objects.select_related("created_by", "approved_by").order_by("-version")


def _count(queryset: QuerySet[Any]) -> Subquery:
    return Subquery(
        queryset.order_by().values("repository").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def repositories() -> QuerySet[Repository]:
    """Repositories with their latest scan id and open-finding counts (subqueries: no join fan-out)."""
    latest = ScanRun.objects.filter(repository=OuterRef("pk")).order_by("-scanned_at", "-pk")
    open_rows = Finding.objects.filter(repository=OuterRef("pk"), status="open")
    return (
        Repository.objects.select_related("owner", "asset")
        .annotate(
            latest_scan_id=Subquery(latest.values("pk")[:1]),
            open_errors=Coalesce(_count(open_rows.filter(severity="error")), 0),
            open_warnings=Coalesce(_count(open_rows.filter(severity="warning")), 0),
            open_total=Coalesce(_count(open_rows), 0),
            scan_count=Coalesce(_count(ScanRun.objects.filter(repository=OuterRef("pk"))), 0),
        )
        .order_by("name")
    )


def latest_scans(repos: list[Repository]) -> dict[int, ScanRun]:
    ids = [r.latest_scan_id for r in repos if getattr(r, "latest_scan_id", None)]  # type: ignore[attr-defined]
    return {s.repository_id: s for s in ScanRun.objects.filter(pk__in=ids)}


def scans(repository: Repository | None = None) -> QuerySet[ScanRun]:
    rows = ScanRun.objects.select_related("repository", "uploaded_by", "policy").defer("result")
    if repository is not None:
        rows = rows.filter(repository=repository)
    return rows.order_by("-scanned_at", "-pk")


def findings(
    *,
    repository: Repository | None = None,
    status: str = "",
    severity: str = "",
    tool: str = "",
    q: str = "",
) -> QuerySet[Finding]:
    rows = Finding.objects.select_related("repository", "first_seen", "last_seen", "status_changed_by")
    if repository is not None:
        rows = rows.filter(repository=repository)
    if status:
        rows = rows.filter(status=status)
    if severity:
        rows = rows.filter(severity=severity)
    if tool:
        rows = rows.filter(tool=tool)
    if q:
        rows = rows.filter(Q(message__icontains=q) | Q(path__icontains=q) | Q(rule_id__icontains=q))
    rank = Case(
        When(severity="error", then=Value(0)),
        When(severity="warning", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return rows.annotate(severity_rank=rank).order_by(
        "repository__name", "severity_rank", "path", "line", "pk"
    )


def finding_tools() -> list[str]:
    return list(Finding.objects.order_by("tool").values_list("tool", flat=True).distinct())


def trend(repository: Repository, limit: int = 20) -> list[ScanRun]:
    """The repository's last scans, oldest first (for the findings-over-time chart)."""
    rows = list(scans(repository)[:limit])
    rows.reverse()
    return rows
