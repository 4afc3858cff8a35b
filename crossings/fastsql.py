"""Plain SQL for the few statements on a hot path, built from the models' own metadata once per process.

Why this exists: ODK ingest must take 200 submissions a second on two small cores. Django rebuilds the SQL
of every statement each time it runs it (clone the query, resolve lookups, compile), which here costs 0.3 to
1 ms per statement: several times what SQLite or PostgreSQL take to execute it. These helpers cache the
SQL text per model and shape, and convert values exactly as the ORM does (``get_db_prep_save`` on the way
in, the backend's and field's converters on the way out), so encrypted fields, dates and booleans behave
the same on SQLite and PostgreSQL.

Use only for plain inserts and lookups by equality; everything else stays in the ORM. Like ``bulk_create``
they send no model signals, so do not use them for models that rely on signals (history, audit).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def _qn(connection: BaseDatabaseWrapper, name: str | None) -> str:
    assert name, "concrete fields and tables have names"
    return str(connection.ops.quote_name(name))


@cache
def _insert_sql(model: type[Model], alias: str, rows: int) -> tuple[str, tuple[Field[Any, Any], ...]]:
    connection = connections[alias]
    pk = model._meta.pk
    assert pk is not None
    fields = tuple(f for f in model._meta.concrete_fields if f is not pk)
    columns = ", ".join(_qn(connection, f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from model metadata, quoted by the backend; every value is a parameter.
    table = _qn(connection, model._meta.db_table)
    values = ", ".join([row] * rows)
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {_qn(connection, pk.column)}"  # noqa: S608
    return sql, fields


def insert(objs: Sequence[Model], *, using: str = "default") -> None:
    """INSERT ``objs`` (all of one model, with auto primary keys) in one statement and set their pks.
    Several rows get their ids in the order RETURNING gives them, which both backends give in VALUES
    order (Django's bulk_create relies on the same)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    sql, fields = _insert_sql(model, using, len(objs))
    params: list[Any] = []
    for obj in objs:
        assert type(obj) is model and obj.pk is None, "one model, new rows only"
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    pk = model._meta.pk
    assert pk is not None
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = using


@cache
def _select_sql(
    model: type[Model], alias: str, where: tuple[str, ...], only: tuple[str, ...] | None
) -> tuple[str, tuple[str, ...], tuple[Field[Any, Any], ...], tuple[Any, ...]]:
    connection = connections[alias]
    meta = model._meta
    concrete = {f.attname for f in meta.concrete_fields}
    assert only is None or set(only) <= concrete, (
        f"not columns of {model.__name__}: {set(only or ()) - concrete}"
    )
    fields = [f for f in meta.concrete_fields if only is None or f.attname in only or f.primary_key]
    table = meta.db_table
    where_fields: list[Any] = [meta.get_field(name) for name in where]
    selected = ", ".join(_qn(connection, f.column) for f in fields)
    condition = " AND ".join(f"{_qn(connection, f.column)} = %s" for f in where_fields)
    sql = f"SELECT {selected} FROM {_qn(connection, table)} WHERE {condition} LIMIT 1"  # noqa: S608
    columns = tuple(f.get_col(table) for f in fields)
    return sql, tuple(f.attname for f in fields), tuple(where_fields), columns


def fetch(
    model: type[M], *, only: Sequence[str] | None = None, using: str = "default", **where: Any
) -> M | None:
    """The first row of ``model`` whose columns equal ``where`` (by field name or attname), or None.
    ``only`` limits the columns loaded (the rest are deferred, as with ``QuerySet.only``). ``where``
    values may not be None (``= NULL`` matches nothing, where the ORM would write ``IS NULL``)."""
    assert None not in where.values(), "fetch() compares with '=': use the ORM for IS NULL"
    connection = connections[using]
    sql, names, where_fields, columns = _select_sql(
        model, using, tuple(where), tuple(only) if only is not None else None
    )
    params = [f.get_db_prep_value(v, connection) for f, v in zip(where_fields, where.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, col in zip(row, columns, strict=True):
        # Converters are looked up on this connection each time (cheap), not cached: a cached bound method
        # would keep the first thread's connection alive.
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        values.append(value)
    return model.from_db(using, names, values)
