"""Competence evidenced by qualification or experience, editing modules and competences, dropping a
requirement, and the coverage trend built from the register's history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aisms.apps.people import selectors, services
from aisms.apps.people.models import CompetenceRecord, RoleCompetence, TrainingModule
from aisms.domain import training_coverage as tc
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _setup():
    manager = make_user("isms_manager")
    role = services.create_role(None, name="Supplier assessor")
    competence = services.create_competence(None, name="Assessing AI suppliers", category="ai_risk")
    services.require_competence(None, role, competence, "qualification")
    person = services.create_person(
        None, employee_id="E9", name="Mia Novak", start_date=date(2023, 1, 1), roles=[role]
    )
    return manager, role, competence, person


def test_a_qualification_record_closes_the_gap_until_it_expires() -> None:
    manager, _role, competence, person = _setup()
    today = timezone.localdate()
    gaps = selectors.gaps(today).competences
    assert [(g.person.name, g.competence.name, g.evidence) for g in gaps] == [
        ("Mia Novak", "Assessing AI suppliers", "qualification")
    ]
    record = services.record_competence(
        manager,
        person,
        competence,
        kind="qualification",
        description="Certified AI auditor",
        obtained_on=today - timedelta(days=400),
        expires_on=today + timedelta(days=10),
    )
    assert record.verified_by == manager
    assert selectors.gaps(today).competences == []
    assert len(selectors.gaps(today + timedelta(days=11)).competences) == 1
    with pytest.raises(ValidationError, match="expire before"):
        services.record_competence(
            manager,
            person,
            competence,
            kind="experience",
            description="x",
            obtained_on=today,
            expires_on=today - timedelta(days=1),
        )


def test_auditors_cannot_record_and_contributors_cannot_remove() -> None:
    manager, _role, competence, person = _setup()
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.record_competence(
            make_user("auditor"), person, competence, kind="experience", description="x", obtained_on=today
        )
    record = services.record_competence(
        manager, person, competence, kind="experience", description="Two years", obtained_on=today
    )
    with pytest.raises(PermissionDenied):
        services.remove_competence_record(make_user("contributor"), record)
    assert CompetenceRecord.objects.count() == 1
    services.remove_competence_record(manager, record)
    assert CompetenceRecord.objects.count() == 0
    assert CompetenceRecord.history.filter(history_type="-").count() == 1


def test_pages_edit_modules_and_competences_record_evidence_and_drop_requirements() -> None:
    manager, role, competence, person = _setup()
    module = services.create_module(None, code="ai-phish", title="AI phishing", duration_minutes=20)
    client = session_client(manager)
    response = client.post(
        f"/people/modules/{module.pk}/edit/",
        {
            "code": "ai-phish",
            "title": "Spotting AI-written phishing",
            "duration_minutes": 25,
            "objectives": "Spot it",
            "competences": [competence.pk],
        },
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.title, module.duration_minutes) == ("Spotting AI-written phishing", 25)
    assert list(module.competences.all()) == [competence]
    assert module.history.count() == 3  # created, fields changed, competences changed
    response = client.post(
        f"/people/competences/{competence.pk}/edit/",
        {"name": "Assessing AI suppliers and models", "category": "ai_risk", "description": "d"},
    )
    assert response.status_code == 302
    competence.refresh_from_db()
    assert competence.name == "Assessing AI suppliers and models"
    response = client.post(
        f"/people/{person.pk}/competences/new/",
        {
            "competence": competence.pk,
            "kind": "qualification",
            "description": "ISACA AAIA",
            "obtained_on": "2025-01-10",
            "expires_on": "",
            "reference": "cert 42",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/people/{person.pk}/")
    assert b"ISACA AAIA" in page.content
    requirement = RoleCompetence.objects.get(role=role)
    assert (
        session_client(make_user("auditor")).post(f"/people/requirements/{requirement.pk}/drop/").status_code
        == 403
    )
    assert client.post(f"/people/requirements/{requirement.pk}/drop/").status_code == 302
    assert not RoleCompetence.objects.exists()


def test_api_records_competence_evidence_and_patches_modules() -> None:
    manager, role, competence, person = _setup()
    api = token_client(manager)
    response = api.post(
        f"/api/v1/people/people/{person.pk}/competence-records",
        {
            "competence": competence.pk,
            "kind": "experience",
            "description": "Ran 12 assessments",
            "obtained_on": "2024-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    record_id = response.json()["id"]
    listed = api.get(f"/api/v1/people/people/{person.pk}/competence-records").json()
    assert [r["description"] for r in listed] == ["Ran 12 assessments"]
    gaps = api.get("/api/v1/people/gaps").json()["competences"]
    assert gaps == [
        {
            "person": "E9",
            "name": "Mia Novak",
            "competence": "Assessing AI suppliers",
            "role": "Supplier assessor",
            "evidence": "qualification",
        }
    ]
    auditor = token_client(make_user("auditor"))
    assert auditor.delete(f"/api/v1/people/competence-records/{record_id}").status_code == 403
    assert api.delete(f"/api/v1/people/competence-records/{record_id}").status_code == 204
    module = services.create_module(None, code="m1", title="Module one")
    assert (
        auditor.patch(
            f"/api/v1/people/modules/{module.pk}", {"title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    patched = api.patch(
        f"/api/v1/people/modules/{module.pk}",
        {"title": "Module 1", "competences": [competence.pk]},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["competences"] == [competence.pk]
    assert TrainingModule.objects.get(pk=module.pk).title == "Module 1"
    assert api.delete(f"/api/v1/people/roles/{role.pk}/requirements/{competence.pk}").status_code == 204
    assert (
        api.patch(
            f"/api/v1/people/competences/{competence.pk}",
            {"description": "new"},
            content_type="application/json",
        ).json()["description"]
        == "new"
    )


def test_the_trend_uses_roles_as_they_were_at_each_month_end() -> None:
    _manager, role, _competence, person = _setup()
    module = services.create_module(None, code="m1", title="Module one")
    services.assign_module(None, role, module, 0)
    other = services.create_role(None, name="Other")
    today = timezone.localdate()
    ends = tc.month_ends(today, 2)
    # Backdate the person's creation: the register knew them with the assessor role 45 days ago.
    person.history.all().update(history_date=timezone.now() - timedelta(days=45))
    services.update_person(None, person, roles=[other])  # today they moved to another role
    past = selectors.people_as_of(ends)
    assert past[ends[0]][0].role_ids == frozenset({role.pk})
    assert past[ends[-1]][0].role_ids == frozenset({other.pk})
    trend = selectors.coverage_trend(selectors.training_state(), today, 2)
    assert [(c.covered, c.required) for _end, c in trend] == [(0, 1), (0, 0)]
