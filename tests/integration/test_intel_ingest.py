"""Ingesting feeds: upsert, merge across sources, provenance, incremental pulls, events, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from aisms.apps.intel import services
from aisms.apps.intel.demo_data import load_demo_intel
from aisms.apps.intel.feeds import DEMO_FEEDS_DIR
from aisms.apps.intel.models import IngestRun, IntelEvent, IntelItem, IntelSource, Vulnerability
from aisms.apps.jobs.models import Job, Schedule
from tests.factories import make_user

pytestmark = pytest.mark.django_db

KEV = {
    "catalogVersion": "2026.11.01",
    "dateReleased": "2026-11-01T00:00:00Z",
    "vulnerabilities": [
        {
            "cveID": "CVE-2023-44487",
            "vendorProject": "IETF",
            "product": "HTTP/2",
            "vulnerabilityName": "HTTP/2 Rapid Reset Attack Vulnerability",
            "dateAdded": "2023-10-10",
            "shortDescription": "Stream resets exhaust servers.",
            "requiredAction": "Apply mitigations.",
            "dueDate": "2023-10-31",
            "knownRansomwareCampaignUse": "Unknown",
        }
    ],
}


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def _bundle(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"type": "bundle", "id": "bundle--11111111-1111-4111-8111-111111111111", "objects": list(objects)}


def _attack_pattern(tid: str, *, name: str = "LLM Prompt Injection", confidence: int | None = None) -> dict:
    obj: dict[str, Any] = {
        "type": "attack-pattern",
        "spec_version": "2.1",
        "id": f"attack-pattern--{int(tid[-4:]):08d}-0000-4000-8000-000000000000",
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "name": name,
        "external_references": [{"source_name": "mitre-atlas", "external_id": tid}],
    }
    if confidence is not None:
        obj["confidence"] = confidence
    return obj


def test_demo_feeds_ingest_into_items_vulnerabilities_and_events() -> None:
    load_demo_intel()
    assert IntelSource.objects.count() == 7
    assert set(IntelSource.objects.exclude(kind="taxii").values_list("last_status", flat=True)) == {
        "succeeded"
    }
    kev = Vulnerability.objects.get(cve_id="CVE-2023-44487")
    assert kev.in_kev
    assert kev.kev_due_date.isoformat() == "2023-10-31"
    assert kev.cvss_score == 7.5
    assert {
        "criteria": "cpe:2.3:a:nginx:nginx:*:*:*:*:*:*:*:*",
        "vulnerable": True,
        "versionStartIncluding": None,
        "versionStartExcluding": None,
        "versionEndIncluding": None,
        "versionEndExcluding": "1.25.3",
    } in kev.cpe_matches
    assert kev.epss == pytest.approx(0.94412)
    postgres = Vulnerability.objects.get(cve_id="CVE-2025-1094")
    assert not postgres.in_kev
    assert postgres.epss == pytest.approx(0.61755)
    # The same CVE came from KEV, NVD and the STIX bundle: one item, three sightings.
    item = IntelItem.objects.get(kind="vulnerability", external_id="CVE-2023-44487")
    assert len({p["source"] for p in item.provenance}) == 3
    assert item.title == "HTTP/2 Rapid Reset Attack Vulnerability"
    report = IntelItem.objects.get(kind="report", title__startswith="Attacks on AI in healthcare")
    assert "atlas:AML.T0051.001" in report.technique_uids
    assert report.tlp == "green"
    indicator = IntelItem.objects.get(kind="indicator")
    assert indicator.pattern == "[domain-name:value = 'summaries-upload.example.net']"
    assert indicator.tlp == "amber"
    event = IntelItem.objects.get(kind="misp-event", external_id="8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d")
    assert event.tlp == "amber"
    assert "atlas:AML.T0010" in event.technique_uids
    assert {"type": "ip-src", "category": "Network activity", "value": "203.0.113.77", "to_ids": True} in (
        event.observables
    )
    kinds = set(IntelEvent.objects.values_list("kind", flat=True))
    assert {"item-new", "kev-added", "nvd-updated", "epss-changed"} <= kinds
    assert IntelEvent.objects.filter(kind="kev-added").count() == 4
    assert Schedule.objects.filter(key__startswith="intel.source.").count() == 2


def test_reingesting_the_same_file_is_unchanged_and_moves_last_seen(tmp_path: Path) -> None:
    path = _write(tmp_path, "kev.json", KEV)
    first = services.ingest_path(None, "kev", path)
    assert first.counts == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 0}
    item = IntelItem.objects.get(external_id="CVE-2023-44487")
    seen = item.last_seen
    events_before = IntelEvent.objects.count()
    second = services.ingest_path(None, "kev", path)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    item.refresh_from_db()
    assert item.last_seen > seen
    assert item.first_seen == seen
    assert IntelEvent.objects.count() == events_before  # nothing new to tell
    assert len(item.provenance) == 1  # the same file again: the sighting moves on, the list does not grow


def test_duplicates_from_two_sources_merge_with_max_confidence_and_growing_provenance(tmp_path: Path) -> None:
    one = services.create_source(None, name="A", kind="stix", local_path="atlas-bundle.json")
    two = services.create_source(
        None, name="B", kind="stix", local_path="atlas-bundle.json", default_tlp="amber"
    )
    path_a = _write(tmp_path, "a.json", _bundle(_attack_pattern("AML.T0051", confidence=40)))
    path_b = _write(tmp_path, "b.json", _bundle(_attack_pattern("AML.T0051", confidence=85)))
    services.ingest_path(None, "stix", path_a, source=one)
    outcome = services.ingest_path(None, "stix", path_b, source=two)
    assert outcome.counts["updated"] == 1
    item = IntelItem.objects.get(kind="attack-pattern", external_id="AML.T0051")
    assert item.confidence == 85
    assert item.source == one  # the first source stays
    assert [p["source"] for p in item.provenance] == [one.pk, two.pk]
    assert item.tlp == "amber"  # the stricter marking wins
    assert IntelEvent.objects.filter(item=item, kind="item-updated").count() == 1
    assert item.history.count() == 2


def test_history_keeps_every_version_and_a_resighting_adds_none(tmp_path: Path) -> None:
    from aisms.apps.web.history import object_history

    analyst = make_user("administrator")
    first = _attack_pattern("AML.T0051")
    first["description"] = "Text hidden in a retrieved page steers the model."
    services.ingest_path(analyst, "stix", _write(tmp_path, "v1.json", _bundle(first)))
    item = IntelItem.objects.get(kind="attack-pattern", external_id="AML.T0051")
    assert item.created_by == analyst
    assert not item.history.exists()  # the first version is the row itself until the item changes ...
    _, shown = object_history("intel-item", str(item.pk))
    assert [(e.action, e.user, e.at) for e in shown] == [("created", analyst.username, item.first_seen)]
    values = {c.field: c.new for c in shown[0].changes}  # ... and is shown as the 'created' entry
    for name in ("title", "description", "tlp", "technique_uids", "references", "content_hash", "first_seen"):
        assert values[name] == getattr(item, name)
    assert "provenance" not in values  # the history does not keep sightings
    assert values["created_by"] == str(analyst)  # a link is shown by name, not by id

    seen = item.last_seen
    services.ingest_path(None, "stix", _write(tmp_path, "v1-again.json", _bundle(first)))
    item.refresh_from_db()
    assert item.last_seen > seen  # the sighting is recorded (last seen, provenance) ...
    assert not item.history.exists()  # ... but the content did not change, so no new version

    second = {**first, "description": "Instructions hidden in retrieved pages steer the model."}
    services.ingest_path(None, "stix", _write(tmp_path, "v2.json", _bundle(second)))
    item.refresh_from_db()
    assert item.history.count() == 2
    created = item.history.earliest("history_id")  # copied from the row just before it changed
    assert (created.history_type, created.history_user) == ("+", analyst)
    assert (created.history_date, created.description) == (item.first_seen, first["description"])
    changed = item.history.latest("history_id")
    assert (changed.history_type, changed.history_user) == ("~", None)
    assert changed.description == second["description"]
    _, shown = object_history("intel-item", str(item.pk))
    assert [(e.action, e.user) for e in shown] == [("changed", None), ("created", analyst.username)]
    assert {c.field: (c.old, c.new) for c in shown[0].changes} == {
        "description": (first["description"], second["description"]),
        "content_hash": (created.content_hash, item.content_hash),
    }


def test_cve_records_get_a_history_row_per_version(tmp_path: Path) -> None:
    services.ingest_path(None, "kev", _write(tmp_path, "kev.json", KEV))
    vuln = Vulnerability.objects.get(cve_id="CVE-2023-44487")
    created = vuln.history.get()
    assert (created.history_type, created.in_kev, created.item_id) == ("+", True, vuln.item_id)
    assert created.kev_required_action == "Apply mitigations."
    csv = "#model_version:v1,score_date:2026-11-01T00:00:00Z\ncve,epss,percentile\n"
    services.ingest_path(None, "epss", _write(tmp_path, "e.csv", csv + "CVE-2023-44487,0.40,0.9\n"))
    services.ingest_path(None, "epss", _write(tmp_path, "e-again.csv", csv + "CVE-2023-44487,0.40,0.9\n"))
    assert vuln.history.count() == 2  # the unchanged second score file adds no version
    latest = vuln.history.latest("history_id")
    assert (latest.history_type, latest.epss, latest.in_kev) == ("~", 0.40, True)


def test_a_malformed_file_stores_nothing_and_the_run_names_the_position(tmp_path: Path) -> None:
    good = _attack_pattern("AML.T0051")
    text = json.dumps(_bundle(good, _attack_pattern("AML.T0054")))
    broken = text[: len(text) // 2 + 10]  # truncated in the second object
    path = _write(tmp_path, "broken.json", broken)
    with pytest.raises(services.IngestError) as caught:
        services.ingest_path(None, "stix", path)
    assert "truncated" in str(caught.value)
    assert "broken.json:line 1" in str(caught.value)
    assert IntelItem.objects.count() == 0
    assert IntelEvent.objects.count() == 0
    run = IngestRun.objects.get()
    assert run.status == "failed"
    assert "truncated" in run.error


def test_a_failure_while_storing_rolls_everything_back(tmp_path: Path, monkeypatch: Any) -> None:
    from aisms.apps.intel import ingest

    path = _write(tmp_path, "kev.json", KEV)

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_upsert_vulnerabilities", explode)
    with pytest.raises(RuntimeError):
        services.ingest_path(None, "kev", path)
    assert IntelItem.objects.count() == 0
    assert IngestRun.objects.get().status == "failed"


def test_epss_changes_above_the_delta_are_events_and_unknown_cves_are_skipped(tmp_path: Path) -> None:
    services.ingest_path(None, "kev", _write(tmp_path, "kev.json", KEV))
    csv = "#model_version:v1,score_date:2026-11-01T00:00:00Z\ncve,epss,percentile\n"
    services.ingest_path(None, "epss", _write(tmp_path, "e1.csv", csv + "CVE-2023-44487,0.40,0.9\n"))
    outcome = services.ingest_path(
        None, "epss", _write(tmp_path, "e2.csv", csv + "CVE-2023-44487,0.405,0.9\nCVE-2099-0001,0.1,0.2\n")
    )
    assert outcome.counts == {"created": 0, "updated": 1, "unchanged": 0, "skipped": 1}
    events = list(
        IntelEvent.objects.filter(kind="epss-changed").order_by("pk").values_list("detail", flat=True)
    )
    assert len(events) == 1
    assert events[0]["old"] is None
    assert events[0]["new"] == 0.40
    services.ingest_path(None, "epss", _write(tmp_path, "e3.csv", csv + "CVE-2023-44487,0.90,0.99\n"))
    last = IntelEvent.objects.filter(kind="epss-changed").latest("pk")
    assert last.detail["old"] == pytest.approx(0.405)
    assert last.detail["new"] == 0.90


def test_misp_pull_is_incremental_by_manifest_timestamp(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    feed = tmp_path / "feeds" / "misp"
    feed.mkdir(parents=True)
    for path in (DEMO_FEEDS_DIR / "misp").iterdir():
        (feed / path.name).write_bytes(path.read_bytes())
    source = services.create_source(None, name="MISP", kind="misp", local_path=str(feed))
    first = services.pull_source(source)
    assert first.counts["created"] == 4  # two events and two CVEs
    source.refresh_from_db()
    second = services.pull_source(source)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 0, "skipped": 2}
    manifest = json.loads((feed / "manifest.json").read_text())
    uuid = "5f2b6c3e-1d4a-4b8e-9c7f-0a1b2c3d4e5f"
    manifest[uuid]["timestamp"] = "1760500000"
    event = json.loads((feed / f"{uuid}.json").read_text())
    event["Event"]["info"] = "Phishing wave against radiology staff (updated)"
    (feed / "manifest.json").write_text(json.dumps(manifest))
    (feed / f"{uuid}.json").write_text(json.dumps(event))
    third = services.pull_source(source)
    assert third.counts == {"created": 0, "updated": 1, "unchanged": 0, "skipped": 1}
    assert IntelItem.objects.get(external_id=uuid).title.endswith("(updated)")


def test_local_paths_outside_the_allowed_folders_are_refused(tmp_path: Path) -> None:
    source = services.create_source(None, name="Sneaky", kind="kev", local_path="/etc/passwd")
    with pytest.raises(services.IngestError, match="local feeds must be"):
        services.pull_source(source)
    assert IngestRun.objects.get().status == "failed"
    source.refresh_from_db()
    assert source.last_status == "failed"


def test_pull_now_runs_a_job_and_records_the_run() -> None:
    manager = make_user("isms_manager")
    source = services.create_source(manager, name="KEV", kind="kev", local_path="kev.json")
    job = services.pull_now(manager, source)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["created"] == 4
    run = IngestRun.objects.get(source=source)
    assert run.job_id == job.pk
    assert run.status == "succeeded"
    assert "kev.json" in job.log


def test_ingest_needs_create_permission_and_a_denied_call_changes_nothing(tmp_path: Path) -> None:
    auditor = make_user("auditor")
    with pytest.raises(PermissionDenied):
        services.ingest_path(auditor, "kev", _write(tmp_path, "kev.json", KEV))
    with pytest.raises(PermissionDenied):
        services.create_source(make_user("contributor"), name="X", kind="kev", url="https://x.example/k.json")
    assert IngestRun.objects.count() == 0
    assert IntelSource.objects.count() == 0


def test_schedules_follow_the_source_settings() -> None:
    source = services.create_source(None, name="KEV", kind="kev", local_path="kev.json", schedule_hours=6)
    schedule = Schedule.objects.get(key=f"intel.source.{source.pk}")
    assert schedule.every_seconds == 6 * 3600
    assert schedule.kwargs == {"source_id": source.pk}
    services.update_source(None, source, schedule_hours=None)
    assert not Schedule.objects.filter(key=f"intel.source.{source.pk}").exists()


def test_text_reports_merge_when_pasted_twice() -> None:
    text = "# Prompt injection in triage bots\n\nAttackers used AML.T0051 and CVE-2024-3094.\n"
    first = services.ingest_text(None, text)
    second = services.ingest_text(None, text)
    assert first.counts["created"] == 1
    assert second.counts["unchanged"] == 1
    item = IntelItem.objects.get(kind="report")
    assert item.title == "Prompt injection in triage bots"
    assert item.technique_uids == ["atlas:AML.T0051"]
    assert item.cve_ids == ["CVE-2024-3094"]


def test_the_posture_hook_runs_after_commit_when_registered(
    tmp_path: Path, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from aisms.apps.jobs import runner

    calls: list[int] = []

    def correlate(ctx: Any, *, run_id: int) -> dict[str, int]:
        calls.append(run_id)
        return {"run": run_id}

    monkeypatch.setitem(runner._REGISTRY, "posture.correlate", correlate)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = services.ingest_path(None, "kev", _write(tmp_path, "kev.json", KEV))
    assert calls == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert calls == [outcome.run.pk]
    job = Job.objects.get(name="posture.correlate")
    assert job.kwargs == {"run_id": outcome.run.pk}
    assert job.status == Job.Status.SUCCEEDED


def test_no_posture_job_when_the_hook_is_not_registered(
    tmp_path: Path, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from aisms.apps.jobs import runner

    monkeypatch.delitem(runner._REGISTRY, "posture.correlate", raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.ingest_path(None, "kev", _write(tmp_path, "kev.json", KEV))
    assert not Job.objects.filter(name="posture.correlate").exists()
