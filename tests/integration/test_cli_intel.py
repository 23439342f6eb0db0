"""`aisms intel ingest|pull|sources`, run in-process against the test database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aisms.apps.intel import services
from aisms.apps.intel.feeds import DEMO_FEEDS_DIR
from aisms.apps.intel.models import IngestRun, IntelItem, Vulnerability
from aisms.cli import main

pytestmark = pytest.mark.django_db


def test_ingest_prints_counts_and_duration_as_json(capsys: Any) -> None:
    assert main(["intel", "ingest", str(DEMO_FEEDS_DIR / "kev.json"), "--format", "kev", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "kev"
    assert out["file"].endswith("kev.json")
    assert (out["created"], out["updated"], out["unchanged"], out["skipped"]) == (4, 0, 0, 0)
    assert out["duration_s"] >= 0
    assert IngestRun.objects.get(pk=out["run_id"]).status == "succeeded"
    assert Vulnerability.objects.filter(in_kev=True).count() == 4


def test_ingest_a_misp_feed_folder_and_plain_output(capsys: Any) -> None:
    assert main(["intel", "ingest", str(DEMO_FEEDS_DIR / "misp"), "--format", "misp"]) == 0
    assert "4 created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out
    assert IntelItem.objects.filter(kind="misp-event").count() == 2


def test_a_bad_file_exits_1_with_file_position_and_reason_and_stores_nothing(
    tmp_path: Path, capsys: Any
) -> None:
    bad = tmp_path / "kev.json"
    bad.write_text('{"catalogVersion": "1",\n "vulnerabilities": [\n  {"cveID": "CVE-2023-44487",')
    assert main(["intel", "ingest", str(bad), "--format", "kev", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: kev.json:line 3, byte ")
    assert "truncated" in err
    assert IntelItem.objects.count() == 0


def test_wrong_type_is_refused(capsys: Any) -> None:
    assert main(["intel", "ingest", str(DEMO_FEEDS_DIR / "kev.json"), "--format", "stix"]) == 1
    assert "wrong type: this looks like a CISA KEV catalogue" in capsys.readouterr().err


def test_pull_and_sources(capsys: Any) -> None:
    services.create_source(None, name="Demo KEV", kind="kev", local_path="kev.json", schedule_hours=24)
    assert main(["intel", "pull", "Demo KEV", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 4
    assert main(["intel", "sources", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "Demo KEV"
    assert rows[0]["last_status"] == "succeeded"
    assert rows[0]["schedule_hours"] == 24
    assert main(["intel", "pull", "Nope"]) == 2
