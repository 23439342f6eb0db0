"""Audit pages render for every role over the demo story; the htmx checklist button records a result and
offers to raise the nonconformity; denied page actions change nothing."""

from __future__ import annotations

import pytest

from aisms.apps.audits.demo_data import load_demo_audits
from aisms.apps.audits.models import Audit, ManagementReview, Nonconformity
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    users = {"amira": make_user("isms_manager", username="amira", first_name="Amira", last_name="Okafor")}
    for name, role in (("tom", "auditor"), ("daniel", "risk_owner"), ("sofia", "contributor")):
        users[name] = make_user(role, username=name)
    load_demo_audits(users["amira"])
    return users


def _pages() -> list[str]:
    review = ManagementReview.objects.get()
    return [
        "/audits/",
        "/audits/list/",
        f"/audits/programmes/{Audit.objects.first().programme_id}/",
        "/audits/nonconformities/",
        "/audits/nonconformities/?status=closed&overdue=1",
        "/audits/reviews/",
        review.get_absolute_url(),
        *[a.get_absolute_url() for a in Audit.objects.all()],
        *[n.get_absolute_url() for n in Nonconformity.objects.all()],
    ]


@pytest.mark.parametrize("username", ["amira", "daniel", "sofia", "tom"])
def test_every_page_renders_for_every_role(demo, username) -> None:
    client = session_client(demo[username])
    for path in _pages():
        response = client.get(path)
        assert response.status_code == 200, path
    pack_page = client.get(ManagementReview.objects.get().get_absolute_url()).content.decode()
    for clause in (
        "9.3.2 a)",
        "9.3.2 b)",
        "9.3.2 c)",
        "9.3.2 d) 1)",
        "9.3.2 d) 4)",
        "9.3.2 e)",
        "9.3.2 f)",
        "9.3.2 g)",
    ):
        assert clause in pack_page
    assert "<svg" in client.get("/audits/nonconformities/").content.decode()


def test_the_htmx_result_button_swaps_the_row_and_offers_to_raise_the_nonconformity(demo) -> None:
    tom = session_client(demo["tom"])
    audit = Audit.objects.get(status="planned")
    tom.post(f"/audits/{audit.pk}/transition/", {"status": "in-progress"})
    item = audit.checklist.order_by("position").first()
    response = tom.post(
        f"/audits/checklist/{item.pk}/result/",
        {"result": "minor-nc", "notes": "Access kept"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="item-{item.pk}">')
    assert 'data-result="minor-nc"' in html
    assert "Raise nonconformity" in html
    finding = item.findings.get()
    raised = tom.post(f"/audits/findings/{finding.pk}/raise/")
    nc = Nonconformity.objects.get(finding=finding)
    assert raised["Location"] == nc.get_absolute_url()
    assert (nc.severity, nc.raised_by) == ("minor", demo["tom"])


def test_a_denied_page_action_changes_nothing(demo) -> None:
    nc = Nonconformity.objects.get(status="action-planned")
    tom = session_client(demo["tom"])
    response = tom.post(f"/audits/nonconformities/{nc.pk}/transition/", {"status": "closed"}, follow=True)
    assert response.status_code == 200
    assert Nonconformity.objects.get(pk=nc.pk).status == "action-planned"
    assert tom.get(f"/audits/nonconformities/{nc.pk}/edit/").status_code == 403
    sofia = session_client(demo["sofia"])  # a contributor: not on the audit team
    audit = Audit.objects.get(status="planned")
    sofia.post(f"/audits/{audit.pk}/transition/", {"status": "in-progress"})
    assert Audit.objects.get(pk=audit.pk).status == "planned"
