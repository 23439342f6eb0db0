"""Risk register services: scoring with a versioned method, acceptance rules, treatment, suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks import selectors, services
from aisms.apps.risks.models import ActionStatus, Risk, RiskStatus, TreatmentAction
from aisms.apps.web.history import object_history
from aisms.domain.risk_method import DEFAULT_METHOD, method_to_dict
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MEDIUM_TARGET = services.Scores(inherent=(5, 5), current=(4, 4), target=(2, 4))  # target 'medium'
HIGH_TARGET = services.Scores(inherent=(5, 5), current=(4, 4), target=(4, 4))  # target 'high'


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _entry(uid: str) -> CatalogueEntry:
    return CatalogueEntry.objects.get(uid=uid)


def _asset(**fields) -> Asset:
    defaults = {"name": "Triage assistant", "kind": "ai_system"}
    return Asset.objects.create(**{**defaults, **fields})


def _risk(actor, owner=None, scores=MEDIUM_TARGET, **fields) -> Risk:
    return services.create_risk(
        actor,
        title=fields.pop("title", "Prompt injection leaks patient data"),
        scores=scores,
        threat=fields.pop("threat", _entry("atlas:AML.T0051")),
        owner=owner,
        **fields,
    )


def test_a_new_risk_is_scored_with_the_current_method_and_numbered() -> None:
    manager = make_user("isms_manager")
    first = _risk(manager)
    second = _risk(manager, title="Second")
    assert (first.ref, second.ref) == ("R-001", "R-002")
    assert first.method_version == DEFAULT_METHOD.version == 1
    assert (first.inherent_level, first.current_level, first.target_level) == ("critical", "high", "medium")
    assert first.created_by == manager
    assert first.status == RiskStatus.OPEN


def test_a_risk_needs_a_catalogue_or_custom_threat_and_valid_scores() -> None:
    manager = make_user("isms_manager")
    with pytest.raises(ValidationError) as no_threat:
        _risk(manager, threat=None)
    assert "threat" in no_threat.value.message_dict
    with pytest.raises(ValidationError) as bad_score:
        _risk(manager, scores=services.Scores((6, 1), (1, 1), (1, 1)))
    assert bad_score.value.message_dict == {"inherent_likelihood": ["likelihood must be 1 to 5, got 6"]}
    custom = _risk(manager, threat=None, custom_threat="Insider sells the model weights")
    assert custom.threat_name == "Insider sells the model weights"
    assert Risk.objects.count() == 1


def test_an_auditor_cannot_create_and_nothing_is_stored() -> None:
    with pytest.raises(PermissionDenied):
        _risk(make_user("auditor"))
    assert Risk.objects.count() == 0


def test_a_contributor_edits_only_risks_they_own_or_wrote() -> None:
    manager = make_user("isms_manager")
    contributor = make_user("contributor")
    others = _risk(manager)
    with pytest.raises(PermissionDenied):
        services.update_risk(contributor, others, title="Changed")
    assert Risk.objects.get(pk=others.pk).title == "Prompt injection leaks patient data"
    own = _risk(contributor)
    services.update_risk(contributor, own, title="Clarified")
    assert Risk.objects.get(pk=own.pk).title == "Clarified"


def test_the_owner_accepts_a_residual_risk_within_appetite_with_a_justification() -> None:
    owner = make_user("risk_owner")
    risk = _risk(make_user("isms_manager"), owner=owner)
    with pytest.raises(ValidationError):
        services.accept_risk(owner, risk, justification="  ")
    accepted = services.accept_risk(owner, risk, justification="Input filtering and human review in place")
    assert accepted.status == RiskStatus.ACCEPTED
    assert (accepted.accepted_by, accepted.accepted_level, accepted.acceptance_exception) == (
        owner,
        "medium",
        False,
    )
    history = object_history("risk", str(risk.pk))[1]
    assert history[0].user == owner.username
    assert history[0].reason == "residual risk accepted"


def test_another_risk_owner_or_an_auditor_cannot_accept() -> None:
    risk = _risk(make_user("isms_manager"), owner=make_user("risk_owner"))
    for actor in (make_user("risk_owner"), make_user("auditor"), make_user("contributor")):
        with pytest.raises(PermissionDenied):
            services.accept_risk(actor, risk, justification="Because")
    assert Risk.objects.get(pk=risk.pk).accepted_at is None


def test_above_appetite_only_as_an_explicit_justified_exception() -> None:
    owner = make_user("risk_owner")
    manager = make_user("isms_manager")
    risk = _risk(manager, owner=owner, scores=HIGH_TARGET)
    with pytest.raises(PermissionDenied):
        services.accept_risk(owner, risk, justification="We can live with it", exception=True)
    with pytest.raises(ValidationError) as refused:
        services.accept_risk(manager, risk, justification="Board decision", exception=False)
    assert "above the risk appetite" in " ".join(refused.value.messages)
    accepted = services.accept_risk(manager, risk, justification="Board decision 2026-11-12", exception=True)
    assert accepted.acceptance_exception is True
    assert accepted.accepted_level == "high"


def test_re_scoring_voids_an_earlier_acceptance() -> None:
    owner = make_user("risk_owner")
    risk = _risk(make_user("isms_manager"), owner=owner)
    services.accept_risk(owner, risk, justification="ok")
    changed = services.update_risk(owner, risk, scores=HIGH_TARGET, reason="new exploit published")
    assert changed.accepted_at is None
    assert changed.status == RiskStatus.OPEN
    assert changed.target_level == "high"
    assert object_history("risk", str(risk.pk))[1][0].reason == "new exploit published"


def test_a_new_method_version_flags_risks_for_reassessment_and_blocks_acceptance() -> None:
    manager = make_user("isms_manager")
    owner = make_user("risk_owner")
    risk = _risk(manager, owner=owner)
    definition = method_to_dict(DEFAULT_METHOD)
    definition["name"] = "Helixa 5x5"
    definition["levels"][1]["within_appetite"] = False  # medium is now above appetite
    definition["levels"][1]["accept_roles"] = ["isms_manager"]
    new = services.publish_method(manager, definition, notes="Appetite lowered after the board review")
    assert (new.version, new.is_current) == (2, True)
    method = services.current_method()
    stale = selectors.register(selectors.RiskFilter(needs_reassessment=True), method)
    assert [r.ref for r in stale] == [risk.ref]
    with pytest.raises(ValidationError):
        services.accept_risk(owner, risk, justification="ok")
    services.update_risk(owner, risk, scores=MEDIUM_TARGET)
    assert selectors.register(selectors.RiskFilter(needs_reassessment=True), method) == []
    assert Risk.objects.get(pk=risk.pk).method_version == 2


def test_publishing_a_broken_method_is_refused_and_changes_nothing() -> None:
    manager = make_user("isms_manager")
    services.current_method_row()
    definition = method_to_dict(DEFAULT_METHOD)
    definition["matrix"][4][4] = "low"
    with pytest.raises(ValidationError) as refused:
        services.publish_method(manager, definition, notes="typo")
    assert "matrix[4][4]" in refused.value.message_dict
    assert services.current_method_row().version == 1
    with pytest.raises(PermissionDenied):
        services.publish_method(make_user("risk_owner"), method_to_dict(DEFAULT_METHOD), notes="x")


def test_treatment_actions_take_only_27002_controls_and_move_the_risk_into_treatment() -> None:
    manager = make_user("isms_manager")
    risk = _risk(manager)
    with pytest.raises(ValidationError):
        services.add_action(manager, risk, title="Bad", controls=[_entry("atlas:AML.T0051")])
    action = services.add_action(
        manager,
        risk,
        title="Separate system prompt from retrieved text",
        controls=[_entry("iso27002:2022:8.28"), _entry("iso27002:2022:8.26")],
        due_date=dt.date(2026, 1, 31),
    )
    risk.refresh_from_db()
    assert (risk.status, risk.treatment) == (RiskStatus.IN_TREATMENT, "mitigate")
    assert sorted(c.ref for c in action.controls.all()) == ["8.26", "8.28"]
    done = services.update_action(manager, action, status=ActionStatus.DONE)
    assert done.completed_at is not None
    overview = selectors.actions_overview(dt.date(2026, 2, 1))
    assert overview["done"] == [action]
    reopened = services.update_action(manager, action, status=ActionStatus.IN_PROGRESS)
    assert reopened.completed_at is None
    assert selectors.actions_overview(dt.date(2026, 2, 1))["overdue"] == [action]
    assert TreatmentAction.objects.count() == 1


def test_suggestions_follow_the_asset_and_skip_threats_already_covered() -> None:
    manager = make_user("isms_manager")
    asset = _asset(reads_untrusted_content=True, publicly_exposed=False)
    uids = [s.threat.uid for s in selectors.suggestions_for(asset)]
    assert uids == ["atlas:AML.T0051", "owasp-llm:2025:LLM01", "owasp-llm:2025:LLM05"]
    first = selectors.suggestions_for(asset)[0]
    assert "8.28" in [c.ref for c, _ in first.controls]
    _risk(manager, assets=[asset])
    assert [s.threat.uid for s in selectors.suggestions_for(asset)] == [
        "owasp-llm:2025:LLM01",
        "owasp-llm:2025:LLM05",
    ]
    dataset = _asset(name="Claims history", kind="dataset", learns_from_user_data=True)
    assert "atlas:AML.T0020" in [s.threat.uid for s in selectors.suggestions_for(dataset)]
    unknown = _asset(name="Unknown model", kind="model")
    assert "atlas:AML.T0020" not in [s.threat.uid for s in selectors.suggestions_for(unknown)]


def test_heat_maps_count_risks_per_cell_for_the_current_method() -> None:
    manager = make_user("isms_manager")
    _risk(manager)
    _risk(manager, scores=HIGH_TARGET)
    method = services.current_method()
    risks = selectors.register(selectors.RiskFilter(), method)
    inherent = selectors.heat_map(risks, method, "inherent", "Inherent")
    assert inherent.total == 2
    top_row_name, top_cells = inherent.rows[0]
    assert top_row_name == "Almost certain"
    assert top_cells[4][0] == 2  # likelihood 5, impact 5
    target = selectors.heat_map(risks, method, "target", "Target")
    counts = {
        (len(target.rows) - r, c + 1): n
        for r, (_, cells) in enumerate(target.rows)
        for c, (n, _) in enumerate(cells)
        if n
    }
    assert counts == {(2, 4): 1, (4, 4): 1}


def test_the_register_filters_and_sorts_by_severity() -> None:
    manager = make_user("isms_manager")
    low = _risk(manager, title="Low one", scores=services.Scores((1, 1), (1, 1), (1, 1)))
    high = _risk(manager, title="High one", scores=HIGH_TARGET)
    method = services.current_method()
    by_current = selectors.register(selectors.RiskFilter(sort="current"), method)
    assert [r.ref for r in by_current] == [high.ref, low.ref]
    assert [r.ref for r in selectors.register(selectors.RiskFilter(level="low"), method)] == [low.ref]
    cell = selectors.RiskFilter(stage="target", likelihood=4, impact=4)
    assert [r.ref for r in selectors.register(cell, method)] == [high.ref]
    assert [r.ref for r in selectors.register(selectors.RiskFilter(q="High"), method)] == [high.ref]


def test_fair_inputs_are_validated_stored_with_history_and_simulated() -> None:
    from aisms.apps.risks import quantification

    manager = make_user("isms_manager")
    risk = _risk(manager)
    other = _risk(manager, title="Model theft")
    with pytest.raises(ValidationError) as bad:
        quantification.set_quantification(
            manager,
            risk,
            {"lef": {"low": 2, "most_likely": 1, "high": 3}, "primary_loss": {"low": 1, "high": 2}},
        )
    assert "lef" in bad.value.message_dict
    with pytest.raises(ValidationError) as missing:
        quantification.set_quantification(manager, risk, {"lef": {"low": 1, "high": 2}})
    assert "primary_loss" in missing.value.message_dict
    quantification.set_quantification(
        manager,
        risk,
        {"lef": {"low": 1, "most_likely": 1, "high": 1}, "primary_loss": {"low": 1000, "high": 1000}},
    )
    quantification.set_quantification(
        manager,
        other,
        {"lef": {"low": 0.5, "most_likely": 0.5, "high": 0.5}, "primary_loss": {"low": 2000, "high": 2000}},
    )
    analysis = quantification.analyse([risk, other], runs=1000, seed=3)
    assert analysis is not None
    means = {r.ref: result.annual_loss.mean for r, result in analysis.rows}
    assert means == {risk.ref: pytest.approx(1000.0), other.ref: pytest.approx(1000.0)}
    assert analysis.result.portfolio.mean == pytest.approx(2000.0)
    assert quantification.analyse([_risk(manager, title="No inputs")], runs=10, seed=1) is None
    assert risk.quantification.history.count() == 1
    with pytest.raises(ValidationError):
        quantification.analyse([risk], runs=0, seed=1)


def test_status_accepted_cannot_be_set_by_editing() -> None:
    manager = make_user("isms_manager")
    risk = _risk(manager)
    with pytest.raises(ValidationError) as refused:
        services.update_risk(manager, risk, status=RiskStatus.ACCEPTED)
    expected = {"status": ["a risk becomes accepted only through the owner's sign-off"]}
    assert refused.value.message_dict == expected
    assert Risk.objects.get(pk=risk.pk).status == RiskStatus.OPEN
