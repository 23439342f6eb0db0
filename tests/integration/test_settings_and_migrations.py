"""Migrations match the models; settings come from the environment with safe defaults."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

_PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG); print(settings.SECRET_KEY); print(settings.DATA_DIR)"
)


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The current environment without any aisms or database settings, plus the given ones."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AISMS_") and key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["DJANGO_SETTINGS_MODULE"] = "aisms.config.settings"
    env["AISMS_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def settings_in(data_dir: Path, **extra: str) -> tuple[str, str, str]:
    """(DEBUG, SECRET_KEY, DATA_DIR) as a fresh process sees them."""
    result = run_python(["-c", _PRINT_SETTINGS], clean_env(data_dir, **extra))
    assert result.returncode == 0, result.stderr
    debug, key, directory = result.stdout.splitlines()
    return debug, key, directory


def test_no_missing_migrations() -> None:
    # raises SystemExit(1) when a model change has no migration
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_deploy_checks_pass_in_production_profile(tmp_path: Path) -> None:
    env = clean_env(tmp_path, AISMS_PROFILE="production", AISMS_ALLOWED_HOSTS="isms.example.org")
    result = run_python(["-m", "aisms.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_checks_fail_in_local_profile(tmp_path: Path) -> None:
    # The same check in the local profile (plain HTTP, no HSTS) must complain: the production run above passes
    # because of the production settings, not because the check is blind.
    env = clean_env(tmp_path, AISMS_ALLOWED_HOSTS="isms.example.org")
    result = run_python(["-m", "aisms.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # SECURE_HSTS_SECONDS not set


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("1", "True"), ("true", "False")])
def test_debug_only_when_asked_for(tmp_path: Path, value: str | None, expected: str) -> None:
    extra = {} if value is None else {"AISMS_DEBUG": value}
    debug, _, _ = settings_in(tmp_path, **extra)
    assert debug == expected


def test_secret_key_is_generated_private_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert not data_dir.exists()

    _, first_key, directory = settings_in(data_dir)

    assert directory == str(data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) & 0o077 == 0  # the data directory is private
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first_key
    assert len(first_key) >= 50

    _, second_key, _ = settings_in(data_dir)
    assert second_key == first_key
    assert key_file.read_text().strip() == first_key

    _, other_key, _ = settings_in(tmp_path / "other")
    assert other_key != first_key
    assert (tmp_path / "other" / "secret_key").read_text().strip() == other_key


def test_secret_key_from_environment_wins_and_writes_no_file(tmp_path: Path) -> None:
    key = "k" * 20 + "an-operator-supplied-secret-key-0123456789"
    _, seen, _ = settings_in(tmp_path, AISMS_SECRET_KEY=key)
    assert seen == key
    assert not (tmp_path / "secret_key").exists()
