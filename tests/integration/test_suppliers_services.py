"""Supplier services: register writes with history and permissions, template versions that never change once
written, scoring and review dates, findings raised as risks linked to the supplier's assets, the reminder job,
and the pages reviewers use."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from aisms.apps.accounts.notifications import Notification
from aisms.apps.assets import services as asset_services
from aisms.apps.jobs.models import Schedule
from aisms.apps.jobs.services import submit
from aisms.apps.risks.models import Risk
from aisms.apps.suppliers import assessments, reminders, services
from aisms.apps.suppliers.models import (
    Assessment,
    AssessmentStatus,
    Finding,
    FindingStatus,
    QuestionnaireTemplate,
    Supplier,
    TemplateVersion,
)
from aisms.domain.suppliers.schedule import add_months
from tests.factories import make_user

pytestmark = pytest.mark.django_db

AI_ANSWERS = {
    "uses_ai_on_our_data": "yes",
    "ai_features": "Drafting notes",
    "ai_optional": "no",
    "trains_on_our_data": "opt_out",
    "training_shared_models": "yes",
    "training_deletion": "not_possible",
    "model_providers": ["hosted_llm_api"],
    "model_providers_named": "A hosted LLM",
    "provider_retention": "unknown",
    "ai_processing_location": "eea",
    "model_change_notice": "none",
    "human_oversight": "always",
    "model_evaluation": "yes",
    "ai_incidents": "24",
    "ai_policy": "yes",
    "ai_certification": ["none"],
    "eu_ai_act_role": "deployer",
}


@pytest.fixture(autouse=True)
def _fast(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def manager() -> Any:
    return make_user("isms_manager", email="manager@helixa.example")


@pytest.fixture
def submitted(manager: Any) -> Assessment:
    asset = asset_services.create_asset(None, name="Transcription service", kind="ai_service")
    supplier = services.create_supplier(
        manager, name="Sonara", tier=1, uses_ai_on_our_data=True, assets=[asset], owner=manager
    )
    assessments.adopt_starter_templates(manager)
    version = QuestionnaireTemplate.objects.get(key="ai_usage_governance").latest
    sent = assessments.send_assessment(
        manager,
        supplier,
        version,
        contact_name="P",
        contact_email="p@s.example",
        base_url="http://x",
        email=False,
    )
    problems = assessments.save_answers(sent.assessment, AI_ANSWERS, {}, submit=True, now=timezone.now())
    assert problems == []
    sent.assessment.refresh_from_db()
    return sent.assessment


def test_supplier_writes_are_recorded_and_checked(manager: Any) -> None:
    supplier = services.create_supplier(manager, name="PayFlow", tier=2, model_providers=[" A ", ""])
    assert supplier.owner == manager
    assert supplier.model_providers == ["A"]
    assert supplier.next_review_due == supplier.onboarded_on  # never reviewed: due at onboarding
    assert Schedule.objects.filter(
        key=services.REMINDER_SCHEDULE_KEY, task_name="suppliers.send_review_reminders"
    ).exists()
    services.update_supplier(manager, supplier, contact_name="Conor")
    assert [h.history_user for h in supplier.history.all()] == [manager, manager]
    auditor = make_user("auditor")
    with pytest.raises(PermissionDenied):
        services.update_supplier(auditor, supplier, contact_name="x")
    contributor = make_user("contributor")
    with pytest.raises(PermissionDenied):  # contributors edit only suppliers they own
        services.update_supplier(contributor, supplier, contact_name="x")
    supplier.refresh_from_db()
    assert supplier.contact_name == "Conor"
    services.update_supplier(manager, supplier, owner=contributor)
    services.update_supplier(contributor, Supplier.objects.get(pk=supplier.pk), contact_name="Mine")
    with pytest.raises(ValidationError):
        services.add_child(manager, supplier, "certifications", kind="nope")
    with pytest.raises(ValidationError):
        services.add_child(manager, supplier, "services", name="x", secret="y")


def test_review_dates_follow_tier_and_policy(manager: Any) -> None:
    supplier = services.create_supplier(manager, name="AWS", tier=1)
    services.mark_reviewed(manager, supplier, date(2025, 1, 15))
    supplier.refresh_from_db()
    assert supplier.next_review_due == date(2025, 7, 15)
    services.update_review_policy(manager, tier1_months=3)
    supplier.refresh_from_db()
    assert supplier.next_review_due == date(2025, 4, 15)
    with pytest.raises(PermissionDenied):
        services.update_review_policy(make_user("risk_owner"), tier1_months=1)
    with pytest.raises(ValidationError):
        services.update_review_policy(manager, tier1_months=0)


def test_template_versions_are_immutable_and_edits_make_new_versions(
    manager: Any, submitted: Assessment
) -> None:
    template = QuestionnaireTemplate.objects.get(key="ai_usage_governance")
    first = template.latest
    assert first is not None
    definition = dict(first.definition)
    definition["title"] = "AI use (v2)"
    added = assessments.add_template_version(manager, template, definition, "Retitled")
    assert added.version == 2
    first.refresh_from_db()
    assert first.definition["title"] == "AI usage and AI governance of a supplier"
    assert submitted.template_version_id == first.pk
    with pytest.raises(ValidationError) as caught:
        assessments.add_template_version(
            manager, template, "key: ai_usage_governance\ntitle: x\nsections: []\n", "bad"
        )
    assert "sections" in str(caught.value)
    with pytest.raises(ValidationError):
        assessments.add_template_version(manager, template, {**definition, "key": "other"}, "rekey")
    with pytest.raises(PermissionDenied):
        assessments.add_template_version(make_user("contributor"), template, definition, "x")
    assert TemplateVersion.objects.filter(template=template).count() == 2
    assert len(assessments.adopt_starter_templates(manager)) == 0  # already adopted


def test_submission_scores_and_flags_then_the_reviewer_scores(manager: Any, submitted: Assessment) -> None:
    assert submitted.status == AssessmentStatus.SUBMITTED
    flags = {f["id"] for f in submitted.score_details["flags"]}
    assert flags == {
        "trains_without_consent",
        "shared_models",
        "silent_model_changes",
        "provider_retention_unknown",
    }
    assert 0 <= submitted.score < 50
    with pytest.raises(PermissionDenied):
        assessments.score_assessment(make_user("auditor"), submitted, rating="acceptable")
    scored = assessments.score_assessment(
        manager, submitted, rating="not_acceptable", comments="Stop training"
    )
    assert scored.status == AssessmentStatus.SCORED
    assert scored.scored_by == manager
    supplier = Supplier.objects.get(pk=submitted.supplier_id)
    assert supplier.last_reviewed_on == timezone.localdate()
    assert supplier.next_review_due == add_months(timezone.localdate(), 6)


def test_a_finding_becomes_a_risk_linked_to_the_suppliers_assets(manager: Any, submitted: Assessment) -> None:
    finding = assessments.raise_finding(
        manager,
        submitted.supplier,
        assessment=submitted,
        question_id="trains_on_our_data",
        title="Trains on our data unless we opt out",
        severity="critical",
    )
    with pytest.raises(PermissionDenied):
        assessments.raise_as_risk(make_user("auditor"), finding)
    assert not Risk.objects.exists()
    risk = assessments.raise_as_risk(manager, finding)
    assert risk.title == "Sonara: Trains on our data unless we opt out"
    assert risk.threat is not None
    assert risk.threat.uid == "atlas:AML.T0010"
    assert [a.name for a in risk.assets.all()] == ["Transcription service"]
    assert (risk.inherent_likelihood, risk.inherent_impact) == (4, 5)
    finding.refresh_from_db()
    assert finding.risk == risk
    assert finding.status == FindingStatus.RAISED_AS_RISK
    with pytest.raises(ValidationError):
        assessments.raise_as_risk(manager, finding)
    assert Risk.objects.count() == 1
    with pytest.raises(ValidationError):
        assessments.raise_finding(
            manager, submitted.supplier, assessment=submitted, question_id="nope", title="x"
        )


def test_non_ai_supplier_risk_uses_a_custom_threat(manager: Any) -> None:
    supplier = services.create_supplier(manager, name="PayFlow", uses_ai_on_our_data=False)
    finding = assessments.raise_finding(manager, supplier, title="No MFA for support staff", severity="high")
    risk = assessments.raise_as_risk(manager, finding)
    assert risk.threat is None
    assert risk.custom_threat == "Supplier failure or compromise: PayFlow"


def test_review_reminder_job_notifies_once_per_supplier_and_due_date(manager: Any) -> None:
    today = timezone.localdate()
    overdue = services.create_supplier(manager, name="Late", tier=2, owner=manager)
    services.mark_reviewed(manager, overdue, add_months(today, -13))
    services.create_supplier(manager, name="Fine", tier=3, onboarded_on=today + timedelta(days=200))
    first = submit("suppliers.send_review_reminders", title="reminders")
    assert first.status == "succeeded", first.error
    assert first.result == {"sent": 1, "skipped": 0}
    notes = Notification.objects.filter(user=manager)
    assert [n.subject for n in notes] == ["Supplier review overdue: Late"]
    second = submit("suppliers.send_review_reminders", title="reminders")
    assert second.result == {"sent": 0, "skipped": 1}
    assert Notification.objects.filter(user=manager).count() == 1
    # A new due date (after a review) is a new reminder.
    services.mark_reviewed(manager, overdue, add_months(today, -12))
    assert reminders.send_review_reminders(today)["sent"] == 1


def test_reviewer_pages_render_and_a_denied_post_changes_nothing(manager: Any, submitted: Assessment) -> None:
    client = Client()
    client.force_login(manager)
    supplier = submitted.supplier
    for url in (
        "/suppliers/",
        "/suppliers/overview/",
        f"/suppliers/{supplier.pk}/",
        f"/suppliers/assessments/{submitted.pk}/",
        "/suppliers/templates/",
        f"/suppliers/{supplier.pk}/send/",
        "/suppliers/?ai=yes&tier=1&review=overdue",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/suppliers/assessments/{submitted.pk}/").content.decode()
    assert "Trains or fine-tunes models on our data without our prior consent." in page
    sent = client.post(
        f"/suppliers/{supplier.pk}/send/",
        {
            "template_version": submitted.template_version_id,
            "contact_name": "P",
            "contact_email": "p@s.example",
            "link_days": 7,
        },
    )
    assert sent.status_code == 200
    assert 'id="portal-link"' in sent.content.decode()
    auditor = Client()
    auditor.force_login(make_user("auditor"))
    before = (Finding.objects.count(), Assessment.objects.get(pk=submitted.pk).status)
    assert (
        auditor.post(
            f"/suppliers/assessments/{submitted.pk}/findings/", {"title": "x", "severity": "low"}
        ).status_code
        == 403
    )
    assert (
        auditor.post(f"/suppliers/assessments/{submitted.pk}/score/", {"rating": "acceptable"}).status_code
        == 403
    )
    assert (Finding.objects.count(), Assessment.objects.get(pk=submitted.pk).status) == before
    client.post(f"/suppliers/{supplier.pk}/clauses/model_change_notice/", {"status": "missing"})
    assert supplier.clauses.get(key="model_change_notice").status == "missing"
