"""The inventory's server-rendered pages: list with filters and sorting, detail with its dependency
diagram, the asset form, archive, components, import and export, history, and who may use each."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aisms.apps.accounts.models import User
from aisms.apps.assets import services
from aisms.apps.assets.models import Asset, SoftwareComponent

pytestmark = pytest.mark.django_db

NGINX_CPE = "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"


def quick_user(role: str, username: str) -> User:
    user = User(username=username, role=role, first_name=username.capitalize())
    user.set_unusable_password()
    user.save()
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state() -> dict[str, Any]:
    return {
        "assets": list(Asset.objects.order_by("pk").values()),
        "links": sorted(Asset.depends_on.through.objects.values_list("from_asset_id", "to_asset_id")),
        "components": list(SoftwareComponent.objects.order_by("pk").values()),
        "history": Asset.history.count(),  # type: ignore[attr-defined]
    }


@pytest.fixture
def world() -> dict[str, Any]:
    users = {
        "amira": quick_user("isms_manager", "amira"),
        "daniel": quick_user("risk_owner", "daniel"),
        "sofia": quick_user("contributor", "sofia"),
        "tom": quick_user("auditor", "tom"),
    }
    eks = services.create_asset(None, name="Kubernetes cluster", kind="infrastructure", owner=users["sofia"])
    llm = services.create_asset(
        None, name="Nimbus API", kind="ai_service", owner=users["daniel"], supplier="Nimbus AI"
    )
    triage = services.create_asset(
        None,
        name="Triage Assistant",
        kind="ai_system",
        owner=users["daniel"],
        eu_ai_act_tier="eu-ai-act:2024:high",
        reads_untrusted_content=True,
        publicly_exposed=True,
        depends_on=[llm, eks],
    )
    portal = services.create_asset(
        None, name="Patient portal", kind="application", owner=users["sofia"], depends_on=[triage]
    )
    services.add_component(None, portal, vendor="nginx", product="nginx", version="1.24.0", cpe=NGINX_CPE)
    return {**users, "eks": eks, "llm": llm, "triage": triage, "portal": portal}


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r'<tr[^>]*>\s*<td><a href="/assets/\d+/">([^<]+)</a>', body)


def test_the_inventory_lists_assets_with_ai_markers_a_chart_and_the_navigation(world: dict[str, Any]) -> None:
    response = client_for(world["tom"]).get("/assets/")

    assert response.status_code == 200
    html = response.content.decode()
    assert rows_of(html) == ["Kubernetes cluster", "Nimbus API", "Patient portal", "Triage Assistant"]
    assert html.count('<span class="chip ai" title="AI asset">') == 2
    assert 'aria-label="Assets by kind"' in html
    assert "<title>AI system: 1</title>" in html
    # Assets sits in the Risk group of the main menu, marked current, and the group with it.
    assert re.search(
        r'<summary class="current">Risk</summary>\s*<ul><li><a href="/assets/" aria-current="page">', html
    )
    assert 'title="EU AI Act: High risk">AI Act: high-risk</span>' in html
    assert "Add an asset" not in html  # auditors read only
    assert 'href="/assets/export/?format=csv"' in html


def test_filters_and_sorting(world: dict[str, Any]) -> None:
    client = client_for(world["sofia"])

    ai_only = client.get("/assets/", {"kind": "ai"}).content.decode()
    assert rows_of(ai_only) == ["Nimbus API", "Triage Assistant"]
    assert 'href="/assets/export/?kind=ai&amp;format=csv"' in ai_only
    assert rows_of(client.get("/assets/", {"owner": "sofia"}).content.decode()) == [
        "Kubernetes cluster",
        "Patient portal",
    ]
    assert rows_of(client.get("/assets/", {"q": "nginx"}).content.decode()) == ["Patient portal"]

    by_dependents = client.get("/assets/", {"sort": "-dependents"}).content.decode()
    assert rows_of(by_dependents)[:1] == ["Kubernetes cluster"] or rows_of(by_dependents)[:1] == [
        "Nimbus API"
    ]
    assert '<th scope="col" aria-sort="descending"><a href="?sort=dependents">Used by' in by_dependents
    assert rows_of(client.get("/assets/", {"sort": "-name"}).content.decode()) == [
        "Triage Assistant",
        "Patient portal",
        "Nimbus API",
        "Kubernetes cluster",
    ]


def test_the_detail_page_shows_the_ai_section_components_and_a_dependency_diagram(
    world: dict[str, Any],
) -> None:
    triage = world["triage"]

    html = client_for(world["tom"]).get(f"/assets/{triage.pk}/").content.decode()

    assert "<h1>Triage Assistant" in html
    assert '<h2 id="ai-h">AI asset</h2>' in html
    assert '<a href="/catalogue/entry/eu-ai-act:2024:high/">High risk</a>' in html
    assert "No risk recorded on this asset yet." in html
    assert f'href="/risks/suggest/?asset={triage.pk}"' in html  # open AI threat suggestions from the register
    svg = html[
        html.index('<svg class="dep-diagram"') : html.index("</svg>", html.index('<svg class="dep-diagram"'))
    ]
    assert "Triage Assistant depends on 2 assets and 1 asset depend on it" in svg
    assert f'<a href="/assets/{world["llm"].pk}/">' in svg
    assert f'<a href="/assets/{world["portal"].pk}/">' in svg
    assert f'href="/history/asset/{triage.pk}/"' in html
    assert ">Edit</a>" not in html  # auditors change nothing

    portal_html = client_for(world["tom"]).get(f"/assets/{world['portal'].pk}/").content.decode()
    assert f'<span class="ref cpe">{NGINX_CPE}</span>' in portal_html
    assert "indirectly, 2 steps away" in portal_html  # portal -> triage -> Nimbus API


def test_a_contributor_adds_an_ai_asset_through_the_form(world: dict[str, Any]) -> None:
    client = client_for(world["sofia"])
    assert client.get("/assets/new/").status_code == 200

    response = client.post(
        "/assets/new/",
        {
            "name": "Guideline store",
            "kind": "vector_store",
            "owner": world["sofia"].pk,
            "classification": "internal",
            "confidentiality": "low",
            "integrity": "very_high",
            "availability": "high",
            "in_scope": "on",
            "model_type": "Embedding index",
            "learns_from_user_data": "false",
            "reads_untrusted_content": "unknown",
            "eu_ai_act_tier": "",
            "depends_on": [world["eks"].pk],
        },
    )

    store = Asset.objects.get(name="Guideline store")
    assert response.status_code == 302
    assert response["Location"] == f"/assets/{store.pk}/"
    assert (store.owner, store.integrity, store.learns_from_user_data, store.reads_untrusted_content) == (
        world["sofia"],
        "very_high",
        False,
        None,
    )
    assert list(store.depends_on.all()) == [world["eks"]]
    assert store.history.first().history_user == world["sofia"]  # type: ignore[attr-defined]


def test_the_form_refuses_a_cycle_and_shows_it(world: dict[str, Any]) -> None:
    llm = world["llm"]
    before = state()

    response = client_for(world["amira"]).post(
        f"/assets/{llm.pk}/edit/",
        {
            "name": "Nimbus API",
            "kind": "ai_service",
            "classification": "internal",
            "confidentiality": "medium",
            "integrity": "medium",
            "availability": "medium",
            "depends_on": [world["portal"].pk],
        },
    )

    assert response.status_code == 200
    assert (
        "dependency cycle: Nimbus API → Patient portal → Triage Assistant → Nimbus API"
        in response.content.decode()
    )
    assert state() == before


def test_a_contributor_may_not_open_or_post_the_form_of_someone_elses_asset(world: dict[str, Any]) -> None:
    client = client_for(world["sofia"])
    triage = world["triage"]
    before = state()

    assert client.get(f"/assets/{triage.pk}/edit/").status_code == 403
    assert client.post(f"/assets/{triage.pk}/edit/", {"name": "Hijacked", "kind": "model"}).status_code == 403
    assert client.post(f"/assets/{triage.pk}/components/", {"vendor": "a", "product": "b"}).status_code == 403
    assert client.post(f"/assets/{triage.pk}/archive/").status_code == 403
    assert client_for(world["tom"]).get("/assets/new/").status_code == 403
    assert client_for(world["tom"]).get("/assets/import/").status_code == 403
    assert state() == before

    own = client.get(f"/assets/{world['portal'].pk}/").content.decode()
    assert ">Edit</a>" in own
    assert ">Archive</button>" not in own  # only managers archive


def test_components_are_added_with_a_valid_cpe_and_a_bad_one_is_explained(world: dict[str, Any]) -> None:
    client = client_for(world["sofia"])
    portal = world["portal"]
    before = state()

    bad = client.post(
        f"/assets/{portal.pk}/components/",
        {"vendor": "PostgreSQL", "product": "PostgreSQL", "cpe": "postgres 15"},
    )

    assert bad.status_code == 400
    assert "&#x27;postgres 15&#x27; is not a CPE 2.3 name" in bad.content.decode()
    assert state() == before

    good = client.post(
        f"/assets/{portal.pk}/components/",
        {
            "vendor": "PostgreSQL",
            "product": "PostgreSQL",
            "version": "15.4",
            "cpe": "cpe:2.3:a:postgresql:postgresql:15.4:*:*:*:*:*:*:*",
        },
    )
    assert good.status_code == 302
    assert portal.components.count() == 2
    component = portal.components.get(product="PostgreSQL")
    removed = client.post(f"/assets/{portal.pk}/components/{component.pk}/remove/")
    assert removed.status_code == 302
    assert portal.components.count() == 1


def test_managers_archive_and_restore(world: dict[str, Any]) -> None:
    client = client_for(world["amira"])
    portal = world["portal"]

    assert client.post(f"/assets/{portal.pk}/archive/").status_code == 302
    portal.refresh_from_db()
    assert portal.archived is True
    assert "Patient portal" not in rows_of(client.get("/assets/").content.decode())
    assert rows_of(client.get("/assets/", {"status": "archived"}).content.decode()) == ["Patient portal"]

    assert client.post(f"/assets/{portal.pk}/restore/").status_code == 302
    portal.refresh_from_db()
    assert portal.archived is False


def test_an_import_with_a_bad_row_lists_every_error_and_changes_nothing(world: dict[str, Any]) -> None:
    before = state()
    upload = SimpleUploadedFile(
        "q3-inventory.csv",
        b"name,kind,owner\nWiki,application,sofia\nBroken,robot,ghost\nCRM,application,amira\n",
        content_type="text/csv",
    )

    response = client_for(world["amira"]).post("/assets/import/", {"file": upload})

    assert response.status_code == 400
    html = response.content.decode()
    assert "q3-inventory.csv: nothing was changed" in html
    assert "row 3, column kind: &#x27;robot&#x27; is not a kind of asset" in html
    assert "row 3, column owner: no user named &#x27;ghost&#x27;" in html
    assert state() == before


def test_a_good_import_redirects_with_the_counts(world: dict[str, Any]) -> None:
    upload = SimpleUploadedFile(
        "more.csv", b"name,kind,owner\nWiki,application,sofia\nNimbus API,ai_service,daniel\n"
    )

    client = client_for(world["sofia"])
    response = client.post("/assets/import/", {"file": upload}, follow=True)

    assert response.redirect_chain == [("/assets/", 302)]
    assert "more.csv: 1 asset added, 0 updated, 1 unchanged." in response.content.decode()
    assert Asset.objects.get(name="Wiki").owner == world["sofia"]


def test_export_downloads_the_filtered_inventory(world: dict[str, Any]) -> None:
    response = client_for(world["tom"]).get("/assets/export/", {"format": "csv", "kind": "ai"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="assets-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["name"], r["kind"], r["owner"], r["depends_on"]) for r in rows] == [
        ("Nimbus API", "ai_service", "daniel", ""),
        ("Triage Assistant", "ai_system", "daniel", "Kubernetes cluster; Nimbus API"),
    ]

    xlsx = client_for(world["tom"]).get("/assets/export/", {"format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.content.startswith(b"PK\x03\x04")
    assert client_for(world["tom"]).get("/assets/export/", {"format": "pdf"}).status_code == 404


def test_history_of_an_asset_links_back_and_names_dependencies(world: dict[str, Any]) -> None:
    triage = world["triage"]
    services.update_asset(world["daniel"], triage, depends_on=[world["llm"]])

    html = client_for(world["tom"]).get(f"/history/asset/{triage.pk}/").content.decode()

    assert (
        f'<p class="breadcrumbs"><a href="/assets/{triage.pk}/">Triage Assistant</a> \u203a History</p>'
        in html
    )
    assert "<strong>Depends on</strong>: <del>Kubernetes cluster, Nimbus API</del> → Nimbus API" in html
    component = world["portal"].components.get()
    component_html = (
        client_for(world["tom"]).get(f"/history/software-component/{component.pk}/").content.decode()
    )
    assert f'<a href="/assets/{world["portal"].pk}/#components">nginx nginx 1.24.0</a>' in component_html
