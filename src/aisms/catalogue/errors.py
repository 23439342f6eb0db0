"""Errors raised while reading catalogue files; they name the file, line and field."""

from __future__ import annotations


class CatalogueError(Exception):
    """A catalogue or upstream file is malformed or refers to something that does not exist."""

    def __init__(self, file: str, message: str, line: int | None = None, field: str | None = None) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = file
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")
