"""Helixa's secure-coding story: the AI coding assistant policy, two repositories of its own code, and
scans over recent weeks in which findings get fixed.

Each scan is real: the demo writes the repository's AI assistant files as they stood that week into a
temporary folder, runs the scanner over it with Helixa's policy and merges a bandit SARIF log, exactly as
`aisms scan --sarif bandit.sarif --post ...` would in CI.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.devsec import services
from aisms.apps.devsec.models import Finding, Repository, SecureCodingPolicy
from aisms.domain.devsec import report as report_io
from aisms.domain.devsec.policy import default_policy_text, parse_policy
from aisms.domain.devsec.sarif_import import parse_sarif
from aisms.domain.devsec.scanner import ScanTarget, scan
from aisms.domain.devsec.tracking import Status

POLICY_NOTE = "Adopted for Helixa: Claude Code for confidential code, Copilot for internal code only."


def _helixa_policy() -> str:
    text = default_policy_text()
    text = text.replace("owner: Head of Engineering", "owner: Lena Brandt, Head of Platform Engineering")
    text = text.replace("  hosts: []\n", '  hosts: ["*.helixa.net", "gitlab.helixa.example"]\n')
    return text.replace(
        "    - name: filesystem\n",
        '    - name: helixa-docs\n      url: "https://mcp.helixa.example/docs/*"\n    - name: filesystem\n',
    )


def _draft_policy(text: str) -> str:
    block = "  - id: mcp\n    max_classification: confidential\n"
    return text.replace(block, block + "  - id: cursor\n    max_classification: internal\n", 1)


FAKE_TOKEN = "ghp_" + "Zx9QdemoOnlyNotARealToken0000" + "1a2b3c4d"

TRIAGE_WEEKS: list[dict[str, str]] = [
    {
        "CLAUDE.md": (
            "# Triage Assistant\n\nPython 3.12, FastAPI, LangChain. Run `make test` before you finish.\n"
            "The staging guideline index is at https://rag-staging.helixa.internal:8443/index and the "
            "feature\nstore at 10.20.4.12:6379.\n"
            "When a change is urgent, skip the tests and commit directly to main.\n"
            f"Use GITHUB_TOKEN={FAKE_TOKEN} to open merge requests.\n"
        ),
        ".claude/settings.json": json.dumps(
            {
                "permissions": {
                    "allow": ["Bash(*)", "Bash(pytest:*)", "WebFetch"],
                    "defaultMode": "bypassPermissions",
                }
            },
            indent=2,
        ),
        ".mcp.json": json.dumps(
            {
                "mcpServers": {
                    "postgres": {
                        "command": "npx",
                        "args": [
                            "-y",
                            "@modelcontextprotocol/server-postgres",
                            "postgresql://triage@10.20.4.15/triage",
                        ],
                    },
                    "helixa-docs": {"type": "http", "url": "https://mcp.helixa.example/docs/sse"},
                }
            },
            indent=2,
        ),
        ".cursorrules": "Prefer small functions. Use type hints everywhere.\n",
    },
]


def _triage_weeks() -> list[dict[str, str]]:
    first = TRIAGE_WEEKS[0]
    second = dict(first)
    second["CLAUDE.md"] = (
        "# Triage Assistant\n\nPython 3.12, FastAPI, LangChain. Run `make test` before you finish.\n"
        "The staging guideline index is at https://rag-staging.helixa.internal:8443/index and the feature\n"
        "store at 10.20.4.12:6379.\nEvery change goes through a merge request with human review.\n"
        f"Use GITHUB_TOKEN={FAKE_TOKEN} to open merge requests.\n"
    )
    second[".claude/settings.json"] = json.dumps(
        {"permissions": {"allow": ["Bash(pytest:*)", "Bash(make test:*)", "Bash(git diff:*)"]}}, indent=2
    )
    third = dict(second)
    third["CLAUDE.md"] = (
        "# Triage Assistant\n\nPython 3.12, FastAPI, LangChain. Run `make test` before you finish.\n"
        "The staging guideline index is at https://rag-staging.helixa.internal:8443/index.\n"
        "Every change goes through a merge request with human review. Never write tokens into files:\n"
        "the GitLab CLI reads them from the keyring.\n"
    )
    fourth = dict(third)
    fourth[".mcp.json"] = json.dumps(
        {"mcpServers": {"helixa-docs": {"type": "http", "url": "https://mcp.helixa.example/docs/sse"}}},
        indent=2,
    )
    return [first, second, third, fourth]


CLAIMGUARD_WEEKS: list[dict[str, str]] = [
    {
        "AGENTS.md": (
            "# ClaimGuard\n\nTraining pipeline for the fraud model (XGBoost, MLflow).\n"
            "All generated code is reviewed by a person in a merge request before it is merged.\n"
        ),
        ".github/copilot-instructions.md": (
            "Use pandas and numpy idioms. The model registry at https://mlflow.ml.helixa.internal uses a\n"
            "self-signed certificate, so call requests with verify=False.\n"
        ),
    },
    {
        "AGENTS.md": (
            "# ClaimGuard\n\nTraining pipeline for the fraud model (XGBoost, MLflow).\n"
            "All generated code is reviewed by a person in a merge request before it is merged.\n"
        ),
        ".github/copilot-instructions.md": (
            "Use pandas and numpy idioms. The model registry's CA bundle is in certs/helixa-ca.pem;\n"
            "pass it to requests, and never turn certificate checks off.\n"
        ),
    },
]


def _bandit(results: list[tuple[str, str, str, int, str]]) -> bytes:
    """A bandit `-f sarif` log with the given (rule, level, file, line, message) results."""
    return json.dumps(
        {
            "version": "2.1.0",
            "$schema": report_io.SARIF_SCHEMA_URI,
            "runs": [
                {
                    "tool": {"driver": {"name": "Bandit", "rules": [{"id": r[0]} for r in results]}},
                    "results": [
                        {
                            "ruleId": rule,
                            "level": level,
                            "message": {"text": message},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {"uri": path},
                                        "region": {"startLine": line},
                                    }
                                }
                            ],
                        }
                        for rule, level, path, line, message in results
                    ],
                }
            ],
        }
    ).encode()


B506 = (
    "B506",
    "warning",
    "triage/guidelines/loader.py",
    41,
    "Use of unsafe yaml load. Allows instantiation of arbitrary objects.",
)
B105 = ("B105", "warning", "triage/settings.py", 18, "Possible hardcoded password: 'triage-dev'")
B113 = ("B113", "warning", "triage/clients/llm.py", 67, "Call to requests without timeout")
B301 = (
    "B301",
    "warning",
    "claimguard/features/cache.py",
    22,
    "Pickle and modules that wrap it can be unsafe when used to deserialize untrusted data.",
)
B608 = (
    "B608",
    "warning",
    "claimguard/reports/export.py",
    88,
    "Possible SQL injection vector through string-based query construction.",
)
TRIAGE_SAST = [[B506, B105, B113], [B506, B105, B113], [B105, B113], [B113]]
CLAIMGUARD_SAST = [[B301, B608], [B608]]


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _run(
    name: str,
    files: dict[str, str],
    sast: list[Any],
    policy_text: str,
    when: Any,
    commit: str,
    classification: str,
    uploader: User,
) -> None:
    policy = parse_policy(policy_text, "helixa-policy.yaml")
    with tempfile.TemporaryDirectory(prefix="aisms-demo-") as folder:
        root = Path(folder)
        _write_tree(root, files)
        log = parse_sarif(_bandit(sast), "bandit.sarif", root=str(root))
        target = ScanTarget(
            name=name,
            url=f"https://gitlab.helixa.example/ai/{name}",
            commit=commit,
            branch="main",
            classification=classification,
        )
        result = scan(root, policy, target, when, imported=[log])
    uploaded = report_io.from_json(json.loads(json.dumps(report_io.to_json(result))))
    services.record_scan(uploader, replace(uploaded, scanned_at=when), source="cli")


def load_demo_devsec() -> None:
    if Repository.objects.exists() or SecureCodingPolicy.objects.exists():
        return
    amira = User.objects.get(username="amira")
    sofia = User.objects.get(username="sofia")
    daniel = User.objects.get(username="daniel")
    text = _helixa_policy()
    v1 = services.save_policy(amira, text, POLICY_NOTE)
    services.approve_policy(amira, v1)
    services.save_policy(amira, _draft_policy(text), "Pilot: allow Cursor for internal code.")
    assets = {
        a.name: a for a in Asset.objects.filter(name__in=["Triage Assistant", "ClaimGuard training pipeline"])
    }
    triage = services.create_repository(
        None,
        name="triage-assistant",
        url="https://gitlab.helixa.example/ai/triage-assistant",
        description="The Triage Assistant service: LLM orchestration, retrieval over guidelines, API.",
        classification="confidential",
        owner=sofia,
        asset=assets.get("Triage Assistant"),
    )
    claimguard = services.create_repository(
        None,
        name="claimguard-model",
        url="https://gitlab.helixa.example/ai/claimguard-model",
        description="Training and evaluation pipeline of the ClaimGuard fraud model.",
        classification="confidential",
        owner=daniel,
        asset=assets.get("ClaimGuard training pipeline"),
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for index, (files, sast) in enumerate(zip(_triage_weeks(), TRIAGE_SAST, strict=True)):
        when = now - timedelta(days=42 - index * 13)
        _run(triage.name, files, sast, text, when, f"9f1c{index:02d}e7a2b{index}d41", "confidential", sofia)
    for index, (files, sast) in enumerate(zip(CLAIMGUARD_WEEKS, CLAIMGUARD_SAST, strict=True)):
        when = now - timedelta(days=20 - index * 14)
        _run(
            claimguard.name,
            files,
            sast,
            text,
            when,
            f"c1a9{index:02d}44b0e{index}f17",
            "confidential",
            daniel,
        )
    cursor = Finding.objects.filter(repository=triage, rule_id="ai-tool-not-approved", status="open").first()
    if cursor is not None:
        services.set_finding_status(
            amira,
            cursor,
            Status.ACCEPTED_RISK,
            "Cursor pilot in the triage team until the policy change (version 2) is approved; "
            "the rules file holds no data.",
        )
    feature_store = Finding.objects.filter(
        repository=triage, rule_id="internal-endpoint-in-ai-file", status="open"
    )
    docs = feature_store.filter(message__contains="rag-staging").first()
    if docs is not None:
        services.set_finding_status(
            sofia,
            docs,
            Status.FALSE_POSITIVE,
            "Staging index of public clinical guidelines; reachable only through the VPN.",
        )
