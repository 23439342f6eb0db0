"""Demo: correlate the demo intelligence feeds with Helixa Health's assets and risks.

Runs after the intel demo feeds are loaded. With the shipped feeds it matches the HTTP/2 Rapid Reset
CVE (in KEV) to nginx on the patient portal and the claims platform, and the PostgreSQL CVE (high EPSS)
to the portal and the guideline vector store; it proposes raising the likelihood of the portal's
known-vulnerability risk and new risks for AI techniques (e.g. agent tool invocation) that concern the
Triage Assistant but that no risk covers yet.
"""

from __future__ import annotations

from aisms.apps.posture.correlation import CorrelationResult, correlate


def load_demo_posture() -> CorrelationResult:
    """Correlate whatever intel is unprocessed (idempotent; does nothing on a second call)."""
    return correlate()
