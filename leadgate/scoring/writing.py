"""Writing scores: one statement per batch into `lead_scores`, nothing on the lead row.

Scores are derived data kept in the lead's score row (`LeadScore`): writing one
leaves the lead's `version` and `updated_at` alone (a nightly rescore must not make
every open edit form stale) and writes no audit row. A scored lead gets its row
inserted or, when it has one, updated (one upsert: a lead saved by another
transaction meanwhile cannot make the batch fail); a cleared lead loses its row.
The stored reasons arrive as JSON text (reasons.reasons_json) and go to the driver
as they are. SQLite: one executemany per batch; PostgreSQL: one INSERT … SELECT FROM
unnest(binary arrays) per batch, sent by a thread while the next batch is scored
(`BatchWriter`). Loaded Lead objects are kept in step without being marked changed.

Why a side table: a first scoring that rewrote the wide lead rows (no HOT update,
twelve index entries each) capped PostgreSQL at ≈ 14,000 leads/s; inserting the
narrow rows does not (bench/RESULTS.md, "Predictive lead scoring").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from sqlalchemy import Connection, Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leadgate.leads.models import Lead, LeadScore

SCORE_COLUMNS = ("score", "grade", "score_trend", "score_reasons", "fingerprint")
# A batch of score rows, column by column: "lead_id" and each of SCORE_COLUMNS → one
# value per lead (the reasons as JSON text). Built and written without a dict per lead.
ScoreColumns = dict[str, list[Any]]
_TABLE = LeadScore.__table__
# PostgreSQL batches: one upsert FROM unnest(arrays) instead of an executemany (the
# benchmark switches it off to measure both).
PG_ARRAYS = True


def clear_scores(session: Session, leads: Sequence[Lead]) -> None:
    """The leads lose their score (their model is gone and no other covers them)."""
    if not leads:
        return
    ids = [lead.id for lead in leads]
    for start in range(0, len(ids), 5000):
        session.execute(delete(LeadScore).where(LeadScore.lead_id.in_(ids[start : start + 5000])))
    for lead in leads:
        set_committed_value(lead, "score_row", None)


def write_scores(
    session: Session,
    leads: Sequence[Any],
    rows: ScoreColumns,
    loaded: Mapping[Any, Lead] | None,
    raw_ids: bool = False,
) -> None:
    """Store `rows` (lead_id and every SCORE_COLUMNS value, the reasons as JSON text)."""
    if not rows["lead_id"]:
        return
    _store(session.connection(), rows, raw_ids)
    _keep_loaded(leads, rows, loaded)


def _store(connection: Connection, rows: ScoreColumns, raw_ids: bool) -> None:
    if PG_ARRAYS and connection.dialect.name == "postgresql" and len(rows["lead_id"]) > 1:
        _write_arrays(connection, rows)
    else:
        _write_rows(connection, rows, raw_ids)


class BatchWriter:
    """Writes the scored batches of a rescore. On PostgreSQL each batch is written by a
    thread while the caller scores the next one: the server stores one batch while
    Python works out the next (psycopg lets go of the GIL while it waits). The caller
    calls `wait` before it uses the connection again (to read the next batch): one
    statement at a time on the connection, in the same transaction as ever.

    Leaving the `with` block waits for the last write and raises its error, if any."""

    def __init__(self, session: Session, loaded: Mapping[Any, Lead] | None, raw_ids: bool) -> None:
        self._connection = session.connection()
        self._loaded = loaded
        self._raw_ids = raw_ids
        self._pool = (
            ThreadPoolExecutor(1, thread_name_prefix="leadgate-scores")
            if self._connection.dialect.name == "postgresql"
            else None
        )
        self._pending: Future[None] | None = None

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if error is None:
                self.wait()
            elif self._pending is not None:
                # Another error is on its way out: only make sure the connection is free.
                wait([self._pending])
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def submit(self, leads: Sequence[Any], rows: ScoreColumns) -> None:
        if not rows["lead_id"]:
            return
        self.wait()
        _keep_loaded(leads, rows, self._loaded)
        if self._pool is None:
            _store(self._connection, rows, self._raw_ids)
        else:
            self._pending = self._pool.submit(_store, self._connection, rows, self._raw_ids)

    def wait(self) -> None:
        """The last batch is written (its error raised here): the connection is free."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()


def _keep_loaded(
    leads: Sequence[Any], rows: ScoreColumns, loaded: Mapping[Any, Lead] | None
) -> None:
    # Keep the loaded objects in step without marking them changed (the relationship is
    # read-only for the ORM: the row object is never flushed).
    if not loaded and not isinstance(leads[0], Lead):
        return  # rows of a rescore, none of them loaded in this session
    for at, lead in enumerate(leads):
        target = lead if isinstance(lead, Lead) else (loaded or {}).get(lead.id)
        if target is not None:
            values = {key: rows[key][at] for key in SCORE_COLUMNS}
            values["score_reasons"] = json.loads(values["score_reasons"])
            set_committed_value(target, "score_row", LeadScore(lead_id=target.id, **values))


def _write_rows(connection: Connection, rows: ScoreColumns, raw_ids: bool) -> None:
    sql, order, processors = _upsert_sql(connection.dialect)
    # The values go through the column types' own bind processors (uuid), column by
    # column, then to the driver's executemany as they are: SQLAlchemy's generic per-row
    # parameter handling cost more than the statements themselves.
    columns = []
    for name in order:
        values = rows[name]
        # The reasons are JSON text already (no processor): the driver sends them as is.
        processor = None if raw_ids and name == "lead_id" else processors.get(name)
        if processor is not None:
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


def _write_arrays(connection: Connection, rows: ScoreColumns) -> None:
    """PostgreSQL, many scored leads: one upsert FROM unnest(arrays) per chunk. The arrays
    are dumped by the driver in C; executemany spent more per row in psycopg's pipeline
    bookkeeping than the server spent writing (bench_scoring_batch)."""
    # The table name comes from our own metadata, quoted by the dialect; values are bound.
    name = connection.dialect.identifier_preparer.format_table(_TABLE)
    sql = (
        f"INSERT INTO {name} (lead_id, score, grade, score_trend, score_reasons, "  # noqa: S608
        "fingerprint) SELECT v.lead_id, v.score, v.grade, v.score_trend, "
        "v.score_reasons::json, v.fingerprint "
        "FROM unnest(%(ids)b::uuid[], %(scores)b::int[], %(grades)b::text[], "
        "%(trends)b::text[], %(reasons)b::text[], %(prints)b::text[]) "
        "AS v(lead_id, score, grade, score_trend, score_reasons, fingerprint) "
        "ON CONFLICT (lead_id) DO UPDATE SET score = excluded.score, grade = excluded.grade, "
        "score_trend = excluded.score_trend, score_reasons = excluded.score_reasons, "
        "fingerprint = excluded.fingerprint"
    )
    connection.exec_driver_sql(
        sql,
        {
            "ids": rows["lead_id"],
            "scores": rows["score"],
            "grades": rows["grade"],
            "trends": rows["score_trend"],
            # The same text the JSON type's own processor would send (json.dumps).
            "reasons": rows["score_reasons"],
            "prints": rows["fingerprint"],
        },
    )


_SQL: dict[str, tuple[str, list[str], dict[str, Any]]] = {}


def _upsert_sql(dialect: Any) -> tuple[str, list[str], dict[str, Any]]:
    """The upsert compiled once per dialect: its SQL, parameter order and bind processors."""
    found = _SQL.get(dialect.name)
    if found is None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        names = ("lead_id", *SCORE_COLUMNS)
        assert isinstance(_TABLE, Table)
        stmt = insert(_TABLE)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_TABLE.c.lead_id],
            set_={name: stmt.excluded[name] for name in SCORE_COLUMNS},
        )
        compiled = stmt.compile(dialect=dialect, column_keys=list(names))
        order = list(compiled.positiontup or []) if dialect.positional else list(names)
        processors = {}
        for name in names:
            processor = _TABLE.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None and name != "score_reasons":
                processors[name] = processor
        found = _SQL[dialect.name] = (str(compiled), order, processors)
    return found
