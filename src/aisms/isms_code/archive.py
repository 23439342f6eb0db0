"""The export directory as a zip file and back (for the API), with size and name limits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from aisms.domain.isms_code.problems import Problem
from aisms.isms_code.registers import FILES, MANIFEST_FILE, USERS_FILE

ALLOWED = {f.name for f in FILES} | {MANIFEST_FILE, USERS_FILE}


def zip_directory(directory: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.iterdir()):
            if path.is_file():
                archive.writestr(
                    zipfile.ZipInfo(path.name, date_time=(2000, 1, 1, 0, 0, 0)), path.read_bytes()
                )
    return out.getvalue()


def unzip_export(data: bytes, directory: Path, max_bytes: int) -> list[Problem]:
    """Extract the known YAML files (flat names only) of an uploaded zip; problems instead of exceptions."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [Problem("upload", None, "file", "not a zip file")]
    problems: list[Problem] = []
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename.rsplit("/", 1)[-1]
            if name not in ALLOWED or info.filename.startswith(("/", "..")) or ".." in info.filename:
                problems.append(Problem(info.filename, None, "", "not a file of an aisms export; ignored"))
                continue
            total += info.file_size
            if total > max_bytes:
                return [Problem("upload", None, "file", f"expands to more than {max_bytes} bytes")]
            (directory / name).write_bytes(archive.read(info))
    return [p for p in problems if not p.message.endswith("ignored")]
