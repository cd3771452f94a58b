"""Bulk INSERTs straight to the DBAPI (imports): the stored rows read back as the ORM
wrote them, and a refusal by the database is SQLAlchemy's error, on both databases,
leaving the savepoint's transaction usable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.ids import new_id
from leadgate.db.bulk import analyze, insert_rows
from leadgate.dedup.models import DuplicateRule, MatchKey


def test_rows_written_in_bulk_read_back_with_their_types(
    session_factory: sessionmaker[Session],
) -> None:
    record_id = new_id()
    with session_factory() as session, session.begin():
        rule = session.scalars(select(DuplicateRule)).first()
        assert rule is not None, "the migrations publish default rules"
        rule_id = rule.id
        rows = [
            {"rule_id": rule_id, "record_id": record_id, "key": f"k:{n}", "record_type": "lead"}
            for n in range(3)
        ]
        insert_rows(session, MatchKey.__table__, rows)  # type: ignore[arg-type]
        analyze(session, [MatchKey.__tablename__])
    with session_factory() as session:
        stored = session.scalars(
            select(MatchKey).where(MatchKey.record_id == record_id).order_by(MatchKey.key)
        ).all()
        assert [(k.rule_id, k.record_id, k.key) for k in stored] == [
            (rule_id, record_id, f"k:{n}") for n in range(3)
        ]


def test_a_refused_bulk_insert_raises_integrity_error_and_rolls_back_to_its_savepoint(
    session_factory: sessionmaker[Session],
) -> None:
    record_id = new_id()
    with session_factory() as session, session.begin():
        rule = session.scalars(select(DuplicateRule)).first()
        assert rule is not None
        row = {"rule_id": rule.id, "record_id": record_id, "key": "k:dup", "record_type": "lead"}
        with pytest.raises(IntegrityError), session.begin_nested():
            insert_rows(session, MatchKey.__table__, [row, dict(row)])  # type: ignore[arg-type]
        # The transaction goes on after the savepoint's rollback.
        insert_rows(session, MatchKey.__table__, [row])  # type: ignore[arg-type]
    with session_factory() as session:
        keys = session.scalars(select(MatchKey.key).where(MatchKey.record_id == record_id)).all()
        assert keys == ["k:dup"]
