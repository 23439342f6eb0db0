"""Bring the database schema up to date; build a brand-new SQLite database in one step.

Running the 58 migrations on an empty database takes 20-25 s, nearly all of it in Django's migration
state: every new model with a foreign key to the user model makes Django re-render every model related
to it, and almost every aisms model (and its history table) has one. On a brand-new SQLite database
(no tables at all, the embedded default of `aisms init`) the tables are instead created straight from
the current models, in one transaction, and every migration is then recorded as applied; that takes
under a second. The result is the same schema - tables, columns, foreign keys, indexes and their names -
which `tests/integration/test_database_setup.py` checks against a database built by the migrations,
together with the condition that makes this valid: no migration that would run writes rows into an
empty database (the only RunPython/RunSQL operations allowed are listed in ``ROW_TRANSFORMS`` and
change existing rows only).

Any other database - one with tables, or PostgreSQL - is migrated the usual way.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management import call_command
from django.db import connection

# Migrations with RunPython/RunSQL that only transform rows already stored (on an empty database they
# do nothing), so recording them as applied on a new database loses nothing.
ROW_TRANSFORMS: frozenset[tuple[str, str]] = frozenset(
    {
        ("auth", "0011_update_proxy_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0008_separate_results_field"),
        ("django_tasks_database", "0011_rename_complete_status"),
        ("django_tasks_database", "0013_separate_exception_fields"),
        ("django_tasks_database", "0016_remove_dbtaskresult_django_task_new_ordering_idx_and_more"),
        ("django_tasks_database", "0018_rename_succeeded_status"),
    }
)


def is_new_sqlite_database() -> bool:
    return connection.vendor == "sqlite" and not connection.introspection.table_names()


def create_tables_from_models() -> None:
    """Every managed model's table (with its many-to-many tables and indexes), in one transaction."""
    with connection.schema_editor() as editor:  # atomic: all tables or none
        for model in apps.get_models():  # auto-created many-to-many tables come with their model
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)


def migrate_database() -> str:
    """Create or update the schema; returns "created" for a new SQLite database, else "migrated"."""
    if is_new_sqlite_database():
        create_tables_from_models()
        call_command("migrate", fake=True, interactive=False, verbosity=0)  # also runs post_migrate
        return "created"
    call_command("migrate", interactive=False, verbosity=0)
    return "migrated"
