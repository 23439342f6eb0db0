"""The scan report's two forms: aisms JSON (documented in docs/secure-coding.md) and SARIF 2.1.0; and
reading an uploaded report back (validated) for the secure-coding register."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jsonschema

from aisms import __version__
from aisms.catalogue.secure_coding_rules import load_rules
from aisms.domain.devsec.findings import AISMS_TOOL, RULES, Finding, Severity, counts
from aisms.domain.devsec.sarif_import import ImportedLog
from aisms.domain.devsec.scanner import ScanReport, ScanTarget

REPORT_SCHEMA_ID = "aisms-devsec-scan/1"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFO_URI = "https://github.com/aisms/aisms/blob/main/docs/secure-coding.md"
_SHORT = {"type": "string", "maxLength": 500}
FINDING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["rule_id", "tool", "severity", "path", "message", "fingerprint"],
    "properties": {
        "rule_id": {"type": "string", "minLength": 1, "maxLength": 200},
        "rule_name": {"type": "string", "maxLength": 300},
        "tool": {"type": "string", "minLength": 1, "maxLength": 100},
        "category": {"type": "string", "maxLength": 50},
        "severity": {"enum": [s.value for s in Severity]},
        "path": _SHORT,
        "line": {"type": ["integer", "null"], "minimum": 1, "maximum": 10_000_000},
        "message": {"type": "string", "maxLength": 4000},
        "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{8,64}$"},
    },
}
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema", "scanned_at", "repository", "findings"],
    "properties": {
        "schema": {"const": REPORT_SCHEMA_ID},
        "scanned_at": {"type": "string", "format": "date-time"},
        "repository": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "url": _SHORT,
                "commit": {"type": "string", "maxLength": 64},
                "branch": {"type": "string", "maxLength": 200},
                "classification": {"type": "string", "maxLength": 40},
            },
        },
        "policy": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "policy_version": {"type": "integer"},
                "sha256": {"type": "string", "maxLength": 64},
            },
        },
        "tools": {
            "type": "array",
            "maxItems": 200,
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string", "maxLength": 80}, "approved": {"type": "boolean"}},
            },
        },
        "sources": {"type": "array", "maxItems": 100},
        "findings": {"type": "array", "maxItems": 100_000, "items": FINDING_SCHEMA},
    },
}


class ReportError(ValueError):
    """An uploaded report that does not follow the schema; names the JSON path."""


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(report: ScanReport) -> dict[str, Any]:
    target = report.target
    return {
        "schema": REPORT_SCHEMA_ID,
        "generator": {"name": "aisms", "version": __version__, "rules_version": load_rules().version},
        "scanned_at": _timestamp(report.scanned_at),
        "repository": {
            "name": target.name,
            "url": target.url,
            "commit": target.commit,
            "branch": target.branch,
            "classification": target.classification,
        },
        "policy": {
            "name": report.policy.name,
            "policy_version": report.policy.policy_version,
            "sha256": report.policy.sha256,
            "source": report.policy_source,
        },
        "control": "iso27002:2022:8.28",
        "stats": report.stats.as_dict(),
        "tools": [
            {"id": t.id, "name": t.name, "approved": t.approved, "files": list(t.files)} for t in report.tools
        ],
        "mcp_servers": report.mcp_servers,
        "sources": report.sources,
        "summary": counts(report.findings),
        "findings": [f.as_dict() for f in report.findings],
    }


def _rule_descriptors(findings: list[Finding]) -> list[dict[str, Any]]:
    weakening = {f"weakens-security.{w.id}": w for w in load_rules().weakening}
    descriptors = []
    for rule_id in sorted({f.rule_id for f in findings}):
        if rule_id in RULES:
            info = RULES[rule_id]
            name, short, full, level = info.name, info.name, info.description, info.severity.value
        elif rule_id in weakening:
            rule = weakening[rule_id]
            name, short, full, level = rule.title, rule.title, rule.explanation, rule.severity
        else:
            continue
        descriptors.append(
            {
                "id": rule_id,
                "name": "".join(part.capitalize() for part in rule_id.replace(".", "-").split("-")),
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "helpUri": INFO_URI,
                "defaultConfiguration": {"level": level},
                "properties": {"tags": ["security", "ai-assistant", "iso27002:2022:8.28"], "title": name},
            }
        )
    return descriptors


def _sarif_result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": finding.path or ".", "uriBaseId": "SRCROOT"}}
    if finding.line:
        location["region"] = {"startLine": finding.line}
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": finding.severity.value,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"aismsFingerprint/v1": finding.fingerprint},
    }
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    return result


def to_sarif(report: ScanReport) -> dict[str, Any]:
    """SARIF 2.1.0: one run for aisms' own rules, one per imported tool (keeping the tool's name)."""
    own = [f for f in report.findings if f.tool == AISMS_TOOL]
    rules = _rule_descriptors(own)
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    runs: list[dict[str, Any]] = [
        {
            "tool": {
                "driver": {
                    "name": "aisms",
                    "version": __version__,
                    "informationUri": INFO_URI,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The scanned repository's root."}}},
            "automationDetails": {"id": f"aisms-scan/{report.target.name}/"},
            "invocations": [{"executionSuccessful": True, "endTimeUtc": _timestamp(report.scanned_at)}],
            "results": [_sarif_result(f, rule_index) for f in own],
            "properties": {"policy": report.policy.name, "policySha256": report.policy.sha256},
        }
    ]
    if report.target.commit:
        runs[0]["versionControlProvenance"] = [
            {"repositoryUri": report.target.url or f"urn:aisms:repository:{report.target.name}",
             "revisionId": report.target.commit}
        ]  # fmt: skip
    for tool in dict.fromkeys(f.tool for f in report.findings if f.tool != AISMS_TOOL):
        imported = [f for f in report.findings if f.tool == tool]
        runs.append(
            {
                "tool": {
                    "driver": {
                        "name": tool,
                        "rules": [{"id": r} for r in sorted({f.rule_id for f in imported})],
                    }
                },
                "results": [_sarif_result(f, {}) for f in imported],
            }
        )
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": runs}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class UploadedScan:
    """A report received by aisms (from the CLI's JSON or a SARIF log), checked and ready to record."""

    target: ScanTarget
    scanned_at: datetime
    tools: tuple[str, ...]  # assistants detected
    sources: tuple[str, ...]  # tools whose findings the report covers (aisms, Bandit, semgrep, ...)
    findings: tuple[Finding, ...]
    policy_name: str
    policy_sha256: str
    raw: dict[str, Any]


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReportError(f"$.scanned_at: {value!r} is not an ISO 8601 date and time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_json(document: Any) -> UploadedScan:
    """Validate an aisms JSON report; ReportError names the JSON path of the first problem."""
    errors = sorted(
        jsonschema.Draft202012Validator(REPORT_SCHEMA).iter_errors(document),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        error = errors[0]
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        message = error.message
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [n for n in error.validator_value if n not in error.instance]
            where, message = f"{where}.{missing[0]}", "missing"
        raise ReportError(f"{where}: {message}")
    repo = document["repository"]
    findings = tuple(
        Finding(
            rule_id=f["rule_id"],
            severity=Severity(f["severity"]),
            path=f["path"],
            line=f.get("line"),
            message=f["message"],
            fingerprint=f["fingerprint"],
            tool=f["tool"],
            category=f.get("category", ""),
            rule_name=f.get("rule_name", ""),
        )
        for f in document["findings"]
    )
    sources = [
        str(s.get("tool")) for s in document.get("sources") or [] if isinstance(s, dict) and s.get("tool")
    ]
    sources.extend(f.tool for f in findings)
    policy = document.get("policy") or {}
    return UploadedScan(
        target=ScanTarget(
            name=repo["name"].strip(),
            url=repo.get("url", ""),
            commit=repo.get("commit", ""),
            branch=repo.get("branch", ""),
            classification=repo.get("classification", ""),
        ),
        scanned_at=_parse_time(document["scanned_at"]),
        tools=tuple(t["id"] for t in document.get("tools") or []),
        sources=tuple(dict.fromkeys(sources or [AISMS_TOOL])),
        findings=findings,
        policy_name=str(policy.get("name", ""))[:200],
        policy_sha256=str(policy.get("sha256", ""))[:64],
        raw=document,
    )


def from_sarif(log: ImportedLog, target: ScanTarget, now: datetime) -> UploadedScan:
    """A SARIF log uploaded on its own: its findings are the scan; only its tools' findings are tracked."""
    sources = tuple(dict.fromkeys(f.tool for f in log.findings)) or (log.tool,)
    raw = {
        "schema": REPORT_SCHEMA_ID,
        "scanned_at": _timestamp(now),
        "repository": {"name": target.name, "commit": target.commit},
        "sources": [{"tool": log.tool, "file": log.filename, "results": len(log.findings)}],
        "summary": counts(log.findings),
        "findings": [f.as_dict() for f in log.findings],
    }
    return UploadedScan(
        target=target,
        scanned_at=now,
        tools=(),
        sources=sources,
        findings=log.findings,
        policy_name="",
        policy_sha256="",
        raw=raw,
    )
