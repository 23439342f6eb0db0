"""Rules for evidence uploads: allowed types (by extension AND by the file's own first bytes), safe names.

An upload is accepted only when its extension is allowed and its content looks like that type: a PDF starts
with %PDF-, a PNG with its signature, a JPEG with FF D8 FF, Office files and ZIPs are ZIP archives (Office
files with a [Content_Types].xml part), and text types are UTF-8 without NUL bytes (JSON and SARIF must
also parse as JSON). Names are reduced to letters, digits, dot, dash and underscore.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass

ALLOWED_EXTENSIONS: tuple[str, ...] = (
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "txt",
    "md",
    "csv",
    "json",
    "sarif",
    "xlsx",
    "docx",
    "zip",
)
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "sarif": "application/sarif+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}
_TEXT = frozenset({"txt", "md", "csv", "json", "sarif"})
_ZIP = frozenset({"xlsx", "docx", "zip"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


class EvidenceFileError(ValueError):
    """Why an upload is refused (the message is shown to the user)."""


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised
    extension: str
    content_type: str


def sanitise_filename(name: str) -> str:
    """A safe file name: no directories, no control or special characters, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).strip("._-") or "evidence"
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:MAX_NAME]
    return base


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _sniff_matches(extension: str, content: bytes) -> bool:
    if extension == "pdf":
        return content.startswith(b"%PDF-")
    if extension == "png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension in _ZIP:
        if not content.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        return extension == "zip" or "[Content_Types].xml" in names
    if extension in _TEXT:
        if b"\x00" in content:
            return False
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        if extension in ("json", "sarif"):
            try:
                json.loads(text)
            except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
                return False
        return True
    return False


def check_upload(name: str, content: bytes, max_bytes: int) -> CheckedFile:
    """Accept the upload or raise EvidenceFileError saying why not."""
    safe = sanitise_filename(name)
    extension = extension_of(safe)
    if len(content) > max_bytes:
        raise EvidenceFileError(f"{safe}: larger than the {max_bytes} byte limit for evidence")
    if not content:
        raise EvidenceFileError(f"{safe}: the file is empty")
    if extension not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(ALLOWED_EXTENSIONS)
        shown = extension or "(none)"
        raise EvidenceFileError(f"{safe}: files of type .{shown} are not accepted ({allowed})")
    if not _sniff_matches(extension, content):
        raise EvidenceFileError(f"{safe}: the content is not a valid .{extension} file")
    return CheckedFile(safe, extension, CONTENT_TYPES[extension])
