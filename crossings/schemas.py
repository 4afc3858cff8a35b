"""API schemas derived from a model's own field declarations, so that the API and the web forms built on
the same field list cannot drift apart (one declaration, two doors)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db import models
from ninja import Field, Schema
from pydantic import create_model


def _python_type(field: models.Field[Any, Any]) -> Any:
    if field.choices:
        values = [value for value, _label in field.flatchoices]
        if field.blank and "" not in values:
            values.append("")  # an optional choice is left empty
        return Literal[tuple(values)]
    if isinstance(field, models.DateTimeField):
        return dt.datetime
    if isinstance(field, models.DateField):
        return dt.date
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField):
        return int
    if field.max_length:
        return Annotated[str, Field(max_length=field.max_length)]
    return str


def model_fields_schema(
    name: str,
    model: type[models.Model],
    fields: list[str] | tuple[str, ...],
    *,
    partial: bool = False,
    extra: dict[str, tuple[Any, Any]] | None = None,
) -> type[Schema]:
    """A schema with one entry per model field in ``fields``, typed from the field (choices become a
    closed list, lengths are bounded). ``partial`` (for PATCH) makes every field optional with no default
    applied, so that only what the client sent is changed. Validation beyond the types stays in the model
    (``full_clean``), reached the same way by both doors."""
    spec: dict[str, Any] = {}
    for field_name in fields:
        field = model._meta.get_field(field_name)
        assert isinstance(field, models.Field)
        typ = _python_type(field)
        if partial:
            spec[field_name] = (typ | None, None)
        elif field.has_default():
            spec[field_name] = (typ, field.get_default())
        elif field.null:
            spec[field_name] = (typ | None, None)
        else:
            spec[field_name] = (typ, "")
    spec.update(extra or {})
    schema: type[Schema] = create_model(name, __base__=Schema, **spec)
    return schema
