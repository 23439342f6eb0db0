"""Deterministic YAML: sorted keys, block style, multi-line text as literal blocks, byte-stable output."""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

FORMAT_VERSION = 1
HEADER = "# aisms ISMS as code: edit, review in git, load with `aisms import DIR`.\n"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and "\r" not in value and not any(line != line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """The YAML text of ``data`` with sorted keys; the same data always gives the same bytes."""
    text: str = yaml.dump(
        data, Dumper=_Dumper, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100
    )
    return HEADER + text


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest(
    *, aisms_version: str, exported_at: str, organisation: str, files: dict[str, tuple[str, int]]
) -> dict[str, Any]:
    """The manifest: format version, who and when, and each file with its sha256 and record count."""
    return {
        "format_version": FORMAT_VERSION,
        "aisms_version": aisms_version,
        "exported_at": exported_at,
        "organisation": organisation,
        "files": [
            {"name": name, "sha256": digest, "records": count}
            for name, (digest, count) in sorted(files.items())
        ],
    }
