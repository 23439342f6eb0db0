"""Findings of the secure-coding scan: what a rule found, where, how severe, and a stable fingerprint."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {Severity.ERROR: 3, Severity.WARNING: 2, Severity.NOTE: 1}[self]


AISMS_TOOL = "aisms"


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    description: str
    severity: Severity


# The scanner's own rules (weakening-instruction rules come from the catalogue, one per phrase group).
RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in (
        RuleInfo(
            "ai-tool-not-approved",
            "AI assistant not approved",
            "The repository is set up for an AI coding assistant the policy does not approve.",
            Severity.ERROR,
        ),
        RuleInfo(
            "data-classification-exceeded",
            "Repository classification too high for the assistant",
            "The repository's data classification is above what the policy lets this assistant see.",
            Severity.ERROR,
        ),
        RuleInfo(
            "mcp-server-not-allowed",
            "MCP server not allowed",
            "An MCP server is configured that the policy's list of allowed servers does not include.",
            Severity.ERROR,
        ),
        RuleInfo(
            "mcp-server-unpinned",
            "MCP server package not pinned",
            "An MCP server is started from a package without a fixed version, so any new release runs.",
            Severity.WARNING,
        ),
        RuleInfo(
            "mcp-server-insecure-transport",
            "MCP server over plain HTTP",
            "A remote MCP server is reached without TLS.",
            Severity.ERROR,
        ),
        RuleInfo(
            "agent-permission-too-broad",
            "Agent permission wider than allowed",
            "An agent may run commands, use the network or write files beyond what the policy allows.",
            Severity.ERROR,
        ),
        RuleInfo(
            "agent-auto-approve",
            "Agent runs without approval",
            "A setting lets the agent act without a person confirming each step.",
            Severity.ERROR,
        ),
        RuleInfo(
            "secret-in-ai-file",
            "Secret in an AI assistant file",
            "A credential is written into a file the assistant reads; it reaches the tool's context.",
            Severity.ERROR,
        ),
        RuleInfo(
            "internal-endpoint-in-ai-file",
            "Internal endpoint in an AI assistant file",
            "An internal host name, private address or internal URL is written into an assistant file.",
            Severity.WARNING,
        ),
        RuleInfo(
            "human-review-not-stated",
            "Human review of generated code not stated",
            "The policy requires human review, but no instruction file tells contributors and agents so.",
            Severity.WARNING,
        ),
        RuleInfo(
            "ai-file-unreadable",
            "AI assistant file could not be read",
            "A configuration file could not be parsed, so its settings were not checked.",
            Severity.NOTE,
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    path: str  # relative to the scanned root, with forward slashes
    line: int | None
    message: str
    fingerprint: str
    tool: str = AISMS_TOOL
    category: str = ""
    rule_name: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "tool": self.tool,
            "category": self.category,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "fingerprint": self.fingerprint,
        }


def fingerprint(tool: str, rule_id: str, path: str, key: str) -> str:
    """A stable identity: the same problem in the same file keeps its fingerprint when lines move."""
    raw = "\x1f".join((tool, rule_id, path, key)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:32]


def disambiguate(findings: Iterable[Finding]) -> list[Finding]:
    """Give repeated fingerprints (the same problem twice in one file) a numbered suffix, in file order."""
    ordered = sorted(findings, key=lambda f: (f.path, f.line or 0, f.rule_id, f.message))
    seen: Counter[str] = Counter()
    out = []
    for finding in ordered:
        seen[finding.fingerprint] += 1
        n = seen[finding.fingerprint]
        out.append(finding if n == 1 else replace(finding, fingerprint=f"{finding.fingerprint[:28]}{n:04x}"))
    return out


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    by = Counter(f.severity.value for f in findings)
    return {s.value: by.get(s.value, 0) for s in Severity} | {"total": sum(by.values())}


def at_or_above(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """Findings that fail a run with --fail-on threshold (error, warning or never)."""
    if threshold == "never":
        return []
    limit = Severity(threshold).rank
    return [f for f in findings if f.severity.rank >= limit]
