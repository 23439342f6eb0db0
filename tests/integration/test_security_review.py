"""Regression tests from the security review (with the database): object-level checks on supplier
assessments and findings, a missing job is a 404, and absurdly nested scan uploads are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aisms.apps.devsec import services as devsec_services
from aisms.apps.suppliers import assessments, services
from aisms.apps.suppliers.models import Assessment, AssessmentStatus, Finding, QuestionnaireTemplate, Supplier
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _submitted(owner: Any) -> Assessment:
    supplier = services.create_supplier(None, name="Sonara", tier=1, owner=owner)
    assessments.adopt_starter_templates(None)
    version = QuestionnaireTemplate.objects.get(key="information_security").latest
    sent = assessments.send_assessment(
        None,
        supplier,
        version,
        contact_name="P",
        contact_email="p@s.example",
        base_url="http://x",
        email=False,
    )
    Assessment.objects.filter(pk=sent.assessment.pk).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    return Assessment.objects.get(pk=sent.assessment.pk)


def _state(assessment: Assessment) -> tuple[Any, ...]:
    return (
        list(Assessment.objects.filter(pk=assessment.pk).values()),
        list(Supplier.objects.filter(pk=assessment.supplier_id).values()),
        list(Finding.objects.order_by("pk").values()),
    )


def test_a_contributor_may_not_score_cancel_or_triage_another_owners_supplier() -> None:
    # Scoring counts as the supplier's review (it moves the next review date): the same object rule as
    # marking the supplier reviewed, which a contributor may do only on suppliers they own.
    manager = make_user("isms_manager")
    assessment = _submitted(manager)
    finding = assessments.raise_finding(None, assessment.supplier, title="No MFA", assessment=assessment)
    outsider = make_user("contributor")
    before = _state(assessment)
    with pytest.raises(PermissionDenied):
        assessments.score_assessment(outsider, assessment, rating="acceptable")
    with pytest.raises(PermissionDenied):
        assessments.cancel_assessment(outsider, assessment)
    with pytest.raises(PermissionDenied):
        assessments.update_finding(outsider, finding, status="resolved")
    with pytest.raises(PermissionDenied):
        services.mark_reviewed(outsider, assessment.supplier, timezone.localdate())  # the existing rule
    assert _state(assessment) == before
    # through the web UI too: refused, nothing changed
    client = session_client(outsider)
    response = client.post(f"/suppliers/assessments/{assessment.pk}/cancel/")
    assert response.status_code == 403
    assert _state(assessment) == before


def test_a_contributor_who_owns_the_supplier_may_score_and_triage() -> None:
    owner = make_user("contributor")
    assessment = _submitted(owner)
    finding = assessments.raise_finding(None, assessment.supplier, title="No MFA", assessment=assessment)
    scored = assessments.score_assessment(owner, assessment, rating="acceptable")
    assert scored.status == AssessmentStatus.SCORED
    assert assessments.update_finding(owner, finding, status="resolved").status == "resolved"


def test_a_sent_assessment_link_is_reissued_only_by_someone_who_may_edit_the_supplier() -> None:
    manager = make_user("isms_manager")
    assessment = _submitted(manager)
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SENT)
    assessment.refresh_from_db()
    old_hash = assessment.token_hash
    with pytest.raises(PermissionDenied):
        assessments.reissue_link(make_user("contributor"), assessment, base_url="http://x")
    assert Assessment.objects.get(pk=assessment.pk).token_hash == old_hash
    assessments.reissue_link(manager, assessment, base_url="http://x")
    assert Assessment.objects.get(pk=assessment.pk).token_hash != old_hash


def test_a_missing_job_is_not_found_not_a_server_error() -> None:
    client = session_client(make_user("auditor"))
    assert client.get("/jobs/999999/").status_code == 404
    assert client.get("/jobs/999999/status/").status_code == 404


def test_an_absurdly_nested_scan_upload_is_refused_not_a_crash() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(devsec_services.ScanUploadError, match="not valid JSON"):
        devsec_services.parse_upload(deep, "report.json")


def test_a_contributor_edits_only_regulations_they_own() -> None:
    from aisms.apps.compliance import regulation_services
    from aisms.apps.compliance.models import Obligation, Regulation

    manager = make_user("isms_manager")
    regulation = regulation_services.create_regulation(manager, name="NIS2 Directive", short_name="NIS2")
    obligation = regulation_services.add_obligation(manager, regulation, text="Report incidents in 24 h")
    outsider = make_user("contributor")

    def state() -> tuple[Any, ...]:
        return (list(Regulation.objects.values()), list(Obligation.objects.values()))

    before = state()
    with pytest.raises(PermissionDenied):
        regulation_services.update_regulation(outsider, regulation, name="Renamed")
    with pytest.raises(PermissionDenied):
        regulation_services.add_obligation(outsider, regulation, text="Another")
    with pytest.raises(PermissionDenied):
        regulation_services.update_obligation(outsider, obligation, text="Changed")
    with pytest.raises(PermissionDenied):
        regulation_services.delete_obligation(outsider, obligation)
    assert state() == before
    mine = regulation_services.create_regulation(outsider, name="Local law", short_name="LL")
    regulation_services.add_obligation(outsider, mine, text="Keep records")
    assert regulation_services.update_regulation(outsider, mine, name="Local law 2").name == "Local law 2"
