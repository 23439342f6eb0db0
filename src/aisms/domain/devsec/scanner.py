"""`aisms scan`: inspect a source tree's AI assistant setup against the secure-coding policy.

Nothing in the tree is executed. The result is a ScanReport (see report.py for its JSON and SARIF forms).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aisms.catalogue.secure_coding_rules import SecureCodingRules, load_rules
from aisms.domain.devsec import agent_config, text_rules
from aisms.domain.devsec.findings import RULES, Finding, disambiguate, fingerprint
from aisms.domain.devsec.policy import Policy
from aisms.domain.devsec.sarif_import import ImportedLog
from aisms.domain.devsec.text_rules import TextFile
from aisms.domain.devsec.tree import TreeContents, TreeStats, read_tree


@dataclass(frozen=True)
class DetectedTool:
    id: str
    name: str
    approved: bool
    files: tuple[str, ...]


@dataclass(frozen=True)
class ScanTarget:
    """What the scan is about: a repository name, where it lives, which commit, its data classification."""

    name: str
    url: str = ""
    commit: str = ""
    branch: str = ""
    classification: str = ""


@dataclass
class ScanReport:
    target: ScanTarget
    scanned_at: datetime
    policy: Policy
    tools: list[DetectedTool] = field(default_factory=list)
    mcp_servers: list[dict[str, object]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stats: TreeStats = field(default_factory=TreeStats)
    sources: list[dict[str, object]] = field(default_factory=list)
    policy_source: str = ""


def read_git_head(root: Path) -> tuple[str, str]:
    """(commit, branch) from .git/HEAD without running git; empty strings when unknown."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        if not head.startswith("ref: "):
            return head[:64], ""
        ref = head[5:].strip()
        branch = ref.removeprefix("refs/heads/")
        ref_file = git / ref
        if ref_file.is_file() and ref_file.resolve().is_relative_to(git.resolve()):
            return ref_file.read_text(encoding="utf-8", errors="replace").strip()[:64], branch
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0][:64], branch
        return "", branch
    except OSError:
        return "", ""


def _classification_findings(
    tools: list[DetectedTool], target: ScanTarget, policy: Policy
) -> Iterable[Finding]:
    if not target.classification:
        return
    rank = policy.rank(target.classification)
    if rank is None:
        return
    info = RULES["data-classification-exceeded"]
    for tool in tools:
        approved = policy.tool(tool.id)
        limits = [c for c in (policy.max_shared, approved.max_classification if approved else None) if c]
        exceeded = [c for c in limits if (policy.rank(c) or 0) < rank]
        if exceeded:
            lowest = min(exceeded, key=lambda c: policy.rank(c) or 0)
            yield Finding(
                rule_id=info.id,
                severity=info.severity,
                path=tool.files[0],
                line=1,
                message=(
                    f"The repository is classified {target.classification}, but {tool.name} may see data "
                    f"up to {lowest} only"
                ),
                fingerprint=fingerprint(
                    "aisms", info.id, tool.files[0], f"{tool.id}|{target.classification}"
                ),
                category="data",
                rule_name=info.name,
            )


def _file_findings(
    file: TextFile, policy: Policy, rules: SecureCodingRules, servers: list[dict[str, object]]
) -> Iterable[Finding]:
    yield from text_rules.find_secrets(file, rules, policy)
    yield from text_rules.find_internal_endpoints(file, policy)
    if file.kind == "instructions":
        yield from text_rules.find_weakening(file, rules)
    if file.kind in {"settings", "mcp"}:
        try:
            document = agent_config.load_structured(file)
        except agent_config.ConfigParseError as exc:
            info = RULES["ai-file-unreadable"]
            yield Finding(
                rule_id=info.id,
                severity=info.severity,
                path=file.path,
                line=None,
                message=f"Could not parse the file, its settings were not checked: {exc}",
                fingerprint=fingerprint("aisms", info.id, file.path, ""),
                category="config",
                rule_name=info.name,
            )
            return
        found = agent_config.mcp_servers(document, file)
        servers.extend(s.as_dict(agent_config.server_allowed(s, policy)) for s in found)
        yield from agent_config.check_servers(found, file, policy)
        yield from agent_config.check_permissions(document, file, policy, rules)


def analyse(
    contents: TreeContents,
    policy: Policy,
    target: ScanTarget,
    now: datetime,
    *,
    rules: SecureCodingRules | None = None,
    imported: Iterable[ImportedLog] = (),
) -> ScanReport:
    """Apply the policy to files already read (pure: no file system access)."""
    rules = rules or load_rules()
    report = ScanReport(target=target, scanned_at=now, policy=policy, stats=contents.stats)
    by_tool: dict[str, list[str]] = {}
    texts = []
    for candidate, text in contents.files:
        file = TextFile(candidate.path, text, candidate.match.tool, candidate.match.kind)
        texts.append(file)
        by_tool.setdefault(candidate.match.tool, []).append(candidate.path)
    findings: list[Finding] = []
    for tool_id, paths in sorted(by_tool.items()):
        definition = rules.tool(tool_id)
        approved = policy.tool(tool_id) is not None
        tool = DetectedTool(tool_id, definition.name if definition else tool_id, approved, tuple(paths))
        report.tools.append(tool)
        if not approved:
            info = RULES["ai-tool-not-approved"]
            for path in paths:
                findings.append(
                    Finding(
                        rule_id=info.id,
                        severity=info.severity,
                        path=path,
                        line=1,
                        message=f"{tool.name} ({tool_id}) is not an approved AI coding assistant",
                        fingerprint=fingerprint("aisms", info.id, path, tool_id),
                        category="tools",
                        rule_name=info.name,
                    )
                )
    findings.extend(_classification_findings(report.tools, target, policy))
    for file in texts:
        findings.extend(_file_findings(file, policy, rules, report.mcp_servers))
    instructions = [f for f in texts if f.kind == "instructions"]
    stated = any(text_rules.states_human_review(f.text, rules) for f in instructions)
    if policy.require_human_review and instructions and not stated:
        info = RULES["human-review-not-stated"]
        approved_first = sorted(instructions, key=lambda f: (policy.tool(f.tool or "") is None, f.path))
        first = approved_first[0].path
        findings.append(
            Finding(
                rule_id=info.id,
                severity=info.severity,
                path=first,
                line=1,
                message=(
                    "The policy requires a person to review generated code before it is merged; none of "
                    f"the {len(instructions)} instruction file(s) says so"
                ),
                fingerprint=fingerprint("aisms", info.id, "", "repository"),
                category="instructions",
                rule_name=info.name,
            )
        )
    report.sources.append({"tool": "aisms", "rules_version": rules.version, "results": len(findings)})
    for log in imported:
        findings.extend(log.findings)
        report.sources.append({"tool": log.tool, "file": log.filename, "results": len(log.findings)})
    report.findings = disambiguate(findings)
    return report


def scan(
    root: Path,
    policy: Policy,
    target: ScanTarget,
    now: datetime,
    *,
    imported: Iterable[ImportedLog] = (),
    progress: Callable[[int], None] | None = None,
) -> ScanReport:
    rules = load_rules()
    contents = read_tree(root, rules, progress=progress)
    return analyse(contents, policy, target, now, rules=rules, imported=imported)
