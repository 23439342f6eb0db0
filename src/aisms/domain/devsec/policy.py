"""The organisation's secure-coding policy for AI coding assistants, read from YAML.

Every problem in a policy file is reported at once, each naming its line and field, so an editor can show
them next to the text. Patterns in a policy are globs (fnmatch), never regular expressions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.yaml_lines import line_of, load_yaml

DEFAULT_POLICY_FILE = Path(__file__).parents[2] / "catalogue" / "data" / "secure-coding-policy.default.yaml"
FAIL_ON = ("error", "warning", "never")
_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 300}, "maxItems": 500}
_TOOL_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,79}$"}
_CLASS = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "approved_tools"],
    "additionalProperties": False,
    "properties": {
        "policy_version": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "owner": {"type": "string", "maxLength": 200},
        "approved_tools": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "properties": {"id": _TOOL_ID, "max_classification": _CLASS, "note": {"type": "string"}},
            },
        },
        "data": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "classifications": {"type": "array", "items": _CLASS, "minItems": 1, "maxItems": 20},
                "max_shared": _CLASS,
            },
        },
        "require_human_review": {"type": "boolean"},
        "secrets": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "forbid_in_ai_files": {"type": "boolean"},
                "min_entropy": {"type": "number", "minimum": 0, "maximum": 8},
                "placeholders": _GLOBS,
            },
        },
        "mcp": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "allowed_servers": {
                    "type": "array",
                    "maxItems": 500,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 300},
                            "command": {"type": "string", "minLength": 1, "maxLength": 300},
                            "url": {"type": "string", "minLength": 1, "maxLength": 300},
                        },
                    },
                },
                "require_pinned_versions": {"type": "boolean"},
                "require_tls": {"type": "boolean"},
            },
        },
        "permissions": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "allowed_shell": _GLOBS,
                "allow_network": {"type": "boolean"},
                "allow_write_outside_repo": {"type": "boolean"},
                "allow_auto_approve": {"type": "boolean"},
            },
        },
        "internal_endpoints": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "host_suffixes": _GLOBS,
                "hosts": _GLOBS,
                "private_ip_ranges": {"type": "boolean"},
            },
        },
        "fail_on": {"enum": list(FAIL_ON)},
    },
}


class PolicyError(Exception):
    """A policy file that cannot be used: every problem, each with its line and field."""

    def __init__(self, filename: str, errors: list[CatalogueError]) -> None:
        self.filename = filename
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class ApprovedTool:
    id: str
    max_classification: str | None = None


@dataclass(frozen=True)
class McpAllowance:
    name: str | None = None
    command: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    owner: str = ""
    policy_version: int = 1
    approved_tools: tuple[ApprovedTool, ...] = ()
    classifications: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
    max_shared: str | None = None
    require_human_review: bool = True
    secrets_forbidden: bool = True
    min_entropy: float = 3.0
    placeholders: tuple[str, ...] = ()
    allowed_mcp: tuple[McpAllowance, ...] = ()
    mcp_require_pinned: bool = True
    mcp_require_tls: bool = True
    allowed_shell: tuple[str, ...] = ()
    allow_network: bool = False
    allow_write_outside_repo: bool = False
    allow_auto_approve: bool = False
    internal_suffixes: tuple[str, ...] = ()
    internal_hosts: tuple[str, ...] = ()
    private_ip_ranges: bool = True
    fail_on: str = "error"
    sha256: str = field(default="", compare=False)

    def tool(self, tool_id: str) -> ApprovedTool | None:
        return next((t for t in self.approved_tools if t.id == tool_id), None)

    def rank(self, classification: str) -> int | None:
        """Position of a classification (0 = lowest), None when the policy does not know it."""
        try:
            return self.classifications.index(classification)
        except ValueError:
            return None


def _errors(document: Any, filename: str) -> list[CatalogueError]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    found: list[CatalogueError] = []
    for error in validator.iter_errors(document):
        path: list[str | int] = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [n for n in error.validator_value if n not in error.instance]
            path = [*path, missing[0]] if missing else path
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            extra = sorted(n for n in error.instance if n not in allowed)
            path = [*path, extra[0]] if extra else path
        field_name = ".".join(str(p) for p in path) or None
        found.append(CatalogueError(filename, error.message, line=line_of(document, path), field=field_name))
    return sorted(found, key=lambda e: (e.line or 0, e.field or ""))


def _check_references(document: dict[str, Any], filename: str) -> list[CatalogueError]:
    found: list[CatalogueError] = []
    data = document.get("data") or {}
    classes = list(data.get("classifications") or Policy.classifications)
    if len(set(classes)) != len(classes):
        found.append(
            CatalogueError(
                filename,
                "a classification is listed twice",
                line=line_of(document, ["data", "classifications"]),
                field="data.classifications",
            )
        )
    if data.get("max_shared") is not None and data["max_shared"] not in classes:
        found.append(
            CatalogueError(
                filename,
                f"{data['max_shared']!r} is not one of the classifications {classes}",
                line=line_of(document, ["data", "max_shared"]),
                field="data.max_shared",
            )
        )
    seen: set[str] = set()
    for index, tool in enumerate(document.get("approved_tools") or []):
        where: list[str | int] = ["approved_tools", index]
        if tool["id"] in seen:
            found.append(
                CatalogueError(
                    filename,
                    f"tool {tool['id']!r} is listed twice",
                    line=line_of(document, where),
                    field=f"approved_tools.{index}.id",
                )
            )
        seen.add(tool["id"])
        level = tool.get("max_classification")
        if level is not None and level not in classes:
            found.append(
                CatalogueError(
                    filename,
                    f"{level!r} is not one of the classifications {classes}",
                    line=line_of(document, [*where, "max_classification"]),
                    field=f"approved_tools.{index}.max_classification",
                )
            )
    return found


def parse_policy(text: str, filename: str = "policy.yaml") -> Policy:
    """Read a policy; raise PolicyError listing every problem with its line."""
    try:
        document = load_yaml(text, filename)
    except CatalogueError as exc:
        raise PolicyError(filename, [exc]) from exc
    if not isinstance(document, dict):
        raise PolicyError(filename, [CatalogueError(filename, "the policy must be a YAML mapping", line=1)])
    errors = _errors(document, filename)
    if not errors:
        errors = _check_references(document, filename)
    if errors:
        raise PolicyError(filename, errors)
    data = document.get("data") or {}
    secrets = document.get("secrets") or {}
    mcp = document.get("mcp") or {}
    permissions = document.get("permissions") or {}
    internal = document.get("internal_endpoints") or {}
    return Policy(
        name=document["name"],
        owner=document.get("owner", ""),
        policy_version=document.get("policy_version", 1),
        approved_tools=tuple(
            ApprovedTool(t["id"], t.get("max_classification")) for t in document["approved_tools"]
        ),
        classifications=tuple(data.get("classifications") or Policy.classifications),
        max_shared=data.get("max_shared"),
        require_human_review=document.get("require_human_review", True),
        secrets_forbidden=secrets.get("forbid_in_ai_files", True),
        min_entropy=float(secrets.get("min_entropy", 3.0)),
        placeholders=tuple(secrets.get("placeholders") or ()),
        allowed_mcp=tuple(
            McpAllowance(s.get("name"), s.get("command"), s.get("url"))
            for s in mcp.get("allowed_servers") or []
        ),
        mcp_require_pinned=mcp.get("require_pinned_versions", True),
        mcp_require_tls=mcp.get("require_tls", True),
        allowed_shell=tuple(permissions.get("allowed_shell") or ()),
        allow_network=permissions.get("allow_network", False),
        allow_write_outside_repo=permissions.get("allow_write_outside_repo", False),
        allow_auto_approve=permissions.get("allow_auto_approve", False),
        internal_suffixes=tuple(s.lower() for s in internal.get("host_suffixes") or ()),
        internal_hosts=tuple(h.lower() for h in internal.get("hosts") or ()),
        private_ip_ranges=internal.get("private_ip_ranges", True),
        fail_on=document.get("fail_on", "error"),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def default_policy_text() -> str:
    return DEFAULT_POLICY_FILE.read_text(encoding="utf-8")


def default_policy() -> Policy:
    return parse_policy(default_policy_text(), DEFAULT_POLICY_FILE.name)


@dataclass(frozen=True)
class PolicySummary:
    """Plain-language lines for the policy page."""

    lines: tuple[tuple[str, str], ...]


def summarise(policy: Policy) -> PolicySummary:
    tools = ", ".join(
        f"{t.id} (up to {t.max_classification})" if t.max_classification else t.id
        for t in policy.approved_tools
    )
    mcp = "; ".join(
        (a.name or "any name") + "".join(f" ({v})" for v in (a.url, a.command) if v)
        for a in policy.allowed_mcp
    )
    yes_no = {True: "allowed", False: "not allowed"}
    return PolicySummary(
        lines=(
            ("Approved assistants", tools or "none"),
            (
                "Data shared with assistants",
                f"up to {policy.max_shared}" if policy.max_shared else "any classification",
            ),
            ("Human review of generated code", "required" if policy.require_human_review else "not required"),
            ("Secrets in assistant files", "forbidden" if policy.secrets_forbidden else "not checked"),
            ("Allowed MCP servers", mcp or "none"),
            ("Shell commands without asking", ", ".join(policy.allowed_shell) or "none"),
            ("Network tools without asking", yes_no[policy.allow_network]),
            ("Writing outside the repository", yes_no[policy.allow_write_outside_repo]),
            ("Auto-approve / bypass modes", yes_no[policy.allow_auto_approve]),
            (
                "Internal endpoints",
                ", ".join(policy.internal_suffixes + policy.internal_hosts)
                + (", private IP ranges" if policy.private_ip_ranges else ""),
            ),
            ("Scan fails on", policy.fail_on),
        )
    )
