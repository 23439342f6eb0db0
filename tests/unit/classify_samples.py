"""Small labelled sets for the classifier tests, generated from templates (no files, no network)."""

from __future__ import annotations

import random

from aisms.domain.classify.datatypes import LabelledText

TOPICS: dict[str, list[str]] = {
    "phishing": ["phishing email", "spoofed sender address", "credential harvesting link", "fake login page"],
    "ransomware": ["files were encrypted", "ransom note", "bitcoin payment demand", "encrypted backups"],
    "ddos": ["traffic flood", "botnet requests", "service unavailable", "bandwidth saturation"],
    "sqli": ["sql injection", "union select payload", "tampered database query", "quote in the login form"],
    "exfiltration": [
        "data exfiltration",
        "large upload to cloud storage",
        "archive sent abroad",
        "dns tunnel",
    ],
    "insider": ["disgruntled employee", "privileged staff misuse", "copied customer records", "badge abuse"],
    "malware": ["trojan dropper", "malicious macro", "keylogger installed", "remote access trojan"],
    "supplychain": [
        "compromised vendor update",
        "tampered package",
        "poisoned dependency",
        "build server breach",
    ],
}
NOVEL_TOPICS: dict[str, list[str]] = {
    "deepfake": [
        "deepfake voice of the chief executive",
        "synthetic video call",
        "cloned voice",
        "fake avatar",
    ],
    "quantum": ["quantum computer", "harvest now decrypt later", "broken key exchange", "qubit attack"],
}
LEADS = ["the analyst observed", "we detected", "the report describes", "logs show", "the team found"]
TAILS = ["on a workstation", "last night", "at the branch office", "in production", "during the audit"]


def make_set(topics: dict[str, list[str]], per_label: int = 10, seed: int = 0) -> list[LabelledText]:
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not cryptography
    out = []
    for label, phrases in topics.items():
        for i in range(per_label):
            a, b = rng.sample(phrases, 2)
            out.append(
                LabelledText(
                    f"{rng.choice(LEADS)} {a} and {b} {rng.choice(TAILS)}", label, f"{label}-{i % 5}"
                )
            )
    return out
