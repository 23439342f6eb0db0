"""The Statement of Applicability rules: derived rows, problems an auditor would flag, diffs and counts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.soa import (
    ActionRef,
    ChangeKind,
    Control,
    Decision,
    ImplementationStatus,
    ProblemKind,
    SoARow,
    derive_rows,
    diff,
    problems,
    row_from_dict,
    row_problems,
    row_to_dict,
    rows_from_snapshot,
    snapshot,
    summarise,
)

S = ImplementationStatus

CONTROLS = [
    Control("iso27002:2022:5.7", "5.7", "Threat intelligence", "organizational"),
    Control("iso27002:2022:7.12", "7.12", "Cabling security", "physical"),
    Control("iso27002:2022:8.30", "8.30", "Outsourced development", "technological"),
]
UID_57, UID_712, UID_830 = (c.uid for c in CONTROLS)


def row(**fields: object) -> SoARow:
    base = SoARow(
        control_uid=UID_57,
        ref="5.7",
        title="Threat intelligence",
        theme="organizational",
        applicable=True,
        justification="Risk assessment R-001.",
        status=S.IMPLEMENTED,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------ derivation


def test_every_control_gets_a_row_in_catalogue_order_with_the_default_decision() -> None:
    rows = derive_rows(CONTROLS, {}, {})

    assert [r.ref for r in rows] == ["5.7", "7.12", "8.30"]
    assert all(r.applicable for r in rows)
    assert {r.status for r in rows} == {S.NOT_STARTED}
    assert {r.justification for r in rows} == {""}
    assert rows[1].theme == "physical"
    assert rows[1].title == "Cabling security"


def test_a_decision_is_carried_into_its_row_and_the_justification_trimmed() -> None:
    decisions = {
        UID_712: Decision(
            applicable=False,
            justification="  No server rooms: the landlord owns the cabling.  ",
            status=S.NOT_STARTED,
            owner="sofia",
            owner_name="Sofia Lindqvist",
            notes="Reviewed yearly.",
        )
    }

    rows = derive_rows(CONTROLS, decisions, {})

    cabling = rows[1]
    assert cabling.applicable is False
    assert cabling.justification == "No server rooms: the landlord owns the cabling."
    assert (cabling.owner, cabling.owner_name, cabling.notes) == (
        "sofia",
        "Sofia Lindqvist",
        "Reviewed yearly.",
    )
    assert cabling.effective_status is S.NOT_APPLICABLE
    assert cabling.applicability_label == "Excluded"


def test_owner_name_falls_back_to_the_user_name() -> None:
    rows = derive_rows(CONTROLS[:1], {UID_57: Decision(owner="amira")}, {})

    assert rows[0].owner_name == "amira"


def test_risks_are_derived_from_the_actions_that_call_for_a_control_sorted_and_unique() -> None:
    calls = {
        UID_57: [
            ActionRef("R-010", 7, "Subscribe to an AI threat feed"),
            ActionRef("R-002", 3, "Monitor model abuse reports"),
            ActionRef("R-010", 9, "Brief the SOC monthly"),
            ActionRef("R-002", 3, "Monitor model abuse reports"),  # the same action listed twice
        ]
    }

    rows = derive_rows(CONTROLS, {}, calls)

    assert rows[0].risk_refs == ("R-002", "R-010")
    assert [a.id for a in rows[0].actions] == [3, 7, 9]
    assert rows[0].actions[0].label == "R-002: Monitor model abuse reports"
    assert rows[0].called_for is True
    assert rows[1].risk_refs == ()
    assert rows[1].called_for is False


def test_risk_references_sort_naturally() -> None:
    calls = {UID_57: [ActionRef("R-10", 1, "a"), ActionRef("R-9", 2, "b"), ActionRef("R-100", 3, "c")]}

    assert derive_rows(CONTROLS, {}, calls)[0].risk_refs == ("R-9", "R-10", "R-100")


# ------------------------------------------------------------------ problems


def test_a_complete_included_row_has_no_problem() -> None:
    assert row_problems(row()) == []


@pytest.mark.parametrize(("applicable", "decision"), [(True, "including"), (False, "excluding")])
def test_every_decision_needs_a_justification(applicable: bool, decision: str) -> None:
    found = row_problems(row(applicable=applicable, justification="   ", status=S.NOT_STARTED))

    assert [(p.kind, p.message) for p in found] == [
        (ProblemKind.MISSING_JUSTIFICATION, f"no justification for {decision} the control")
    ]
    assert str(found[0]) == f"5.7: no justification for {decision} the control"


def test_excluding_a_control_that_risk_treatment_calls_for_is_a_contradiction() -> None:
    flagged = row(
        applicable=False,
        status=S.NOT_STARTED,
        risk_refs=("R-001", "R-004"),
        actions=(ActionRef("R-001", 1, "a"), ActionRef("R-004", 2, "b")),
    )

    found = row_problems(flagged)

    assert [(p.kind, p.message) for p in found] == [
        (
            ProblemKind.EXCLUDED_BUT_CALLED_FOR,
            "excluded, yet the treatment of R-001, R-004 calls for it (2 actions)",
        )
    ]


def test_an_included_control_called_for_by_risks_is_fine() -> None:
    assert row_problems(row(risk_refs=("R-001",), actions=(ActionRef("R-001", 1, "a"),))) == []


@pytest.mark.parametrize(
    ("status", "flagged"),
    [
        (S.IMPLEMENTED, True),
        (S.PARTIALLY_IMPLEMENTED, True),
        (S.PLANNED, False),
        (S.NOT_STARTED, False),
    ],
)
def test_an_excluded_control_recorded_as_implemented_is_flagged(
    status: ImplementationStatus, flagged: bool
) -> None:
    found = row_problems(row(applicable=False, status=status))

    assert [p.kind for p in found] == ([ProblemKind.STATUS_ON_EXCLUDED] if flagged else [])
    if flagged:
        assert found[0].message == f"excluded, yet recorded as {status.label.lower()}"


def test_problems_lists_every_problem_of_every_row_in_row_order() -> None:
    rows = [
        row(justification=""),
        row(control_uid=UID_712, ref="7.12", applicable=False, status=S.IMPLEMENTED, justification=""),
        row(control_uid=UID_830, ref="8.30"),
    ]

    assert [(p.ref, p.kind) for p in problems(rows)] == [
        ("5.7", ProblemKind.MISSING_JUSTIFICATION),
        ("7.12", ProblemKind.MISSING_JUSTIFICATION),
        ("7.12", ProblemKind.STATUS_ON_EXCLUDED),
    ]


# ------------------------------------------------------------------ snapshots


def test_a_row_survives_the_round_trip_through_a_snapshot() -> None:
    original = row(
        owner="daniel",
        owner_name="Daniel Reyes",
        notes="Feed reviewed monthly.",
        risk_refs=("R-001",),
        actions=(ActionRef("R-001", 4, "Subscribe to a feed"),),
    )

    assert row_from_dict(row_to_dict(original)) == original
    assert rows_from_snapshot(snapshot([original], organisation="Helixa")) == [original]
    assert snapshot([original], organisation="Helixa")["organisation"] == "Helixa"


def test_an_unknown_snapshot_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown SoA snapshot format 99"):
        rows_from_snapshot({"format": 99, "rows": []})


# ------------------------------------------------------------------ diff


def test_identical_rows_have_no_diff() -> None:
    assert diff([row()], [row()]) == []


def test_changed_fields_are_listed_with_old_and_new_values() -> None:
    old = [row(status=S.PARTIALLY_IMPLEMENTED, justification="Old reason.")]
    new = [row(owner="amira", actions=(ActionRef("R-003", 1, "Add a feed"),), risk_refs=("R-003",))]

    (change,) = diff(old, new)

    assert change.kind is ChangeKind.CHANGED
    assert (change.ref, change.title) == ("5.7", "Threat intelligence")
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("justification", "Old reason.", "Risk assessment R-001."),
        ("status", "partially_implemented", "implemented"),
        ("owner", None, "amira"),
        ("risk_refs", [], ["R-003"]),
        ("actions", [], ["R-003: Add a feed"]),
    ]
    assert change.changed("owner") is True
    assert change.changed("notes") is False


def test_excluding_a_control_shows_applicability_and_status_as_the_soa_states_them() -> None:
    (change,) = diff([row()], [row(applicable=False, status=S.IMPLEMENTED)])

    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("applicable", True, False),
        ("status", "implemented", "not_applicable"),
    ]
    assert change.fields[0].label == "Applicable"


def test_added_and_removed_controls() -> None:
    kept = row(control_uid=UID_712, ref="7.12", title="Cabling security")
    old = [row(), kept]
    new = [kept, row(control_uid=UID_830, ref="8.30", title="Outsourced development")]

    changes = diff(old, new)

    assert [(c.ref, c.kind, c.fields) for c in changes] == [
        ("8.30", ChangeKind.ADDED, ()),
        ("5.7", ChangeKind.REMOVED, ()),
    ]


# ------------------------------------------------------------------ counts


def test_summary_counts_per_status_and_theme_in_the_standards_order() -> None:
    rows = [
        row(theme="technological", status=S.PLANNED),
        row(control_uid="b", status=S.IMPLEMENTED),
        row(control_uid="c", status=S.IMPLEMENTED, applicable=False),
        row(control_uid="d", theme="physical", status=S.NOT_STARTED, actions=(ActionRef("R-1", 1, "x"),)),
    ]

    counts = summarise(rows)

    assert (counts.total, counts.included, counts.excluded, counts.called_for) == (4, 3, 1, 1)
    assert counts.problems == 1  # the excluded control recorded as implemented
    assert counts.by_status == {
        S.NOT_STARTED: 1,
        S.PLANNED: 1,
        S.PARTIALLY_IMPLEMENTED: 0,
        S.IMPLEMENTED: 1,
        S.NOT_APPLICABLE: 1,
    }
    assert list(counts.by_theme) == ["organizational", "physical", "technological"]
    assert counts.by_theme["organizational"][S.IMPLEMENTED] == 1
    assert counts.by_theme["organizational"][S.NOT_APPLICABLE] == 1
    assert counts.by_theme["physical"][S.NOT_STARTED] == 1
    assert counts.by_theme["technological"][S.PLANNED] == 1
    assert counts.implemented_share == pytest.approx(1 / 3)


def test_summary_of_nothing() -> None:
    counts = summarise([])

    assert (counts.total, counts.included, counts.excluded, counts.by_theme) == (0, 0, 0, {})
    assert counts.implemented_share == 0.0


_statuses = st.sampled_from(list(S)[:4])
_rows = st.lists(
    st.builds(
        lambda i, theme, applicable, status, justified: row(
            control_uid=f"c{i}",
            theme=theme,
            applicable=applicable,
            status=status,
            justification="x" * justified,
        ),
        st.integers(0, 10_000),
        st.sampled_from(["organizational", "people", "physical", "technological"]),
        st.booleans(),
        _statuses,
        st.integers(0, 1),
    ),
    max_size=40,
    unique_by=lambda r: r.control_uid,
)


@given(_rows)
def test_counts_always_add_up(rows: list[SoARow]) -> None:
    counts = summarise(rows)

    assert sum(counts.by_status.values()) == counts.total == len(rows)
    assert counts.included + counts.excluded == counts.total
    assert counts.by_status[S.NOT_APPLICABLE] == counts.excluded
    for status in S:
        assert sum(per[status] for per in counts.by_theme.values()) == counts.by_status[status]


@given(_rows, _rows)
def test_diff_accounts_for_every_added_and_removed_control(old: list[SoARow], new: list[SoARow]) -> None:
    before = {r.control_uid for r in old}
    after = {r.control_uid for r in new}

    changes = diff(old, new)

    assert diff(old, old) == []
    assert {c.control_uid for c in changes if c.kind is ChangeKind.ADDED} == after - before
    assert {c.control_uid for c in changes if c.kind is ChangeKind.REMOVED} == before - after
    assert all(c.fields for c in changes if c.kind is ChangeKind.CHANGED)
    assert {c.control_uid for c in changes if c.kind is ChangeKind.CHANGED} <= before & after
