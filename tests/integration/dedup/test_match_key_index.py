"""Duplicate lookups by rule and keys read the (rule_id, key, record_id) index by key, on
every database; SQLite without statistics used to scan all of a rule's keys instead."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, inspect, select

from leadgate.dedup.models import MatchKey


def test_the_rule_key_index_covers_lookups(connection: Connection) -> None:
    (index,) = [i for i in inspect(connection).get_indexes("match_keys")
                if i["name"] == "ix_match_keys_rule_key"]  # fmt: skip
    assert index["column_names"] == ["rule_id", "key", "record_id"]


def test_sqlite_searches_the_index_by_rule_and_key(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL plans from statistics; the index above is what it needs
    lookups = [
        select(MatchKey.record_id)
        .where(MatchKey.rule_id == uuid.uuid4(), MatchKey.key.in_(["k:a", "k:b"]))
        .limit(200),  # a record's duplicate check (`detection.index_lookup`)
        select(MatchKey.key, MatchKey.record_id).where(
            MatchKey.rule_id == uuid.uuid4(), MatchKey.key.in_(["k:a", "k:b", "k:c"])
        ),  # an import batch's prefetch
    ]
    for stmt in lookups:
        compiled = stmt.compile(connection, compile_kwargs={"render_postcompile": True})
        params = tuple(v.hex if isinstance(v, uuid.UUID) else v for v in compiled.params.values())
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        details = " ".join(str(row[-1]) for row in plan)
        assert "ix_match_keys_rule_key (rule_id=? AND key=?)" in details, details
