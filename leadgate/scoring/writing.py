"""Writing scores on leads: one statement per batch, no version bump, no audit row.

Scores are derived data: a plain UPDATE of score, grade, score_trend and
score_reasons that leaves `version` and `updated_at` alone (a nightly rescore
must not make every open edit form stale). The stored reasons arrive as JSON
text (explain.reasons_json) and go to the driver as they are. SQLite: one
executemany per batch; PostgreSQL: one UPDATE … FROM unnest(arrays) per batch
(measured faster than the executemany in bench_scoring_batch). Loaded Lead
objects are kept in step without being marked changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leadgate.leads.models import Lead

SCORE_COLUMNS = ("score", "grade", "score_trend", "score_reasons")
# PostgreSQL batches: one UPDATE … FROM unnest(arrays) instead of an executemany (the
# benchmark switches it off to measure both).
PG_ARRAYS = True


def clear_scores(session: Session, leads: Sequence[Lead]) -> None:
    rows = [{"lead_id": lead.id, **dict.fromkeys(SCORE_COLUMNS)} for lead in leads]
    write_scores(session, leads, rows, None)


def write_scores(
    session: Session,
    leads: Sequence[Any],
    rows: list[dict[str, Any]],
    loaded: Mapping[Any, Lead] | None,
    raw_ids: bool = False,
) -> None:
    if not rows:
        return
    connection = session.connection()
    arrays = PG_ARRAYS and connection.dialect.name == "postgresql" and len(rows) > 1
    if arrays and all(row["score"] is not None for row in rows):
        _write_arrays(connection, rows)
        _keep_loaded(leads, rows, loaded)
        return
    _write_rows(connection, rows, raw_ids)
    _keep_loaded(leads, rows, loaded)


def _keep_loaded(
    leads: Sequence[Any], rows: list[dict[str, Any]], loaded: Mapping[Any, Lead] | None
) -> None:
    # Keep the loaded objects in step without marking them changed.
    for lead, row in zip(leads, rows, strict=True):
        target = lead if isinstance(lead, Lead) else (loaded or {}).get(lead.id)
        if target is not None:
            for key in SCORE_COLUMNS:
                value = row[key]
                if key == "score_reasons" and isinstance(value, str):
                    value = json.loads(value)
                set_committed_value(target, key, value)


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _write_rows(connection: Any, rows: list[dict[str, Any]], raw_ids: bool) -> None:
    sql, order, processors = _update_sql(connection.dialect)
    # The values go through the column types' own bind processors (uuid, JSON), column
    # by column, then to the driver's executemany as they are: SQLAlchemy's generic
    # per-row parameter handling cost more than the UPDATEs themselves.
    columns = []
    for name in order:
        values = [row[name] for row in rows]
        processor = None if raw_ids and name == "lead_id" else processors.get(name)
        if name == "score_reasons":
            # Already JSON text (scored) or None (cleared): the driver sends it as is.
            values = [None if v is None else _json_text(v) for v in values]
        elif processor is not None:
            # None is SQL NULL (not the JSON text 'null') in every column.
            values = [None if v is None else processor(v) for v in values]
        columns.append(values)
    params: list[Any] = (
        list(zip(*columns, strict=True))
        if connection.dialect.positional
        else [dict(zip(order, values, strict=True)) for values in zip(*columns, strict=True)]
    )
    # One lead (a save) goes as a plain execute: psycopg's executemany runs in pipeline
    # mode, which cost a 4 ms scheduler tick per call on this machine.
    connection.exec_driver_sql(sql, params[0] if len(params) == 1 else params)


def _write_arrays(connection: Any, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL, many scored leads: one UPDATE … FROM unnest(arrays) per chunk. The
    arrays are dumped by the driver in C; executemany spent more per row in psycopg's
    pipeline bookkeeping than the server spent updating (bench_scoring_batch)."""
    table = Lead.__table__
    assert isinstance(table, Table)
    # The table name comes from our own metadata, quoted by the dialect; values are bound.
    name = connection.dialect.identifier_preparer.format_table(table)
    sql = (
        f"UPDATE {name} AS l SET score = v.score, grade = v.grade, "  # noqa: S608
        "score_trend = v.score_trend, score_reasons = v.score_reasons::json "
        "FROM unnest(%(ids)b::uuid[], %(scores)b::int[], %(grades)b::text[], "
        "%(trends)b::text[], %(reasons)b::text[]) "
        "AS v(id, score, grade, score_trend, score_reasons) WHERE l.id = v.id"
    )
    connection.exec_driver_sql(
        sql,
        {
            "ids": [row["lead_id"] for row in rows],
            "scores": [row["score"] for row in rows],
            "grades": [row["grade"] for row in rows],
            "trends": [row["score_trend"] for row in rows],
            # The same text the JSON type's own processor would send (json.dumps).
            "reasons": [_json_text(row["score_reasons"]) for row in rows],
        },
    )


_SQL: dict[str, tuple[str, list[str], dict[str, Any]]] = {}


def _update_sql(dialect: Any) -> tuple[str, list[str], dict[str, Any]]:
    """The UPDATE compiled once per dialect: its SQL, parameter order and bind processors."""
    found = _SQL.get(dialect.name)
    if found is None:
        table = Lead.__table__
        assert isinstance(table, Table)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("lead_id"))
            .values({name: bindparam(name) for name in SCORE_COLUMNS})
            # Derived data: a rescore is not a change of the lead (no updated_at bump).
            .values(updated_at=table.c.updated_at)
        )
        compiled = stmt.compile(dialect=dialect)
        order = list(compiled.positiontup or []) if dialect.positional else list(compiled.params)
        types = {"lead_id": table.c.id.type} | {name: table.c[name].type for name in SCORE_COLUMNS}
        processors = {}
        for name, type_ in types.items():
            processor = type_.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        found = _SQL[dialect.name] = (str(compiled), order, processors)
    return found
