"""Planning an ATLAS update: what an upstream release adds, changes, leaves alone and withdraws."""

from __future__ import annotations

from pathlib import Path

from aisms.catalogue.atlas_import import AtlasDistribution, parse_atlas_distribution
from aisms.catalogue.atlas_merge import plan_atlas_update
from aisms.catalogue.model import Entry


def atlas(
    ref: str, kind: str, name: str, summary: str = "", parent: str | None = None, **attributes
) -> Entry:
    return Entry(
        uid=f"atlas:{ref}",
        catalogue="atlas",
        ref=ref,
        kind=kind,
        name=name,
        summary=summary,
        parent_uid=f"atlas:{parent}" if parent else None,
        attributes=attributes,
    )


def current_catalogue() -> dict[str, Entry]:
    entries = [
        atlas("AML.TA0000", "tactic", "ML Model Access", "Our tactic summary."),
        atlas(
            "AML.T0040", "technique", "ML Model Inference API Access", "Our API summary.", maturity="realized"
        ),
        atlas(
            "AML.T0043", "technique", "Craft Adversarial Data", "Our crafting summary.", maturity="feasible"
        ),
        atlas(
            "AML.T0043.001",
            "technique",
            "Black-Box Optimization",
            "Our black-box summary.",
            parent="AML.T0043",
            maturity="demonstrated",
        ),
        atlas("AML.T0099", "technique", "Dropped Technique", "Our dropped summary.", maturity="feasible"),
        atlas(
            "AML.M0004", "mitigation", "Restrict Queries", "Our mitigation summary.", categories=["Policy"]
        ),
    ]
    current = {e.uid: e for e in entries}
    # an entry from another catalogue is never considered withdrawn from ATLAS
    current["iso27002:2022:5.7"] = Entry(
        uid="iso27002:2022:5.7",
        catalogue="iso27002",
        ref="5.7",
        kind="control",
        name="Threat intelligence",
        summary="s",
    )
    return current


def upstream_release() -> AtlasDistribution:
    return AtlasDistribution(
        version="5.6.0",
        entries=[
            # renamed upstream
            atlas("AML.TA0000", "tactic", "AI Model Access"),
            # renamed and maturity unchanged
            atlas("AML.T0040", "technique", "AI Model Inference API Access", maturity="realized"),
            # identical facts
            atlas("AML.T0043", "technique", "Craft Adversarial Data", maturity="feasible"),
            # maturity changed
            atlas(
                "AML.T0043.001",
                "technique",
                "Black-Box Optimization",
                parent="AML.T0043",
                maturity="realized",
            ),
            # new
            atlas("AML.T0100", "technique", "AI Agent Clickbait", maturity="demonstrated"),
            atlas("AML.T0100.000", "technique", "Sub Clickbait", parent="AML.T0100", maturity="feasible"),
            # identical facts
            atlas("AML.M0004", "mitigation", "Restrict Queries", categories=["Policy"]),
        ],
    )


def test_plan_lists_added_changed_unchanged_and_withdrawn_ids() -> None:
    plan = plan_atlas_update(current_catalogue(), upstream_release())

    assert plan.version == "5.6.0"
    assert plan.added == ["atlas:AML.T0100", "atlas:AML.T0100.000"]
    assert plan.changed == ["atlas:AML.TA0000", "atlas:AML.T0040", "atlas:AML.T0043.001"]
    assert plan.unchanged == ["atlas:AML.T0043", "atlas:AML.M0004"]
    assert plan.withdrawn == ["atlas:AML.T0099"]


def test_every_upstream_entry_is_upserted_once_in_upstream_order() -> None:
    release = upstream_release()

    plan = plan_atlas_update(current_catalogue(), release)

    assert [e.uid for e in plan.upserts] == [e.uid for e in release.entries]
    assert sorted(plan.added + plan.changed + plan.unchanged) == sorted(e.uid for e in release.entries)


def test_known_ids_keep_our_summary_and_take_upstream_names_and_maturity() -> None:
    plan = plan_atlas_update(current_catalogue(), upstream_release())

    upserts = {e.uid: e for e in plan.upserts}
    assert upserts["atlas:AML.TA0000"].name == "AI Model Access"
    assert upserts["atlas:AML.TA0000"].summary == "Our tactic summary."
    assert upserts["atlas:AML.T0040"].name == "AI Model Inference API Access"
    assert upserts["atlas:AML.T0040"].summary == "Our API summary."
    assert upserts["atlas:AML.T0043.001"].attributes == {"maturity": "realized"}
    assert upserts["atlas:AML.T0043.001"].summary == "Our black-box summary."
    assert upserts["atlas:AML.T0043.001"].parent_uid == "atlas:AML.T0043"


def test_new_ids_come_in_as_upstream_gives_them() -> None:
    release = upstream_release()

    plan = plan_atlas_update(current_catalogue(), release)

    upserts = {e.uid: e for e in plan.upserts}
    assert upserts["atlas:AML.T0100"] == release.entries[4]
    assert upserts["atlas:AML.T0100"].summary == ""
    assert upserts["atlas:AML.T0100.000"].parent_uid == "atlas:AML.T0100"


def test_withdrawn_entries_are_listed_not_upserted() -> None:
    plan = plan_atlas_update(current_catalogue(), upstream_release())

    assert "atlas:AML.T0099" not in {e.uid for e in plan.upserts}
    assert "iso27002:2022:5.7" not in plan.withdrawn


def test_withdrawn_ids_are_sorted() -> None:
    current = current_catalogue()
    release = AtlasDistribution(version="6.0.0", entries=[atlas("AML.TA0000", "tactic", "ML Model Access")])

    plan = plan_atlas_update(current, release)

    assert plan.withdrawn == [
        "atlas:AML.M0004",
        "atlas:AML.T0040",
        "atlas:AML.T0043",
        "atlas:AML.T0043.001",
        "atlas:AML.T0099",
    ]
    assert plan.unchanged == ["atlas:AML.TA0000"]
    assert plan.changed == []
    assert plan.added == []


def test_attributes_dropped_upstream_are_dropped_and_our_other_attributes_kept() -> None:
    current = {
        "atlas:AML.T0040": atlas(
            "AML.T0040",
            "technique",
            "API Access",
            "Ours.",
            maturity="realized",
            attack_ref="T1190",
            withdrawn=True,
            local_note="kept",
        )
    }
    release = AtlasDistribution(
        version="5.6.0",
        entries=[atlas("AML.T0040", "technique", "API Access", upstream_description="Upstream text.")],
    )

    plan = plan_atlas_update(current, release)

    assert plan.upserts[0].attributes == {"local_note": "kept", "upstream_description": "Upstream text."}
    assert plan.upserts[0].summary == "Ours."
    assert plan.changed == ["atlas:AML.T0040"]


def test_a_changed_parent_or_kind_counts_as_changed() -> None:
    current = {
        "atlas:AML.T0001": atlas("AML.T0001", "technique", "One", "Ours.", maturity="feasible"),
        "atlas:AML.T0002": atlas("AML.T0002", "technique", "Two", "Ours.", maturity="feasible"),
        "atlas:AML.T0002.000": atlas("AML.T0002.000", "technique", "Sub", "Ours.", parent="AML.T0002"),
    }
    release = AtlasDistribution(
        version="5.6.0",
        entries=[
            atlas("AML.T0001", "mitigation", "One", maturity="feasible"),
            atlas("AML.T0002", "technique", "Two", maturity="feasible"),
            atlas("AML.T0002.000", "technique", "Sub", parent="AML.T0001"),
        ],
    )

    plan = plan_atlas_update(current, release)

    assert plan.changed == ["atlas:AML.T0001", "atlas:AML.T0002.000"]
    assert plan.unchanged == ["atlas:AML.T0002"]


def test_the_same_release_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_text(
        "id: ATLAS\nname: ATLAS\nversion: 5.6.0\nmatrices:\n- id: ATLAS\n  name: M\n"
        "  tactics:\n  - id: AML.TA0000\n    name: AI Model Access\n    description: Access.\n"
        "  techniques:\n  - id: AML.T0040\n    name: API Access\n    description: Query it.\n"
        "    tactics: [AML.TA0000]\n    maturity: realized\n  mitigations: []\ncase-studies: []\n",
        encoding="utf-8",
    )
    release = parse_atlas_distribution(path.read_text(encoding="utf-8"), str(path))
    first = plan_atlas_update({}, release)
    after_first = {e.uid: e for e in first.upserts}

    second = plan_atlas_update(after_first, release)

    assert first.added == ["atlas:AML.TA0000", "atlas:AML.T0040"]
    assert second.added == []
    assert second.changed == []
    assert second.unchanged == ["atlas:AML.TA0000", "atlas:AML.T0040"]
    assert second.withdrawn == []
    assert [e.attributes for e in second.upserts] == [
        {"upstream_description": "Access."},
        {"maturity": "realized", "upstream_description": "Query it."},
    ]


def test_a_change_in_upstream_description_alone_is_not_a_change_but_is_taken() -> None:
    current = {
        "atlas:AML.T0040": atlas(
            "AML.T0040", "technique", "API Access", "Ours.", maturity="realized", upstream_description="Old."
        )
    }
    release = AtlasDistribution(
        version="5.6.0",
        entries=[
            atlas("AML.T0040", "technique", "API Access", maturity="realized", upstream_description="New.")
        ],
    )

    plan = plan_atlas_update(current, release)

    assert plan.changed == []
    assert plan.unchanged == ["atlas:AML.T0040"]
    assert plan.upserts[0].attributes == {"maturity": "realized", "upstream_description": "New."}
    assert plan.upserts[0].summary == "Ours."


def test_upstream_description_is_dropped_when_the_new_release_has_none() -> None:
    current = {
        "atlas:AML.T0040": atlas(
            "AML.T0040", "technique", "API Access", "Ours.", maturity="realized", upstream_description="Old."
        )
    }
    release = AtlasDistribution(
        version="5.6.0", entries=[atlas("AML.T0040", "technique", "API Access", maturity="realized")]
    )

    plan = plan_atlas_update(current, release)

    assert plan.upserts[0].attributes == {"maturity": "realized"}
    assert plan.changed == []
    assert plan.unchanged == ["atlas:AML.T0040"]
