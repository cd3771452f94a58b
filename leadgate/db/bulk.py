"""Bulk INSERTs straight to the DBAPI cursor, for write paths that send thousands of
rows per batch (imports).

`session.execute(insert(table), rows)` spends more time in SQLAlchemy's per-row
parameter handling than the database spends inserting. Here the statement is compiled
once per (dialect, table, columns); each column's values go through that column type's
own bind processor (the same conversion Core applies: UUIDs, JSON, dates), once per
value, or once per column when every row holds the very same object (the owner, the
batch's timestamp, a flow id), and the driver gets plain tuples. On PostgreSQL the rows
go with COPY FROM STDIN, which skips the per-row statement round trips. Rows must carry
every column they set (no Python-side defaults are applied here); the caller's
transaction is used.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# (dialect name, table name, columns) -> (sql, parameter order, processors by column)
_COMPILED: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[str], list[Any]]] = {}


def _processor(dialect: Dialect, table: Table, name: str) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    if dialect.name == "postgresql" and isinstance(column_type, JSON):
        # COPY's text format takes the JSON text itself; psycopg's Json wrapper (what
        # Core's processor returns) would serialize it with the same json.dumps.
        serializer: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
        if column_type.none_as_null:
            # As Core does for such a column: None is SQL NULL, not JSON 'null'.
            return lambda value: None if value is None else serializer(value)
        return serializer
    processor: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(
        dialect
    )
    return processor


def _compiled(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, list[str], list[Any]]:
    key = (dialect.name, table.name, columns)
    found = _COMPILED.get(key)
    if found is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        order = list(compiled.positiontup or []) if dialect.positional else list(columns)
        processors = [_processor(dialect, table, name) for name in order]
        found = _COMPILED[key] = (compiled.string, order, processors)
    return found


def _default(column: Any) -> Any:
    default: Any = column.default
    if default is not None and default.is_scalar:
        return default.arg
    if default is not None and default.is_callable:
        # SQLAlchemy wraps a zero-argument default to take the execution context.
        return default.arg(None)
    return None


def complete(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with every unset column's Python-side default, as an ORM insert stores it."""
    for column in table.columns:
        if column.name not in row:
            row[column.name] = _default(column)
    return row


def shared_defaults(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """The Python-side defaults (other than None) of the columns a row shaped like `row`
    leaves unset, for passing once as `same` to a bulk insert of many such rows. Columns
    without one are left out of the INSERT, as an ORM insert leaves them (NULL, where
    `complete` would write None, which a JSON column stores as 'null'). A column whose
    default is computed per row, like an id, must be set in the rows."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in row:
            continue
        if column.default is not None and column.default.is_callable:
            raise ValueError(f"{table.name}.{column.name} needs a value in each row")
        value = _default(column)
        if value is not None:
            defaults[column.name] = value
    return defaults


def _processed(values: Sequence[Any], processor: Any, postgresql: bool) -> Iterable[Any]:
    count = len(values)
    if count > 1 and len(set(map(id, values))) == 1:
        # One object in every row: convert it once.
        return repeat(_once(values[0], processor, postgresql), count)
    if processor is None:
        return values
    # Every value, None included, as Core does (a JSON column's None is 'null').
    none = processor(None)
    return [none if v is None else processor(v) for v in values]


def _once(value: Any, processor: Any, postgresql: bool) -> Any:
    value = value if processor is None else processor(value)
    if postgresql and type(value) is uuid.UUID:
        return str(value)  # COPY's text form, made once instead of by a dumper per row
    return value


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    same: Mapping[str, Any] | None = None,
    encoded: Collection[str] = (),
) -> None:
    """INSERT `rows` (dicts with the same keys) into `table` in the session's transaction;
    `same` holds values every row shares (converted once), `encoded` names JSON columns
    whose values are JSON text already."""
    if not rows:
        return
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    insert_columns(session, table, columns, same=same, encoded=encoded)


def insert_columns(
    session: Session,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
    encoded: Collection[str] = (),
) -> None:
    """`insert_rows` for rows given column by column (equal-length value lists)."""
    if not len(next(iter(columns.values()))):
        return
    connection = session.connection()
    sql, order, rows = driver_rows(connection.dialect, table, columns, same, encoded)
    if connection.dialect.name == "postgresql":
        _copy(connection, copy_sql(connection.dialect, table, order), rows)
        return
    params: list[Any] = (
        rows if connection.dialect.positional else [dict(zip(order, r, strict=True)) for r in rows]
    )
    connection.exec_driver_sql(sql, params[0] if len(params) == 1 else params)


def driver_rows(
    dialect: Dialect,
    table: Table,
    columns: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any] | None = None,
    encoded: Collection[str] = (),
) -> tuple[str, list[str], list[tuple[Any, ...]]]:
    """The INSERT statement, its column order and the rows as the driver takes them
    (each value through its column's bind processor) for `insert_columns`."""
    count = len(next(iter(columns.values())))
    same = same or {}
    postgresql = dialect.name == "postgresql"
    sql, order, processors = _compiled(dialect, table, (*columns, *same))
    values: list[Iterable[Any]] = []
    for name, processor in zip(order, processors, strict=True):
        if name in encoded:
            processor = None
        if name in columns:
            values.append(_processed(columns[name], processor, postgresql))
        else:
            values.append(repeat(_once(same[name], processor, postgresql), count))
    return sql, order, list(zip(*values, strict=True))


def copy_sql(dialect: Dialect, table: Table, order: Sequence[str]) -> str:
    quote = dialect.identifier_preparer.quote
    return f"COPY {quote(table.name)} ({', '.join(quote(name) for name in order)}) FROM STDIN"


def _copy(connection: Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    error = connection.dialect.loaded_dbapi.Error
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            write = copy.write_row
            for row in rows:
                write(row)
    except error as exc:
        # As SQLAlchemy raises it for its own statements (IntegrityError, …): callers
        # catch DBAPIError to fall back to row-by-row writes.
        raise DBAPIError.instance(sql, None, exc, error, dialect=connection.dialect) from exc


# Rows SQLite's ANALYZE samples per index: approximate statistics, in milliseconds.
SQLITE_ANALYSIS_LIMIT = 1000


def analyze(session: Session, tables: Sequence[str], *, sqlite: bool = False) -> None:
    """Refresh the PostgreSQL planner's statistics of `tables` (with `sqlite`, SQLite's
    too, from a sample; no-op elsewhere).

    A bulk load grows tables faster than autovacuum re-analyzes them (and it may be
    off): planned from an empty table's statistics, the next batch's prefetch queries
    scan every row loaded so far, and the import slows down batch after batch. SQLite
    never gathers statistics by itself: without them its planner guesses, e.g. takes a
    table's primary key over a covering index that answers the query alone."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {', '.join(quote(name) for name in tables)}")
    elif sqlite and connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        for name in tables:
            connection.exec_driver_sql(f"ANALYZE {quote(name)}")


def analyze_all(session: Session) -> bool:
    """SQLite: statistics for every table and index, from a sample; whether it ran.

    SQLite never gathers planner statistics by itself, and without them it guesses (a
    list sorted by score took lead_scores' primary key over its covering index: 108 ms
    against 55 ms at 1,000,000 leads). The sample keeps this to milliseconds per index
    whatever the table's size. PostgreSQL: nothing to do (autovacuum gathers its own)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    connection.exec_driver_sql("ANALYZE")
    return True
