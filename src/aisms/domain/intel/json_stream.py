"""Streaming JSON for feed parsers: ijson (C backend when installed) over a binary file, with progress,
and exact error positions (byte offset, line, JSON path) worked out only when something is wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson

from aisms.domain.intel.records import IntelParseError, Position

Progress = Callable[[int, int | None], None]
BUFFER_SIZE = 256 * 1024
# Above this size an error is located by the bytes read so far instead of a second exact pass.
EXACT_LOCATION_LIMIT = 256 * 1024 * 1024

BACKEND: str = ijson.backend


class CountingReader:
    """Wraps a binary file: counts bytes read and reports progress."""

    def __init__(self, fp: IO[bytes], total: int | None = None, progress: Progress | None = None) -> None:
        self._fp = fp
        self.total = total
        self.done = 0
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._fp.read(size)
        self.done += len(data)
        if self._progress is not None and data:
            self._progress(self.done, self.total)
        return data


def file_size(fp: IO[bytes]) -> int | None:
    try:
        position = fp.tell()
        fp.seek(0, 2)
        size = fp.tell()
        fp.seek(position)
    except (OSError, AttributeError, ValueError):
        return None
    return size


def _read_all(fp: IO[bytes]) -> bytes | None:
    size = file_size(fp)
    if size is None or size > EXACT_LOCATION_LIMIT:
        return None
    try:
        fp.seek(0)
        return fp.read()
    except (OSError, ValueError):
        return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def syntax_error(filename: str, fp: IO[bytes], reader: CountingReader, exc: Exception) -> IntelParseError:
    """Turn an ijson error into one naming the exact byte and line (truncated input or malformed JSON)."""
    message = str(exc)
    truncated = "premature EOF" in message
    data = _read_all(fp)
    if data is None:
        reason = "truncated: the file ends inside a value" if truncated else "malformed JSON"
        return IntelParseError(filename, Position(reader.done), reason)
    stripped_end = len(data.rstrip())
    if not data.strip():
        return IntelParseError(filename, Position(0, 1), "empty file: expected a JSON document")
    try:
        json.loads(data)
    except json.JSONDecodeError as decode_error:
        # JSONDecodeError.pos counts characters of the decoded text; convert to a byte offset.
        text = data.decode("utf-8", "replace")
        offset = len(text[: decode_error.pos].encode("utf-8"))
        if truncated or offset >= stripped_end:
            return IntelParseError(
                filename,
                Position(stripped_end, _line_of(data, stripped_end)),
                f"truncated: the file ends inside a value ({decode_error.msg.lower()})",
            )
        return IntelParseError(
            filename,
            Position(offset, decode_error.lineno),
            f"malformed JSON: {decode_error.msg.lower()} (column {decode_error.colno})",
        )
    except UnicodeDecodeError as decode_error:
        return IntelParseError(
            filename, Position(decode_error.start, _line_of(data, decode_error.start)), "not UTF-8 text"
        )
    reason = "truncated: the file ends inside a value" if truncated else f"malformed JSON: {message.strip()}"
    return IntelParseError(filename, Position(reader.done), reason)


_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


def locate(fp: IO[bytes], path: tuple[str | int, ...]) -> Position:
    """The byte offset and line where the value at a JSON path (keys and array indices) starts.

    Used on the error path only; falls back to offset 0 when the file cannot be re-read."""
    data = _read_all(fp)
    where = path_text(path)
    if data is None:
        return Position(0, None, where)
    stack: list[list[Any]] = []  # [kind, key or index, expecting key]
    target = list(path)

    def value_start(after: int) -> int:
        index = after
        while index < len(data) and data[index : index + 1] in b" \t\r\n":
            index += 1
        return index

    for match in _TOKEN.finditer(data):
        token = match.group(0)
        if token == b"{":
            stack.append(["o", None, True])
        elif token == b"[":
            stack.append(["a", 0, False])
            start = value_start(match.end())
            if data[start : start + 1] != b"]" and [f[1] for f in stack] == target:
                return Position(start, _line_of(data, start), where)
        elif token in (b"}", b"]"):
            if stack:
                stack.pop()
        elif token == b":":
            if stack and [f[1] for f in stack] == target:
                start = value_start(match.end())
                return Position(start, _line_of(data, start), where)
        elif token == b",":
            if stack and stack[-1][0] == "a":
                stack[-1][1] += 1
                if [f[1] for f in stack] == target:
                    start = value_start(match.end())
                    return Position(start, _line_of(data, start), where)
            elif stack:
                stack[-1][2] = True
        elif stack and stack[-1][0] == "o" and stack[-1][2]:
            try:
                stack[-1][1] = json.loads(token)
            except ValueError:
                stack[-1][1] = None
            stack[-1][2] = False
    return Position(0, None, where)


def path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def items(reader: CountingReader, prefix: str) -> Iterator[Any]:
    """The values at an ijson prefix (e.g. 'objects.item'), floats as float."""
    return ijson.items(reader, prefix, use_float=True, buf_size=BUFFER_SIZE)  # type: ignore[no-any-return]


def head(fp: IO[bytes], size: int = 65536) -> bytes:
    """The first bytes of a seekable file, position restored."""
    position = fp.tell()
    data = fp.read(size)
    fp.seek(position)
    return data


def root_scalars(data: bytes) -> tuple[str | None, dict[str, Any]]:
    """From the first bytes of a JSON file: the root's kind ('map', 'array', other) and its scalar
    keys seen there, e.g. {'type': 'bundle', 'id': 'bundle--...'}; nested values are not built."""
    root: str | None = None
    scalars: dict[str, Any] = {}
    keys: list[str] = []
    try:
        for prefix, event, value in ijson.parse(data, use_float=True):
            if root is None:
                root = {"start_map": "map", "start_array": "array"}.get(event, "scalar")
                if root != "map":
                    break
            if prefix == "" and event == "map_key":
                keys.append(value)
            elif prefix and "." not in prefix and event in ("string", "number", "boolean", "null"):
                scalars[prefix] = value
    except ijson.JSONError:
        pass
    scalars.setdefault("__keys__", keys)
    return root, scalars
