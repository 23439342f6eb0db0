"""The supplier portal link: single-purpose, expiring, rate-limited, no login; a refused request changes
nothing. Draft save, conditional follow-ups, submission, read-only afterwards, evidence upload limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from aisms.apps.suppliers import assessments, portal, services
from aisms.apps.suppliers.models import Answer, Assessment, AssessmentStatus, QuestionnaireTemplate
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean(settings: Any, tmp_path: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> assessments.SentLink:
    manager = make_user("isms_manager")
    assessments.adopt_starter_templates(manager)
    supplier = services.create_supplier(manager, name="Sonara Health", tier=1)
    version = QuestionnaireTemplate.objects.get(key="ai_usage_governance").latest
    with django_capture_on_commit_callbacks(execute=True):
        return assessments.send_assessment(
            manager,
            supplier,
            version,
            contact_name="Pieter",
            contact_email="pieter@sonara.example",
            base_url="http://testserver",
        )


def _client() -> Client:
    return Client(enforce_csrf_checks=True)


def _get_csrf(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return str(client.cookies["csrftoken"].value)


def _state(assessment: Assessment) -> tuple[Any, ...]:
    assessment.refresh_from_db()
    return (
        assessment.status,
        assessment.submitted_at,
        assessment.draft_saved_at,
        assessment.score,
        list(Answer.objects.filter(assessment=assessment).order_by("pk").values("question_id", "value")),
    )


def test_the_link_is_emailed_and_only_its_hash_stored(sent: assessments.SentLink) -> None:
    assert len(sent.token) >= 43
    assert sent.assessment.token_hash == assessments.hash_token(sent.token)
    assert sent.token not in str(Assessment.objects.filter(pk=sent.assessment.pk).values().get())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pieter@sonara.example"]
    assert f"http://testserver/supplier-portal/{sent.token}/" in mail.outbox[0].body
    assert sent.assessment.expires_at - timezone.now() > timedelta(days=13, hours=23)


def test_portal_shows_only_this_questionnaire_without_login_or_navigation(sent: assessments.SentLink) -> None:
    response = _client().get(sent.path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "AI usage and AI governance of a supplier" in html
    assert "Sonara Health" in html
    assert 'nav class="main"' not in html
    assert "/risks/" not in html
    assert "/assets/" not in html
    assert "csrftoken" in response.cookies
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    # the follow-ups start hidden and carry their conditions for the page script
    assert (
        'id="q-trains_on_our_data" data-question="trains_on_our_data" data-type="single_choice" hidden'
        in html
    )
    assert '"uses_ai_on_our_data"' in html


def test_draft_then_submit_then_read_only(sent: assessments.SentLink) -> None:
    client = _client()
    csrf = _get_csrf(client, sent.path)
    draft = client.post(
        sent.path,
        {
            "csrfmiddlewaretoken": csrf,
            "action": "save",
            "q_uses_ai_on_our_data": "yes",
            "q_trains_on_our_data": "opt_out",
        },
    )
    assert draft.status_code == 200
    assert "Draft saved" in draft.content.decode()
    assessment = sent.assessment
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SENT
    assert assessments.stored_answers(assessment) == {
        "uses_ai_on_our_data": True,
        "trains_on_our_data": "opt_out",
    }
    # Submitting with required follow-ups missing is refused, and nothing changes.
    before = _state(assessment)
    refused = client.post(
        sent.path, {"csrfmiddlewaretoken": csrf, "action": "submit", "q_uses_ai_on_our_data": "yes"}
    )
    assert refused.status_code == 400
    assert "an answer is required" in refused.content.decode()
    assert _state(assessment) == before
    # Answering "no" hides every follow-up: the stale training answer is removed and submission works.
    done = client.post(
        sent.path,
        {
            "csrfmiddlewaretoken": csrf,
            "action": "submit",
            "q_uses_ai_on_our_data": "no",
            "q_trains_on_our_data": "opt_out",
            "q_ai_policy": "yes",
            "q_ai_certification": ["iso42001"],
        },
    )
    assert done.status_code == 200
    assert "Submitted on" in done.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert set(assessments.stored_answers(assessment)) == {
        "uses_ai_on_our_data",
        "ai_policy",
        "ai_certification",
    }
    assert assessment.score == 100.0
    assert assessment.score_details["method"] == "weighted-visible-answered/1"
    # Reuse after submit: read-only page, edits refused with 409 and nothing changes.
    after = _state(assessment)
    again = client.post(sent.path, {"csrfmiddlewaretoken": csrf, "action": "save", "q_ai_policy": "no"})
    assert again.status_code == 409
    assert "can no longer be changed" in again.content.decode()
    assert _state(assessment) == after
    assert client.get(sent.path).status_code == 200


def test_an_expired_link_is_refused_and_changes_nothing(sent: assessments.SentLink) -> None:
    client = _client()
    csrf = _get_csrf(client, sent.path)
    Assessment.objects.filter(pk=sent.assessment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _state(sent.assessment)
    assert client.get(sent.path).status_code == 410
    posted = client.post(
        sent.path, {"csrfmiddlewaretoken": csrf, "action": "submit", "q_uses_ai_on_our_data": "no"}
    )
    assert posted.status_code == 410
    assert "expired" in posted.content.decode()
    assert _state(sent.assessment) == before


def test_wrong_token_other_urls_and_cancelled_links_are_404(sent: assessments.SentLink) -> None:
    client = _client()
    assert client.get("/supplier-portal/not-a-real-token/").status_code == 404
    assert client.get(sent.path[:-5] + "abcd/").status_code == 404
    for other in (f"{sent.path}submit/", f"{sent.path}../", f"/supplier-portal/{sent.token}/evidence/1/"):
        assert client.get(other).status_code == 404, other
    # The token opens nothing else: no session, so every product page sends the visitor to log in.
    client.get(sent.path)
    for page in ("/suppliers/", f"/suppliers/assessments/{sent.assessment.pk}/", "/risks/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/login/")
    assert client.get(f"/api/v1/suppliers/assessments/{sent.assessment.pk}").status_code == 401
    assessments.cancel_assessment(None, sent.assessment)
    assert client.get(sent.path).status_code == 404


def test_csrf_is_enforced_on_the_portal(sent: assessments.SentLink) -> None:
    before = _state(sent.assessment)
    response = _client().post(sent.path, {"action": "save", "q_uses_ai_on_our_data": "yes"})
    assert response.status_code == 403
    assert _state(sent.assessment) == before


def test_rate_limit_per_token_answers_429_and_changes_nothing(
    sent: assessments.SentLink, monkeypatch: Any
) -> None:
    monkeypatch.setattr(portal, "MAX_PER_TOKEN", 3)
    client = _client()
    csrf = _get_csrf(client, sent.path)
    assert client.get(sent.path).status_code == 200
    assert client.get(sent.path).status_code == 200
    before = _state(sent.assessment)
    limited = client.post(
        sent.path, {"csrfmiddlewaretoken": csrf, "action": "save", "q_uses_ai_on_our_data": "yes"}
    )
    assert limited.status_code == 429
    assert "Too many requests" in limited.content.decode()
    assert _state(sent.assessment) == before


def test_rate_limit_per_address_covers_guessed_tokens(monkeypatch: Any) -> None:
    monkeypatch.setattr(portal, "MAX_PER_ADDRESS", 5)
    client = _client()
    codes = [client.get(f"/supplier-portal/guess-{i}/").status_code for i in range(7)]
    assert codes == [404] * 5 + [429] * 2


def test_a_new_link_replaces_the_old_one(sent: assessments.SentLink) -> None:
    again = assessments.reissue_link(None, sent.assessment, base_url="http://testserver")
    assert _client().get(sent.path).status_code == 404
    assert _client().get(again.path).status_code == 200


def test_evidence_upload_is_type_and_size_checked_and_served_only_to_users(
    sent: assessments.SentLink, monkeypatch: Any
) -> None:
    client = _client()
    csrf = _get_csrf(client, sent.path)
    base = {"csrfmiddlewaretoken": csrf, "action": "save", "q_ai_certification": ["iso42001"]}
    fake = SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(sent.path, {**base, "q_ai_certificate_file": fake})
    assert refused.status_code == 400
    assert "not a .pdf file" in refused.content.decode()
    assert not Answer.objects.filter(assessment=sent.assessment).exists()
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    assert "allowed types" in client.post(sent.path, {**base, "q_ai_certificate_file": exe}).content.decode()
    monkeypatch.setattr(assessments, "EVIDENCE_MAX_BYTES", 10)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7" + b"x" * 20, content_type="application/pdf")
    assert "larger than" in client.post(sent.path, {**base, "q_ai_certificate_file": big}).content.decode()
    monkeypatch.setattr(assessments, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    good = SimpleUploadedFile("iso42001.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    assert client.post(sent.path, {**base, "q_ai_certificate_file": good}).status_code == 200
    answer = Answer.objects.get(assessment=sent.assessment, question_id="ai_certificate_file")
    assert answer.file_name == "iso42001.pdf"
    assert "suppliers/assessment-" in answer.file.name
    url = f"/suppliers/evidence/{answer.pk}/"
    assert _client().get(url).status_code == 302  # not logged in
    auditor = Client()
    auditor.force_login(make_user("auditor"))
    download = auditor.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.7\n%%EOF\n"


def test_behind_a_proxy_each_client_address_has_its_own_limit(monkeypatch: Any, settings: Any) -> None:
    settings.AISMS_TRUSTED_PROXIES = 1
    monkeypatch.setattr(portal, "MAX_PER_ADDRESS", 3)
    client = _client()
    first = [
        client.get(f"/supplier-portal/guess-{i}/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code
        for i in range(4)
    ]
    other = client.get("/supplier-portal/guess-x/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code
    assert first == [404, 404, 404, 429]
    assert other == 404  # another supplier behind the same proxy is not blocked
