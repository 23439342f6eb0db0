"""YAML reading that remembers the line each mapping and list started on, for error messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from aisms.catalogue.errors import CatalogueError


class LineDict(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0


# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    pass


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(text: str, filename: str) -> Any:
    """Parse YAML text; a syntax error becomes a CatalogueError naming the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise CatalogueError(filename, f"not valid YAML: {exc.problem or exc}", line=line) from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(filename, f"not valid YAML: {exc}") from exc


def line_of(document: Any, path: Sequence[str | int]) -> int | None:
    """The line of the deepest mapping or list on ``path`` inside ``document``."""
    node = document
    line = getattr(node, "line", None)
    for key in path:
        if isinstance(node, LineDict) and isinstance(key, str) and key in node.key_lines:
            line = node.key_lines[key]
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line)
    return line
