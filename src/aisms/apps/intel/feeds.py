"""Reading feeds: pick the parser for a format, open local files and MISP folders, and fetch URL sources
(through the one HTTP client) into temporary files so large feeds stream from disk."""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings

from aisms.config.fetch_policy import default_fetch_policy
from aisms.domain.intel import epss, kev, misp, nvd, stix, text_report
from aisms.domain.intel.records import IntelParseError, ParsedFeed, Position
from aisms.net.http_fetch import FetchError, fetch_to_file

Progress = Callable[[int, int | None], None]
FILE_FORMATS = ("stix", "misp", "kev", "nvd", "epss", "text")
DEMO_FEEDS_DIR = Path(__file__).resolve().parent / "demo_feeds"


class FeedUnavailableError(Exception):
    """A source could not be read (network, missing file, not allowed); nothing was parsed."""


def max_feed_bytes() -> int:
    return int(getattr(settings, "AISMS_INTEL_MAX_FEED_BYTES", 0) or max(settings.AISMS_MAX_UPLOAD_BYTES, 1))


@contextmanager
def _maybe_gunzip(fp: IO[bytes]) -> Iterator[IO[bytes]]:
    magic = fp.read(2)
    fp.seek(0)
    if magic != b"\x1f\x8b":
        yield fp
        return
    # Decompress to a temporary file: the parsers need to seek to report exact error positions.
    with tempfile.TemporaryFile() as out:
        with gzip.GzipFile(fileobj=fp) as unzipped:
            while chunk := unzipped.read(1024 * 1024):
                out.write(chunk)
        out.seek(0)
        yield out


def parse_file(fmt: str, fp: IO[bytes], *, filename: str, progress: Progress | None = None) -> ParsedFeed:
    """Parse one feed file of the given format (gzip-compressed files are unpacked on the fly)."""
    with _maybe_gunzip(fp) as data:
        if fmt == "stix":
            return stix.parse_bundle(data, filename=filename, progress=progress)
        if fmt == "kev":
            return kev.parse_kev(data, filename=filename, progress=progress)
        if fmt == "nvd":
            return nvd.parse_nvd(data, filename=filename, progress=progress)
        if fmt == "epss":
            return epss.parse_epss(data, filename=filename, progress=progress)
        if fmt == "text":
            return text_report.parse_text(text_report.read_text(data, filename=filename), filename=filename)
        if fmt == "misp":
            feed = ParsedFeed(format="misp")
            misp.parse_event(data, filename=filename, feed=feed)
            return feed
    raise ValueError(f"unknown feed format {fmt!r}; choose one of {', '.join(FILE_FORMATS)}")


def parse_misp_directory(
    directory: Path, *, since: dict[str, str] | None = None, progress: Progress | None = None
) -> ParsedFeed:
    """A MISP feed folder: manifest.json plus <uuid>.json per event."""
    if not (directory / "manifest.json").is_file():
        raise IntelParseError(str(directory), Position(0), "not a MISP feed folder: no manifest.json")

    def open_file(name: str) -> IO[bytes]:
        path = directory / name
        if not path.is_file():
            raise IntelParseError(name, Position(0), "listed in manifest.json but the file is missing")
        return path.open("rb")

    return misp.parse_feed(open_file, since=since, progress=progress)


def parse_path(
    fmt: str, path: Path, *, progress: Progress | None = None, since: dict[str, str] | None = None
) -> ParsedFeed:
    if fmt == "misp" and path.is_dir():
        return parse_misp_directory(path, since=since, progress=progress)
    with path.open("rb") as fp:
        return parse_file(fmt, fp, filename=path.name, progress=progress)


def download(url: str, dest: Path, *, progress: Progress | None = None) -> int:
    """Fetch a URL into a file within the size limit; FeedUnavailableError when it cannot."""
    try:
        return fetch_to_file(url, default_fetch_policy(max_bytes=max_feed_bytes()), dest, progress=progress)
    except FetchError as exc:
        raise FeedUnavailableError(str(exc)) from exc


def parse_misp_url(
    base_url: str, workdir: Path, *, since: dict[str, str] | None = None, progress: Progress | None = None
) -> ParsedFeed:
    base = base_url if base_url.endswith("/") else base_url + "/"

    def open_file(name: str) -> IO[bytes]:
        dest = workdir / name
        download(base + name, dest)
        return dest.open("rb")

    return misp.parse_feed(open_file, since=since, progress=progress)


def resolve_local_path(value: str) -> Path:
    """A source's local file or folder: the shipped demo feeds, or a path below <data dir>/feeds."""
    path = Path(value)
    if not path.is_absolute():
        path = DEMO_FEEDS_DIR / path
    resolved = path.resolve()
    allowed = [DEMO_FEEDS_DIR.resolve(), (Path(settings.DATA_DIR) / "feeds").resolve()]
    if not any(resolved == root or root in resolved.parents for root in allowed):
        raise FeedUnavailableError(f"{value}: local feeds must be in the demo feeds or <data dir>/feeds")
    if not resolved.exists():
        raise FeedUnavailableError(f"{value}: no such file or folder")
    return resolved
