"""Set-based writes for large feeds: parameterised INSERT/UPDATE through executemany, with the values
adapted once per column; the matching django-simple-history rows (and rows that point at each new row,
such as change-log events), written inside the database from the rows just stored; and key-to-id lookups
that build no model objects.

The ORM's bulk_create prepares every value through several layers (about ten times slower for the
25,000-object STIX benchmark); these helpers keep the same columns, types and history rows. Only plain
columns are written: no signals, no save() (there is no logic there by convention).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, models

Adapter = Callable[[Any], Any]
BATCH = 5000
LOOKUP_CHUNK = 900  # parameters per IN list: under SQLite's historical limit of 999
_HISTORY_OWN_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user")


def _json(value: Any) -> str | None:
    # orjson writes the same JSON as json.dumps (UTF-8 instead of \u escapes) about ten times faster.
    if value is None:
        return None
    if not value and isinstance(value, list):
        return "[]"
    return orjson.dumps(value, default=str).decode()


def _remembering(adapt: Adapter) -> Adapter:
    """Most datetimes in one ingest are the same 'now': adapt each distinct value once."""
    last: list[Any] = [object(), None]

    def adapted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


def _sqlite_datetime(value: Any) -> Any:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, str()), without its
    per-value checks: about twice as fast, which counts at tens of thousands of rows."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ:
            return _remembering(_sqlite_datetime)
        return _remembering(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a concrete column")
    return field


def _columns(model: type[models.Model], names: Sequence[str]) -> list[tuple[str, str, Adapter | None]]:
    """(attribute name, column, adapter) for each field name."""
    out = []
    for name in names:
        field = _field(model, name)
        out.append((field.attname, str(field.column), _adapter(field)))
    return out


def _rows(
    objs: Sequence[Any],
    columns: Sequence[tuple[str, str, Adapter | None]],
    tail: Sequence[Iterable[Any]] = (),
) -> Iterator[tuple[Any, ...]]:
    """One parameter row per object: its column values, adapted where the column needs it, then the values
    of the tail columns. Built a column at a time with map and zip, so the loops over tens of thousands of
    objects run in C; every adapter takes None (and gives None back)."""
    values: list[Iterable[Any]] = []
    for attname, _, adapt in columns:
        column = map(attrgetter(attname), objs)
        values.append(column if adapt is None else map(adapt, column))
    return zip(*values, *tail, strict=True)


def _execute(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model definitions, never from input; values are parameters.
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608


def insert(model: type[models.Model], objs: Sequence[Any], names: Sequence[str]) -> None:
    """INSERT the objects' fields (not the primary key); the caller looks the new ids up by a unique key."""
    columns = _columns(model, names)
    sql = _insert_sql(model._meta.db_table, [c for _, c, _ in columns])
    _execute(sql, _rows(objs, columns))


def update(model: type[models.Model], objs: Sequence[Any], names: Sequence[str]) -> None:
    """UPDATE the named fields of each object, by primary key."""
    columns = _columns(model, names)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for _, c, _ in columns)
    pk = model._meta.pk
    assert pk is not None  # noqa: S101  # every concrete model has a primary key
    table, key = quote(model._meta.db_table), quote(str(pk.column))
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608  # names from the model; values are parameters
    _execute(sql, _rows(objs, columns, [[obj.pk for obj in objs]]))


def insert_per_row(
    model: type[models.Model],
    source: type[models.Model],
    pks: Sequence[int],
    *,
    key: str,
    values: dict[str, Any],
) -> None:
    """One new row of model for each of the source rows with these primary keys (INSERT ... SELECT): its
    `key` field points at that row, and the fields named in values hold those values (the same in every
    row). The ids never travel back through Python, and no row is built there."""
    quote = connection.ops.quote_name
    pk = source._meta.pk
    assert pk is not None  # noqa: S101  # every concrete model has a primary key
    fixed = _columns(model, list(values))
    targets = [quote(column) for _, column, _ in fixed] + [quote(str(_field(model, key).column))]
    params = [
        value if adapt is None else adapt(value)
        for (_, _, adapt), value in zip(fixed, values.values(), strict=True)
    ]
    # Table and column names come from the model definitions; the values and ids are parameters.
    key_column = quote(str(pk.column))
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(targets)}) "  # noqa: S608
        f"SELECT {', '.join(['%s'] * len(fixed))}, {key_column} FROM {quote(source._meta.db_table)} "
        f"WHERE {key_column} IN "
    )
    _copy_rows(head, pks, "", params)


def ids_by(model: type[models.Model], key: str, values: Sequence[Any], **equal: Any) -> dict[Any, int]:
    """{key value: primary key} of the rows whose key column is one of values (and whose columns named
    in equal hold those plain values): one two-column SELECT per LOOKUP_CHUNK values, no model objects."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None  # noqa: S101  # every concrete model has a primary key
    key_column = quote(str(_field(model, key).column))
    fixed = [f"{quote(str(_field(model, name).column))} = %s" for name in equal]
    table = quote(model._meta.db_table)
    # Table and column names come from the model definitions; the values are parameters.
    head = f"SELECT {key_column}, {quote(str(pk.column))} FROM {table} WHERE "  # noqa: S608
    found: dict[Any, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(values), LOOKUP_CHUNK):
            chunk = list(values[start : start + LOOKUP_CHUNK])
            where = " AND ".join([*fixed, f"{key_column} IN ({', '.join(['%s'] * len(chunk))})"])
            cursor.execute(head + where, [*equal.values(), *chunk])
            found.update(cursor.fetchall())
    return found


def _history_columns(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """The quoted columns of the model's history table that mirror its own fields (followed by
    history_date, history_change_reason, history_type and history_user_id), and the model's own columns
    they are copied from."""
    historical = model.history.model  # type: ignore[attr-defined]  # added by HistoricalRecords
    quote = connection.ops.quote_name
    targets: list[str] = []
    sources: list[str] = []
    for field in historical._meta.concrete_fields:
        if field.name in _HISTORY_OWN_FIELDS:
            continue
        targets.append(quote(str(_field(historical, field.name).column)))
        sources.append(quote(str(_field(model, field.name).column)))
    targets += [
        quote(c) for c in ("history_date", "history_change_reason", "history_type", "history_user_id")
    ]
    return targets, sources


def _copy_rows(head: str, pks: Sequence[int], tail: str, params: Sequence[Any]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(pks), LOOKUP_CHUNK):
            chunk = list(pks[start : start + LOOKUP_CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{head}({marks}){tail}", [*params, *chunk])


def copy_history(
    model: type[models.Model], pks: Sequence[int], *, history_type: str, user_id: int | None, at: datetime
) -> None:
    """The django-simple-history rows for objects just created ('+') or changed ('~'), copied inside the
    database from the rows as stored (INSERT ... SELECT): the values never travel back through Python."""
    historical = model.history.model  # type: ignore[attr-defined]  # added by HistoricalRecords
    quote = connection.ops.quote_name
    targets, sources = _history_columns(model)
    pk = model._meta.pk
    assert pk is not None  # noqa: S101  # every concrete model has a primary key
    stamp = connection.ops.adapt_datetimefield_value(at)
    # Table and column names come from the model definitions; the stamp, type, user and ids are parameters.
    head = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(targets)}) "  # noqa: S608
        f"SELECT {', '.join(sources)}, %s, NULL, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(str(pk.column))} IN "
    )
    _copy_rows(head, pks, "", [stamp, history_type, user_id])


def copy_first_versions(model: type[models.Model], pks: Sequence[int], *, dated: str, by: str) -> None:
    """'+' history rows for those of the objects that have no history yet, copied from the rows as stored,
    dated by the row's own `dated` column and attributed to the user its `by` column names.

    For records whose first version stays on the row until they first change (feed items: most never
    do): call it before writing the change, then copy_history(history_type='~') after it."""
    historical = model.history.model  # type: ignore[attr-defined]  # added by HistoricalRecords
    quote = connection.ops.quote_name
    targets, sources = _history_columns(model)
    pk = model._meta.pk
    assert pk is not None  # noqa: S101  # every concrete model has a primary key
    table, history_table, key = (
        quote(model._meta.db_table),
        quote(historical._meta.db_table),
        quote(str(pk.column)),
    )
    stamp, user = quote(str(_field(model, dated).column)), quote(str(_field(model, by).column))
    # Table and column names come from the model definitions; the ids are parameters.
    head = (
        f"INSERT INTO {history_table} ({', '.join(targets)}) "  # noqa: S608
        f"SELECT {', '.join(f'{table}.{s}' for s in sources)}, {table}.{stamp}, NULL, '+', {table}.{user} "
        f"FROM {table} WHERE {table}.{key} IN "
    )
    tail = f" AND NOT EXISTS (SELECT 1 FROM {history_table} h WHERE h.{key} = {table}.{key})"  # noqa: S608
    _copy_rows(head, pks, tail, [])
