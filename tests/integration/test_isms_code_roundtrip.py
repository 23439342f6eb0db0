"""The ISMS as code: exporting the demo, importing it into an emptied instance and exporting again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.risks.models import Risk
from aisms.demo import load_demo
from aisms.isms_code.exporter import export_yaml
from aisms.isms_code.fields import model_of
from aisms.isms_code.importer import import_yaml
from aisms.isms_code.registers import FILES, MANIFEST_FILE

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def flush_registers() -> None:
    """Delete every exported register (the catalogue and the users stay), last section first."""
    for file in reversed(FILES):
        for spec in reversed(file.sections):
            model_of(spec)._default_manager.all().delete()


def _files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def test_round_trip_of_the_demo_is_byte_identical(tmp_path: Path) -> None:
    """One demo load (it is slow): stable exports, import into emptied registers, identical re-export."""
    load_demo()
    first = tmp_path / "one"
    export_yaml(first, now=NOW)
    export_yaml(tmp_path / "again", now=NOW)
    assert _files(first) == _files(tmp_path / "again")
    flush_registers()
    assert Risk.objects.count() == 0
    User.objects.filter(username="daniel").delete()  # a user missing from the target instance
    result = import_yaml(first)
    assert result.records["risks.yaml"] > 10
    assert result.users_created == ["daniel"]
    second = tmp_path / "two"
    export_yaml(second, now=NOW + dt.timedelta(hours=1))
    one, two = _files(first), _files(second)
    assert sorted(one) == sorted(two)
    for name in one:
        if name != MANIFEST_FILE:
            assert one[name] == two[name], name
    strip = [line for line in one[MANIFEST_FILE].splitlines() if not line.startswith("exported_at")]
    assert strip == [line for line in two[MANIFEST_FILE].splitlines() if not line.startswith("exported_at")]
    # Real content went through: natural keys, relations and users.
    assert "ref: R-" in one["risks.yaml"]
    assert "iso27002:2022:5.7" in one["soa.yaml"]
    assert "password" not in one["users.yaml"]
    assert Asset.objects.filter(depends_on__isnull=False).exists()
    daniel = User.objects.get(username="daniel")
    assert not daniel.is_active
    assert not daniel.has_usable_password()
    assert daniel.role == "risk_owner"
    assert Risk.objects.filter(owner=daniel).exists()
