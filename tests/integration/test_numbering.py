"""Gap-free numbers under concurrency: threads with their own connections take numbers
from one counter row and commit (or roll back); the numbers come out unique and
without gaps. Runs on both databases, against a counter row of its own."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from leadgate.quotes.numbering import NumberCounter, next_number

THREADS = 4
EACH = 15


@pytest.fixture
def counter(engine: Engine) -> Iterator[tuple[sessionmaker[Session], str]]:
    kind = f"test_{uuid.uuid4().hex[:12]}"
    factory = sessionmaker(bind=engine)
    with factory.begin() as session:
        session.add(NumberCounter(kind=kind, prefix="TST", last_value=0))
    yield factory, kind
    with factory.begin() as session:
        session.execute(delete(NumberCounter).where(NumberCounter.kind == kind))


def test_concurrent_numbers_are_unique_and_gap_free(
    counter: tuple[sessionmaker[Session], str],
) -> None:
    factory, kind = counter
    start = threading.Barrier(THREADS)
    taken: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(rollback_first: bool) -> None:
        try:
            start.wait()
            if rollback_first:
                # A failed use case gives its number back: no gap.
                with factory() as session, session.begin():
                    next_number(session, kind)
                    session.rollback()
            for _ in range(EACH):
                with factory.begin() as session:
                    number = next_number(session, kind)
                with lock:
                    taken.append(number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i % 2 == 0,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(taken) == [f"TST-{n:06d}" for n in range(1, THREADS * EACH + 1)]


def test_unknown_kind_is_a_clear_error(counter: tuple[sessionmaker[Session], str]) -> None:
    factory, _ = counter
    with factory() as session, pytest.raises(Exception, match="no number counter"):
        next_number(session, "no_such_kind")
