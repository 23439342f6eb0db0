"""The ISMS as a zip: the export to download and the import of an uploaded zip, shared by the API and the
web page (same formats, same size limits, same checks)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from aisms.domain.isms_code.problems import Problem
from aisms.isms_code.archive import unzip_export, zip_directory
from aisms.isms_code.exporter import export_yaml
from aisms.isms_code.importer import ImportResult, import_yaml
from aisms.isms_code.oscal_export import export_oscal

FORMATS = ("yaml", "oscal")


class UploadRefusedError(Exception):
    """The upload is not a usable zip of an export (not a zip, too large); nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]))


def export_zip(fmt: str, now: dt.datetime) -> tuple[bytes, str]:
    """The whole ISMS as a zip of YAML files (``yaml``) or OSCAL JSON (``oscal``), and its file name."""
    if fmt not in FORMATS:
        raise ValueError(f"format: {' or '.join(FORMATS)}")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if fmt == "yaml":
            export_yaml(directory, now=now)
        else:
            export_oscal(directory, now=now)
        return zip_directory(directory), f"isms-{fmt}-{now:%Y-%m-%d}.zip"


def size_problem(size: int | None, max_bytes: int) -> Problem | None:
    """A problem when an upload is larger than the limit (or of unknown size)."""
    if size is None or size > max_bytes:
        return Problem("upload", None, "file", f"larger than the limit of {max_bytes} bytes")
    return None


def import_zip(data: bytes, *, max_bytes: int, dry_run: bool, merge: bool, source: str) -> ImportResult:
    """Unpack an uploaded zip and import it, all or nothing.

    Raises UploadRefusedError when the upload itself is unusable and ImportRefusedError (from the importer)
    when its files have problems; in both cases nothing was written.
    """
    too_large = size_problem(len(data), max_bytes)
    if too_large:
        raise UploadRefusedError([too_large])
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        problems = unzip_export(data, directory, max_bytes)
        if problems:
            raise UploadRefusedError(problems)
        return import_yaml(directory, dry_run=dry_run, merge=merge, source=source)
