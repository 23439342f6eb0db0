"""Importing a broken export: every problem is reported with file, line and field; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisms.apps.assets.models import Asset
from aisms.apps.context.models import Organisation
from aisms.apps.risks.models import Risk
from aisms.domain.isms_code.problems import ImportRefusedError
from aisms.isms_code.importer import import_yaml

pytestmark = pytest.mark.django_db

ASSETS = """\
assets:
- name: Patient portal
  kind: application
  owner: amira
- name: Claims database
  kind: spaceship
  confidentiality: medium
  colour: blue
- name: Patient portal
  kind: model
"""

RISKS = """\
risks:
- ref: R-900
  title: Patient data leaks through the portal
  assets:
  - Patient portal
  - Ghost asset
  threat: iso27002:2022:99.99
  inherent_likelihood: high
  inherent_impact: 3
  inherent_level: high
  current_likelihood: 3
  current_impact: 3
  current_level: high
  target_likelihood: 2
  target_impact: 2
  target_level: medium
  review_date: 31/12/2026
treatment_actions:
- slug: R-404/encrypt
  risk: R-404
  title: Encrypt the database
"""

USERS = """\
users:
- username: amira
  role: isms_manager
"""

VALID_RISK = (
    RISKS.split("treatment_actions:")[0]
    .replace("  - Ghost asset\n", "")
    .replace("  threat: iso27002:2022:99.99\n", "")
    .replace("inherent_likelihood: high", "inherent_likelihood: 4")
    .replace("31/12/2026", "2026-12-31")
)


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_every_problem_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    directory = _write(tmp_path / "broken", {"assets.yaml": ASSETS, "risks.yaml": RISKS, "users.yaml": USERS})
    with pytest.raises(ImportRefusedError) as refused:
        import_yaml(directory)
    lines = [str(p) for p in refused.value.problems]
    assert "assets.yaml:8: colour: unknown field" in lines
    assert "assets.yaml:9: name: 'Patient portal' appears more than once" in lines
    assert any(line.startswith("assets.yaml:6: kind: 'spaceship' is not one of") for line in lines)
    assert "risks.yaml:6: assets: unknown asset 'Ghost asset': not in assets.yaml" in lines
    assert any(
        line.startswith("risks.yaml:7: threat: unknown catalogue entry 'iso27002:2022:99.99'")
        for line in lines
    )
    assert any(line.startswith("risks.yaml:8: inherent_likelihood: 'high' is not of type") for line in lines)
    assert any(
        line.startswith("risks.yaml:17: review_date: expected a date like 2026-01-31") for line in lines
    )
    assert any(line.startswith("risks.yaml:20: risk: unknown risk 'R-404'") for line in lines)
    assert Asset.objects.count() == 0
    assert Risk.objects.count() == 0


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    directory = _write(tmp_path / "syntax", {"assets.yaml": "assets:\n- name: [unclosed\n  kind: model\n"})
    with pytest.raises(ImportRefusedError) as refused:
        import_yaml(directory)
    assert refused.value.problems[0].file == "assets.yaml"
    assert refused.value.problems[0].line is not None
    assert "not valid YAML" in refused.value.problems[0].message


def test_a_valid_directory_imports_and_a_second_import_is_refused(tmp_path: Path) -> None:
    valid_assets = ASSETS.split("- name: Claims database")[0]
    directory = _write(
        tmp_path / "ok", {"assets.yaml": valid_assets, "risks.yaml": VALID_RISK, "users.yaml": USERS}
    )
    Organisation.objects.create(name="Helixa Health Ltd")  # not in the export: left as it is
    dry = import_yaml(directory, dry_run=True)
    assert dry.dry_run
    assert dry.records == {"assets.yaml": 1, "risks.yaml": 1}
    assert Asset.objects.count() == 0
    import_yaml(directory)
    risk = Risk.objects.get(ref="R-900")
    assert [a.name for a in risk.assets.all()] == ["Patient portal"]
    assert risk.review_date is not None
    assert risk.review_date.isoformat() == "2026-12-31"
    assert Asset.objects.get().owner.username == "amira"  # type: ignore[union-attr] # created inactive
    assert Organisation.objects.get().name == "Helixa Health Ltd"
    with pytest.raises(ImportRefusedError) as refused:
        import_yaml(directory)
    assert any("already holds 1 assets" in str(p) for p in refused.value.problems)
    assert Asset.objects.count() == 1
