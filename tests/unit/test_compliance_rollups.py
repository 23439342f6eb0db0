"""Clause checks, gap ordering, crosswalk roll-up, exposure, objective progress and the data files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisms.catalogue.errors import CatalogueError
from aisms.domain.compliance import clauses as cl
from aisms.domain.compliance.crosswalk import roll_up
from aisms.domain.compliance.exposure import (
    CeilingRule,
    ObligationInput,
    Penalty,
    ProbabilityTable,
    exposure,
    max_penalty,
)
from aisms.domain.compliance.gaps import GapItem, order_gaps
from aisms.domain.compliance.objectives import Measurement, progress
from aisms.domain.compliance.regulations import load_regulations, parse_regulations
from aisms.domain.compliance.status import ComplianceStatus, Evidence, OpenNonconformities

S = ComplianceStatus
TODAY = date(2026, 6, 1)
GOOD = cl.ClauseFacts(
    pestel_issues=3,
    interested_parties=2,
    party_requirements=4,
    requirements_addressed=4,
    scope_approved_on=date(2026, 1, 1),
    isms_policy_approved_on=date(2026, 1, 1),
    isms_policy_review_due=date(2027, 1, 1),
    applicable_controls=90,
    controls_with_owner=90,
    risk_method_defined=True,
    risks_open=10,
    risks_with_owner=10,
    soa_approved_on=date(2026, 2, 1),
    objectives=3,
    objectives_measured_recently=3,
    training_coverage=0.9,
    documents=5,
    audit_programme=True,
    last_internal_audit_on=date(2026, 3, 1),
    last_management_review_on=date(2026, 4, 1),
)


def _run(check: str, facts: cl.ClauseFacts, evidence: tuple[Evidence, ...] = ()) -> cl.Outcome:
    return cl.CHECKS[check](cl.CheckContext(facts, TODAY, evidence))[0]


@pytest.mark.parametrize(
    ("check", "facts", "expected"),
    [
        ("risk_method", GOOD, cl.Outcome.PASS),
        ("risk_method", cl.ClauseFacts(), cl.Outcome.FAIL),
        ("risks_owned", GOOD.__class__(**{**GOOD.__dict__, "risks_with_owner": 7}), cl.Outcome.WARN),
        ("soa_approved", cl.ClauseFacts(), cl.Outcome.FAIL),
        ("training_coverage", GOOD.__class__(**{**GOOD.__dict__, "training_coverage": 0.5}), cl.Outcome.WARN),
        ("training_coverage", GOOD.__class__(**{**GOOD.__dict__, "training_coverage": 0.2}), cl.Outcome.FAIL),
        ("training_coverage", cl.ClauseFacts(), cl.Outcome.FAIL),
        (
            "documents_reviewed",
            GOOD.__class__(**{**GOOD.__dict__, "documents_review_overdue": 1}),
            cl.Outcome.WARN,
        ),
        (
            "internal_audit_12m",
            GOOD.__class__(**{**GOOD.__dict__, "last_internal_audit_on": date(2025, 5, 1)}),
            cl.Outcome.FAIL,
        ),
        ("management_review_12m", GOOD, cl.Outcome.PASS),
        (
            "management_review_12m",
            GOOD.__class__(**{**GOOD.__dict__, "last_management_review_on": None}),
            cl.Outcome.FAIL,
        ),
        (
            "nonconformities_closed",
            GOOD.__class__(**{**GOOD.__dict__, "nonconformities_open": 2}),
            cl.Outcome.WARN,
        ),
        (
            "nonconformities_closed",
            GOOD.__class__(**{**GOOD.__dict__, "nonconformities_open": 2, "nonconformities_overdue": 1}),
            cl.Outcome.FAIL,
        ),
        (
            "isms_policy_reviewed",
            GOOD.__class__(**{**GOOD.__dict__, "isms_policy_review_due": date(2026, 5, 1)}),
            cl.Outcome.FAIL,
        ),
        (
            "isms_policy_reviewed",
            GOOD.__class__(**{**GOOD.__dict__, "isms_policy_review_due": date(2026, 6, 20)}),
            cl.Outcome.WARN,
        ),
    ],
)
def test_clause_checks(check: str, facts: cl.ClauseFacts, expected: cl.Outcome) -> None:
    assert _run(check, facts) is expected


def test_evidence_check_uses_expiry() -> None:
    assert _run("evidence_recorded", GOOD) is cl.Outcome.FAIL
    assert _run("evidence_recorded", GOOD, (Evidence("x", TODAY + timedelta(days=5)),)) is cl.Outcome.WARN
    assert _run("evidence_recorded", GOOD, (Evidence("x", None),)) is cl.Outcome.PASS
    assert _run("evidence_recorded", GOOD, (Evidence("x", TODAY - timedelta(days=5)),)) is cl.Outcome.FAIL


def test_shipped_clause_checks_cover_every_leaf_clause_with_known_checks() -> None:
    checks = cl.load_clause_checks()
    leaves = {
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "5.1",
        "5.2",
        "5.3",
        "6.1.1",
        "6.1.2",
        "6.1.3",
        "6.2",
        "6.3",
        "7.1",
        "7.2",
    }
    leaves |= {"7.3", "7.4", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2.1", "9.2.2", "9.3.1"}
    leaves |= {"9.3.2", "9.3.3", "10.1", "10.2"}
    assert set(checks.checks) == leaves
    assert all(c in cl.CHECKS for ids in checks.checks.values() for c in ids)


def test_clause_file_errors_name_line_and_field() -> None:
    text = (
        "version: 1\nclauses:\n  - clause: '4.1'\n    checks: [pestel_issues]\n"
        "  - clause: '4.2'\n    checks: [eval_me]\n"
    )
    with pytest.raises(CatalogueError) as err:
        cl.parse_clause_checks(text, "x.yaml")
    assert err.value.line == 5
    assert err.value.field == "checks"
    assert "eval_me" in str(err.value)
    twice = (
        "version: 1\nclauses:\n  - clause: '4.1'\n    checks: [pestel_issues]\n"
        "  - clause: '4.1'\n    checks: [pestel_issues]\n"
    )
    with pytest.raises(CatalogueError, match="listed twice"):
        cl.parse_clause_checks(twice, "x.yaml")


CLAUSES = [("9", None), ("9.1", "9"), ("9.2", "9"), ("9.2.1", "9.2"), ("9.2.2", "9.2")]


def test_clause_roll_up_parent_is_worst_child_and_ncs_apply() -> None:
    checks = cl.ClauseCheckSet(
        1, {"9.1": ("objectives_measured",), "9.2.1": ("internal_audit_12m",), "9.2.2": ("audit_programme",)}
    )
    facts = GOOD.__class__(**{**GOOD.__dict__, "audit_programme": False})
    out = cl.derive_clause_statuses(CLAUSES, checks, facts, TODAY)
    assert out["9.2.1"].status is S.COMPLIANT
    assert out["9.2.2"].status is S.GAP
    assert out["9.2"].status is S.GAP
    assert out["9"].status is S.GAP
    assert out["9.1"].status is S.COMPLIANT
    with_nc = cl.derive_clause_statuses(
        CLAUSES, checks, GOOD, TODAY, ncs={"9.1": OpenNonconformities(major=1)}
    )
    assert with_nc["9.1"].status is S.NONCONFORMING
    assert with_nc["9"].status is S.NONCONFORMING


def test_some_failed_checks_make_a_clause_partial() -> None:
    checks = cl.ClauseCheckSet(1, {"6.1.3": ("soa_approved", "risks_treated")})
    facts = GOOD.__class__(**{**GOOD.__dict__, "soa_approved_on": None})
    out = cl.derive_clause_statuses([("6.1.3", None)], checks, facts, TODAY)
    assert out["6.1.3"].status is S.PARTIAL
    assert out["6.1.3"].reasons == ("no approved Statement of Applicability",)


# ------------------------------------------------------------------ gaps


def test_gap_ordering_by_effect() -> None:
    items = [
        GapItem("control", "c:1", "8.1", "a", S.GAP, position=1),
        GapItem("control", "c:2", "8.2", "b", S.GAP, position=2, risks_linked=2, high_risks_linked=1),
        GapItem("clause", "k:1", "9.3", "c", S.GAP, position=3),
        GapItem("control", "c:3", "8.3", "d", S.PARTIAL, position=4, ncs=OpenNonconformities(major=1)),
        GapItem("control", "c:4", "8.4", "e", S.COMPLIANT, position=5),
        GapItem("control", "c:5", "8.5", "f", S.NOT_APPLICABLE, position=6),
        GapItem("control", "c:6", "8.6", "g", S.EXPIRING, position=7),
    ]
    rows = order_gaps(items)
    assert [r.item.ref for r in rows] == ["9.3", "8.2", "8.3", "8.1", "8.6"]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].effect == 100.0
    assert rows[1].effect == 76.0
    assert rows[2].effect == 48.0


def test_gap_ties_keep_catalogue_order() -> None:
    items = [GapItem("control", f"c:{i}", f"5.{i}", "x", S.GAP, position=i) for i in (3, 1, 2)]
    assert [r.item.ref for r in order_gaps(items)] == ["5.1", "5.2", "5.3"]


# ------------------------------------------------------------------ crosswalk


def test_crosswalk_worst_status_and_average_coverage() -> None:
    statuses = {"a": S.COMPLIANT, "b": S.PARTIAL, "c": S.NOT_APPLICABLE, "d": S.GAP}
    r = roll_up("x", ["a", "b", "c", "zzz"], statuses)
    assert r.status is S.PARTIAL
    assert r.coverage == pytest.approx(0.75)
    assert r.mapped == ("a", "b", "c")
    assert roll_up("y", ["a", "d"], statuses).status is S.GAP
    assert roll_up("z", [], statuses).status is None
    assert roll_up("n", ["c"], statuses).status is None


# ------------------------------------------------------------------ exposure


def test_max_penalty_rules() -> None:
    ai_act = Penalty(35_000_000, 0.07)
    assert max_penalty(ai_act, 100_000_000) == 35_000_000
    assert max_penalty(ai_act, 1_000_000_000) == pytest.approx(70_000_000)
    assert max_penalty(Penalty(20_000_000, 0.04), None) == 20_000_000
    sme = Penalty(35_000_000, 0.07, CeilingRule.LOWER)
    assert max_penalty(sme, 10_000_000) == pytest.approx(700_000)
    assert max_penalty(Penalty(None, 0.01), 50_000_000) == pytest.approx(500_000)


def test_expected_exposure() -> None:
    statuses = {"g": S.GAP, "c": S.COMPLIANT, "p": S.PARTIAL}
    result = exposure(
        "GDPR",
        Penalty(20_000_000, 0.04),
        1_000_000_000,
        [ObligationInput("secure processing", ("g", "c")), ObligationInput("breach notice", ("p",))],
        statuses,
    )
    assert result.max_penalty_eur == pytest.approx(40_000_000)
    assert result.probability == pytest.approx(0.275)  # mean(0.5, 0.05) beats 0.25
    assert result.expected_eur == pytest.approx(11_000_000)
    unassessed = exposure(
        "X", Penalty(1000, None), None, [ObligationInput("y", ())], statuses, ProbabilityTable()
    )
    assert unassessed.probability == 0.5
    assert not unassessed.obligations[0].assessed


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(min_value=0, max_value=1e8),
    st.floats(min_value=0, max_value=0.2),
    st.floats(min_value=0, max_value=1e11),
    st.floats(min_value=0, max_value=1e11),
    st.sampled_from(list(CeilingRule)),
)
def test_exposure_is_monotone_in_turnover(
    fixed: float, share: float, t1: float, t2: float, rule: CeilingRule
) -> None:
    low, high = sorted((t1, t2))
    penalty = Penalty(fixed, share, rule)
    statuses = {"a": S.PARTIAL}
    ob = [ObligationInput("o", ("a",))]
    assert (
        exposure("L", penalty, low, ob, statuses).expected_eur
        <= exposure("L", penalty, high, ob, statuses).expected_eur + 1e-6
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([s for s in S if s is not S.NOT_APPLICABLE]),
    st.sampled_from([s for s in S if s is not S.NOT_APPLICABLE]),
)
def test_worse_control_status_never_lowers_probability(a: S, b: S) -> None:
    table = ProbabilityTable()
    if a.rank <= b.rank:
        assert table.of(a) <= table.of(b)


def test_shipped_regulations_read_the_ai_act_ceiling_from_the_catalogue() -> None:
    regs = {
        r.key: r
        for r in load_regulations(
            {"eu-ai-act:2024:unacceptable": {"fixed_eur": 35_000_000, "turnover_pct": 7}}
        )
    }
    assert set(regs) == {"eu-ai-act", "gdpr", "nis2", "dora"}
    assert regs["eu-ai-act"].penalty == Penalty(35_000_000.0, 0.07, CeilingRule.HIGHER)
    assert regs["gdpr"].penalty == Penalty(20_000_000.0, 0.04, CeilingRule.HIGHER)
    assert regs["nis2"].penalty.fixed_eur == 10_000_000.0
    assert all(o.controls for r in regs.values() for o in r.obligations)
    with pytest.raises(CatalogueError, match="penalty_from"):
        load_regulations({})


def test_regulation_without_a_penalty_is_refused() -> None:
    text = (
        "version: 1\nregulations:\n  - key: x\n    name: X\n    short_name: X\n"
        "    jurisdiction: EU\n    source: https://e.example\n    obligations: []\n"
    )
    with pytest.raises(CatalogueError, match="needs penalty"):
        parse_regulations(text, {})


# ------------------------------------------------------------------ objectives


def test_objective_progress_both_directions() -> None:
    up = progress(
        20,
        95,
        [Measurement(date(2026, 1, 1), 20), Measurement(date(2026, 5, 1), 57.5)],
        date(2026, 12, 1),
        TODAY,
    )
    assert up.share == pytest.approx(0.5)
    assert up.latest == 57.5
    assert not up.overdue
    down = progress(21, 7, [Measurement(date(2026, 5, 1), 7)], date(2026, 5, 2), TODAY)
    assert down.met
    assert not down.overdue
    late = progress(0, 100, [Measurement(date(2026, 5, 1), 70)], date(2026, 5, 2), TODAY)
    assert late.overdue
    assert not late.met
    none = progress(0, 10, [], date(2027, 1, 1), TODAY)
    assert none.share is None
    assert none.latest is None
