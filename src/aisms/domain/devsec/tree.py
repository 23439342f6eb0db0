"""Walking a source tree safely: no symlinks out of it, vendored folders skipped, big and binary files left.

Only the files an AI assistant reads are opened; everything else is just counted.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aisms.catalogue.secure_coding_rules import SecureCodingRules, ToolFiles

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".cache", "site-packages", ".terraform", ".idea"}
)  # fmt: skip
MAX_FILE_BYTES = 1_000_000
_WILDCARD = re.compile(r"[*?\[]")


@dataclass
class TreeStats:
    files_seen: int = 0
    files_read: int = 0
    skipped_large: int = 0
    skipped_binary: int = 0
    skipped_symlinks: int = 0
    skipped_dirs: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CandidateFile:
    path: str  # relative, forward slashes
    absolute: Path
    match: ToolFiles


@dataclass
class TreeContents:
    files: list[tuple[CandidateFile, str]] = field(default_factory=list)  # (file, text)
    stats: TreeStats = field(default_factory=TreeStats)


@dataclass(frozen=True)
class _Prefilter:
    names: frozenset[str]  # literal file names that some pattern ends with
    top_dirs: frozenset[str]  # literal first folders of patterns whose file name has a wildcard
    everything: bool  # a pattern neither filter covers: check every file


def prefilter(rules: SecureCodingRules) -> _Prefilter:
    names: set[str] = set()
    top_dirs: set[str] = set()
    everything = False
    for tool in rules.tools:
        for group in tool.files:
            for pattern in group.paths:
                parts = pattern.removeprefix("**/").split("/")
                if not _WILDCARD.search(parts[-1]):
                    names.add(parts[-1])
                elif len(parts) > 1 and not _WILDCARD.search(parts[0]):
                    top_dirs.add(parts[0])
                else:
                    everything = True
    return _Prefilter(frozenset(names), frozenset(top_dirs), everything)


def match_tool_file(
    relative: str, rules: SecureCodingRules, quick: _Prefilter | None = None
) -> ToolFiles | None:
    """The tool and kind of a file from its path relative to the root, or None. `quick` (from prefilter)
    skips most files by name before any glob is tried."""
    quick = quick or prefilter(rules)
    name = relative.rsplit("/", 1)[-1]
    if not quick.everything and name not in quick.names and relative.split("/", 1)[0] not in quick.top_dirs:
        return None
    for tool in rules.tools:
        for group in tool.files:
            for pattern in group.paths:
                if fnmatch.fnmatchcase(relative, pattern):
                    return group
                if pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]):
                    return group
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def read_tree(
    root: Path,
    rules: SecureCodingRules,
    *,
    progress: Callable[[int], None] | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> TreeContents:
    """Find and read the AI assistant files under root. Directory symlinks are never followed; a file
    symlink is read only when it resolves inside root."""
    root = root.resolve(strict=True)
    out = TreeContents()
    quick = prefilter(rules)
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        kept = []
        for name in sorted(dirnames):
            if name in SKIPPED_DIRS or Path(directory, name).is_symlink():
                out.stats.skipped_dirs += 1
                continue
            kept.append(name)
        dirnames[:] = kept
        folder = Path(directory).relative_to(root).as_posix()
        prefix = "" if folder == "." else folder + "/"
        out.stats.files_seen += len(filenames)
        for name in sorted(filenames):
            relative = prefix + name
            match = match_tool_file(relative, rules, quick)
            if match is None:
                continue
            absolute = Path(directory, name)
            if absolute.is_symlink() and not _inside(absolute, root):
                out.stats.skipped_symlinks += 1
                continue
            try:
                info = absolute.stat()
                if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
                    continue
                if info.st_size > max_file_bytes:
                    out.stats.skipped_large += 1
                    continue
                with absolute.open("rb") as handle:
                    data = handle.read(max_file_bytes + 1)  # the file may have grown since stat
                if len(data) > max_file_bytes:
                    out.stats.skipped_large += 1
                    continue
            except OSError:
                continue
            if b"\x00" in data[:8192]:
                out.stats.skipped_binary += 1
                continue
            out.stats.files_read += 1
            out.files.append((CandidateFile(relative, absolute, match), data.decode("utf-8", "replace")))
        if progress is not None:
            progress(out.stats.files_seen)
    return out
