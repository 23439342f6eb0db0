"""The `aisms` command, run in-process against the test database."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from aisms import __version__
from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import (
    CatalogueEntry,
    CatalogueImport,
    CatalogueLink,
    CatalogueSource,
    LabelledExample,
)
from aisms.cli import main

pytestmark = pytest.mark.django_db(transaction=False)

SMALL_ATLAS = """\
id: ATLAS
name: Adversarial Threat Landscape for AI Systems
version: 9.9.0
matrices:
- id: ATLAS
  name: ATLAS Matrix
  tactics:
  - id: AML.TA0002
    name: Reconnaissance
    ATT&CK-reference:
      id: TA0043
  techniques:
  - id: AML.T0000
    name: Search Open Technical Databases
    tactics:
    - AML.TA0002
    maturity: demonstrated
    ATT&CK-reference:
      id: T1596
  - id: AML.T0999
    name: Probe Test Endpoints
    tactics:
    - AML.TA0002
    maturity: feasible
  mitigations:
  - id: AML.M0000
    name: Limit Public Release of Information
    category:
    - Policy
    ml-lifecycle:
    - Business and Data Understanding
    techniques:
    - id: AML.T0000
case-studies:
- id: AML.CS9999
  name: Test Case Study
  procedure:
  - tactic: AML.TA0002
    technique: AML.T0999
    description: The attacker probed the test endpoints.
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def db_state() -> dict[str, Any]:
    return {
        "entries": {
            row["uid"]: row
            for row in CatalogueEntry.objects.values(
                "uid", "name", "summary", "attributes", "withdrawn", "parent_id"
            )
        },
        "links": set(CatalogueLink.objects.values_list("source__uid", "target__uid", "relation")),
        "examples": LabelledExample.objects.count(),
        "sources": dict(CatalogueSource.objects.values_list("key", "version")),
        "imports": CatalogueImport.objects.count(),
    }


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"aisms {__version__}\n"


def test_catalogue_stats_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalogue", "stats", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["catalogues"]["iso27002"]["entries"] == 93
    assert data["catalogues"]["iso27002"]["kinds"] == {"control": 93}
    atlas = data["catalogues"]["atlas"]
    assert atlas["version"] == CatalogueSource.objects.get(key="atlas").version
    for kind in ("tactic", "technique", "mitigation"):
        stored = CatalogueEntry.objects.filter(source__key="atlas", kind=kind).count()
        assert stored > 0
        assert atlas["kinds"][kind] == stored
    assert atlas["entries"] == CatalogueEntry.objects.filter(source__key="atlas").count()
    assert data["links"]["treated-by"] == CatalogueLink.objects.filter(relation="treated-by").count()
    assert data["labelled_examples"] == LabelledExample.objects.count()


def test_catalogue_stats_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalogue", "stats")
    assert code == 0
    iso_line = next(line for line in out.splitlines() if line.startswith("iso27002 "))
    assert iso_line.split()[1:4] == ["2022", "93", "93"]
    assert iso_line.endswith("93 control")


def test_catalogue_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalogue", "show", "iso27002:2022:5.7", "--json")
    assert code == 0
    data = json.loads(out)
    entry = CatalogueEntry.objects.get(uid="iso27002:2022:5.7")
    assert data["uid"] == "iso27002:2022:5.7"
    assert data["name"] == "Threat intelligence" == entry.name
    assert data["kind"] == "control"
    assert data["summary"] == entry.summary
    assert data["attributes"] == entry.attributes
    treating = set(
        CatalogueLink.objects.filter(target=entry, relation="treated-by").values_list(
            "source__uid", flat=True
        )
    )
    assert treating  # the crosswalk names AI threats this control treats
    assert {item["uid"] for item in data["links"]["in:treated-by"]} == treating
    assert all(item["rationale"] for item in data["links"]["in:treated-by"])


def test_catalogue_show_unknown_entry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "catalogue", "show", "nope")
    assert code == 1
    assert out == ""
    assert "error: no catalogue entry 'nope'" in err


def test_catalogue_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalogue", "search", "prompt", "injection", "--json")
    assert code == 0
    rows = json.loads(out)
    uids = [row["uid"] for row in rows]
    assert "atlas:AML.T0051" in uids
    assert {"uid": "atlas:AML.T0051", "name": "LLM Prompt Injection", "kind": "technique"} in rows
    assert len(rows) <= 25


def test_catalogue_search_in_one_catalogue_without_matches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalogue", "search", "zzqqxx-nothing", "--catalogue", "atlas")
    assert code == 0
    assert out == "no matches\n"


def test_import_atlas_good_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_text(SMALL_ATLAS, encoding="utf-8")
    previous = CatalogueSource.objects.get(key="atlas").version
    withdrawn = CatalogueEntry.objects.filter(source__key="atlas").count() - 3

    code, out, err = run(capsys, "catalogue", "import-atlas", str(path))

    assert code == 0, err
    assert out == (
        f"ATLAS 9.9.0 imported (was {previous}): 1 added, 0 changed, 3 unchanged, {withdrawn} withdrawn; "
        "3 links, 1 labelled examples.\n"
    )
    assert CatalogueSource.objects.get(key="atlas").version == "9.9.0"
    assert CatalogueEntry.objects.get(uid="atlas:AML.T0999").name == "Probe Test Endpoints"
    record = CatalogueImport.objects.order_by("-pk").first()
    assert record is not None
    assert record.filename == str(path)
    assert record.imported_by is None


def test_import_atlas_bad_file_changes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_text(
        SMALL_ATLAS.replace(
            "    - AML.TA0002\n    maturity: feasible", "    - AML.TA0098\n    maturity: feasible"
        )
    )
    before = db_state()

    code, out, err = run(capsys, "catalogue", "import-atlas", str(path))

    assert code == 1
    assert out == ""
    assert err.startswith(f"error: {path}, line ")
    assert "AML.TA0098" in err
    assert "Nothing was changed." in err
    assert db_state() == before


def test_import_atlas_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "ATLAS.yaml"
    path.write_bytes(SMALL_ATLAS.encode() + b"\xff\xfe")
    before = db_state()
    code, _, err = run(capsys, "catalogue", "import-atlas", str(path))
    assert code == 1
    assert "not UTF-8" in err
    assert db_state() == before


def test_import_atlas_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    before = db_state()
    code, out, err = run(capsys, "catalogue", "import-atlas", str(path))
    assert code == 1
    assert out == ""
    assert err == f"error: {path}: No such file or directory\n"
    assert db_state() == before


def test_createuser_prints_a_working_password_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "createuser", "bob", "--role", "auditor")
    assert code == 0
    match = re.fullmatch(r"User bob \(Auditor\) created\. Password \(shown once\): (\S+)\n", out)
    assert match is not None, out
    password = match.group(1)
    assert out.count(password) == 1
    user = User.objects.get(username="bob")
    assert user.role == "auditor"
    assert user.is_active is True
    assert user.is_staff is False
    assert user.is_superuser is False
    assert user.check_password(password)
    assert not user.check_password(password + "x")


def test_createuser_duplicate_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "createuser", "bob", "--role", "auditor")[0] == 0
    code, out, err = run(capsys, "createuser", "BOB")
    assert code == 2
    assert out == ""
    assert err == "error: a user named 'BOB' already exists\n"
    assert User.objects.filter(username__iexact="bob").count() == 1
    assert User.objects.get(username="bob").role == "auditor"


def test_createuser_rejects_an_unknown_role(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["createuser", "carol", "--role", "superuser"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert not User.objects.filter(username="carol").exists()
