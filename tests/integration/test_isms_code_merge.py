"""`aisms import --merge`: an edited export applied to the running demo (GitOps), all-or-nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from aisms.apps.assets.models import Asset
from aisms.apps.compliance.models import Document
from aisms.apps.context.models import Organisation
from aisms.apps.controls.models import SoAVersion
from aisms.apps.risks.models import Risk
from aisms.catalogue.yaml_lines import load_yaml
from aisms.demo import load_demo
from aisms.domain.isms_code.merge_report import FileChanges, UpdatedRecord
from aisms.domain.isms_code.problems import ImportRefusedError
from aisms.domain.isms_code.yaml_format import dump_yaml
from aisms.isms_code.exporter import export_yaml
from aisms.isms_code.fields import model_of
from aisms.isms_code.importer import import_yaml
from aisms.isms_code.registers import FILES

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
REASON = "import (merge) from 2026-11-30T09:00:00+00:00"
NEW_ASSET = "Merge test sandbox"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """The demo, loaded and exported to a directory."""
    load_demo()
    directory = tmp_path / "isms"
    export_yaml(directory, now=NOW)
    return directory


def _read(directory: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((directory / name).read_text(encoding="utf-8"))
    return data


def _write(directory: Path, name: str, data: dict[str, Any]) -> str:
    text: str = dump_yaml(data)
    (directory / name).write_text(text, encoding="utf-8")
    return text


def _line(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that contains ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _history_counts() -> dict[str, int]:
    return {spec.model: model_of(spec).history.count() for file in FILES for spec in file.sections}


def _record_counts(directory: Path) -> dict[str, int]:
    counts = {}
    for file in FILES:
        data = _read(directory, file.name) or {}
        counts[file.name] = sum(len(records or []) for records in data.values())
    return counts


def _edit(directory: Path) -> tuple[Risk, Risk, Asset]:
    """Change a risk's title and assets and the headcount; add an asset and a risk using it; drop a risk."""
    risks = _read(directory, "risks.yaml")
    edited, dropped = (r for r in risks["risks"][:2])
    existing_asset = Asset.objects.order_by("name").first()
    assert existing_asset is not None
    edited["title"] = "Prompt injection through patient messages (reworded in git)"
    edited["assets"] = sorted([*edited["assets"], NEW_ASSET])
    new = {key: value for key, value in edited.items() if key not in {"created_at", "updated_at"}}
    new.update(ref="R-900", title="Sandbox data leaks to the test network", owner="daniel")
    new["assets"] = sorted([existing_asset.name, NEW_ASSET])
    risks["risks"] = [r for r in risks["risks"] if r is not dropped] + [new]
    _write(directory, "risks.yaml", risks)
    assets = _read(directory, "assets.yaml")
    assets["assets"].append({"name": NEW_ASSET, "kind": "application", "owner": "sofia"})
    _write(directory, "assets.yaml", assets)
    context = _read(directory, "context.yaml")
    context["organisation"][0]["headcount"] += 5
    _write(directory, "context.yaml", context)
    return Risk.objects.get(ref=edited["ref"]), Risk.objects.get(ref=dropped["ref"]), existing_asset


def test_merge_creates_updates_and_keeps_records_with_history(exported: Path) -> None:
    before = _record_counts(exported)
    edited, dropped, asset = _edit(exported)
    history = _history_counts()
    edited_history = edited.history.count()
    title, updated_at = edited.title, edited.updated_at
    organisation = Organisation.objects.get()

    dry = import_yaml(exported, merge=True, dry_run=True)

    assert dry.dry_run
    assert Risk.objects.get(pk=edited.pk).title == title
    assert not Risk.objects.filter(ref="R-900").exists()
    assert not Asset.objects.filter(name=NEW_ASSET).exists()
    assert _history_counts() == history

    done = import_yaml(exported, merge=True)

    assert done.changes == dry.changes
    assert (
        done.updated
        == dry.updated
        == [
            UpdatedRecord("context.yaml", "organisation", "organisation", ("headcount",)),
            UpdatedRecord("risks.yaml", "risks", edited.ref, ("assets", "title")),
        ]
    )
    assert done.changes["risks.yaml"] == FileChanges(
        created=1, updated=1, unchanged=before["risks.yaml"] - 2, not_in_files=1
    )
    assert done.changes["assets.yaml"] == FileChanges(created=1, unchanged=before["assets.yaml"])
    assert done.changes["context.yaml"] == FileChanges(updated=1, unchanged=before["context.yaml"] - 1)
    for name, counts in done.changes.items():
        if name not in {"risks.yaml", "assets.yaml", "context.yaml"}:
            assert counts == FileChanges(unchanged=before[name]), name
    # The edit is saved with one history row (title and links together) giving the import as reason.
    edited.refresh_from_db()
    assert edited.title == "Prompt injection through patient messages (reworded in git)"
    assert NEW_ASSET in {a.name for a in edited.assets.all()}
    assert edited.updated_at > updated_at
    assert edited.history.count() == edited_history + 1
    latest = edited.history.latest()
    assert latest.history_change_reason == REASON
    assert latest.title == edited.title
    # The new records exist, linked to a new and an existing asset and an existing user.
    new_asset = Asset.objects.get(name=NEW_ASSET)
    assert new_asset.owner is not None
    assert new_asset.owner.username == "sofia"
    new_risk = Risk.objects.get(ref="R-900")
    assert sorted(a.name for a in new_risk.assets.all()) == sorted([asset.name, NEW_ASSET])
    assert new_risk.owner is not None
    assert new_risk.owner.username == "daniel"
    assert new_risk.history.latest().history_change_reason == REASON
    # The organisation profile (a single row) is updated in place.
    assert Organisation.objects.get().pk == organisation.pk
    assert Organisation.objects.get().headcount == organisation.headcount + 5
    # The risk left out of the file is kept, untouched.
    assert Risk.objects.filter(pk=dropped.pk).exists()
    # No other record got a history row.
    after = _history_counts()
    for label, count in history.items():
        if label not in {"risks.Risk", "assets.Asset", "context.Organisation"}:
            assert after[label] == count, label
    assert after["context.Organisation"] == history["context.Organisation"] + 1
    others = Risk.history.exclude(ref__in=[edited.ref, "R-900"])
    assert others.count() == history["risks.Risk"] - edited_history
    assert Asset.history.exclude(name=NEW_ASSET).count() == history["assets.Asset"]

    # The same files again: nothing left to do, no history written.
    history = _history_counts()
    again = import_yaml(exported, merge=True)
    assert again.updated == []
    assert again.changes["risks.yaml"] == FileChanges(unchanged=before["risks.yaml"], not_in_files=1)
    assert _history_counts() == history


def test_merging_an_unedited_export_changes_nothing(exported: Path) -> None:
    history = _history_counts()
    counts = _record_counts(exported)

    result = import_yaml(exported, merge=True)

    assert result.updated == []
    assert result.users_created == []
    assert result.changes == {name: FileChanges(unchanged=count) for name, count in counts.items()}
    assert _history_counts() == history
    # Without --merge the non-empty instance is refused, and the message says how to merge.
    with pytest.raises(ImportRefusedError) as refused:
        import_yaml(exported)
    assert any("already holds" in p.message and "--merge" in p.message for p in refused.value.problems)


def test_problems_are_reported_with_file_and_line_and_nothing_changes(exported: Path) -> None:
    risks = _read(exported, "risks.yaml")
    first, second = risks["risks"][:2]
    first["title"] = "Renamed, but owned by nobody"
    first["owner"] = "nobody"
    second["title"] = "x" * 301
    risks["treatment_actions"][0]["risk"] = None  # a required reference left empty
    risks_text = _write(exported, "risks.yaml", risks)
    soa = _read(exported, "soa.yaml")
    soa["versions"][0]["notes"] = "Rewritten history"
    soa_text = _write(exported, "soa.yaml", soa)
    documents = _read(exported, "documents.yaml")
    other = next(d for d in documents["documents"] if not d["is_isms_policy"])
    other["is_isms_policy"] = True  # a second ISMS policy: the one-policy constraint forbids it
    documents_text = _write(exported, "documents.yaml", documents)
    audits = _read(exported, "audits.yaml")
    audits["management_reviews"][0]["inputs"] = {"rewritten": True}
    audits["management_reviews"][0]["minutes"] = "Minutes may change; the input pack may not."
    audits_text = _write(exported, "audits.yaml", audits)
    history = _history_counts()
    titles = dict(Risk.objects.values_list("ref", "title"))

    with pytest.raises(ImportRefusedError) as refused:
        import_yaml(exported, merge=True)

    problems = {(p.file, p.line, p.field): p.message for p in refused.value.problems}
    assert problems[("risks.yaml", _line(risks_text, "owner: nobody"), "owner")] == (
        "unknown user 'nobody': not in users.yaml nor in the database"
    )
    assert problems[("risks.yaml", _line(risks_text, "  risk: null"), "risk")] == "a value is required"
    assert "at most 300 characters" in problems[("risks.yaml", _line(risks_text, "x" * 301), "title")]
    assert (
        "recorded snapshot and cannot be changed by an import"
        in (problems[("soa.yaml", _line(soa_text, "Rewritten history"), "notes")])
    )
    assert (
        "is a recorded snapshot" in problems[("audits.yaml", _line(audits_text, "rewritten: true"), "inputs")]
    )
    assert not [p for p in refused.value.problems if p.file == "audits.yaml" and p.field != "inputs"]
    parsed = load_yaml(documents_text, "documents.yaml")
    record_line = next(d.line for d in parsed["documents"] if d["ref"] == other["ref"])
    conflicts = [p for p in refused.value.problems if p.file == "documents.yaml"]
    assert [(p.line, p.field) for p in conflicts] == [(record_line, "")]
    assert "one_isms_policy" in conflicts[0].message
    assert dict(Risk.objects.values_list("ref", "title")) == titles
    assert SoAVersion.objects.get(version=soa["versions"][0]["version"]).notes != "Rewritten history"
    assert Document.objects.filter(is_isms_policy=True).count() == 1
    assert _history_counts() == history
