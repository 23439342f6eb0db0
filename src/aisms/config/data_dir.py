"""Where aisms keeps its database, uploads and generated secret key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    configured = os.environ.get("AISMS_DATA_DIR")
    if configured:
        path = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "aisms"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def secret_key(directory: Path) -> str:
    """AISMS_SECRET_KEY if set, else a key generated once and kept (mode 0600) in the data directory."""
    from_env = os.environ.get("AISMS_SECRET_KEY")
    if from_env:
        return from_env
    key_file = directory / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()
