"""Structured AI assistant settings: MCP server definitions and agent permissions, checked against policy.

Reads JSON, YAML and TOML without running anything. MCP servers are found under the keys the assistants
use (`mcpServers`, `servers`, `mcp_servers`, Continue's `modelContextProtocolServers`); environment values
are never copied into a report, only their names.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from aisms.catalogue.secure_coding_rules import SecureCodingRules
from aisms.domain.devsec.findings import RULES, Finding, fingerprint
from aisms.domain.devsec.policy import Policy
from aisms.domain.devsec.text_rules import TextFile, is_private_address

_SERVER_KEYS = ("mcpServers", "mcp_servers", "servers", "modelContextProtocolServers", "context_servers")
_AUTO_APPROVE_KEYS = {
    "autoaccept",
    "autoapprove",
    "alwaysallow",
    "yolo",
    "dangerouslyskippermissions",
    "yes-always",
    "yes_always",
}
_MODE_KEYS = {"defaultmode", "approvalmode", "approval_policy", "approval-mode"}
_AUTO_MODES = {"bypasspermissions", "yolo", "never", "full-auto"}
_PERMISSION_ENTRY = re.compile(r"^([A-Za-z_][\w-]*)(?:\((.*)\))?$", re.S)
_NETWORK_TOOLS = {"WebFetch", "WebSearch"}
_WRITE_TOOLS = {"Edit", "Write", "MultiEdit", "NotebookEdit"}
_PINNED = re.compile(r"@\d|==\d|@v?\d|@sha256:|:\d+\.\d+")
MAX_DEPTH = 6
_SECRET_FLAG = re.compile(r"(?i)(key|token|secret|password|passwd|pwd|auth)")
_URL_PASSWORD = re.compile(r"(://[^\s:/@]+:)[^\s@/]+@")


class ConfigParseError(ValueError):
    pass


@dataclass(frozen=True)
class McpServer:
    name: str
    path: str
    line: int | None
    command: str = ""
    args: tuple[str, ...] = ()
    url: str = ""
    env_keys: tuple[str, ...] = ()

    @property
    def command_line(self) -> str:
        return " ".join((self.command, *self.args)).strip()

    @property
    def shown_command(self) -> str:
        """The command line for reports: passwords in URLs and values of secret-looking flags masked."""
        shown: list[str] = []
        hide_next = False
        for arg in (self.command, *self.args):
            if hide_next:
                shown.append("***")
                hide_next = False
                continue
            flag, eq, _ = arg.partition("=")
            if _SECRET_FLAG.search(flag) and flag.startswith("-"):
                if eq:
                    shown.append(f"{flag}=***")
                else:
                    shown.append(arg)
                    hide_next = True
                continue
            shown.append(_URL_PASSWORD.sub(r"\1***@", arg))
        return " ".join(shown).strip()

    def as_dict(self, allowed: bool) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "line": self.line,
            "command": self.shown_command,
            "url": self.url,
            "env": list(self.env_keys),
            "allowed": allowed,
        }


def load_structured(file: TextFile) -> Any:
    """Parse a JSON, YAML or TOML settings file; ConfigParseError with the parser's message otherwise."""
    name = file.path.rsplit("/", 1)[-1].lower()
    try:
        if name.endswith(".toml"):
            return tomllib.loads(file.text)
        if name.endswith((".yml", ".yaml")):
            return yaml.safe_load(file.text)
        if name.endswith(".json") or name in {".continuerc.json", ".roomodes"}:
            return json.loads(file.text)
    except (ValueError, yaml.YAMLError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise ConfigParseError(str(exc).splitlines()[0][:200]) from exc
    return None


def line_of_text(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def _as_str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int | float))
    return ()


def _server(name: str, config: dict[str, Any], file: TextFile) -> McpServer:
    transport = config.get("transport")
    merged: dict[str, Any] = {**(transport if isinstance(transport, dict) else {}), **config}
    url = next(
        (str(merged[k]) for k in ("url", "serverUrl", "httpUrl") if isinstance(merged.get(k), str)), ""
    )
    env = merged.get("env")
    env = env if isinstance(env, dict) else {}
    command = str(merged["command"]) if isinstance(merged.get("command"), str) else ""
    return McpServer(
        name=name,
        path=file.path,
        line=line_of_text(file.text, f'"{name}"') or line_of_text(file.text, name),
        command=command,
        args=_as_str_list(merged.get("args")),
        url=url,
        env_keys=tuple(sorted(str(k) for k in env)),
    )


def _walk_servers(node: Any, file: TextFile, depth: int) -> Iterator[McpServer]:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _SERVER_KEYS:
                if isinstance(value, dict):
                    for name, config in value.items():
                        if isinstance(config, dict):
                            yield _server(str(name), config, file)
                elif isinstance(value, list):
                    for index, config in enumerate(value):
                        if isinstance(config, dict):
                            yield _server(str(config.get("name") or f"server-{index + 1}"), config, file)
            else:
                yield from _walk_servers(value, file, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_servers(item, file, depth + 1)


def mcp_servers(document: Any, file: TextFile) -> list[McpServer]:
    return list(_walk_servers(document, file, 0))


def server_allowed(server: McpServer, policy: Policy) -> bool:
    for allowance in policy.allowed_mcp:
        checks = (
            (allowance.name, server.name),
            (allowance.command, server.command_line),
            (allowance.url, server.url),
        )
        if all(pattern is None or fnmatch.fnmatchcase(value, pattern) for pattern, value in checks):
            return True
    return False


def _finding(rule_id: str, file: TextFile, line: int | None, message: str, key: str) -> Finding:
    info = RULES[rule_id]
    return Finding(
        rule_id=rule_id,
        severity=info.severity,
        path=file.path,
        line=line,
        message=message,
        fingerprint=fingerprint("aisms", rule_id, file.path, key),
        category="mcp" if rule_id.startswith("mcp") else "permissions",
        rule_name=info.name,
    )


def check_servers(servers: list[McpServer], file: TextFile, policy: Policy) -> Iterator[Finding]:
    for server in servers:
        what = _URL_PASSWORD.sub(r"\1***@", server.url) or server.shown_command or "(no command or URL)"
        if not server_allowed(server, policy):
            yield _finding(
                "mcp-server-not-allowed",
                file,
                server.line,
                f"MCP server {server.name!r} ({what}) is not on the policy's list of allowed servers",
                f"{server.name}|{server.command}|{server.url}",
            )
        runner = server.command.rsplit("/", 1)[-1]
        if policy.mcp_require_pinned and runner in {"npx", "uvx", "pipx", "bunx", "pnpx"}:
            packages = [a for a in server.args if not a.startswith("-")][:1]
            if packages and not _PINNED.search(packages[0]):
                yield _finding(
                    "mcp-server-unpinned",
                    file,
                    server.line,
                    f"MCP server {server.name!r} runs {packages[0]!r} through {runner} without a version: "
                    "every new release would run unreviewed",
                    f"{server.name}|{packages[0]}",
                )
        if policy.mcp_require_tls and server.url:
            parts = urlsplit(server.url)
            host = parts.hostname or ""
            local = host in {"localhost", "127.0.0.1", "::1"}
            if parts.scheme in {"http", "ws"} and not local:
                yield _finding(
                    "mcp-server-insecure-transport",
                    file,
                    server.line,
                    f"MCP server {server.name!r} is reached over {parts.scheme}:// without TLS",
                    f"{server.name}|{server.url}",
                )
            if is_private_address(host):
                pass  # reported by the internal-endpoint rule on the file's text


def _shell_verdict(spec: str, policy: Policy, rules: SecureCodingRules) -> str | None:
    """Why a shell permission is too broad, or None when the policy allows it."""
    command = spec.strip()
    if command.endswith(":*"):
        command = command[:-2].rstrip() + "*"
    if command in {"", "*", "**"} or command.startswith("*"):
        return "lets the agent run any shell command"
    for danger in rules.dangerous_commands:
        if fnmatch.fnmatchcase(command, danger) or fnmatch.fnmatchcase(command + " ", danger):
            return f"allows a dangerous command ({danger.rstrip('*').strip()})"
    if not any(fnmatch.fnmatchcase(command, allowed) for allowed in policy.allowed_shell):
        return "is not on the policy's list of shell commands an agent may run without asking"
    return None


def _outside_repo(spec: str) -> bool:
    spec = spec.strip()
    return spec.startswith(("/", "~", "//")) or ".." in spec.split("/") or spec in {"*", "**"}


def _permission_problem(entry: str, policy: Policy, rules: SecureCodingRules) -> str | None:
    if entry.strip() in {"*", "**"}:
        return "allows every tool"
    match = _PERMISSION_ENTRY.match(entry.strip())
    if not match:
        return None
    tool, spec = match.group(1), match.group(2)
    if tool == "Bash":
        return _shell_verdict("*" if spec is None else spec, policy, rules)
    if tool in _NETWORK_TOOLS and not policy.allow_network:
        return "lets the agent reach the network without asking"
    if (
        tool in _WRITE_TOOLS
        and spec is not None
        and not policy.allow_write_outside_repo
        and _outside_repo(spec)
    ):
        return "lets the agent write outside the repository"
    return None


def _auto_approve_keys(node: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            lowered = str(key).lower()
            switched_on = lowered in _AUTO_APPROVE_KEYS and value not in (False, None, [], {}, "", 0)
            mode = lowered in _MODE_KEYS and str(value).lower() in _AUTO_MODES
            all_servers = lowered == "enableallprojectmcpservers" and value is True
            if switched_on or mode or all_servers:
                yield str(key), value
            else:
                yield from _auto_approve_keys(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _auto_approve_keys(item, depth + 1)


def check_permissions(
    document: Any, file: TextFile, policy: Policy, rules: SecureCodingRules
) -> Iterator[Finding]:
    if not isinstance(document, dict):
        return
    permissions = document.get("permissions")
    if isinstance(permissions, dict):
        for entry in _as_str_list(permissions.get("allow")):
            problem = _permission_problem(entry, policy, rules)
            if problem:
                yield _finding(
                    "agent-permission-too-broad",
                    file,
                    line_of_text(file.text, json.dumps(entry)) or line_of_text(file.text, entry),
                    f"Permission {entry!r} {problem}",
                    entry,
                )
        extra_dirs = _as_str_list(permissions.get("additionalDirectories"))
        if extra_dirs and not policy.allow_write_outside_repo:
            yield _finding(
                "agent-permission-too-broad",
                file,
                line_of_text(file.text, "additionalDirectories"),
                "additionalDirectories gives the agent access outside the repository: "
                + ", ".join(extra_dirs),
                "additionalDirectories",
            )
    sandbox = str(document.get("sandbox_mode", "")).lower()
    if sandbox == "danger-full-access" and not policy.allow_write_outside_repo:
        yield _finding(
            "agent-permission-too-broad",
            file,
            line_of_text(file.text, "sandbox_mode"),
            "sandbox_mode danger-full-access removes the sandbox: the agent may write anywhere and use "
            "the network",
            "sandbox_mode",
        )
    if not policy.allow_auto_approve:
        for key, value in _auto_approve_keys(document):
            shown = value if isinstance(value, bool | str) else "set"
            yield _finding(
                "agent-auto-approve",
                file,
                line_of_text(file.text, key),
                f"{key}: {shown} lets the agent act without a person approving each step",
                key,
            )
