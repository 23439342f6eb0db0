"""Reads of compliance status: every clause and Annex A control with its derived status, the gap analysis,
the crosswalk views and the regulatory exposure. Status is derived on every read, never stored.

These are the functions other capabilities (exports, reports, the dashboard) call:
``compliance_status(organisation, today)``, ``gap_analysis(today)``, ``crosswalk_status(framework, today)``,
``exposure_rows(today)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Max, Q

from aisms.apps.catalogue.models import CatalogueEntry, CatalogueLink
from aisms.apps.compliance.models import (
    Document,
    DocumentVersion,
    EvidenceItem,
    Objective,
    ObjectiveMeasurement,
    ObjectiveStatus,
    Obligation,
    Regulation,
    VersionStatus,
)
from aisms.apps.context.models import (
    InterestedParty,
    Organisation,
    PartyRequirement,
    PestelIssue,
    ScopeVersion,
)
from aisms.apps.context.services import current_organisation
from aisms.apps.controls.models import ANNEX_A_CONTROLS, ControlImplementation, SoAVersion
from aisms.apps.controls.models import VersionStatus as SoAStatus
from aisms.apps.risks.models import ActionStatus, RiskMethodVersion, RiskStatus, TreatmentAction
from aisms.apps.risks.models import Risk as RiskRow
from aisms.domain.compliance import clauses as cl
from aisms.domain.compliance import crosswalk as cw
from aisms.domain.compliance import exposure as ex
from aisms.domain.compliance.gaps import GapItem, GapRow, order_gaps
from aisms.domain.compliance.status import (
    DEFAULT_WARNING_DAYS,
    NO_NCS,
    ComplianceStatus,
    ControlInputs,
    Evidence,
    EvidenceState,
    OpenNonconformities,
    derive_control_status,
    evidence_counts,
)
from aisms.domain.soa import ImplementationStatus

CLAUSES = {"source__key": "iso27001", "kind": "clause"}
NC_OPEN_STATUSES = ("open", "action-planned")
NC_OVERDUE_DAYS = 90
FRAMEWORKS = {"iso42001": "ISO/IEC 42001:2023 Annex A", "nist-ai-rmf": "NIST AI RMF 1.0"}


# ------------------------------------------------------------------ adapters to other apps


def open_nonconformities() -> dict[str, OpenNonconformities]:
    """Open (not closed) nonconformities per clause or control uid, from the audits app when installed."""
    if not apps.is_installed("aisms.apps.audits"):
        return {}
    try:
        model = apps.get_model("audits", "Nonconformity")
    except LookupError:
        return {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = model.objects.filter(status__in=NC_OPEN_STATUSES).values_list(
        "clause_uid", "control_uid", "severity"
    )
    for clause_uid, control_uid, severity in rows:
        for uid in {clause_uid, control_uid} - {""}:
            counts[uid][severity] += 1
    return {
        uid: OpenNonconformities(c.get("major", 0), c.get("minor", 0), c.get("observation", 0))
        for uid, c in counts.items()
    }


def _nonconformity_facts(today: date) -> tuple[int, int]:
    """(open, open past due or older than 90 days) - zeros without the audits app."""
    if not apps.is_installed("aisms.apps.audits"):
        return 0, 0
    model = apps.get_model("audits", "Nonconformity")
    open_rows = model.objects.filter(status__in=NC_OPEN_STATUSES)
    stale = today - timedelta(days=NC_OVERDUE_DAYS)
    overdue = open_rows.filter(Q(due_date__lt=today) | Q(due_date__isnull=True, raised_at__date__lt=stale))
    return open_rows.count(), overdue.count()


def _audit_facts() -> tuple[bool, date | None, date | None]:
    """(an audit programme exists, last completed internal audit, last management review held)."""
    if not apps.is_installed("aisms.apps.audits"):
        return False, None, None
    programme = apps.get_model("audits", "AuditProgramme").objects.exists()
    last_audit = (
        apps.get_model("audits", "Audit")
        .objects.filter(status__in=("reported", "closed"))
        .aggregate(m=Max("actual_end"))["m"]
    )
    last_review = (
        apps.get_model("audits", "ManagementReview")
        .objects.filter(status__in=("held", "closed"))
        .aggregate(m=Max("date"))["m"]
    )
    return programme, last_audit, last_review


def _training_coverage(today: date) -> float | None:
    from aisms.apps.people.selectors import training_state
    from aisms.domain import training_coverage as tc

    overall = tc.coverage(training_state(), today)
    return overall.covered / overall.required if overall.required else None


def _high_levels() -> set[str]:
    from aisms.apps.risks.services import current_method

    return {level.key for level in current_method().levels if not level.within_appetite}


# ------------------------------------------------------------------ evidence per uid


def evidence_by_uid(uids: set[str] | None = None) -> dict[str, list[Evidence]]:
    """Evidence items linked to each clause/control uid (documents in force count for their clauses too)."""
    found: dict[str, list[Evidence]] = defaultdict(list)
    links = EvidenceItem.entries.through.objects.select_related("catalogueentry", "evidenceitem")
    if uids is not None:
        links = links.filter(catalogueentry__uid__in=uids)
    for link in links.only("catalogueentry__uid", "evidenceitem__title", "evidenceitem__expires_on"):
        item = link.evidenceitem
        found[link.catalogueentry.uid].append(Evidence(item.title, item.expires_on))
    return dict(found)


# ------------------------------------------------------------------ controls


@dataclass(frozen=True)
class StatusRow:
    """One clause or control with its derived status: what the UI, the API and the reports show."""

    kind: str  # "clause" or "control"
    uid: str
    ref: str
    title: str
    group: str  # the theme of a control, the top-level clause of a clause
    status: ComplianceStatus
    reasons: tuple[str, ...]
    position: int = 0
    parent: str | None = None
    applicable: bool = True
    implementation: str = ""
    owner: str | None = None
    evidence: dict[str, int] = field(default_factory=dict)  # state -> count
    ncs: OpenNonconformities = NO_NCS
    risks: tuple[str, ...] = ()  # risk refs linked through treatment actions
    high_risks: int = 0
    checks: tuple[cl.CheckResult, ...] = ()

    @property
    def status_label(self) -> str:
        return self.status.label


def _risk_links() -> dict[str, list[tuple[str, str]]]:
    """Control uid -> (risk ref, current level) of open risks whose treatment plan lists the control."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    rows = (
        TreatmentAction.objects.filter(controls__isnull=False)
        .exclude(Q(risk__status=RiskStatus.CLOSED) | Q(status=ActionStatus.CANCELLED))
        .values_list("controls__uid", "risk__ref", "risk__current_level")
    )
    for uid, ref, level in rows:
        found[uid].add((ref, level))
    return {uid: sorted(v) for uid, v in found.items()}


def control_statuses(today: date, warning_days: int = DEFAULT_WARNING_DAYS) -> list[StatusRow]:
    """Every ISO/IEC 27002 control (Annex A) with its derived status; a handful of queries in all."""
    decisions = {
        row.control_id: row for row in ControlImplementation.objects.select_related("owner").order_by()
    }
    evidence = evidence_by_uid()
    ncs = open_nonconformities()
    risks = _risk_links()
    high = _high_levels()
    rows = []
    for entry in CatalogueEntry.objects.filter(**ANNEX_A_CONTROLS, withdrawn=False).order_by("position"):
        decision = decisions.get(entry.pk)
        applicable = decision.applicable if decision else True
        impl = (
            ImplementationStatus(decision.implementation_status)
            if decision
            else ImplementationStatus.NOT_STARTED
        )
        items = evidence.get(entry.uid, [])
        nc = ncs.get(entry.uid, NO_NCS)
        result = derive_control_status(ControlInputs(applicable, impl, items, nc), today, warning_days)
        linked = risks.get(entry.uid, [])
        owner = decision.owner if decision else None
        rows.append(
            StatusRow(
                kind="control",
                uid=entry.uid,
                ref=entry.ref,
                title=entry.name,
                group=str(entry.attributes.get("theme", "")),
                status=result.status,
                reasons=result.reasons,
                position=entry.position,
                applicable=applicable,
                implementation=impl.value if applicable else ImplementationStatus.NOT_APPLICABLE.value,
                owner=(owner.get_full_name() or owner.username) if owner else None,
                evidence={s.value: n for s, n in evidence_counts(items, today, warning_days).items()},
                ncs=nc,
                risks=tuple(ref for ref, _level in linked),
                high_risks=sum(1 for _ref, level in linked if level in high),
            )
        )
    return rows


# ------------------------------------------------------------------ clauses


def clause_facts(today: date) -> cl.ClauseFacts:
    """The facts the clause checks need, gathered from every register (set-based counts)."""
    scope_version = ScopeVersion.objects.aggregate(m=Max("approved_at"))["m"]
    policy = Document.objects.filter(is_isms_policy=True, retired=False).first()
    policy_version = (
        policy.versions.filter(status=VersionStatus.APPROVED).order_by("-number").first() if policy else None
    )
    applicable = ControlImplementation.objects.filter(applicable=True)
    open_risks = RiskRow.objects.exclude(status=RiskStatus.CLOSED)
    soa = SoAVersion.objects.filter(status=SoAStatus.APPROVED).aggregate(m=Max("approved_at"))["m"]
    objectives = Objective.objects.filter(status=ObjectiveStatus.ACTIVE)
    recent = today - timedelta(days=cl.MEASURED_WITHIN_DAYS)
    measured = (
        ObjectiveMeasurement.objects.filter(objective__in=objectives, measured_on__gte=recent)
        .values("objective")
        .distinct()
        .count()
    )
    documents = Document.objects.filter(retired=False)
    approved_docs = DocumentVersion.objects.filter(document__in=documents, status=VersionStatus.APPROVED)
    overdue_docs = approved_docs.filter(next_review__lt=today).values("document").distinct().count()
    programme, last_audit, last_review = _audit_facts()
    nc_open, nc_overdue = _nonconformity_facts(today)
    requirements = PartyRequirement.objects.aggregate(
        n=Count("pk"), done=Count("pk", filter=Q(addressed=True))
    )
    method = RiskMethodVersion.objects.filter(is_current=True).exists()
    return cl.ClauseFacts(
        pestel_issues=PestelIssue.objects.count(),
        interested_parties=InterestedParty.objects.count(),
        party_requirements=requirements["n"],
        requirements_addressed=requirements["done"],
        scope_approved_on=scope_version.date() if scope_version else None,
        isms_policy_approved_on=policy_version.approved_at.date()
        if policy_version and policy_version.approved_at
        else None,
        isms_policy_review_due=policy_version.next_review if policy_version else None,
        applicable_controls=applicable.count(),
        controls_with_owner=applicable.filter(owner__isnull=False).count(),
        risk_method_defined=method,
        risks_open=open_risks.count(),
        risks_with_owner=open_risks.filter(owner__isnull=False).count(),
        risks_untreated=open_risks.filter(treatment="").count(),
        risks_review_overdue=open_risks.filter(review_date__lt=today).count(),
        soa_approved_on=soa.date() if soa else None,
        objectives=objectives.count(),
        objectives_overdue=objectives.filter(due__lt=today).count(),
        objectives_measured_recently=measured,
        training_coverage=_training_coverage(today),
        documents=documents.count(),
        documents_unapproved=documents.exclude(versions__status=VersionStatus.APPROVED).count(),
        documents_review_overdue=overdue_docs,
        treatment_actions_overdue=TreatmentAction.objects.filter(
            due_date__lt=today, status__in=(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
        ).count(),
        audit_programme=programme,
        last_internal_audit_on=last_audit,
        last_management_review_on=last_review,
        nonconformities_open=nc_open,
        nonconformities_overdue=nc_overdue,
    )


def clause_statuses(today: date, warning_days: int = DEFAULT_WARNING_DAYS) -> list[StatusRow]:
    """Clauses 4-10 and their subclauses with derived status (parents roll up their children)."""
    entries = list(
        CatalogueEntry.objects.filter(**CLAUSES, withdrawn=False)
        .select_related("parent")
        .order_by("position")
    )
    check_set = cl.load_clause_checks()
    by_ref_evidence = {
        uid.rsplit(":", 1)[-1]: items for uid, items in evidence_by_uid({e.uid for e in entries}).items()
    }
    ncs = {
        uid.rsplit(":", 1)[-1]: n for uid, n in open_nonconformities().items() if uid.startswith("iso27001:")
    }
    results = cl.derive_clause_statuses(
        [(e.ref, e.parent.ref if e.parent else None) for e in entries],
        check_set,
        clause_facts(today),
        today,
        evidence=by_ref_evidence,
        ncs=ncs,
        warning_days=warning_days,
    )
    rows = []
    for e in entries:
        r = results[e.ref]
        rows.append(
            StatusRow(
                kind="clause",
                uid=e.uid,
                ref=e.ref,
                title=e.name,
                group=e.ref.split(".", 1)[0],
                status=r.status,
                reasons=r.reasons,
                position=e.position,
                parent=e.parent.ref if e.parent else None,
                evidence={
                    s.value: n
                    for s, n in evidence_counts(by_ref_evidence.get(e.ref, []), today, warning_days).items()
                },
                ncs=ncs.get(e.ref, NO_NCS),
                checks=r.checks,
            )
        )
    return rows


def compliance_status(organisation: Organisation | None, today: date) -> list[StatusRow]:
    """Every clause (4-10) and every Annex A control with its derived status and reasons.

    `organisation` is accepted for the callers' symmetry (aisms keeps one organisation per database)."""
    del organisation
    return clause_statuses(today) + control_statuses(today)


def status_counts(rows: list[StatusRow]) -> dict[str, int]:
    counts = dict.fromkeys([s.value for s in ComplianceStatus], 0)
    for row in rows:
        counts[row.status.value] += 1
    return counts


# ------------------------------------------------------------------ gaps


def gap_analysis(today: date, rows: list[StatusRow] | None = None) -> list[GapRow]:
    """What is missing for certification readiness, highest effect first (leaf clauses and controls)."""
    rows = rows if rows is not None else compliance_status(current_organisation(), today)
    parents = {r.parent for r in rows if r.kind == "clause" and r.parent}
    items = [
        GapItem(
            kind=r.kind,
            uid=r.uid,
            ref=r.ref,
            title=r.title,
            status=r.status,
            reasons=r.reasons,
            position=r.position,
            risks_linked=len(r.risks),
            high_risks_linked=r.high_risks,
            ncs=r.ncs,
            owner=r.owner,
        )
        for r in rows
        if not (r.kind == "clause" and r.ref in parents)
    ]
    return order_gaps(items)


def gap_report_rows(today: date) -> list[dict[str, Any]]:
    """The gap analysis as flat rows for CSV, PDF and XLSX reports."""
    return [
        {
            "rank": g.rank,
            "kind": g.item.kind,
            "ref": g.item.ref,
            "uid": g.item.uid,
            "title": g.item.title,
            "status": g.item.status.value,
            "status_label": g.item.status.label,
            "effect": g.effect,
            "why_it_matters": "; ".join(g.why),
            "what_is_missing": "; ".join(g.item.reasons),
            "owner": g.item.owner or "",
            "linked_risks": g.item.risks_linked,
            "open_nonconformities": g.item.ncs.total,
        }
        for g in gap_analysis(today)
    ]


# ------------------------------------------------------------------ crosswalks


@dataclass(frozen=True)
class CrosswalkRow:
    uid: str
    ref: str
    title: str
    group: str
    result: cw.CrosswalkResult


def crosswalk_targets(framework: str) -> dict[str, list[str]]:
    """42001 / NIST item uid -> the 27002 controls (through the AI threats both map to: treated-by and
    maps-to links) and the 27001 clauses or controls named in clause-checks.yaml's crosswalk_extra."""
    prefix = {"iso42001": "iso42001:", "nist-ai-rmf": "nist-ai-rmf:"}[framework]
    treated: dict[str, set[str]] = defaultdict(set)
    for threat, control in CatalogueLink.objects.filter(relation="treated-by").values_list(
        "source__uid", "target__uid"
    ):
        treated[threat].add(control)
    targets: dict[str, set[str]] = defaultdict(set)
    for threat, item in CatalogueLink.objects.filter(
        relation="maps-to", target__uid__startswith=prefix
    ).values_list("source__uid", "target__uid"):
        targets[item] |= treated.get(threat, set())
    for item, mapped in cl.load_clause_checks().crosswalk_extra.items():
        if item.startswith(prefix):
            targets[item] |= set(mapped)
    return {k: sorted(v) for k, v in targets.items()}


def crosswalk_status(framework: str, today: date, rows: list[StatusRow] | None = None) -> list[CrosswalkRow]:
    """Every ISO/IEC 42001 Annex A control or NIST AI RMF category with the status rolled up from ours."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r}; one of {', '.join(FRAMEWORKS)}")
    rows = rows if rows is not None else compliance_status(current_organisation(), today)
    statuses = {r.uid: r.status for r in rows}
    targets = crosswalk_targets(framework)
    kind = "control" if framework == "iso42001" else "category"
    out = []
    entries = CatalogueEntry.objects.filter(source__key=framework, kind=kind, withdrawn=False).select_related(
        "parent"
    )
    for e in entries.order_by("position"):
        result = cw.roll_up(e.uid, targets.get(e.uid, []), statuses)
        group = e.parent.ref if e.parent else e.ref.split("-", 1)[0]
        out.append(CrosswalkRow(e.uid, e.ref, e.name, group, result))
    return out


# ------------------------------------------------------------------ exposure


def penalty_of(regulation: Regulation) -> ex.Penalty:
    return ex.Penalty(
        fixed_eur=float(regulation.max_fixed_eur) if regulation.max_fixed_eur is not None else None,
        turnover_share=float(regulation.max_turnover_pct) / 100
        if regulation.max_turnover_pct is not None
        else None,
        rule=ex.CeilingRule(regulation.ceiling_rule),
    )


@dataclass(frozen=True)
class ExposureRow:
    regulation: Regulation
    exposure: ex.Exposure
    turnover_eur: float | None


def exposure_rows(today: date, rows: list[StatusRow] | None = None) -> list[ExposureRow]:
    """Each regulation in the register: maximum penalty given the turnover, probability of non-compliance
    from its obligations' controls, and expected exposure; highest expected first."""
    rows = rows if rows is not None else compliance_status(current_organisation(), today)
    statuses = {r.uid: r.status for r in rows}
    organisation = current_organisation()
    turnover = (
        float(organisation.annual_turnover_eur)
        if organisation is not None and organisation.annual_turnover_eur is not None
        else None
    )
    out = []
    regulations = Regulation.objects.prefetch_related("obligations__controls")
    for regulation in regulations:
        obligations = [
            ex.ObligationInput(o.text, tuple(c.uid for c in o.controls.all()))
            for o in regulation.obligations.all()
        ]
        result = ex.exposure(regulation.short_name, penalty_of(regulation), turnover, obligations, statuses)
        out.append(ExposureRow(regulation, result, turnover))
    out.sort(key=lambda r: (-r.exposure.expected_eur, r.regulation.short_name))
    return out


def obligations_for_control(uid: str) -> list[Obligation]:
    return list(Obligation.objects.filter(controls__uid=uid).select_related("regulation"))


__all__ = [
    "EvidenceState",
    "StatusRow",
    "clause_statuses",
    "compliance_status",
    "control_statuses",
    "crosswalk_status",
    "exposure_rows",
    "gap_analysis",
    "gap_report_rows",
]
