"""The fast write path stores exactly what Django's own adapters would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from django.db import connection

from aisms.apps.intel.bulk_sql import _json, _sqlite_datetime

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
