"""Demo threat-intelligence sources for Helixa Health, read from the sample feeds shipped in demo_feeds/
(no network at run time), and ingested once at demo load."""

from __future__ import annotations

from typing import Any

from aisms.apps.intel import services
from aisms.apps.intel.models import IntelSource

# (name, kind, local path in demo_feeds/, settings). Ingested in this order: EPSS last, so that it
# enriches the CVEs the other feeds brought in.
DEMO_SOURCES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "CISA KEV (demo excerpt)",
        "kev",
        "kev.json",
        {
            "description": "Known Exploited Vulnerabilities catalogue. The demo reads a shipped excerpt.",
            "url": "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
            "schedule_hours": 24,
            "default_tlp": "clear",
            "default_confidence": 95,
        },
    ),
    (
        "NVD CVE API 2.0 (demo page)",
        "nvd",
        "nvd-cves.json",
        {
            "description": "CVE records with CVSS and CPE match criteria for the software in our inventory.",
            "url": "https://services.nvd.nist.gov/rest/json/cves/2.0?hasKev",
            "default_tlp": "clear",
            "default_confidence": 90,
        },
    ),
    (
        "Health AI Sharing Group - STIX",
        "stix",
        "atlas-bundle.json",
        {
            "description": "Sector sharing group bundle: ATLAS techniques seen against health-care AI.",
            "default_tlp": "green",
            "default_confidence": 60,
        },
    ),
    (
        "Health AI Sharing Group - MISP",
        "misp",
        "misp",
        {
            "description": "The sharing group's MISP feed (manifest plus event files).",
            "default_tlp": "green",
            "default_confidence": 50,
        },
    ),
    (
        "Analyst reports",
        "text",
        "reports",
        {"description": "Reports written or received by the security team.", "default_tlp": "green"},
    ),
    (
        "FIRST EPSS (demo excerpt)",
        "epss",
        "epss.csv",
        {
            "description": "Exploit prediction scores for the CVEs we track.",
            "url": "https://epss.cyentia.com/epss_scores-current.csv.gz",
            "schedule_hours": 24,
            "default_tlp": "clear",
        },
    ),
]

DISABLED_TAXII: dict[str, Any] = {
    "name": "Sector TAXII server (not configured)",
    "kind": "taxii",
    "description": "Example of a TAXII 2.1 collection; disabled until the sharing group issues credentials.",
    "url": "https://taxii.health-ai-sharing.example/taxii2/",
    "collection": "health-ai-threats",
    "enabled": False,
    "default_tlp": "amber",
}


def load_demo_intel() -> None:
    """Create the demo sources and pull each once from its shipped file."""
    for name, kind, path, settings in DEMO_SOURCES:
        if IntelSource.objects.filter(name=name).exists():
            continue
        source = services.create_source(None, name=name, kind=kind, local_path=path, **settings)
        services.pull_source(source)
    if not IntelSource.objects.filter(name=DISABLED_TAXII["name"]).exists():
        services.create_source(None, **DISABLED_TAXII)
