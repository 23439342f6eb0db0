"""The demo's adaptive posture has a past: intel first seen over several weeks, proposals opened after the
intel they cite, and owners' decisions (with the re-scores in the risks' history) in earlier weeks.

The demo takes most of a minute to load, so the module loads it once inside a transaction that is rolled
back at the end; each test runs in a savepoint within it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from aisms.apps.accounts.models import Notification, User
from aisms.apps.intel.models import IntelEvent, IntelItem
from aisms.apps.posture import selectors
from aisms.apps.posture.demo_data import DECISION_LAG, load_demo_posture
from aisms.apps.posture.models import (
    AssetIntelMatch,
    EmergingStatus,
    EmergingThreat,
    Proposal,
    ProposalStatus,
)
from aisms.apps.posture.services import history_reason
from aisms.apps.risks.models import Risk, RiskStatus
from aisms.apps.web import dashboard
from aisms.demo import load_demo

pytestmark = pytest.mark.django_db


@dataclass
class Loaded:
    callbacks: int
    mails: list[Any]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            assert load_demo() is not None
        loaded = Loaded(callbacks=len(callbacks), mails=list(mail.outbox))
        yield loaded
        transaction.set_rollback(True)


@pytest.fixture
def amira(demo: Loaded) -> User:
    return User.objects.get(username="amira")


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_the_demo_intel_was_first_seen_over_at_least_six_weeks(demo: Loaded) -> None:
    items = list(IntelItem.objects.all())
    weeks = {_week(timezone.localdate(i.first_seen)) for i in items}
    assert len(weeks) >= 6
    now = timezone.now()
    for item in items:
        assert now - dt.timedelta(days=71) <= item.first_seen <= item.last_seen
        assert item.published is None or item.first_seen > item.published
        assert all(dt.datetime.fromisoformat(p["seen_at"]) >= item.first_seen for p in item.provenance)
        assert {e.at for e in item.events.all()} == {item.first_seen}
        assert all(h.history_date == h.first_seen == item.first_seen for h in item.history.all())


def test_what_changed_shows_decisions_and_rescores_in_earlier_weeks(amira: User) -> None:
    weeks = selectors.what_changed(amira, weeks=12)
    earlier = weeks[:-1]
    for series in ("intel", "matches", "opened", "accepted", "rejected", "rescored"):
        assert sum(w.counts[series] for w in earlier) > 0, series
    assert sum(w.counts["intel"] for w in weeks) == IntelItem.objects.count()
    assert sum(w.counts["opened"] for w in weeks) == Proposal.objects.count()
    assert weeks[-1].counts["intel"] < IntelItem.objects.count()


def test_some_proposals_are_decided_and_most_stay_open(demo: Loaded) -> None:
    statuses = Counter(Proposal.objects.values_list("status", flat=True))
    assert statuses[ProposalStatus.ACCEPTED] == 2
    assert statuses[ProposalStatus.REJECTED] == 1
    assert statuses[ProposalStatus.OPEN] >= 15
    rejected = Proposal.objects.get(status=ProposalStatus.REJECTED)
    assert rejected.decided_by.username == "daniel"
    assert rejected.reason


def test_each_accepted_proposal_rescored_its_risk_with_the_reason_on_the_day_of_the_decision(
    demo: Loaded,
) -> None:
    accepted = list(Proposal.objects.filter(status=ProposalStatus.ACCEPTED).select_related("risk"))
    assert accepted
    for proposal in accepted:
        assert proposal.created_at + DECISION_LAG <= proposal.decided_at < timezone.now()
        rows = list(proposal.risk.history.order_by("history_date", "history_id"))
        rescore = [r for r in rows if r.history_change_reason == history_reason(proposal)]
        assert [r.history_date for r in rescore] == [proposal.decided_at]
        # The re-score comes after the risk's creation; everything recorded before it is dated before it,
        # so the risk's latest history row is the risk as it stands.
        assert rows[0].history_type == "+"
        assert proposal.risk.created_at < rescore[0].history_date
        earlier = [r for r in rows if r.history_id < rescore[0].history_id]
        assert earlier
        assert all(r.history_date <= rescore[0].history_date for r in earlier)
        risk = Risk.objects.get(pk=proposal.risk_id)
        assert (rows[-1].current_likelihood, rows[-1].current_level) == (
            risk.current_likelihood,
            risk.current_level,
        )
        assert rescore[0].current_likelihood == risk.current_likelihood


def test_the_dashboard_trend_for_today_matches_the_register(demo: Loaded) -> None:
    today = timezone.localdate()
    counts = dashboard.risk_levels_at([today])[today]
    register = Counter(Risk.objects.exclude(status=RiskStatus.CLOSED).values_list("current_level", flat=True))
    assert counts == register


def test_nothing_is_dated_before_the_intel_it_rests_on(demo: Loaded) -> None:
    for proposal in Proposal.objects.prefetch_related("items").select_related("risk"):
        newest = max(i.first_seen for i in proposal.items.all())
        assert proposal.created_at >= newest
        if proposal.risk is not None:
            assert proposal.created_at > proposal.risk.created_at
        assert proposal.decided_at is None or proposal.decided_at > proposal.created_at
        assert all(h.history_date >= proposal.created_at for h in proposal.history.all())
    for match in AssetIntelMatch.objects.select_related("item"):
        assert match.item.first_seen <= match.first_matched_at <= match.last_matched_at
    for event in IntelEvent.objects.select_related("item"):
        assert event.at <= event.processed_at


def test_loading_the_demo_mailed_no_one(demo: Loaded) -> None:
    assert demo.callbacks > 0  # the deferred notification work did run
    assert Notification.objects.filter(subject__startswith="Risk re-assessment proposed").exists()
    assert demo.mails == []


def test_a_second_load_changes_nothing(demo: Loaded) -> None:
    before = list(Proposal.objects.order_by("pk").values_list("pk", "status", "created_at", "decided_at"))
    result = load_demo_posture()
    assert result.events == 0
    assert (
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "created_at", "decided_at"))
        == before
    )


def test_the_two_gpu_memory_reports_make_one_emerging_threat_candidate(demo: Loaded) -> None:
    threat = EmergingThreat.objects.get()
    assert threat.status == EmergingStatus.CANDIDATE
    titles = sorted(threat.items.values_list("title", flat=True))
    assert titles == [
        "Leftover GPU memory on the shared imaging cluster",
        "Sector alert: GPU memory remnants expose medical imaging workloads",
    ]
    assert {"gpu", "memory"} <= set(threat.key_terms)
    assert threat.sources == ["Analyst reports"]
    newest = max(threat.items.values_list("first_seen", flat=True))
    assert newest < threat.created_at < timezone.now()  # found by the correlation run after the reports
