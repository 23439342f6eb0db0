"""Requirement checks for ISO/IEC 27001:2022 clauses 4-10 and the clause status they roll up to.

Which checks a clause has is data (``catalogue/data/clause-checks.yaml``); what each check means is code
here, matched by its id (no rule strings are ever evaluated). The selector gathers the facts from the
registers into one ``ClauseFacts``; every check is a pure function of those facts and today's date.

Clause status: with every check passed -> COMPLIANT; some passing with warnings only -> EXPIRING (at risk);
some failed -> PARTIAL; all failed -> GAP. Open nonconformities then apply as for controls. A parent clause
(e.g. 9 or 9.2) is the worst of its children and its own nonconformities.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import validate
from aisms.catalogue.yaml_lines import load_yaml
from aisms.domain.compliance.status import (
    DEFAULT_WARNING_DAYS,
    NO_NCS,
    ComplianceStatus,
    Evidence,
    EvidenceState,
    OpenNonconformities,
    StatusResult,
    apply_nonconformities,
    evidence_counts,
    worse,
)

DATA_FILE = Path(__file__).resolve().parents[2] / "catalogue" / "data" / "clause-checks.yaml"
TRAINING_TARGET = 0.8
OWNER_TARGET = 0.9
REVIEW_MONTHS_DAYS = 366
MEASURED_WITHIN_DAYS = 92


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    check: str
    outcome: Outcome
    message: str


@dataclass(frozen=True)
class ClauseFacts:
    """What the registers record, as far as the clause checks need it."""

    pestel_issues: int = 0
    interested_parties: int = 0
    party_requirements: int = 0
    requirements_addressed: int = 0
    scope_approved_on: date | None = None
    isms_policy_approved_on: date | None = None
    isms_policy_review_due: date | None = None
    applicable_controls: int = 0
    controls_with_owner: int = 0
    risk_method_defined: bool = False
    risks_open: int = 0
    risks_with_owner: int = 0
    risks_untreated: int = 0  # open risks without a treatment decision
    risks_review_overdue: int = 0
    soa_approved_on: date | None = None
    objectives: int = 0
    objectives_overdue: int = 0
    objectives_measured_recently: int = 0
    training_coverage: float | None = None  # share of required training completed, None without data
    documents: int = 0  # documents in force (not retired)
    documents_unapproved: int = 0
    documents_review_overdue: int = 0
    treatment_actions_overdue: int = 0
    audit_programme: bool = False
    last_internal_audit_on: date | None = None
    last_management_review_on: date | None = None
    nonconformities_open: int = 0
    nonconformities_overdue: int = 0  # open past their due date / older than 90 days


@dataclass(frozen=True)
class CheckContext:
    facts: ClauseFacts
    today: date
    evidence: Sequence[Evidence] = ()
    warning_days: int = DEFAULT_WARNING_DAYS


CheckFn = Callable[[CheckContext], tuple[Outcome, str]]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _within(day: date | None, today: date, days: int) -> bool:
    return day is not None and today - timedelta(days=days) <= day <= today


def _evidence_recorded(ctx: CheckContext) -> tuple[Outcome, str]:
    counts = evidence_counts(ctx.evidence, ctx.today, ctx.warning_days)
    if counts[EvidenceState.CURRENT]:
        return Outcome.PASS, f"{_count(counts[EvidenceState.CURRENT], 'current evidence item')}"
    if counts[EvidenceState.EXPIRING]:
        return Outcome.WARN, "all evidence expires within the warning window"
    if counts[EvidenceState.EXPIRED]:
        return Outcome.FAIL, "all evidence has expired"
    return Outcome.FAIL, "no evidence linked to this clause"


def _pestel(ctx: CheckContext) -> tuple[Outcome, str]:
    n = ctx.facts.pestel_issues
    return (Outcome.PASS if n else Outcome.FAIL), f"{_count(n, 'context issue')} recorded (PESTEL)"


def _parties(ctx: CheckContext) -> tuple[Outcome, str]:
    n = ctx.facts.interested_parties
    return (Outcome.PASS if n else Outcome.FAIL), f"{_count(n, 'interested party')} recorded".replace(
        "partys", "parties"
    )


def _requirements(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.party_requirements:
        return Outcome.FAIL, "no requirements of interested parties recorded"
    if f.requirements_addressed < f.party_requirements:
        return Outcome.WARN, f"{f.requirements_addressed} of {f.party_requirements} requirements addressed"
    return Outcome.PASS, f"all {f.party_requirements} requirements addressed"


def _scope(ctx: CheckContext) -> tuple[Outcome, str]:
    day = ctx.facts.scope_approved_on
    if day is None:
        return Outcome.FAIL, "no approved ISMS scope"
    return Outcome.PASS, f"scope approved on {day.isoformat()}"


def _policy_approved(ctx: CheckContext) -> tuple[Outcome, str]:
    day = ctx.facts.isms_policy_approved_on
    if day is None:
        return Outcome.FAIL, "no approved information security policy"
    return Outcome.PASS, f"information security policy approved on {day.isoformat()}"


def _policy_reviewed(ctx: CheckContext) -> tuple[Outcome, str]:
    due = ctx.facts.isms_policy_review_due
    if ctx.facts.isms_policy_approved_on is None:
        return Outcome.FAIL, "no approved information security policy to review"
    if due is None:
        return Outcome.WARN, "the policy has no next review date"
    if due < ctx.today:
        return Outcome.FAIL, f"policy review overdue since {due.isoformat()}"
    if due <= ctx.today + timedelta(days=ctx.warning_days):
        return Outcome.WARN, f"policy review due on {due.isoformat()}"
    return Outcome.PASS, f"next policy review on {due.isoformat()}"


def _owners(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.applicable_controls:
        return Outcome.FAIL, "no applicable controls in the SoA"
    share = f.controls_with_owner / f.applicable_controls
    text = f"{f.controls_with_owner} of {f.applicable_controls} applicable controls have an owner"
    if share >= OWNER_TARGET:
        return Outcome.PASS, text
    return (Outcome.WARN if share >= OWNER_TARGET / 2 else Outcome.FAIL), text


def _risks_recorded(ctx: CheckContext) -> tuple[Outcome, str]:
    n = ctx.facts.risks_open
    return (Outcome.PASS if n else Outcome.FAIL), f"{_count(n, 'open risk')} in the register"


def _risk_method(ctx: CheckContext) -> tuple[Outcome, str]:
    if ctx.facts.risk_method_defined:
        return Outcome.PASS, "a risk method with acceptance criteria is defined"
    return Outcome.FAIL, "no risk method defined"


def _risks_owned(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.risks_open:
        return Outcome.FAIL, "no assessed risks"
    if f.risks_with_owner < f.risks_open:
        return Outcome.WARN, f"{f.risks_open - f.risks_with_owner} of {f.risks_open} open risks have no owner"
    return Outcome.PASS, f"all {f.risks_open} open risks assessed and owned"


def _risks_treated(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.risks_open:
        return Outcome.FAIL, "no assessed risks to treat"
    if f.risks_untreated:
        return Outcome.WARN, f"{_count(f.risks_untreated, 'open risk')} without a treatment decision"
    return Outcome.PASS, "every open risk has a treatment decision"


def _soa(ctx: CheckContext) -> tuple[Outcome, str]:
    day = ctx.facts.soa_approved_on
    if day is None:
        return Outcome.FAIL, "no approved Statement of Applicability"
    return Outcome.PASS, f"SoA approved on {day.isoformat()}"


def _risk_reviews(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.risks_open:
        return Outcome.FAIL, "no risk assessments performed"
    if f.risks_review_overdue:
        return Outcome.WARN, f"{_count(f.risks_review_overdue, 'risk')} past its review date"
    return Outcome.PASS, "risk reviews are up to date"


def _actions(ctx: CheckContext) -> tuple[Outcome, str]:
    n = ctx.facts.treatment_actions_overdue
    if n:
        return Outcome.WARN, f"{_count(n, 'treatment action')} overdue"
    return Outcome.PASS, "no treatment action overdue"


def _objectives_defined(ctx: CheckContext) -> tuple[Outcome, str]:
    n = ctx.facts.objectives
    return (Outcome.PASS if n else Outcome.FAIL), f"{_count(n, 'security objective')} set"


def _objectives_on_track(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.objectives:
        return Outcome.FAIL, "no objectives to track"
    if f.objectives_overdue:
        return Outcome.WARN, f"{_count(f.objectives_overdue, 'objective')} past due and not met"
    return Outcome.PASS, "no objective past its due date"


def _objectives_measured(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.objectives:
        return Outcome.FAIL, "no objectives to measure"
    recent = f.objectives_measured_recently
    text = f"{recent} of {f.objectives} objectives measured in {MEASURED_WITHIN_DAYS} days"
    if f.objectives_measured_recently == 0:
        return Outcome.FAIL, text
    return (Outcome.PASS if f.objectives_measured_recently >= f.objectives else Outcome.WARN), text


def _training(ctx: CheckContext) -> tuple[Outcome, str]:
    share = ctx.facts.training_coverage
    if share is None:
        return Outcome.FAIL, "no training assigned"
    text = f"training coverage {share:.0%} (target {TRAINING_TARGET:.0%})"
    if share >= TRAINING_TARGET:
        return Outcome.PASS, text
    return (Outcome.WARN if share >= TRAINING_TARGET / 2 else Outcome.FAIL), text


def _documents_approved(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.documents:
        return Outcome.FAIL, "no documented information recorded"
    if f.documents_unapproved:
        return Outcome.WARN, f"{f.documents_unapproved} of {f.documents} documents have no approved version"
    return Outcome.PASS, f"all {f.documents} documents approved"


def _documents_reviewed(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if not f.documents:
        return Outcome.FAIL, "no documented information recorded"
    if f.documents_review_overdue:
        return Outcome.WARN, f"{_count(f.documents_review_overdue, 'document')} overdue for review"
    return Outcome.PASS, "no document overdue for review"


def _audit_12m(ctx: CheckContext) -> tuple[Outcome, str]:
    day = ctx.facts.last_internal_audit_on
    if _within(day, ctx.today, REVIEW_MONTHS_DAYS):
        return Outcome.PASS, f"internal audit on {day.isoformat()}"  # type: ignore[union-attr]  # checked
    return Outcome.FAIL, "no internal audit in the last 12 months"


def _programme(ctx: CheckContext) -> tuple[Outcome, str]:
    if ctx.facts.audit_programme:
        return Outcome.PASS, "an internal audit programme is planned"
    return Outcome.FAIL, "no internal audit programme"


def _review_12m(ctx: CheckContext) -> tuple[Outcome, str]:
    day = ctx.facts.last_management_review_on
    if _within(day, ctx.today, REVIEW_MONTHS_DAYS):
        return Outcome.PASS, f"management review on {day.isoformat()}"  # type: ignore[union-attr]  # checked
    return Outcome.FAIL, "no management review in the last 12 months"


def _ncs_closed(ctx: CheckContext) -> tuple[Outcome, str]:
    f = ctx.facts
    if f.nonconformities_overdue:
        return Outcome.FAIL, f"{f.nonconformities_overdue} nonconformities open past their due date"
    if f.nonconformities_open:
        return Outcome.WARN, f"{f.nonconformities_open} nonconformities open, none overdue"
    return Outcome.PASS, "no open nonconformities"


CHECKS: dict[str, CheckFn] = {
    "evidence_recorded": _evidence_recorded,
    "pestel_issues": _pestel,
    "interested_parties": _parties,
    "requirements_addressed": _requirements,
    "scope_approved": _scope,
    "isms_policy_approved": _policy_approved,
    "isms_policy_reviewed": _policy_reviewed,
    "control_owners": _owners,
    "risks_recorded": _risks_recorded,
    "risk_method": _risk_method,
    "risks_owned": _risks_owned,
    "risks_treated": _risks_treated,
    "soa_approved": _soa,
    "risk_reviews_current": _risk_reviews,
    "treatment_actions_on_time": _actions,
    "objectives_defined": _objectives_defined,
    "objectives_on_track": _objectives_on_track,
    "objectives_measured": _objectives_measured,
    "training_coverage": _training,
    "documents_approved": _documents_approved,
    "documents_reviewed": _documents_reviewed,
    "internal_audit_12m": _audit_12m,
    "audit_programme": _programme,
    "management_review_12m": _review_12m,
    "nonconformities_closed": _ncs_closed,
}


# ------------------------------------------------------------------ the data file

_UID = {"type": "string", "pattern": "^[a-z0-9-]+:[0-9.]+:[A-Za-z0-9.-]+$"}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "clauses"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "minimum": 1},
        "mandatory_for_certification": {"type": "boolean"},
        "clauses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["clause", "checks"],
                "additionalProperties": False,
                "properties": {
                    "clause": {"type": "string", "pattern": "^(4|5|6|7|8|9|10)(\\.[0-9]+){0,2}$"},
                    "checks": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                },
            },
        },
        "crosswalk_extra": {"type": "object", "additionalProperties": {"type": "array", "items": _UID}},
    },
}


@dataclass(frozen=True)
class ClauseCheckSet:
    version: int
    checks: dict[str, tuple[str, ...]]  # clause ref (e.g. "6.1.2") -> check ids
    crosswalk_extra: dict[str, tuple[str, ...]] = field(default_factory=dict)


def parse_clause_checks(text: str, filename: str = "clause-checks.yaml") -> ClauseCheckSet:
    """Validate the file; an unknown check id or a repeated clause names its line."""
    document = load_yaml(text, filename)
    validate(document, SCHEMA, filename)
    checks: dict[str, tuple[str, ...]] = {}
    for item in document["clauses"]:
        ref = str(item["clause"])
        if ref in checks:
            raise CatalogueError(filename, f"clause {ref} listed twice", line=item.line, field="clause")
        for check in item["checks"]:
            if check not in CHECKS:
                raise CatalogueError(filename, f"unknown check {check!r}", line=item.line, field="checks")
        checks[ref] = tuple(item["checks"])
    extra = {str(k): tuple(str(u) for u in v) for k, v in (document.get("crosswalk_extra") or {}).items()}
    return ClauseCheckSet(int(document["version"]), checks, extra)


def load_clause_checks() -> ClauseCheckSet:
    return parse_clause_checks(DATA_FILE.read_text(encoding="utf-8"), DATA_FILE.name)


# ------------------------------------------------------------------ roll-up


@dataclass(frozen=True)
class ClauseResult:
    ref: str
    status: ComplianceStatus
    reasons: tuple[str, ...]
    checks: tuple[CheckResult, ...] = ()


def run_checks(check_ids: Sequence[str], ctx: CheckContext) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(cid, *CHECKS[cid](ctx)) for cid in check_ids)


def status_from_checks(results: Sequence[CheckResult]) -> StatusResult:
    if not results:
        return StatusResult(ComplianceStatus.GAP, ("no requirement checks defined",))
    fails = sum(r.outcome is Outcome.FAIL for r in results)
    warns = sum(r.outcome is Outcome.WARN for r in results)
    if fails == len(results):
        status = ComplianceStatus.GAP
    elif fails:
        status = ComplianceStatus.PARTIAL
    elif warns:
        status = ComplianceStatus.EXPIRING
    else:
        status = ComplianceStatus.COMPLIANT
    return StatusResult(status, tuple(r.message for r in results if r.outcome is not Outcome.PASS))


def derive_clause_statuses(
    clauses: Sequence[tuple[str, str | None]],
    check_set: ClauseCheckSet,
    facts: ClauseFacts,
    today: date,
    *,
    evidence: Mapping[str, Sequence[Evidence]] | None = None,
    ncs: Mapping[str, OpenNonconformities] | None = None,
    warning_days: int = DEFAULT_WARNING_DAYS,
) -> dict[str, ClauseResult]:
    """Status of every clause. `clauses` are (ref, parent ref) in catalogue order (parents first);
    `evidence` and `ncs` are keyed by clause ref."""
    evidence = evidence or {}
    ncs = ncs or {}
    children: dict[str, list[str]] = {}
    for ref, parent in clauses:
        if parent:
            children.setdefault(parent, []).append(ref)
    out: dict[str, ClauseResult] = {}

    def visit(ref: str) -> ClauseResult:
        if ref in out:
            return out[ref]
        kids = children.get(ref, [])
        ctx = CheckContext(facts, today, tuple(evidence.get(ref, ())), warning_days)
        own = run_checks(check_set.checks.get(ref, ()), ctx)
        if kids:
            status = ComplianceStatus.COMPLIANT
            reasons: list[str] = []
            for kid in kids:
                sub = visit(kid)
                status = worse(status, sub.status)
                if sub.status.rank > 0:
                    reasons.append(f"{kid}: {sub.status.label.lower()}")
            if own:
                from_checks = status_from_checks(own)
                status = worse(status, from_checks.status)
                reasons.extend(from_checks.reasons)
            base = StatusResult(status, tuple(reasons))
        else:
            base = status_from_checks(own)
        result = apply_nonconformities(base, ncs.get(ref, NO_NCS))
        out[ref] = ClauseResult(ref, result.status, result.reasons, own)
        return out[ref]

    for ref, _parent in clauses:
        visit(ref)
    return out
