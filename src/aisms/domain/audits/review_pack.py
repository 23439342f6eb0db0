"""The management review pack (clause 9.3.2): the inputs top management considers, in the order the
standard lists them (a to g), assembled from plain facts the services gather from the other registers.

The pack is plain data (sections of metrics, tables and chart series) so that the web page, the PDF/XLSX
reports and the JSON snapshot kept with each review all render the same thing. ``pack_to_dict`` and
``pack_from_dict`` round-trip it exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aisms.domain.audits.due import DueState, due_state

PACK_FORMAT = 1


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Series:
    """Labelled values for a bar chart; share=True: values are shares from 0 to 1."""

    title: str
    points: tuple[tuple[str, float], ...]
    share: bool = False


@dataclass(frozen=True)
class PackSection:
    key: str  # "a".."g", sub-sections "d1".."d4"
    clause: str  # e.g. "9.3.2 a)"
    title: str
    summary: str
    metrics: tuple[Metric, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Series, ...] = ()
    subsections: tuple[PackSection, ...] = ()


@dataclass(frozen=True)
class ReviewPack:
    format: int
    organisation: str
    period_start: date | None
    period_end: date
    sections: tuple[PackSection, ...]

    def section(self, key: str) -> PackSection:
        for s in self.sections:
            if s.key == key:
                return s
            for sub in s.subsections:
                if sub.key == key:
                    return sub
        raise KeyError(key)


# --- inputs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    review: str
    decision: str
    owner: str
    due: date | None
    status: str  # open / in-progress / done / dropped


@dataclass(frozen=True)
class TreatmentInput:
    risk_ref: str
    title: str
    owner: str
    due: date | None
    status: str  # planned / in_progress / done / cancelled


@dataclass(frozen=True)
class IssueChange:
    title: str
    category: str
    origin: str  # internal / external
    trend: str
    change: str  # "new" / "changed" / "reviewed"


@dataclass(frozen=True)
class RequirementChange:
    party: str
    requirement: str
    addressed: bool
    change: str  # "new" / "changed"


@dataclass(frozen=True)
class NcInput:
    ref: str
    severity: str
    status: str
    raised_on: date
    closed_on: date | None
    actions_total: int
    actions_done: int
    actions_overdue: int
    root_cause_category: str


@dataclass(frozen=True)
class AuditInput:
    ref: str
    title: str
    status: str
    end: date | None
    conforming: int
    minor: int
    major: int
    observations: int
    ofis: int


@dataclass(frozen=True)
class ObjectiveInput:
    title: str
    target: str
    status: str  # e.g. on-track / at-risk / achieved / missed


@dataclass(frozen=True)
class MeasureInput:
    label: str
    share: float  # 0..1
    note: str = ""


@dataclass(frozen=True)
class RiskSummaryInput:
    by_level: tuple[tuple[str, int], ...]  # current level name -> count, most severe first
    above_appetite: int
    total: int
    accepted: int
    actions_open: int
    actions_overdue: int
    actions_done: int
    fair_mean_annual_loss: float | None = None
    currency: str = "EUR"


@dataclass(frozen=True)
class Opportunity:
    source: str  # e.g. "audit AUD-2026-01", "risk R-004", "PESTEL"
    text: str


@dataclass(frozen=True)
class PackInputs:
    organisation: str
    period_start: date | None  # the previous review's date (None: the first review)
    today: date
    decisions: Sequence[DecisionInput] = ()
    treatment: Sequence[TreatmentInput] = ()
    issues: Sequence[IssueChange] = ()
    requirements: Sequence[RequirementChange] = ()
    nonconformities: Sequence[NcInput] = ()
    audits: Sequence[AuditInput] = ()
    objectives: Sequence[ObjectiveInput] | None = None  # None: no objectives register
    measures: Sequence[MeasureInput] = ()
    feedback: Sequence[str] = ()
    unaddressed_requirements: Sequence[RequirementChange] = ()
    supplier_feedback: Sequence[str] = ()
    risks: RiskSummaryInput | None = None
    opportunities: Sequence[Opportunity] = field(default_factory=tuple)


# --- assembly -------------------------------------------------------------------------------------------


def _d(value: date | None) -> str:
    return value.isoformat() if value else "-"


def _state(due: date | None, done: bool, today: date) -> str:
    state = due_state(due, done=done, today=today)
    return {DueState.OVERDUE: "overdue", DueState.DUE_SOON: "due soon"}.get(state, "")


def _previous_actions(inputs: PackInputs) -> PackSection:
    closed = {"done", "dropped"}
    decisions = inputs.decisions
    overdue = [d for d in decisions if d.status not in closed and d.due and d.due < inputs.today]
    treatment_open = [t for t in inputs.treatment if t.status in ("planned", "in_progress")]
    treatment_overdue = [t for t in treatment_open if t.due and t.due < inputs.today]
    counts = Counter(d.status for d in decisions)
    return PackSection(
        "a",
        "9.3.2 a)",
        "Status of actions from previous management reviews",
        "No earlier review decisions recorded."
        if not decisions
        else f"{counts.get('done', 0)} of {len(decisions)} decisions done, {len(overdue)} overdue.",
        metrics=(
            Metric("Decisions", str(len(decisions))),
            Metric("Done", str(counts.get("done", 0))),
            Metric("Overdue", str(len(overdue))),
            Metric("Open treatment actions", str(len(treatment_open)), f"{len(treatment_overdue)} overdue"),
        ),
        tables=(
            Table(
                "Decisions of previous reviews",
                ("Review", "Decision", "Owner", "Due", "Status"),
                tuple(
                    (
                        d.review,
                        d.decision,
                        d.owner,
                        _d(d.due),
                        d.status + (" (overdue)" if d in overdue else ""),
                    )
                    for d in decisions
                ),
            ),
        ),
        charts=(Series("Decisions by status", tuple((k, float(v)) for k, v in sorted(counts.items()))),)
        if decisions
        else (),
    )


def _issues(inputs: PackInputs) -> PackSection:
    counts = Counter(i.change for i in inputs.issues)
    since = f" since {inputs.period_start.isoformat()}" if inputs.period_start else ""
    return PackSection(
        "b",
        "9.3.2 b)",
        "Changes in external and internal issues",
        f"{len(inputs.issues)} PESTEL issues new or changed{since}.",
        metrics=tuple(Metric(k.capitalize(), str(counts.get(k, 0))) for k in ("new", "changed", "reviewed")),
        tables=(
            Table(
                "Issues",
                ("Issue", "Category", "Internal/external", "Trend", "Change"),
                tuple((i.title, i.category, i.origin, i.trend, i.change) for i in inputs.issues),
            ),
        ),
    )


def _requirements(inputs: PackInputs) -> PackSection:
    unaddressed = sum(1 for r in inputs.requirements if not r.addressed)
    return PackSection(
        "c",
        "9.3.2 c)",
        "Changes in needs and expectations of interested parties",
        f"{len(inputs.requirements)} requirements new or changed, {unaddressed} of them not yet addressed.",
        metrics=(
            Metric("New or changed", str(len(inputs.requirements))),
            Metric("Not addressed", str(unaddressed)),
        ),
        tables=(
            Table(
                "Requirements",
                ("Party", "Requirement", "Addressed", "Change"),
                tuple(
                    (r.party, r.requirement, "yes" if r.addressed else "no", r.change)
                    for r in inputs.requirements
                ),
            ),
        ),
    )


def _nonconformities(inputs: PackInputs) -> PackSection:
    ncs = inputs.nonconformities
    open_ncs = [n for n in ncs if n.status != "closed"]
    raised = [n for n in ncs if inputs.period_start is None or n.raised_on >= inputs.period_start]
    closed = [
        n for n in ncs if n.closed_on and (inputs.period_start is None or n.closed_on >= inputs.period_start)
    ]
    overdue_actions = sum(n.actions_overdue for n in open_ncs)
    causes = Counter(n.root_cause_category or "not analysed" for n in raised)
    return PackSection(
        "d1",
        "9.3.2 d) 1)",
        "Nonconformities and corrective actions",
        f"{len(raised)} raised and {len(closed)} closed in the period; {len(open_ncs)} open, "
        f"{overdue_actions} corrective actions overdue.",
        metrics=(
            Metric("Raised in period", str(len(raised))),
            Metric("Closed in period", str(len(closed))),
            Metric("Open", str(len(open_ncs))),
            Metric("Open major", str(sum(1 for n in open_ncs if n.severity == "major"))),
            Metric("Corrective actions overdue", str(overdue_actions)),
        ),
        tables=(
            Table(
                "Open nonconformities",
                ("Ref", "Severity", "Status", "Raised", "Actions done"),
                tuple(
                    (n.ref, n.severity, n.status, _d(n.raised_on), f"{n.actions_done}/{n.actions_total}")
                    for n in open_ncs
                ),
            ),
        ),
        charts=(
            Series(
                "Root causes of nonconformities raised",
                tuple((k, float(v)) for k, v in sorted(causes.items())),
            ),
        )
        if raised
        else (),
    )


def _measures(inputs: PackInputs) -> PackSection:
    return PackSection(
        "d2",
        "9.3.2 d) 2)",
        "Monitoring and measurement results",
        "; ".join(f"{m.label}: {m.share:.0%}" for m in inputs.measures) or "No measurements available.",
        metrics=tuple(Metric(m.label, f"{m.share:.0%}", m.note) for m in inputs.measures),
        charts=(Series("Measurements", tuple((m.label, m.share) for m in inputs.measures), share=True),)
        if inputs.measures
        else (),
    )


def _audits(inputs: PackInputs) -> PackSection:
    audits = inputs.audits
    totals = Counter[str]()
    for a in audits:
        totals.update(
            {
                "conforming": a.conforming,
                "minor NC": a.minor,
                "major NC": a.major,
                "observation": a.observations,
                "OFI": a.ofis,
            }
        )
    return PackSection(
        "d3",
        "9.3.2 d) 3)",
        "Audit results",
        f"{len(audits)} audits reported in the period: {totals['major NC']} major and "
        f"{totals['minor NC']} minor nonconformities, {totals['observation']} observations, "
        f"{totals['OFI']} opportunities for improvement.",
        metrics=tuple(
            Metric(k.capitalize(), str(totals[k]))
            for k in ("conforming", "minor NC", "major NC", "observation", "OFI")
        ),
        tables=(
            Table(
                "Audits",
                ("Ref", "Title", "Status", "Ended", "Conforming", "Minor", "Major", "Obs.", "OFI"),
                tuple(
                    (
                        a.ref,
                        a.title,
                        a.status,
                        _d(a.end),
                        str(a.conforming),
                        str(a.minor),
                        str(a.major),
                        str(a.observations),
                        str(a.ofis),
                    )
                    for a in audits
                ),
            ),
        ),
        charts=(
            Series(
                "Checklist results",
                tuple(
                    (k, float(totals[k]))
                    for k in ("conforming", "minor NC", "major NC", "observation", "OFI")
                ),
            ),
        )
        if audits
        else (),
    )


def _objectives(inputs: PackInputs) -> PackSection:
    if inputs.objectives is None:
        return PackSection(
            "d4",
            "9.3.2 d) 4)",
            "Fulfilment of information security objectives",
            "No objectives register available.",
        )
    counts = Counter(o.status for o in inputs.objectives)
    return PackSection(
        "d4",
        "9.3.2 d) 4)",
        "Fulfilment of information security objectives",
        ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "No objectives recorded.",
        metrics=tuple(Metric(k, str(v)) for k, v in sorted(counts.items())),
        tables=(
            Table(
                "Objectives",
                ("Objective", "Target", "Status"),
                tuple((o.title, o.target, o.status) for o in inputs.objectives),
            ),
        ),
    )


def _performance(inputs: PackInputs) -> PackSection:
    subs = (_nonconformities(inputs), _measures(inputs), _audits(inputs), _objectives(inputs))
    return PackSection(
        "d",
        "9.3.2 d)",
        "Feedback on information security performance",
        "Trends in nonconformities and corrective actions, measurements, audit results and objectives.",
        subsections=subs,
    )


def _feedback(inputs: PackInputs) -> PackSection:
    unaddressed = inputs.unaddressed_requirements
    return PackSection(
        "e",
        "9.3.2 e)",
        "Feedback from interested parties",
        f"{len(inputs.feedback) + len(inputs.supplier_feedback)} items of feedback; "
        f"{len(unaddressed)} party requirements not yet addressed.",
        metrics=(Metric("Requirements not addressed", str(len(unaddressed))),),
        tables=(
            Table(
                "Feedback", ("Feedback",), tuple((f,) for f in [*inputs.feedback, *inputs.supplier_feedback])
            ),
            Table(
                "Requirements not yet addressed",
                ("Party", "Requirement"),
                tuple((r.party, r.requirement) for r in unaddressed),
            ),
        ),
    )


def _risks(inputs: PackInputs) -> PackSection:
    r = inputs.risks
    if r is None:
        return PackSection(
            "f",
            "9.3.2 f)",
            "Results of risk assessment and status of the risk treatment plan",
            "No risks recorded.",
        )
    metrics = [
        Metric("Risks", str(r.total)),
        Metric("Above appetite", str(r.above_appetite)),
        Metric("Residual risk accepted", str(r.accepted)),
        Metric("Treatment actions open", str(r.actions_open), f"{r.actions_overdue} overdue"),
        Metric("Treatment actions done", str(r.actions_done)),
    ]
    if r.fair_mean_annual_loss is not None:
        metrics.append(
            Metric("Expected annual loss (FAIR mean)", f"{r.fair_mean_annual_loss:,.0f} {r.currency}")
        )
    done_share = (
        r.actions_done / (r.actions_done + r.actions_open) if r.actions_done + r.actions_open else 1.0
    )
    return PackSection(
        "f",
        "9.3.2 f)",
        "Results of risk assessment and status of the risk treatment plan",
        f"{r.total} risks, {r.above_appetite} above appetite; treatment plan {done_share:.0%} done "
        f"({r.actions_overdue} actions overdue).",
        metrics=tuple(metrics),
        charts=(Series("Risks by current level", tuple((k, float(v)) for k, v in r.by_level)),),
    )


def _opportunities(inputs: PackInputs) -> PackSection:
    return PackSection(
        "g",
        "9.3.2 g)",
        "Opportunities for continual improvement",
        f"{len(inputs.opportunities)} opportunities identified.",
        tables=(
            Table(
                "Opportunities",
                ("Source", "Opportunity"),
                tuple((o.source, o.text) for o in inputs.opportunities),
            ),
        ),
    )


def assemble_pack(inputs: PackInputs) -> ReviewPack:
    sections = (
        _previous_actions(inputs),
        _issues(inputs),
        _requirements(inputs),
        _performance(inputs),
        _feedback(inputs),
        _risks(inputs),
        _opportunities(inputs),
    )
    return ReviewPack(PACK_FORMAT, inputs.organisation, inputs.period_start, inputs.today, sections)


# --- serialisation (the snapshot kept with each review) --------------------------------------------------


def _section_to_dict(s: PackSection) -> dict[str, Any]:
    return {
        "key": s.key,
        "clause": s.clause,
        "title": s.title,
        "summary": s.summary,
        "metrics": [{"label": m.label, "value": m.value, "note": m.note} for m in s.metrics],
        "tables": [
            {"title": t.title, "columns": list(t.columns), "rows": [list(r) for r in t.rows]}
            for t in s.tables
        ],
        "charts": [
            {"title": c.title, "points": [[k, v] for k, v in c.points], "share": c.share} for c in s.charts
        ],
        "subsections": [_section_to_dict(sub) for sub in s.subsections],
    }


def _section_from_dict(d: dict[str, Any]) -> PackSection:
    return PackSection(
        key=str(d["key"]),
        clause=str(d["clause"]),
        title=str(d["title"]),
        summary=str(d["summary"]),
        metrics=tuple(
            Metric(str(m["label"]), str(m["value"]), str(m.get("note", ""))) for m in d.get("metrics", [])
        ),
        tables=tuple(
            Table(str(t["title"]), tuple(t["columns"]), tuple(tuple(str(c) for c in r) for r in t["rows"]))
            for t in d.get("tables", [])
        ),
        charts=tuple(
            Series(
                str(c["title"]),
                tuple((str(k), float(v)) for k, v in c["points"]),
                bool(c.get("share", False)),
            )
            for c in d.get("charts", [])
        ),
        subsections=tuple(_section_from_dict(sub) for sub in d.get("subsections", [])),
    )


def pack_to_dict(pack: ReviewPack) -> dict[str, Any]:
    return {
        "format": pack.format,
        "organisation": pack.organisation,
        "period_start": pack.period_start.isoformat() if pack.period_start else None,
        "period_end": pack.period_end.isoformat(),
        "sections": [_section_to_dict(s) for s in pack.sections],
    }


def pack_from_dict(data: dict[str, Any]) -> ReviewPack:
    start = data.get("period_start")
    return ReviewPack(
        format=int(data["format"]),
        organisation=str(data["organisation"]),
        period_start=date.fromisoformat(start) if start else None,
        period_end=date.fromisoformat(data["period_end"]),
        sections=tuple(_section_from_dict(s) for s in data["sections"]),
    )
