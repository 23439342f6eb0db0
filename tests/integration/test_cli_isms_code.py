"""`aisms export` and `aisms import` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisms.apps.assets.models import Asset
from aisms.cli import main

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
