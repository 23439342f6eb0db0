"""Which model fields a section carries, and how their values become YAML and back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from aisms.isms_code.registers import FILES, SectionSpec

USER = "user"
CATALOGUE = "catalogue"


@dataclass(frozen=True)
class FieldInfo:
    name: str
    field: models.Field[Any, Any]
    relation: str = ""  # "" | "fk" | "m2m"
    target: str = ""  # USER, CATALOGUE or a model label "app.Model"

    @property
    def nullable(self) -> bool:
        return bool(self.field.null)


def model_of(spec: SectionSpec) -> type[models.Model]:
    return apps.get_model(spec.model)


def _target(related: type[models.Model] | None) -> str:
    if related is None:
        return ""
    label = related._meta.label
    if label == settings.AUTH_USER_MODEL:
        return USER
    if label == "catalogue.CatalogueEntry":
        return CATALOGUE
    return label if label in exported_models() else ""


def exported_models() -> set[str]:
    return {section.model for file in FILES for section in file.sections}


def fields_of(spec: SectionSpec) -> list[FieldInfo]:
    """The exported fields of a section: concrete fields and plain many-to-many relations.

    Files (only metadata travels), database ids, and relations to models that are not exported
    (intel feeds, jobs, ...) are left out.
    """
    out: list[FieldInfo] = []
    for f in model_of(spec)._meta.get_fields():
        if f.auto_created and not f.concrete:
            continue
        if getattr(f, "primary_key", False) or f.name in spec.exclude or f.name == "history":
            continue
        if isinstance(f, models.FileField):
            continue
        if f.many_to_many:
            through = f.remote_field.through  # type: ignore[union-attr] # many-to-many fields have one
            if not through._meta.auto_created:
                continue  # a through model is exported as a section of its own
            target = _target(f.related_model)
            if target:
                out.append(FieldInfo(f.name, f, "m2m", target))  # type: ignore[arg-type] # a Field
            continue
        if f.is_relation:
            target = _target(f.related_model)
            if target:
                out.append(FieldInfo(f.name, f, "fk", target))  # type: ignore[arg-type] # a Field
            continue
        if f.concrete:
            out.append(FieldInfo(f.name, f))
    return sorted(out, key=lambda info: info.name)


def encode(info: FieldInfo, value: Any) -> Any:
    """A plain field's value as YAML-friendly data (dates and decimals as text, datetimes in UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class DecodeError(ValueError):
    pass


def decode(info: FieldInfo, raw: Any) -> Any:
    """The model value of a plain field from YAML data; DecodeError says what is wrong."""
    f = info.field
    if raw is None:
        if f.null:
            return None
        if isinstance(f, models.CharField | models.TextField):
            return ""
        if f.has_default():
            return f.get_default()
        raise DecodeError("a value is required")
    if isinstance(f, models.JSONField):
        return raw
    if isinstance(f, models.BooleanField):
        if not isinstance(raw, bool):
            raise DecodeError(f"expected true or false, got {raw!r}")
        return raw
    if isinstance(f, models.DateTimeField):
        return _datetime(raw)
    if isinstance(f, models.DateField):
        return _date(raw)
    if isinstance(f, models.DecimalField):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise DecodeError(f"expected a number, got {raw!r}")
        try:
            return Decimal(str(raw))
        except InvalidOperation as exc:
            raise DecodeError(f"expected a number, got {raw!r}") from exc
    if isinstance(f, models.FloatField):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise DecodeError(f"expected a number, got {raw!r}")
        return float(raw)
    if isinstance(f, models.IntegerField):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise DecodeError(f"expected a whole number, got {raw!r}")
        return raw
    if isinstance(f, models.CharField | models.TextField):
        if not isinstance(raw, str):
            raise DecodeError(f"expected text, got {raw!r}")
        return raw
    return raw


def _datetime(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError as exc:
            raise DecodeError(
                f"expected a date and time like 2026-01-31T09:00:00+00:00, got {raw!r}"
            ) from exc
    else:
        raise DecodeError(f"expected a date and time, got {raw!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise DecodeError(f"expected a date like 2026-01-31, got a date and time {raw!r}")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise DecodeError(f"expected a date like 2026-01-31, got {raw!r}") from exc
    raise DecodeError(f"expected a date like 2026-01-31, got {raw!r}")


def json_schema_of(spec: SectionSpec, fields: list[FieldInfo], slug_field: str) -> dict[str, Any]:
    """The JSON schema of one record of a section (types, choices, no unknown fields)."""
    props: dict[str, Any] = {}
    for info in fields:
        props[info.name] = _schema_of_field(info)
    required = list(spec.key)
    if not spec.key and not spec.singleton:
        props[slug_field] = {"type": "string", "minLength": 1}
        required = [slug_field]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def _nullable(schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    if not nullable:
        return schema
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "type": [schema["type"], "null"]}


def _schema_of_field(info: FieldInfo) -> dict[str, Any]:
    f = info.field
    if info.relation == "m2m":
        return {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    if info.relation == "fk":
        return _nullable({"type": "string"}, True)
    if isinstance(f, models.JSONField | models.DateField | models.DecimalField):
        return {}  # checked when decoded: YAML may give dates, datetimes or numbers
    if isinstance(f, models.BooleanField):
        return _nullable({"type": "boolean"}, info.nullable)
    if isinstance(f, models.FloatField):
        return _nullable({"type": "number"}, info.nullable)
    if isinstance(f, models.IntegerField):
        return _nullable({"type": "integer"}, info.nullable)
    if f.choices:
        values = [value for value, _ in f.flatchoices]
        if f.blank and "" not in values:
            values.append("")
        return _nullable({"enum": values}, True)
    if isinstance(f, models.CharField | models.TextField):
        return _nullable({"type": "string"}, True)  # null means blank
    return {}
