"""Bulk INSERTs straight to the DBAPI cursor, for write paths that send thousands of
rows per batch (imports).

`session.execute(insert(table), rows)` spends more time in SQLAlchemy's per-row
parameter handling than the database spends inserting. Here the statement is compiled
once per (dialect, table, columns); each column's values go through that column type's
own bind processor once (the same conversion Core applies: UUIDs, JSON, dates), and the
driver gets plain tuples or dicts. On PostgreSQL the rows go with COPY FROM STDIN,
which skips the per-row statement round trips. Rows must carry every column they set
(no Python-side defaults are applied here); the caller's transaction is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# (dialect name, table name, columns) -> (sql, parameter order, processors by column)
_COMPILED: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[str], list[Any]]] = {}


def _compiled(
    dialect: Dialect, table: Table, columns: tuple[str, ...]
) -> tuple[str, list[str], list[Any]]:
    key = (dialect.name, table.name, columns)
    found = _COMPILED.get(key)
    if found is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        order = list(compiled.positiontup or []) if dialect.positional else list(columns)
        processors: list[Callable[[Any], Any] | None] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        ]
        found = _COMPILED[key] = (compiled.string, order, processors)
    return found


def complete(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with every unset column's Python-side default, as an ORM insert stores it."""
    for column in table.columns:
        if column.name in row:
            continue
        default: Any = column.default
        if default is None:
            row[column.name] = None
        elif default.is_scalar:
            row[column.name] = default.arg
        elif default.is_callable:
            # SQLAlchemy wraps a zero-argument default to take the execution context.
            row[column.name] = default.arg(None)
        else:
            row[column.name] = None
    return row


def _columns(rows: Sequence[dict[str, Any]], order: list[str], processors: list[Any]) -> list[Any]:
    columns = []
    for name, processor in zip(order, processors, strict=True):
        values = [row[name] for row in rows]
        if processor is not None:
            # Every value, None included, as Core does (a JSON column's None is 'null').
            values = [processor(v) for v in values]
        columns.append(values)
    return columns


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    columns = tuple(rows[0])
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows)
        return
    sql, order, processors = _compiled(connection.dialect, table, columns)
    values = _columns(rows, order, processors)
    params: list[Any] = (
        list(zip(*values, strict=True))
        if connection.dialect.positional
        else [dict(zip(order, row, strict=True)) for row in zip(*values, strict=True)]
    )
    connection.exec_driver_sql(sql, params[0] if len(params) == 1 else params)


def _copy(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> None:
    _, order, processors = _compiled(connection.dialect, table, columns)
    values = _columns(rows, order, processors)
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in order)
    raw = connection.connection.dbapi_connection
    assert raw is not None
    sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    error = connection.dialect.loaded_dbapi.Error
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            for row in zip(*values, strict=True):
                copy.write_row(row)
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
