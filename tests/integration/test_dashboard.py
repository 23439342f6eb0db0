"""The morning dashboard on the home page: risk heat map and trend from history, treatment progress,
controls and training coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aisms.apps.risks.models import Risk
from aisms.apps.web import dashboard
from aisms.demo import load_demo
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_risk_trend_counts_open_risks_by_level_as_they_stood_at_each_month_end() -> None:
    load_demo()
    today = timezone.localdate()
    risk = Risk.objects.exclude(status="closed").first()
    old_level = risk.current_level
    # It was entered 70 days ago; today its level changed and another risk was closed.
    risk.history.all().update(history_date=timezone.now() - dt.timedelta(days=70))
    risk.created_at = timezone.now() - dt.timedelta(days=70)
    risk.current_level = "zz-test"
    risk.save()
    ends = [today - dt.timedelta(days=40), today]
    counts = dashboard.risk_levels_at(ends)
    assert counts[ends[0]][old_level] >= 1
    assert counts[ends[0]]["zz-test"] == 0
    assert counts[ends[1]]["zz-test"] == 1
    assert sum(counts[ends[1]].values()) == Risk.objects.exclude(status="closed").count()


def test_the_home_page_shows_the_tiles_with_their_charts() -> None:
    load_demo()
    html = session_client(make_user("auditor")).get("/").content.decode()
    for title in (
        "Risk",
        "Risk treatment",
        "Controls (SoA)",
        "Competence and training",
        "Threat intelligence and proposals",
        "Compliance and evidence",
        "Audit findings",
        "Suppliers",
    ):
        assert f">{title}</a></h2>" in html
    assert 'aria-label="Open risks, current level"' in html
    assert 'aria-label="Open risks by current level at month ends"' in html
    assert 'aria-label="Treatment actions by status"' in html
    assert 'aria-label="Training coverage"' in html
    assert "above appetite" in html
    assert 'aria-label="Open re-assessment proposals by kind"' in html
    assert 'aria-label="Annex A controls by derived compliance status"' in html
    assert 'aria-label="Open nonconformities by severity"' in html
    assert 'aria-label="Suppliers by criticality tier"' in html


def test_an_asset_page_lists_the_threat_models_that_include_it() -> None:
    from aisms.apps.threatmodels.models import ThreatModel

    load_demo()
    model = ThreatModel.objects.filter(assets__isnull=False).first()
    assert model is not None, "the demo threat model links inventory assets"
    asset = model.assets.first()
    html = session_client(make_user("auditor")).get(asset.get_absolute_url()).content.decode()
    assert "Threat models that include this asset" in html
    assert model.get_absolute_url() in html
