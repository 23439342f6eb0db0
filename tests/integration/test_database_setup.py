"""A new SQLite database built from the models (what `aisms init` does) has exactly the schema the
migrations build (the test database), and recording the migrations as applied loses no data: no
migration that would run writes rows into an empty database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, migrations
from django.db.migrations.loader import MigrationLoader

from aisms.config.database_setup import ROW_TRANSFORMS

REPO = Path(__file__).resolve().parents[2]

Schema = dict[str, tuple[Any, ...]]


def _schema(execute: Any) -> Schema:
    """Per table: its columns (name, type, not null, default, primary key), foreign keys and indexes
    (name, unique, columns). Column order is left out: the models and the migrations order them
    differently, which no query sees."""
    tables = [
        row[0]
        for row in execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    schema: Schema = {}
    for table in tables:
        columns = sorted(tuple(c[1:]) for c in execute(f'PRAGMA table_info("{table}")'))
        keys = sorted((k[2], k[3], k[4]) for k in execute(f'PRAGMA foreign_key_list("{table}")'))
        indexes = sorted(
            (i[1], i[2], tuple(c[2] for c in execute(f'PRAGMA index_info("{i[1]}")')))
            for i in execute(f'PRAGMA index_list("{table}")')
        )
        schema[table] = (columns, keys, indexes)
    return schema


@pytest.mark.django_db
def test_a_new_database_built_from_the_models_matches_the_migrated_one(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the shortcut is for new SQLite databases only")

    def migrated(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(AISMS_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="aisms.config.settings")
    script = (
        "import django; django.setup()\n"
        "from aisms.config.database_setup import migrate_database\n"
        "print(migrate_database(), migrate_database())\n"
        "from django.db.migrations.recorder import MigrationRecorder\n"
        "print(MigrationRecorder.Migration.objects.count())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.split("\n")[:2]
    assert (
        first == "created migrated"
    )  # the second call finds tables and migrates the usual way (nothing to do)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert int(second) == len(loader.disk_migrations)  # every migration is recorded as applied

    database = next(tmp_path.rglob("*.sqlite3"))
    with sqlite3.connect(database) as new:
        built = _schema(lambda sql: new.execute(sql).fetchall())
    reference = _schema(migrated)
    reference.pop("django_migrations", None)
    built.pop("django_migrations", None)
    assert sorted(built) == sorted(reference)
    different = {t: (built[t], reference[t]) for t in reference if built[t] != reference[t]}
    assert different == {}


def test_no_migration_writes_rows_into_an_empty_database() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    writing = sorted(
        key
        for key, migration in loader.disk_migrations.items()
        if any(isinstance(op, migrations.RunPython | migrations.RunSQL) for op in migration.operations)
    )
    # A new entry here needs a look: if it writes rows on an empty database, aisms init must run it.
    assert set(writing) <= ROW_TRANSFORMS, sorted(set(writing) - ROW_TRANSFORMS)
