"""Where evidence and document files live: AISMS_DATA_DIR/uploads/evidence/<year>/<random>-<safe name>.

Files are written once and never overwritten (a new revision is a new file); reads resolve the stored
relative path and refuse anything outside the evidence folder.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.utils import timezone

EVIDENCE_DIR = "evidence"


def evidence_root() -> Path:
    return Path(settings.MEDIA_ROOT) / EVIDENCE_DIR


def max_evidence_bytes() -> int:
    """The evidence upload limit: AISMS_EVIDENCE_MAX_BYTES if set, never above AISMS_MAX_UPLOAD_BYTES."""
    limit = int(settings.AISMS_MAX_UPLOAD_BYTES)
    own = getattr(settings, "AISMS_EVIDENCE_MAX_BYTES", None)
    return min(limit, int(own)) if own else limit


def save_file(safe_name: str, content: bytes) -> tuple[str, str]:
    """Write the bytes; returns (path relative to the evidence folder, sha256 hex)."""
    folder = evidence_root() / f"{timezone.now():%Y}"
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{folder.name}/{secrets.token_hex(8)}-{safe_name}"
    target = evidence_root() / relative
    with open(target, "xb") as handle:
        handle.write(content)
    return relative, hashlib.sha256(content).hexdigest()


def resolve(relative: str) -> Path:
    """The absolute path of a stored file; FileNotFoundError when it is missing or outside the folder."""
    root = evidence_root().resolve()
    path = (root / relative).resolve()
    if not relative or root not in path.parents or not path.is_file():
        raise FileNotFoundError(relative)
    return path
