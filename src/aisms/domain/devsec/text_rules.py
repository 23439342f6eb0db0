"""Rules applied to the text of AI assistant files: secrets, internal endpoints, weakening instructions."""

from __future__ import annotations

import fnmatch
import hashlib
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from aisms.catalogue.secure_coding_rules import SecureCodingRules
from aisms.domain.devsec.findings import RULES, Finding, Severity, fingerprint
from aisms.domain.devsec.policy import Policy

# A name starts only where a run of name characters starts (the look-behind): matching from every word
# boundary inside a long run like "a.a.a.a..." backtracks quadratically (ReDoS on untrusted file content).
# Whether the name is a secret's name is checked on the match (_SECRET_NAME).
_ASSIGNMENT = re.compile(
    r"""(?ix)
    (?<![\w.-])([A-Z0-9_.-]+)
    ["']?\s*[:=]\s*["']?([^\s"',;}]{8,200})
    """
)
_SECRET_NAME = re.compile(r"(?:API[_-]?KEY|ACCESS[_-]?KEY|SECRET|TOKEN|PASSWORD|PASSWD|PWD|_KEY)$", re.I)
_IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?!\w|\.\d)")
_IPV6 = re.compile(r"\[([0-9a-fA-F:]{3,39})\]")
_HOST = re.compile(
    r"(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62})(?![\w-])", re.I
)
_NEGATION = re.compile(
    r"\b(?:never|not|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|avoid|no|without|forbidden|"
    r"prohibited|refuse|instead of)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?;\n]\s")
_PRIVATE_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "fc00::/7")
)


@dataclass(frozen=True)
class TextFile:
    path: str
    text: str
    tool: str | None
    kind: str


def redact(secret: str) -> str:
    """Enough to recognise a secret, never enough to use it: a short prefix and the length."""
    shown = secret[:4] if len(secret) >= 16 else ""
    return f"{shown}…({len(secret)} characters, redacted)"


def entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values())


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def _line_at(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def _secret_key(value: str) -> str:
    # The fingerprint carries a hash of the secret (never the secret), so rotating it is a new finding.
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def _placeholder(value: str, policy: Policy) -> bool:
    lowered = value.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in policy.placeholders) or lowered.startswith(
        ("$", "%", "<", "{{", "${", "env:", "os.environ", "process.env")
    )


def find_secrets(file: TextFile, rules: SecureCodingRules, policy: Policy) -> Iterator[Finding]:
    if not policy.secrets_forbidden:
        return
    info = RULES["secret-in-ai-file"]
    starts = _line_starts(file.text)
    spans: list[tuple[int, int]] = []
    for rule in rules.secrets:
        for match in rule.pattern.finditer(file.text):
            spans.append(match.span())
            yield Finding(
                rule_id=info.id,
                severity=info.severity,
                path=file.path,
                line=_line_at(starts, match.start()),
                message=f"{rule.name} written into an AI assistant file: {redact(match.group(0))}",
                fingerprint=fingerprint("aisms", info.id, file.path, _secret_key(match.group(0))),
                tool="aisms",
                category="secrets",
                rule_name=info.name,
            )
    for match in _ASSIGNMENT.finditer(file.text):
        name, value = match.group(1), match.group(2)
        if not _SECRET_NAME.search(name):
            continue
        start = match.start(2)
        if any(a <= start < b for a, b in spans) or _placeholder(value, policy):
            continue
        if entropy(value) < policy.min_entropy:
            continue
        yield Finding(
            rule_id=info.id,
            severity=info.severity,
            path=file.path,
            line=_line_at(starts, start),
            message=f"Value assigned to {name} looks like a secret: {redact(value)}",
            fingerprint=fingerprint("aisms", info.id, file.path, _secret_key(value)),
            tool="aisms",
            category="secrets",
            rule_name=info.name,
        )


def is_internal_host(host: str, policy: Policy) -> bool:
    host = host.lower().rstrip(".")
    if any(
        host.endswith(s if s.startswith(".") else "." + s) or host == s.lstrip(".")
        for s in policy.internal_suffixes
    ):
        return True
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in policy.internal_hosts)


def is_private_address(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in net for net in _PRIVATE_NETS if net.version == address.version)


def find_internal_endpoints(file: TextFile, policy: Policy) -> Iterator[Finding]:
    info = RULES["internal-endpoint-in-ai-file"]
    starts = _line_starts(file.text)
    reported: set[str] = set()

    def finding(value: str, offset: int, what: str) -> Finding:
        return Finding(
            rule_id=info.id,
            severity=info.severity,
            path=file.path,
            line=_line_at(starts, offset),
            message=f"{what} {value} written into an AI assistant file",
            fingerprint=fingerprint("aisms", info.id, file.path, value.lower()),
            tool="aisms",
            category="internal-endpoints",
            rule_name=info.name,
        )

    if policy.private_ip_ranges:
        for pattern in (_IPV4, _IPV6):
            for match in pattern.finditer(file.text):
                value = match.group(1)
                if is_private_address(value) and value not in reported:
                    reported.add(value)
                    yield finding(value, match.start(1), "Private network address")
    for match in _HOST.finditer(file.text):
        host = match.group(1).lower()
        if host not in reported and is_internal_host(host, policy):
            reported.add(host)
            yield finding(host, match.start(1), "Internal host")


def _negated(text: str, start: int) -> bool:
    window = text[max(0, start - 60) : start]
    ends = list(_SENTENCE_END.finditer(window))
    if ends:
        window = window[ends[-1].end() :]
    return bool(_NEGATION.search(window))


def find_weakening(file: TextFile, rules: SecureCodingRules) -> Iterator[Finding]:
    starts = _line_starts(file.text)
    for rule in rules.weakening:
        for pattern in rule.patterns:
            for match in pattern.finditer(file.text):
                if _negated(file.text, match.start()):
                    continue
                phrase = " ".join(match.group(0).split())
                yield Finding(
                    rule_id=f"weakens-security.{rule.id}",
                    severity=Severity(rule.severity),
                    path=file.path,
                    line=_line_at(starts, match.start()),
                    message=f"{rule.title}: “{phrase[:120]}”. {rule.explanation}",
                    fingerprint=fingerprint("aisms", rule.id, file.path, phrase.lower()),
                    tool="aisms",
                    category="instructions",
                    rule_name=rule.title,
                )


def states_human_review(text: str, rules: SecureCodingRules) -> bool:
    return any(p.search(text) for p in rules.human_review)
