"""`aisms export` and `aisms import` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from aisms.apps.assets.models import Asset
from aisms.cli import main
from aisms.domain.isms_code.yaml_format import dump_yaml

pytestmark = pytest.mark.django_db(transaction=False)


def test_export_then_import_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Asset.objects.create(name="Patient portal", kind="application")
    assert main(["export", "--format", "yaml", str(tmp_path / "out"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"]["assets.yaml"] == 1
    text = (tmp_path / "out" / "assets.yaml").read_text(encoding="utf-8")
    assert "name: Patient portal" in text
    assert (tmp_path / "out" / "manifest.yaml").is_file()

    assert main(["import", str(tmp_path / "out")]) == 1  # the instance is not empty
    out = capsys.readouterr().out
    assert "Nothing was imported" in out
    assert "assets.yaml: assets: the database already holds 1" in out

    Asset.objects.all().delete()
    assert main(["import", str(tmp_path / "out"), "--dry-run"]) == 0
    assert "Dry run: 1 records would be imported" in capsys.readouterr().out
    assert Asset.objects.count() == 0
    assert main(["import", str(tmp_path / "out")]) == 0
    assert "Imported 1 records." in capsys.readouterr().out
    assert Asset.objects.get().name == "Patient portal"


def test_import_merge_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Asset.objects.create(name="Patient portal", kind="application", description="Old text")
    Asset.objects.create(name="Claims database", kind="information")
    assert main(["export", "--format", "yaml", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assets = tmp_path / "out" / "assets.yaml"
    data = yaml.safe_load(assets.read_text(encoding="utf-8"))
    next(a for a in data["assets"] if a["name"] == "Patient portal")["description"] = "New text"
    data["assets"].append({"name": "Triage Assistant", "kind": "ai_system"})
    assets.write_text(dump_yaml(data), encoding="utf-8")

    assert main(["import", str(tmp_path / "out")]) == 1
    assert "or use `--merge`" in capsys.readouterr().out

    assert main(["import", str(tmp_path / "out"), "--merge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run of a merge: nothing was written" in out
    assert "  assets.yaml assets Patient portal: description" in out
    assert Asset.objects.count() == 2

    assert main(["import", str(tmp_path / "out"), "--merge", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ok"] is True
    assert summary["merge"] is True
    assert summary["dry_run"] is False
    assert summary["records"]["assets.yaml"] == 3
    assert summary["changes"]["assets.yaml"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "not_in_files": 0,
    }
    assert summary["updated"] == [
        {"file": "assets.yaml", "section": "assets", "key": "Patient portal", "fields": ["description"]}
    ]
    assert Asset.objects.get(name="Patient portal").description == "New text"
    assert Asset.objects.get(name="Triage Assistant").kind == "ai_system"
