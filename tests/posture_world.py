"""A small organisation and intel for the posture tests: assets with components, risks, and builders
for intel items, vulnerabilities and the change-log events that correlation consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from aisms.apps.assets import services as asset_services
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.intel.models import IngestRun, IntelEvent, IntelItem, Vulnerability
from aisms.apps.risks import services as risk_services
from aisms.apps.risks.models import Risk
from tests.factories import make_user

DJANGO_RANGE = {
    "criteria": "cpe:2.3:a:djangoproject:django:*:*:*:*:*:*:*:*",
    "vulnerable": True,
    "versionStartIncluding": "4.2",
    "versionEndExcluding": "4.2.8",
}


@dataclass
class World:
    manager: Any
    owner: Any
    other_owner: Any
    contributor: Any
    auditor: Any
    portal: Asset
    assistant: Asset
    vuln_risk: Risk
    injection_risk: Risk


def build_world() -> World:
    manager = make_user("isms_manager", username="pm-amira")
    owner = make_user("risk_owner", username="pm-daniel")
    other_owner = make_user("risk_owner", username="pm-olga")
    contributor = make_user("contributor", username="pm-sofia")
    auditor = make_user("auditor", username="pm-tom")
    portal = asset_services.create_asset(
        None,
        name="Patient portal",
        kind="application",
        owner=owner,
        publicly_exposed=True,
        confidentiality="very_high",
    )
    asset_services.add_component(
        None,
        portal,
        vendor="Django Software Foundation",
        product="Django",
        version="4.2.7",
        cpe="cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*",
    )
    asset_services.add_component(None, portal, vendor="nginx", product="nginx", version="1.24.0")
    assistant = asset_services.create_asset(
        None,
        name="Triage Assistant",
        kind="ai_system",
        owner=owner,
        reads_untrusted_content=True,
        can_act=True,
        publicly_exposed=True,
        integrity="very_high",
    )
    vuln_risk = risk_services.create_risk(
        manager,
        title="Known vulnerabilities in the portal's web stack are exploited",
        custom_threat="Exploitation of a known vulnerability (CVE)",
        scores=risk_services.Scores((3, 4), (2, 4), (1, 4)),
        assets=[portal],
        owner=owner,
    )
    injection_risk = risk_services.create_risk(
        manager,
        title="Prompt injection makes the assistant mis-triage",
        threat=CatalogueEntry.objects.get(uid="atlas:AML.T0051"),
        scores=risk_services.Scores((4, 5), (3, 4), (2, 3)),
        assets=[assistant],
        owner=owner,
    )
    return World(
        manager, owner, other_owner, contributor, auditor, portal, assistant, vuln_risk, injection_risk
    )


def _run() -> IngestRun:
    return IngestRun.objects.create(format="kev", started_at=timezone.now(), status="succeeded")


def add_cve(
    cve_id: str,
    *,
    cpe_matches: list[dict[str, Any]] | None = None,
    in_kev: bool = False,
    epss: float | None = None,
    cvss: float | None = None,
    vendor: str = "",
    product: str = "",
    event: str = "item-new",
    when: dt.datetime | None = None,
) -> Vulnerability:
    when = when or timezone.now()
    item, _ = IntelItem.objects.get_or_create(
        kind="vulnerability",
        external_id=cve_id,
        defaults={
            "title": f"{cve_id} in {product or 'a product'}",
            "first_seen": when,
            "last_seen": when,
            "cve_ids": [cve_id],
        },
    )
    vuln, _ = Vulnerability.objects.update_or_create(
        cve_id=cve_id,
        defaults={
            "item": item,
            "cpe_matches": cpe_matches or [],
            "in_kev": in_kev,
            "kev_date_added": when.date() if in_kev else None,
            "epss": epss,
            "cvss_score": cvss,
            "vendor_project": vendor,
            "product": product,
        },
    )
    IntelEvent.objects.create(kind=event, item=item, vulnerability=vuln, run=_run(), at=when)
    return vuln


def add_technique_item(
    external_id: str, uids: list[str], *, kind: str = "attack-pattern", title: str = ""
) -> IntelItem:
    now = timezone.now()
    item = IntelItem.objects.create(
        kind=kind,
        external_id=external_id,
        title=title or external_id,
        first_seen=now,
        last_seen=now,
        technique_uids=uids,
    )
    IntelEvent.objects.create(kind="item-new", item=item, run=_run(), at=now)
    return item
