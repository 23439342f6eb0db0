"""Editing and removing a party's requirements (pages and API), and scope interfaces kept apart from
dependencies in versions and comparisons."""

from __future__ import annotations

import pytest

from aisms.apps.context import services
from aisms.apps.context.models import PartyRequirement
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_requirement_is_edited_and_removed_on_the_party_page_with_history() -> None:
    manager = make_user("isms_manager")
    party = services.create_party(manager, name="Clinics", kind="customer")
    row = services.add_requirement(manager, party, requirement="Triage answers within 2 s")
    client = session_client(manager)
    page = client.get(f"/context/parties/{party.pk}/")
    assert f'name="r{row.pk}-requirement"'.encode() in page.content
    response = client.post(
        f"/context/parties/{party.pk}/",
        {
            "requirement_id": row.pk,
            f"r{row.pk}-requirement": "Triage answers within 3 s",
            f"r{row.pk}-addressed": "on",
            f"r{row.pk}-how_addressed": "Capacity monitoring (8.6)",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.requirement, row.addressed) == ("Triage answers within 3 s", True)
    auditor = session_client(make_user("auditor"))
    assert auditor.post(f"/context/parties/{party.pk}/requirements/{row.pk}/delete/").status_code == 403
    assert PartyRequirement.objects.filter(pk=row.pk).exists()
    assert client.post(f"/context/parties/{party.pk}/requirements/{row.pk}/delete/").status_code == 302
    assert not PartyRequirement.objects.filter(pk=row.pk).exists()
    assert PartyRequirement.history.filter(id=row.pk).count() == 3  # added, changed, removed


def test_the_api_removes_a_requirement_only_for_those_who_may_edit_the_party() -> None:
    manager = make_user("isms_manager")
    party = services.create_party(manager, name="Regulator", kind="regulator")
    row = services.add_requirement(manager, party, requirement="Report breaches in 72 h")
    url = f"/api/v1/context/parties/{party.pk}/requirements/{row.pk}"
    assert token_client(make_user("contributor")).delete(url).status_code == 403
    assert token_client(manager).delete(url).status_code == 204
    assert token_client(manager).delete(url).status_code == 404


def test_interfaces_and_dependencies_are_separate_sections_of_a_scope_version() -> None:
    manager = make_user("isms_manager")
    services.update_scope(
        manager, statement="Triage.", interfaces="Clinic portals", dependencies="Nimbus API"
    )
    first = services.approve_scope(manager)
    assert (first.snapshot["interfaces"], first.snapshot["dependencies"]) == ("Clinic portals", "Nimbus API")
    services.update_scope(manager, dependencies="Nimbus API\nCloud provider")
    changes = services.compare_versions(1, None)
    assert [(c.section, c.kind, c.new) for c in changes] == [("dependencies", "added", "Cloud provider")]
    page = session_client(manager).get("/context/scope/v1/")
    assert page.status_code == 200
    assert b"<h2>Dependencies</h2>" in page.content
    assert b"Nimbus API" in page.content
