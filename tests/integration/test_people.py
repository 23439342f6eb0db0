"""People services: register, imports (all or nothing), starter modules, reminders (idempotent), pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aisms.apps.people import selectors, services
from aisms.apps.people.models import (
    Completion,
    JobRole,
    ModuleAssignment,
    Person,
    ReminderSent,
    TrainingModule,
)
from aisms.apps.people.reminders import send_reminders
from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.training_modules import load_starter_modules, parse_training_modules
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db

PEOPLE_CSV = (
    "employee_id,name,email,department,manager_id,roles,start_date,active\n"
    "E2,Bo Li,bo@x.example,Claims,E1,Claims analyst,2024-01-10,yes\n"
    "E1,Ana Silva,ana@x.example,Claims,,Claims analyst;People manager,2023-05-01,yes\n"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _state():
    return (
        list(Person.objects.order_by("pk").values()),
        list(Completion.objects.order_by("pk").values()),
        list(JobRole.objects.order_by("pk").values()),
        Person.history.count(),
    )


def test_import_people_creates_updates_and_resolves_managers_in_the_file() -> None:
    manager = make_user("isms_manager")
    first = services.import_people(manager, PEOPLE_CSV.encode(), "hr.csv")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    bo = Person.objects.get(employee_id="E2")
    assert (bo.manager.employee_id, sorted(r.name for r in bo.roles.all())) == ("E1", ["Claims analyst"])
    again = services.import_people(manager, PEOPLE_CSV.encode(), "hr.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    leaver = PEOPLE_CSV.replace("2024-01-10,yes", "2024-01-10,no")
    changed = services.import_people(manager, leaver.encode(), "hr.csv")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    bo.refresh_from_db()
    assert bo.active is False
    assert bo.history.count() == 4  # created, manager set, roles set, deactivated: history kept


def test_import_people_is_all_or_nothing() -> None:
    manager = make_user("isms_manager")
    services.import_people(manager, PEOPLE_CSV.encode(), "hr.csv")
    before = _state()
    bad = PEOPLE_CSV + "E3,Cy,,Claims,E404,,2024-01-01,yes\nE4,Di,,Claims,,,01-01-2024,yes\n"
    with pytest.raises(services.PeopleImportError) as caught:
        services.import_people(manager, bad.replace("Bo Li", "Bo Renamed").encode(), "hr.csv")
    assert [str(e) for e in caught.value.errors] == [
        "row 4, column manager_id: no person with employee id 'E404' in the file or the register",
        "row 5, column start_date: '01-01-2024' is not a date (YYYY-MM-DD)",
    ]
    assert _state() == before


def test_imports_need_manage_organisation_and_a_denied_one_changes_nothing() -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        services.import_people(make_user("contributor"), PEOPLE_CSV.encode(), "hr.csv")
    with pytest.raises(PermissionDenied):
        services.adopt_starter_modules(make_user("risk_owner"))
    assert _state() == before
    assert TrainingModule.objects.count() == 0


def test_import_completions_all_or_nothing_then_applied() -> None:
    manager = make_user("isms_manager")
    services.import_people(manager, PEOPLE_CSV.encode(), "hr.csv")
    services.adopt_starter_modules(manager, ["ai-phishing-deepfakes-101"])
    lms = "employee_id,module,completed_on,score,evidence\n"
    bad = lms + "E1,ai-phishing-deepfakes-101,2025-01-02,90,c1\nE9,No such module,2025-01-02,,\n"
    with pytest.raises(services.PeopleImportError) as caught:
        services.import_completions(manager, bad.encode(), "lms.csv")
    assert [str(e) for e in caught.value.errors] == [
        "row 3, column employee_id: no person with employee id 'E9'",
        "row 3, column module: no training module with code or title 'No such module'",
    ]
    assert Completion.objects.count() == 0
    good = (
        lms
        + "E1,ai-phishing-deepfakes-101,2025-01-02,90,c1\n"
        + "E2,Spotting AI-enabled phishing and deepfakes,2025-02-03,,\n"
    )
    result = services.import_completions(manager, good.encode(), "lms.csv")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert services.import_completions(manager, good.encode(), "lms.csv").unchanged == 2
    assert sorted(Completion.objects.values_list("person__employee_id", "score", "source")) == [
        ("E1", 90, "lms"),
        ("E2", None, "lms"),
    ]


def test_starter_modules_load_and_adopt_once() -> None:
    starter = load_starter_modules()
    assert {m.id for m in starter.modules} >= {"ai-phishing-deepfakes-101", "secure-ai-coding"}
    adopted = services.adopt_starter_modules(None)
    assert len(adopted) == len(starter.modules)
    assert services.adopt_starter_modules(None) == adopted
    coding = TrainingModule.objects.get(code="secure-ai-coding")
    assert [c.name for c in coding.competences.all()] == ["Secure use of AI coding assistants"]


def test_a_bad_starter_file_names_line_and_field() -> None:
    text = "version: 1\ncompetences: []\nmodules:\n  - id: x\n    title: X\n    duration_minutes: 0\n"
    text += "    competences: []\n    objectives: []\n"
    with pytest.raises(CatalogueError) as caught:
        parse_training_modules(text, "t.yaml")
    assert (caught.value.line, caught.value.field) == (6, "modules.0.duration_minutes")


def _overdue_setup():
    today = timezone.localdate()
    role = services.create_role(None, name="Clinician")
    module = services.create_module(None, code="m1", title="Deepfakes", recurrence_months=12)
    services.assign_module(None, role, module, 30)
    late = services.create_person(
        None,
        employee_id="P1",
        name="Late",
        email="late@x.example",
        start_date=today - timedelta(days=90),
        roles=[role],
    )
    services.create_person(
        None,
        employee_id="P2",
        name="Done",
        email="done@x.example",
        start_date=today - timedelta(days=90),
        roles=[role],
    )
    services.record_completion(None, Person.objects.get(employee_id="P2"), module, today - timedelta(days=5))
    return today, late, module


def test_reminders_are_sent_once_per_person_module_and_due_date() -> None:
    today, late, _module = _overdue_setup()
    assert send_reminders(today) == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [(["late@x.example"], "Overdue training: Deepfakes")]
    assert send_reminders(today) == 0
    assert send_reminders(today + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get().due_date == late.start_date + timedelta(days=30)


def test_gaps_and_manager_lists() -> None:
    today, late, _module = _overdue_setup()
    boss = services.create_person(None, employee_id="B1", name="Boss")
    services.update_person(None, late, manager=boss)
    found = selectors.gaps(today)
    assert [(g.person.employee_id, g.obligation.status.value) for g in found.training] == [("P1", "overdue")]
    rows = selectors.gaps_by_manager(today)
    assert [(r.manager.employee_id, [g.person.employee_id for g in r.gaps.training]) for r in rows] == [
        ("B1", ["P1"])
    ]
    with pytest.raises(ValidationError, match="cycle"):
        services.update_person(None, boss, manager=Person.objects.get(pk=late.pk))


def test_pages_render_for_an_auditor_and_the_dashboard_has_charts() -> None:
    _overdue_setup()
    client = session_client(make_user("auditor"))
    for url in [
        "/people/",
        "/people/roles/",
        "/people/modules/",
        "/people/completions/",
        "/people/managers/",
    ]:
        assert client.get(url).status_code == 200, url
    person = Person.objects.get(employee_id="P1")
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Deepfakes" in page
    assert "Overdue" in page
    assert client.get(f"/history/person/{person.pk}/").status_code == 200
    dashboard = client.get("/people/gaps/").content.decode()
    assert 'aria-label="Coverage of each assigned module"' in dashboard
    assert 'aria-label="Coverage at month ends"' in dashboard
    assert 'style="' not in dashboard
    assert client.get("/people/import/").status_code == 403
    assert client.post("/people/modules/adopt/").status_code == 403
    assert ModuleAssignment.objects.count() == 1


def test_import_page_reports_errors_and_changes_nothing() -> None:
    client = session_client(make_user("isms_manager"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("hr.csv", b"employee_id,name\n,Nobody\n", content_type="text/csv")
    response = client.post("/people/import/", {"file": upload})
    assert response.status_code == 400
    assert "row 2, column employee_id: required" in response.content.decode()
    assert Person.objects.count() == 0


def test_the_cli_sends_reminders_and_prints_how_many(capsys) -> None:
    from aisms.cli import main

    _overdue_setup()
    assert main(["people", "send-reminders"]) == 0
    assert main(["people", "send-reminders"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "1 training reminder sent",
        "0 training reminders sent",
    ]
    assert len(mail.outbox) == 1


def test_add_a_person_and_a_module_through_the_pages() -> None:
    role = services.create_role(None, name="Clinician")
    competence = services.create_competence(None, name="Deepfake spotting", category="ai_risk")
    client = session_client(make_user("contributor"))
    added = client.post(
        "/people/new/",
        {"employee_id": "N1", "name": "Nia", "roles": [role.pk], "start_date": "2025-01-06"},
    )
    nia = Person.objects.get(employee_id="N1")
    assert added.status_code == 302
    assert added["Location"] == f"/people/{nia.pk}/"
    assert [r.name for r in nia.roles.all()] == ["Clinician"]
    clash = client.post("/people/new/", {"employee_id": "N1", "name": "Other", "start_date": "2025-01-06"})
    assert "already in the register" in clash.content.decode()
    assert Person.objects.count() == 1
    module = client.post(
        "/people/modules/new/",
        {"code": "deepfakes", "title": "Deepfakes", "duration_minutes": 20, "competences": [competence.pk]},
    )
    assert module.status_code == 302
    stored = TrainingModule.objects.get(code="deepfakes")
    assert (stored.recurrence_months, [c.name for c in stored.competences.all()]) == (
        None,
        ["Deepfake spotting"],
    )
    auditor = session_client(make_user("auditor"))
    assert (
        auditor.post(
            "/people/new/", {"employee_id": "X", "name": "X", "start_date": "2025-01-06"}
        ).status_code
        == 403
    )
    assert Person.objects.count() == 1


def test_an_isms_manager_edits_a_person_and_the_change_is_kept_in_history() -> None:
    from django.test import Client

    from aisms.apps.people import services as people_services
    from aisms.apps.people.models import JobRole, Person
    from aisms.apps.web.history import object_history

    manager = make_user("isms_manager")
    role = JobRole.objects.create(name="ML engineer")
    boss = people_services.create_person(manager, employee_id="E1", name="Boss", start_date="2024-01-01")
    person = people_services.create_person(manager, employee_id="E2", name="Sam Lee", start_date="2025-03-01")
    client = Client()
    client.force_login(manager)

    page = client.get(f"/people/{person.pk}/edit/")
    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "employee_id": "E2",
            "name": "Sam Lee",
            "email": "sam@helixa.example",
            "department": "Engineering",
            "manager": boss.pk,
            "roles": [role.pk],
            "start_date": "2025-03-01",
        },
    )
    clash = client.post(
        f"/people/{person.pk}/edit/", {"employee_id": "E1", "name": "x", "start_date": "2025-03-01"}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    saved = Person.objects.get(pk=person.pk)
    assert (saved.department, saved.manager, list(saved.roles.all())) == ("Engineering", boss, [role])
    assert "already in the register" in clash.content.decode()
    assert object_history("person", str(person.pk))[1][0].user == manager.username
    auditor = Client()
    auditor.force_login(make_user("auditor"))
    assert auditor.get(f"/people/{person.pk}/edit/").status_code == 403
