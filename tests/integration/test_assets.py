"""The asset inventory's services and selectors on a real database: permissions (contributors change only
their own assets), validation (CPE names, EU AI Act tiers, dependency cycles), history, filters, the
dependency graph and the demo inventory."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aisms.apps.assets import selectors, services
from aisms.apps.assets.demo import ASSETS, load_demo_assets
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.web.history import object_history
from aisms.domain.assets import is_cpe23
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NGINX_CPE = "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"
WRITERS = ["administrator", "isms_manager", "risk_owner", "contributor"]
ALL_ROLES = [*WRITERS, "auditor"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def state() -> dict[str, Any]:
    """Everything a write to the inventory could change."""
    return {
        "assets": list(Asset.objects.order_by("pk").values()),
        "links": sorted(Asset.depends_on.through.objects.values_list("from_asset_id", "to_asset_id")),
        "components": list(SoftwareComponent.objects.order_by("pk").values()),
        "asset_history": Asset.history.count(),  # type: ignore[attr-defined]
        "component_history": SoftwareComponent.history.count(),  # type: ignore[attr-defined]
    }


def asset(name: str, kind: str = "application", **fields: Any) -> Asset:
    return services.create_asset(None, name=name, kind=kind, **fields)


# --- who may do what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_writers_may_add_an_asset_and_the_history_names_them(role: str) -> None:
    actor = make_user(role)

    created = services.create_asset(actor, name="Wiki", kind="application", owner=actor)

    stored = Asset.objects.get(name="Wiki")
    assert (stored.pk, stored.owner_id, stored.kind) == (created.pk, actor.pk, "application")
    record = stored.history.get()  # type: ignore[attr-defined]
    assert (record.history_type, record.history_user_id) == ("+", actor.pk)


def test_auditors_may_not_add_assets_and_nothing_changes() -> None:
    auditor = make_user("auditor")
    before = state()

    with pytest.raises(PermissionDenied, match="your role may not create"):
        services.create_asset(auditor, name="Wiki", kind="application")

    assert state() == before


def test_a_contributor_edits_an_asset_they_own() -> None:
    sofia = make_user("contributor")
    wiki = asset("Wiki", owner=sofia)

    services.update_asset(sofia, wiki, hosting="Dublin office", confidentiality="high")

    wiki.refresh_from_db()
    assert (wiki.hosting, wiki.confidentiality) == ("Dublin office", "high")


def test_a_contributor_may_not_edit_someone_elses_asset_and_nothing_changes() -> None:
    sofia, daniel = make_user("contributor"), make_user("risk_owner")
    wiki = asset("Wiki", owner=daniel)
    other = asset("Other")
    before = state()

    for attempt in (
        lambda: services.update_asset(sofia, wiki, hosting="elsewhere"),
        lambda: services.set_dependencies(sofia, wiki, [other]),
        lambda: services.add_component(sofia, wiki, vendor="nginx", product="nginx"),
        lambda: services.update_asset(sofia, other, hosting="nobody owns it"),
    ):
        with pytest.raises(PermissionDenied, match="your role may not edit assets owned by someone else"):
            attempt()

    assert state() == before
    assert services.may_edit(sofia, wiki) is False
    assert services.may_edit(daniel, wiki) is True


def test_a_contributor_may_not_remove_a_component_of_someone_elses_asset() -> None:
    sofia = make_user("contributor")
    wiki = asset("Wiki", owner=make_user("isms_manager"))
    component = services.add_component(None, wiki, vendor="nginx", product="nginx", version="1.24.0")
    before = state()

    with pytest.raises(PermissionDenied):
        services.remove_component(sofia, component)

    assert state() == before


@pytest.mark.parametrize("role", ["administrator", "isms_manager", "risk_owner"])
def test_managers_and_risk_owners_edit_any_asset(role: str) -> None:
    actor = make_user(role)
    wiki = asset("Wiki", owner=make_user("contributor"))

    services.update_asset(actor, wiki, supplier="Atlassian")

    wiki.refresh_from_db()
    assert wiki.supplier == "Atlassian"


@pytest.mark.parametrize("role", ["administrator", "isms_manager"])
def test_managers_archive_and_restore_an_asset_which_is_never_deleted(role: str) -> None:
    actor = make_user(role)
    wiki = asset("Wiki")

    services.archive_asset(actor, wiki)

    wiki.refresh_from_db()
    assert wiki.archived is True
    assert list(selectors.inventory()) == []
    assert [a.name for a in selectors.inventory(archived=True)] == ["Wiki"]
    services.restore_asset(actor, wiki)
    wiki.refresh_from_db()
    assert wiki.archived is False
    assert [r.history_type for r in wiki.history.order_by("history_id")] == ["+", "~", "~"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["risk_owner", "contributor", "auditor"])
def test_others_may_not_archive_and_nothing_changes(role: str) -> None:
    actor = make_user(role)
    wiki = asset("Wiki", owner=actor)
    before = state()

    with pytest.raises(PermissionDenied, match="your role may not delete"):
        services.archive_asset(actor, wiki)

    assert state() == before


# --- validation ----------------------------------------------------------------------------------------


def test_a_component_with_a_cpe_23_name_is_recorded() -> None:
    portal = asset("Patient portal")

    component = services.add_component(
        None, portal, vendor="nginx", product="nginx", version="1.24.0", cpe=NGINX_CPE
    )

    assert SoftwareComponent.objects.get(pk=component.pk).cpe == NGINX_CPE
    assert str(component) == "nginx nginx 1.24.0"


@pytest.mark.parametrize(
    "cpe",
    [
        "cpe:/a:nginx:nginx:1.24.0",  # CPE 2.2 URI binding
        "cpe:2.3:a:nginx:nginx:1.24.0",  # too few components
        "cpe:2.3:x:nginx:nginx:1.24.0:*:*:*:*:*:*:*",  # no such part
        "nginx 1.24.0",
    ],
)
def test_a_malformed_cpe_is_refused_naming_the_field_and_nothing_changes(cpe: str) -> None:
    portal = asset("Patient portal")
    before = state()

    with pytest.raises(ValidationError) as caught:
        services.add_component(None, portal, vendor="nginx", product="nginx", cpe=cpe)

    assert caught.value.message_dict == {
        "cpe": [
            f"{cpe!r} is not a CPE 2.3 name "
            "(cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other)"
        ]
    }
    assert state() == before


def test_the_eu_ai_act_tier_must_be_a_tier_of_the_catalogue() -> None:
    tiers = list(CatalogueEntry.objects.filter(source__key="eu-ai-act").values_list("uid", flat=True))
    triage = asset("Triage Assistant", "ai_system", eu_ai_act_tier="eu-ai-act:2024:high")
    assert triage.eu_ai_act_tier == "eu-ai-act:2024:high"
    before = state()

    for wrong in ("high", "eu-ai-act:2024:extreme", "owasp-llm:2025:LLM01"):
        with pytest.raises(ValidationError) as caught:
            services.update_asset(None, triage, eu_ai_act_tier=wrong)
        assert caught.value.message_dict == {
            "eu_ai_act_tier": [
                f"{wrong!r} is not an EU AI Act risk tier of the catalogue; use one of: {', '.join(tiers)}"
            ]
        }

    assert state() == before


def test_names_are_unique() -> None:
    asset("Wiki")
    other = asset("Other")
    before = state()

    with pytest.raises(ValidationError, match="an asset named 'Wiki' already exists"):
        asset("Wiki")
    with pytest.raises(ValidationError, match="an asset named 'Wiki' already exists"):
        services.update_asset(None, other, name="Wiki")

    assert state() == before


def test_an_asset_cannot_depend_on_itself() -> None:
    wiki = asset("Wiki")
    before = state()

    with pytest.raises(ValidationError) as caught:
        services.set_dependencies(None, wiki, [wiki])

    assert caught.value.message_dict == {"depends_on": ["an asset cannot depend on itself"]}
    assert state() == before


def test_a_dependency_cycle_is_refused_naming_the_cycle() -> None:
    portal, triage, llm = asset("Portal"), asset("Triage", "ai_system"), asset("LLM API", "ai_service")
    services.set_dependencies(None, portal, [triage])
    services.set_dependencies(None, triage, [llm])
    before = state()

    with pytest.raises(ValidationError) as caught:
        services.set_dependencies(None, llm, [portal])

    assert caught.value.message_dict == {
        "depends_on": ["dependency cycle: LLM API → Portal → Triage → LLM API"]
    }
    assert state() == before


# --- history -------------------------------------------------------------------------------------------


def test_history_records_who_changed_what_including_dependencies() -> None:
    amira, daniel = make_user("isms_manager", username="amira"), make_user("risk_owner", username="daniel")
    triage = services.create_asset(amira, name="Triage", kind="ai_system", owner=daniel)
    llm = asset("LLM API", "ai_service")
    store = asset("Guideline store", "vector_store")

    services.update_asset(daniel, triage, confidentiality="very_high", depends_on=[store, llm])

    _, items = object_history("asset", str(triage.pk))
    assert [(i.user, i.action) for i in items] == [("daniel", "changed"), ("amira", "created")]
    changes = {c.field: (c.label, c.old, c.new) for c in items[0].changes}
    assert changes == {
        "confidentiality": ("Confidentiality", "medium", "very_high"),
        "depends_on": ("Depends on", None, "Guideline store, LLM API"),
    }


def test_an_update_that_changes_nothing_records_nothing() -> None:
    wiki = asset("Wiki", hosting="Dublin")

    services.update_asset(None, wiki, hosting=" Dublin ", depends_on=[])

    assert wiki.history.count() == 1  # type: ignore[attr-defined]


def test_component_history_names_the_user() -> None:
    sofia = make_user("contributor", username="sofia")
    wiki = asset("Wiki", owner=sofia)

    component = services.add_component(sofia, wiki, vendor="nginx", product="nginx", cpe=NGINX_CPE)
    component_id = component.pk
    services.remove_component(sofia, component)

    records = SoftwareComponent.history.filter(id=component_id).order_by("history_id")  # type: ignore[attr-defined]
    assert [(r.history_type, r.history_user.username) for r in records] == [("+", "sofia"), ("-", "sofia")]


# --- reads ---------------------------------------------------------------------------------------------


@pytest.fixture
def inventory() -> dict[str, Asset]:
    sofia = make_user("contributor", username="sofia")
    daniel = make_user("risk_owner", username="daniel")
    assets = {
        "portal": asset(
            "Patient portal", "application", owner=sofia, confidentiality="very_high", publicly_exposed=True
        ),
        "triage": asset(
            "Triage Assistant",
            "ai_system",
            owner=daniel,
            confidentiality="high",
            eu_ai_act_tier="eu-ai-act:2024:high",
        ),
        "llm": asset("Nimbus API", "ai_service", owner=daniel, supplier="Nimbus AI", confidentiality="low"),
        "store": asset(
            "Guideline store", "vector_store", owner=sofia, classification="public", in_scope=False
        ),
        "eks": asset("Kubernetes cluster", "infrastructure", confidentiality="medium"),
    }
    services.set_dependencies(None, assets["portal"], [assets["triage"], assets["eks"]])
    services.set_dependencies(None, assets["triage"], [assets["llm"], assets["store"], assets["eks"]])
    services.set_dependencies(None, assets["store"], [assets["eks"]])
    services.add_component(
        None, assets["portal"], vendor="nginx", product="nginx", version="1.24.0", cpe=NGINX_CPE
    )
    services.add_component(None, assets["portal"], vendor="Django", product="Django", version="4.2.7")
    return assets


def names(rows: Any) -> list[str]:
    return [a.name for a in rows]


def test_inventory_filters(inventory: dict[str, Asset]) -> None:
    assert names(selectors.inventory()) == [
        "Guideline store",
        "Kubernetes cluster",
        "Nimbus API",
        "Patient portal",
        "Triage Assistant",
    ]
    assert names(selectors.inventory(kind="ai")) == ["Guideline store", "Nimbus API", "Triage Assistant"]
    assert names(selectors.inventory(ai=False)) == ["Kubernetes cluster", "Patient portal"]
    assert names(selectors.inventory(kind="ai_service")) == ["Nimbus API"]
    assert names(selectors.inventory(owner="sofia")) == ["Guideline store", "Patient portal"]
    assert names(selectors.inventory(owner="none")) == ["Kubernetes cluster"]
    assert names(selectors.inventory(classification="public")) == ["Guideline store"]
    assert names(selectors.inventory(in_scope=False)) == ["Guideline store"]
    assert names(selectors.inventory(q="nimbus")) == ["Nimbus API"]
    assert names(selectors.inventory(q="cpe:2.3:a:nginx")) == ["Patient portal"]
    assert names(selectors.inventory(q="django portal")) == ["Patient portal"]


def test_inventory_sorts_by_need_not_alphabet_and_counts_without_n_plus_1(
    inventory: dict[str, Asset],
) -> None:
    assert names(selectors.inventory(sort="-confidentiality")) == [
        "Patient portal",
        "Triage Assistant",
        "Guideline store",
        "Kubernetes cluster",
        "Nimbus API",
    ]
    assert names(selectors.inventory(sort="-dependents"))[0] == "Kubernetes cluster"
    assert names(selectors.inventory(sort="no-such-column")) == names(selectors.inventory())

    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.inventory())
        counts = {
            a.name: (
                a.owner.username if a.owner else None,
                a.component_count,
                a.dependency_count,
                a.dependent_count,
            )
            for a in rows
        }  # type: ignore[attr-defined]

    assert len(queries) == 1
    assert counts == {
        "Guideline store": ("sofia", 0, 1, 1),
        "Kubernetes cluster": (None, 0, 0, 3),
        "Nimbus API": ("daniel", 0, 0, 1),
        "Patient portal": ("sofia", 2, 2, 0),
        "Triage Assistant": ("daniel", 0, 3, 1),
    }


def test_counts_by_kind_in_vocabulary_order(inventory: dict[str, Asset]) -> None:
    counts = selectors.counts_by_kind(selectors.filter_assets())
    assert [(k.value, n) for k, n in counts] == [
        ("application", 1),
        ("infrastructure", 1),
        ("ai_system", 1),
        ("vector_store", 1),
        ("ai_service", 1),
    ]


def test_dependency_graph_is_transitive_both_ways(inventory: dict[str, Asset]) -> None:
    graph = selectors.dependency_graph(inventory["triage"])
    assert [(r.asset.name, r.depth) for r in graph.depends_on] == [
        ("Guideline store", 1),
        ("Kubernetes cluster", 1),
        ("Nimbus API", 1),
    ]
    assert [(r.asset.name, r.depth) for r in graph.dependents] == [("Patient portal", 1)]

    eks = selectors.dependency_graph(inventory["eks"])
    assert eks.depends_on == []
    assert [(r.asset.name, r.depth) for r in eks.dependents] == [
        ("Guideline store", 1),
        ("Patient portal", 1),
        ("Triage Assistant", 1),
    ]
    llm = selectors.dependency_graph(inventory["llm"])
    assert [(r.asset.name, r.depth) for r in llm.dependents] == [
        ("Triage Assistant", 1),
        ("Patient portal", 2),
    ]
    assert names(llm.direct_dependents) == ["Triage Assistant"]


# --- the demo inventory --------------------------------------------------------------------------------


def test_the_demo_inventory_is_realistic_and_loads_once() -> None:
    for username, role in (("amira", "isms_manager"), ("daniel", "risk_owner"), ("sofia", "contributor")):
        make_user(role, username=username)

    assert load_demo_assets() == len(ASSETS)
    assert load_demo_assets() == 0

    assert Asset.objects.count() == len(ASSETS) >= 14
    triage = Asset.objects.get(name="Triage Assistant")
    assert (triage.kind, triage.reads_untrusted_content, triage.publicly_exposed) == ("ai_system", True, True)
    assert triage.eu_ai_act_tier == "eu-ai-act:2024:high"
    assert {a.kind for a in triage.depends_on.all()} >= {"ai_service", "vector_store"}
    assert Asset.objects.get(name="Nimbus foundation model API").supplier == "Nimbus AI"
    assert Asset.objects.get(name="TalentLens CV screening").eu_ai_act_tier == "eu-ai-act:2024:high"
    claimguard = Asset.objects.get(name="ClaimGuard fraud model")
    assert (claimguard.kind, claimguard.learns_from_user_data) == ("model", True)
    assert Asset.objects.get(name="ClaimGuard training data set").processes_personal_data is True
    portal_cpes = set(Asset.objects.get(name="Patient portal").components.values_list("cpe", flat=True))
    assert portal_cpes >= {
        NGINX_CPE,
        "cpe:2.3:a:postgresql:postgresql:15.4:*:*:*:*:*:*:*",
        "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*",
    }
    assert all(is_cpe23(c) for c in SoftwareComponent.objects.exclude(cpe="").values_list("cpe", flat=True))
    kinds = set(Asset.objects.values_list("kind", flat=True))
    assert kinds >= {"ai_system", "ai_service", "vector_store", "model", "dataset", "ml_pipeline", "agent"}
    assert set(Asset.objects.exclude(owner=None).values_list("owner__username", flat=True)) == {
        "amira",
        "daniel",
        "sofia",
    }
    tiers = set(CatalogueEntry.objects.filter(source__key="eu-ai-act").values_list("uid", flat=True))
    assert set(Asset.objects.exclude(eu_ai_act_tier="").values_list("eu_ai_act_tier", flat=True)) <= tiers
