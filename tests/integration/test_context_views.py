"""Context pages: the overview with the PESTEL board, templates, issues, parties and scope render and post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aisms.apps.context import services
from aisms.apps.context.models import PestelIssue, ScopeVersion
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_page_renders_for_an_auditor_without_edit_controls() -> None:
    manager = make_user("isms_manager")
    issue = services.create_issue(
        manager,
        category="legal",
        title="Late review",
        review_date=timezone.localdate() - dt.timedelta(days=1),
    )
    party = services.create_party(manager, name="Patients", kind="data_subject")
    services.update_scope(manager, statement="All of it.")
    version = services.approve_scope(manager)
    client = session_client(make_user("auditor"))
    pages = {
        "/context/": "PESTEL board",
        "/context/pestel/templates/": "EU AI Act obligations by risk tier",
        f"/context/pestel/{issue.pk}/": "Late review",
        "/context/parties/": "Patients",
        f"/context/parties/{party.pk}/": "Requirements",
        "/context/scope/": "Approved versions",
        f"/context/scope/v{version.version}/": "All of it.",
        "/context/scope/compare/?old=1": "No differences.",
        "/organisation/": "Organisation",
        f"/history/pestel-issue/{issue.pk}/": "Late review",
        f"/history/interested-party/{party.pk}/": "Patients",
        f"/history/scope-version/{version.pk}/": "ISMS scope v1",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    board = client.get("/context/").content.decode()
    assert 'class="pestel-card overdue"' in board
    assert "Mark reviewed" not in client.get(f"/context/pestel/{issue.pk}/").content.decode()
    assert "Approve as a new version" not in client.get("/context/scope/").content.decode()
    assert client.post("/context/pestel/templates/", {"template": "nis2-directive"}).status_code == 403
    assert PestelIssue.objects.count() == 1


def test_manager_adopts_reviews_and_approves_through_the_pages() -> None:
    manager = make_user("isms_manager")
    client = session_client(manager)
    adopted = client.post("/context/pestel/templates/", {"template": "generative-ai-staff-use"})
    issue = PestelIssue.objects.get()
    assert adopted.status_code == 302
    assert adopted["Location"] == f"/context/pestel/{issue.pk}/edit/"
    assert client.get(adopted["Location"]).status_code == 200
    reviewed = client.post(f"/context/pestel/{issue.pk}/review/", {"next_review": "2099-06-30", "notes": ""})
    assert reviewed.status_code == 302
    issue.refresh_from_db()
    assert (issue.reviewed_by, issue.review_date) == (manager, dt.date(2099, 6, 30))
    saved = client.post(
        "/context/scope/",
        {"statement": "Triage.", "in_scope": "Triage | core\nClaims", "out_of_scope": "", "interfaces": ""},
    )
    assert saved.status_code == 302
    assert client.post("/context/scope/approve/", {"notes": "v1"}).status_code == 302
    assert ScopeVersion.objects.get().snapshot["in_scope"] == [
        {"item": "Triage", "reason": "core"},
        {"item": "Claims", "reason": ""},
    ]


def test_the_demo_loads_context_linked_to_demo_risks() -> None:
    from aisms.demo import load_demo

    assert load_demo() is not None
    eu_ai_act = PestelIssue.objects.get(template_id="eu-ai-act-obligations")
    assert "R-009" in set(eu_ai_act.risks.values_list("ref", flat=True))
    staff_ai = PestelIssue.objects.get(template_id="generative-ai-staff-use")
    assert "R-007" in set(staff_ai.risks.values_list("ref", flat=True))
    assert ScopeVersion.objects.get().version == 1
    assert PestelIssue.objects.count() == 12
