"""Matching imported records with the rows already in the database, for `aisms import --merge`.

The database rows get their natural keys from the exporter's own code, so a record of an unedited
export always finds its row; a record's fields are compared with what the export writes for that row.
"""

from __future__ import annotations

from typing import Any

from aisms.isms_code.exporter import ExportedRow, exported_rows
from aisms.isms_code.fields import DecodeError, FieldInfo, decode
from aisms.isms_code.registers import FILES, STAMP_FIELDS

Existing = dict[str, dict[str, ExportedRow]]  # model label -> natural key -> row


def existing_rows() -> Existing:
    """Every exported row of the database by model and natural key (the first row of a repeated key)."""
    rows = exported_rows()
    out: Existing = {}
    for file in FILES:
        for spec in file.sections:
            keyed = out.setdefault(spec.model, {})
            for row in rows[file.name][spec.section]:
                keyed.setdefault(row.key, row)
    return out


def changed_fields(
    fields: list[FieldInfo], record: Any, current: dict[str, Any], skip: set[str]
) -> list[str]:
    """The names of the fields ``record`` writes with a value other than the row's (``current``).

    Fields the record leaves out keep their value and are not compared, nor are bookkeeping stamps and
    the fields in ``skip`` (already reported as broken). A value that cannot be decoded counts as
    changed, so that the record is built and the problem reported with its line.
    """
    changed = []
    for info in fields:
        if info.name not in record or info.name in STAMP_FIELDS or info.name in skip:
            continue
        new, old = record[info.name], current.get(info.name)
        if info.relation == "m2m":
            differs = set(new or []) != set(old or [])
        elif info.relation == "fk":
            differs = (new or None) != old
        else:
            try:
                differs = decode(info, new) != decode(info, old)
            except DecodeError:
                differs = True
        if differs:
            changed.append(info.name)
    return changed
