"""`aisms threatmodel analyze FILE`: works without a database, every format, exit 2 with lines on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisms.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"


def test_markdown_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["threatmodel", "analyze", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Threat model: Triage Assistant")
    assert "llm-indirect-prompt-injection@triage-app" in out


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["threatmodel", "analyze", str(EXAMPLE), "--format", fmt]) == 0
    data = json.loads(capsys.readouterr().out)
    if fmt == "json":
        assert data["analysis"]["counts"]["ai"] > 20
    else:
        assert data["version"] == "2.1.0"
        assert data["runs"][0]["results"]


def test_html_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["threatmodel", "analyze", str(EXAMPLE), "--format", "html", "--output", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html
    assert "Threats by element" in html
    assert "threats (" in capsys.readouterr().err


def test_invalid_model_exits_2_with_lines_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\ncomponents:\n  - id: a\n    kind: robot\nflows:\n  - {from: a, to: b}\n")
    assert main(["threatmodel", "analyze", str(bad), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{bad}:4: components[0].kind: unknown kind 'robot'" in captured.err
    assert f"{bad}:6: flows[0].to: unknown component 'b'" in captured.err


def test_extra_rules_apply_and_bad_rules_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "org.rules.yaml"
    rules.write_text(
        'catalogue: threatmodel-rules\nversion: "1"\ntitle: Org\nrules:\n'
        "  - id: org-vector-store-residency\n    title: Embeddings of {element} leave the EU\n"
        "    applies_to: component\n    when: {kinds: [retrieval_store]}\n"
        "    description: Check where {element} is hosted.\n    likelihood: 2\n    impact: 3\n"
        "    threats: [owasp-llm:2025:LLM08]\n    mitigations: [iso27002:2022:5.23]\n"
    )
    assert main(["threatmodel", "analyze", str(EXAMPLE), "--format", "json", "--rules", str(rules)]) == 0
    ids = {t["id"] for t in json.loads(capsys.readouterr().out)["analysis"]["threats"]}
    assert "org-vector-store-residency@guideline-store" in ids
    rules.write_text(rules.read_text().replace("owasp-llm:2025:LLM08", "owasp-llm:2025:LLM99"))
    assert main(["threatmodel", "analyze", str(EXAMPLE), "--rules", str(rules)]) == 2
    assert "unknown threat 'owasp-llm:2025:LLM99'" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["threatmodel", "analyze", str(tmp_path / "nope.yaml")]) == 2
    assert "error:" in capsys.readouterr().err


def test_rules_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["threatmodel", "rules", "--json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert any(r["id"] == "llm-jailbreak" for r in rules)
