"""The fast write path stores exactly what Django's own adapters would, and copies history in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import orjson
import pytest
from django.db import connection

from aisms.apps.intel import bulk_sql
from aisms.apps.intel.bulk_sql import _json, _sqlite_datetime
from aisms.apps.intel.models import IngestRun, IntelEvent, IntelItem
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the shortcut is for SQLite only")
@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 30, 8, 15, 42, 123456, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone(timedelta(hours=-8))),
    ],
)
def test_sqlite_datetimes_match_djangos_adapter(value: datetime) -> None:
    assert _sqlite_datetime(value) == connection.ops.adapt_datetimefield_value(value)


def test_json_columns_round_trip_including_non_ascii_text() -> None:
    value = {"title": "Übernahme: 攻撃", "ids": ["CVE-2024-3094"], "n": 3}
    assert orjson.loads(_json(value)) == value
    assert _json([]) == "[]"
    assert _json(None) is None


def _item(kind: str, external_id: str, **values: object) -> IntelItem:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    return IntelItem(
        kind=kind, external_id=external_id, title=external_id, first_seen=now, last_seen=now, **values
    )


def test_ids_by_matches_the_key_within_the_equal_columns_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk_sql, "LOOKUP_CHUNK", 2)  # five keys: three queries
    IntelItem.objects.bulk_create(
        [_item("attack-pattern", f"AML.T000{n}") for n in range(5)] + [_item("indicator", "AML.T0001")]
    )
    stored = dict(IntelItem.objects.filter(kind="attack-pattern").values_list("external_id", "pk"))
    wanted = [*stored, "AML.T9999"]
    assert bulk_sql.ids_by(IntelItem, "external_id", wanted, kind="attack-pattern") == stored
    indicator = IntelItem.objects.get(kind="indicator")
    assert bulk_sql.ids_by(IntelItem, "external_id", wanted, kind="indicator") == {"AML.T0001": indicator.pk}
    assert bulk_sql.ids_by(IntelItem, "external_id", []) == {}


def test_copy_history_stores_the_rows_as_they_are_in_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_sql, "LOOKUP_CHUNK", 2)
    user = make_user("administrator")
    items = IntelItem.objects.bulk_create(  # bulk_create writes no history of its own
        [
            _item("malware", f"malware--{n}", description=f"Loader {n} ✓", labels=["trojan"], confidence=n)
            for n in range(3)
        ]
    )
    at = datetime(2026, 12, 1, 10, 30, 15, 250000, tzinfo=UTC)
    bulk_sql.copy_history(IntelItem, [i.pk for i in items], history_type="+", user_id=user.pk, at=at)
    historical = IntelItem.history.model
    copied = [f.attname for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    assert "description" in copied
    assert "provenance" not in copied  # excluded from history by the model
    for item in IntelItem.objects.all():
        record = IntelItem.history.get(id=item.pk)
        for name in copied:
            assert getattr(record, name) == getattr(item, name), name
        assert (record.history_type, record.history_user_id, record.history_date) == ("+", user.pk, at)
        assert record.history_change_reason is None


def test_copy_first_versions_copies_only_objects_without_history_dated_and_attributed_by_the_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk_sql, "LOOKUP_CHUNK", 2)
    analyst, other = make_user("administrator"), make_user("administrator")
    items = IntelItem.objects.bulk_create(
        [
            _item("malware", "malware--0", description="Old loader", created_by=analyst),
            _item("malware", "malware--1", description="Scheduled", created_by=None),
            _item("malware", "malware--2", description="Already versioned", created_by=analyst),
        ]
    )
    for n, item in enumerate(items):  # each first seen at a different time
        IntelItem.objects.filter(pk=item.pk).update(first_seen=datetime(2026, 10, 1 + n, 8, 0, tzinfo=UTC))
    earlier = datetime(2026, 9, 1, tzinfo=UTC)
    bulk_sql.copy_history(IntelItem, [items[2].pk], history_type="+", user_id=other.pk, at=earlier)

    pks = [i.pk for i in items]
    bulk_sql.copy_first_versions(IntelItem, pks, dated="first_seen", by="created_by")
    bulk_sql.copy_first_versions(IntelItem, pks, dated="first_seen", by="created_by")  # again: nothing new
    rows = {
        r.id: (r.history_type, r.history_date, r.history_user_id, r.description)
        for r in IntelItem.history.all()
    }
    assert IntelItem.history.count() == 3
    assert rows == {
        items[0].pk: ("+", datetime(2026, 10, 1, 8, 0, tzinfo=UTC), analyst.pk, "Old loader"),
        items[1].pk: ("+", datetime(2026, 10, 2, 8, 0, tzinfo=UTC), None, "Scheduled"),
        items[2].pk: ("+", earlier, other.pk, "Already versioned"),  # its own row was kept, not copied again
    }


def test_insert_per_row_writes_one_row_per_source_row_with_the_given_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk_sql, "LOOKUP_CHUNK", 2)
    items = IntelItem.objects.bulk_create([_item("malware", f"malware--{n}") for n in range(3)])
    other = _item("malware", "malware--x")
    other.save()
    run = IngestRun.objects.create(format="stix", started_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    at = datetime(2026, 11, 30, 9, 5, 30, 125000, tzinfo=UTC)
    values = {"kind": "item-new", "vulnerability": None, "run": run.pk, "at": at, "detail": {"n": "✓"}}
    bulk_sql.insert_per_row(IntelEvent, IntelItem, [i.pk for i in items], key="item", values=values)
    events = list(IntelEvent.objects.order_by("item_id"))
    assert [e.item_id for e in events] == [i.pk for i in items]  # one each, and none for the other item
    assert other.pk not in {e.item_id for e in events}
    for event in events:
        assert (event.kind, event.vulnerability_id, event.run_id, event.at) == ("item-new", None, run.pk, at)
        assert (event.detail, event.processed_at) == ({"n": "✓"}, None)


def test_insert_writes_none_and_empty_values_as_the_orm_would() -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    values = {
        "kind": "note",
        "external_id": "n-1",
        "stix_id": "",
        "title": "A note",
        "description": "",
        "pattern": "",
        "tlp": "clear",
        "content_hash": "",
        "first_seen": now,
        "last_seen": now,
        "published": None,
        "confidence": None,
        "technique_uids": [],
        "cve_ids": [],
        "labels": ["ünïcode"],
        "references": [],
        "observables": [],
        "provenance": [{"run": 1, "ref": "n-1"}],
    }
    bulk_sql.insert(IntelItem, [SimpleNamespace(**values)], list(values))
    stored = IntelItem.objects.get(external_id="n-1")
    for name, value in values.items():
        assert getattr(stored, name) == value, name
