"""Status derivation of Annex A controls: a table of cases, and properties that must always hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisms.domain.compliance.status import (
    ComplianceStatus,
    ControlInputs,
    Evidence,
    EvidenceState,
    OpenNonconformities,
    derive_control_status,
    evidence_state,
    worse,
)
from aisms.domain.soa import ImplementationStatus as Impl

TODAY = date(2026, 6, 1)
CURRENT = Evidence("pen test", TODAY + timedelta(days=200))
FOREVER = Evidence("policy", None)
SOON = Evidence("certificate", TODAY + timedelta(days=10))
EXPIRED = Evidence("old scan", TODAY - timedelta(days=1))
S = ComplianceStatus


@pytest.mark.parametrize(
    ("applicable", "impl", "evidence", "ncs", "expected"),
    [
        (False, Impl.IMPLEMENTED, [CURRENT], OpenNonconformities(major=1), S.NOT_APPLICABLE),
        (True, Impl.NOT_STARTED, [CURRENT], OpenNonconformities(), S.GAP),
        (True, Impl.PLANNED, [], OpenNonconformities(), S.GAP),
        (True, Impl.IMPLEMENTED, [], OpenNonconformities(), S.GAP),
        (True, Impl.IMPLEMENTED, [EXPIRED], OpenNonconformities(), S.GAP),
        (True, Impl.IMPLEMENTED, [SOON], OpenNonconformities(), S.EXPIRING),
        (True, Impl.IMPLEMENTED, [SOON, EXPIRED], OpenNonconformities(), S.EXPIRING),
        (True, Impl.IMPLEMENTED, [SOON, CURRENT], OpenNonconformities(), S.COMPLIANT),
        (True, Impl.IMPLEMENTED, [FOREVER], OpenNonconformities(), S.COMPLIANT),
        (True, Impl.PARTIALLY_IMPLEMENTED, [CURRENT], OpenNonconformities(), S.PARTIAL),
        (True, Impl.PARTIALLY_IMPLEMENTED, [], OpenNonconformities(), S.GAP),
        (True, Impl.IMPLEMENTED, [CURRENT], OpenNonconformities(minor=1), S.PARTIAL),
        (True, Impl.IMPLEMENTED, [CURRENT], OpenNonconformities(observation=2), S.COMPLIANT),
        (True, Impl.IMPLEMENTED, [CURRENT], OpenNonconformities(major=1), S.NONCONFORMING),
        (True, Impl.NOT_STARTED, [], OpenNonconformities(minor=1), S.GAP),
        (True, Impl.NOT_STARTED, [], OpenNonconformities(major=1), S.NONCONFORMING),
    ],
)
def test_control_status_table(
    applicable: bool,
    impl: Impl,
    evidence: list[Evidence],
    ncs: OpenNonconformities,
    expected: ComplianceStatus,
) -> None:
    result = derive_control_status(ControlInputs(applicable, impl, evidence, ncs), TODAY)
    assert result.status is expected
    assert result.reasons, "every status explains itself"


def test_reasons_name_what_is_missing() -> None:
    result = derive_control_status(ControlInputs(True, Impl.IMPLEMENTED, [EXPIRED]), TODAY)
    assert result.reasons == ("implementation: implemented", "1 evidence item expired", "no valid evidence")
    nc = derive_control_status(
        ControlInputs(True, Impl.IMPLEMENTED, [CURRENT], OpenNonconformities(2, 1, 0)), TODAY
    )
    assert "2 open major nonconformities" in nc.reasons
    assert "1 open minor nonconformity" in nc.reasons


def test_evidence_state_boundaries() -> None:
    assert evidence_state(None, TODAY) is EvidenceState.CURRENT
    assert evidence_state(TODAY + timedelta(days=31), TODAY) is EvidenceState.CURRENT
    assert evidence_state(TODAY + timedelta(days=30), TODAY) is EvidenceState.EXPIRING
    assert evidence_state(TODAY, TODAY) is EvidenceState.EXPIRING
    assert evidence_state(TODAY - timedelta(days=1), TODAY) is EvidenceState.EXPIRED
    assert evidence_state(TODAY + timedelta(days=5), TODAY, warning_days=3) is EvidenceState.CURRENT


def test_worse_treats_not_applicable_as_best() -> None:
    assert worse(S.NOT_APPLICABLE, S.GAP) is S.GAP
    assert worse(S.COMPLIANT, S.NOT_APPLICABLE) is S.COMPLIANT
    assert worse(S.PARTIAL, S.EXPIRING) is S.PARTIAL


expiries = st.one_of(st.none(), st.integers(min_value=-400, max_value=400))
impls = st.sampled_from([Impl.NOT_STARTED, Impl.PLANNED, Impl.PARTIALLY_IMPLEMENTED, Impl.IMPLEMENTED])
ncs = st.builds(
    OpenNonconformities,
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=0, max_value=2),
)


def _inputs(impl: Impl, offsets: list[int | None], nc: OpenNonconformities) -> ControlInputs:
    items = [
        Evidence(f"e{i}", None if o is None else TODAY + timedelta(days=o)) for i, o in enumerate(offsets)
    ]
    return ControlInputs(True, impl, items, nc)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(impls, st.lists(expiries, max_size=5), ncs, st.data())
def test_status_never_improves_when_an_evidence_item_expires(
    impl: Impl, offsets: list[int | None], nc: OpenNonconformities, data: st.DataObject
) -> None:
    before = derive_control_status(_inputs(impl, offsets, nc), TODAY).status
    if offsets:
        index = data.draw(st.integers(min_value=0, max_value=len(offsets) - 1))
        expired = list(offsets)
        expired[index] = -1
        after = derive_control_status(_inputs(impl, expired, nc), TODAY).status
        assert after.rank >= before.rank


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(impls, st.lists(expiries, max_size=5), ncs, st.integers(min_value=0, max_value=500))
def test_status_never_improves_as_time_passes(
    impl: Impl, offsets: list[int | None], nc: OpenNonconformities, days: int
) -> None:
    inputs = _inputs(impl, offsets, nc)
    now = derive_control_status(inputs, TODAY).status
    later = derive_control_status(inputs, TODAY + timedelta(days=days)).status
    assert later.rank >= now.rank


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(impls, st.lists(expiries, max_size=5), ncs, ncs)
def test_more_open_nonconformities_never_improve_the_status(
    impl: Impl, offsets: list[int | None], nc: OpenNonconformities, extra: OpenNonconformities
) -> None:
    base = derive_control_status(_inputs(impl, offsets, nc), TODAY).status
    more = derive_control_status(_inputs(impl, offsets, nc + extra), TODAY).status
    assert more.rank >= base.rank
