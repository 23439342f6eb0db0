"""Reading SARIF 2.1.0 logs of static analysis tools (bandit, semgrep, ...) into findings.

Only the structure aisms needs is checked; an error names the file and the JSON path of the problem,
e.g. `bandit.sarif: $.runs[0].results[3].message.text: missing`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from aisms.domain.devsec.findings import Finding, Severity, fingerprint

MAX_SARIF_BYTES = 20_000_000
MAX_RESULTS = 50_000
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "note": Severity.NOTE, "none": Severity.NOTE}


class SarifImportError(ValueError):
    def __init__(self, filename: str, path: str, message: str) -> None:
        self.filename = filename
        self.json_path = path
        self.message = message
        super().__init__(f"{filename}: {path}: {message}")


@dataclass(frozen=True)
class ImportedLog:
    filename: str
    tool: str
    findings: tuple[Finding, ...]


def _get(
    node: Any, key: str, kind: type | tuple[type, ...], where: str, filename: str, required: bool = True
) -> Any:
    if not isinstance(node, dict):
        raise SarifImportError(filename, where, "expected an object")
    if key not in node:
        if required:
            raise SarifImportError(filename, f"{where}.{key}", "missing")
        return None
    value = node[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise SarifImportError(filename, f"{where}.{key}", f"expected {names}, got {type(value).__name__}")
    return value


def relative_uri(uri: str, root: str | None) -> str:
    """A result's file as a path relative to the scanned root when it lies inside it."""
    parts = urlsplit(uri)
    path = unquote(parts.path) if parts.scheme in {"file", ""} else uri
    if root:
        root_posix = PurePosixPath(root)
        candidate = PurePosixPath(path)
        if candidate.is_absolute() and candidate.is_relative_to(root_posix):
            return candidate.relative_to(root_posix).as_posix()
    return path.removeprefix("./")


def _rule_levels(driver: dict[str, Any]) -> dict[str, Severity]:
    levels: dict[str, Severity] = {}
    for rule in driver.get("rules") or []:
        if isinstance(rule, dict) and isinstance(rule.get("id"), str):
            config = rule.get("defaultConfiguration")
            level = config.get("level") if isinstance(config, dict) else None
            if isinstance(level, str) and level in _LEVELS:
                levels[rule["id"]] = _LEVELS[level]
    return levels


def parse_sarif(data: bytes | str, filename: str, *, root: str | None = None) -> ImportedLog:
    """Read one SARIF log. Raises SarifImportError naming the file and JSON path of the first problem."""
    if len(data) > MAX_SARIF_BYTES:
        raise SarifImportError(filename, "$", f"larger than the {MAX_SARIF_BYTES} byte limit")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise SarifImportError(filename, "$", f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SarifImportError(filename, "$", "expected an object")
    version = _get(document, "version", str, "$", filename)
    if version != "2.1.0":
        raise SarifImportError(filename, "$.version", f"SARIF {version!r} is not supported; expected 2.1.0")
    runs = _get(document, "runs", list, "$", filename)
    tools: list[str] = []
    findings: list[Finding] = []
    for r, run in enumerate(runs):
        where = f"$.runs[{r}]"
        driver = _get(_get(run, "tool", dict, where, filename), "driver", dict, f"{where}.tool", filename)
        tool = _get(driver, "name", str, f"{where}.tool.driver", filename).strip() or "unknown"
        tools.append(tool)
        levels = _rule_levels(driver)
        results = _get(run, "results", list, where, filename, required=False) or []
        if len(findings) + len(results) > MAX_RESULTS:
            raise SarifImportError(filename, f"{where}.results", f"more than {MAX_RESULTS} results")
        for i, result in enumerate(results):
            findings.append(_result(result, f"{where}.results[{i}]", tool, levels, filename, root))
    return ImportedLog(
        filename=filename, tool=", ".join(dict.fromkeys(tools)) or "unknown", findings=tuple(findings)
    )


def _result(
    result: Any, where: str, tool: str, levels: dict[str, Severity], filename: str, root: str | None
) -> Finding:
    rule_id = _get(result, "ruleId", str, where, filename, required=False)
    if rule_id is None:
        rule = _get(result, "rule", dict, where, filename, required=False) or {}
        rule_id = rule.get("id") if isinstance(rule.get("id"), str) else None
    if not rule_id:
        raise SarifImportError(filename, f"{where}.ruleId", "missing (and no rule.id)")
    message = _get(_get(result, "message", dict, where, filename), "text", str, f"{where}.message", filename)
    level = _get(result, "level", str, where, filename, required=False)
    if level is not None and level not in _LEVELS:
        raise SarifImportError(filename, f"{where}.level", f"{level!r} is not one of {sorted(_LEVELS)}")
    severity = _LEVELS[level] if level else levels.get(rule_id, Severity.WARNING)
    path, line = "", None
    locations = _get(result, "locations", list, where, filename, required=False) or []
    if locations:
        physical = _get(
            locations[0], "physicalLocation", dict, f"{where}.locations[0]", filename, required=False
        )
        if physical:
            base = f"{where}.locations[0].physicalLocation"
            artifact = _get(physical, "artifactLocation", dict, base, filename, required=False) or {}
            uri = _get(artifact, "uri", str, f"{base}.artifactLocation", filename, required=False) or ""
            path = relative_uri(uri, root)
            region = _get(physical, "region", dict, base, filename, required=False) or {}
            line = _get(region, "startLine", int, f"{base}.region", filename, required=False)
            if line is not None and not 1 <= line <= 10_000_000:
                raise SarifImportError(filename, f"{base}.region.startLine", "must be between 1 and 10000000")
    partial = result.get("partialFingerprints") if isinstance(result, dict) else None
    key = ""
    if isinstance(partial, dict) and partial:
        key = "|".join(f"{k}={partial[k]}" for k in sorted(partial) if isinstance(partial[k], str))
    key = key or " ".join(message.split())[:300]
    return Finding(
        rule_id=rule_id[:200],
        severity=severity,
        path=path[:500],
        line=line,
        message=message[:2000],
        fingerprint=fingerprint(tool, rule_id, path, key),
        tool=tool[:100],
        category="sast",
        rule_name=rule_id[:200],
    )
