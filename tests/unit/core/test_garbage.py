"""Bulk work runs the cyclic garbage collector less often, and puts it back as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from leadgate.core.garbage import BULK_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def _default_threshold() -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*old)


def test_the_youngest_generation_runs_less_often_inside() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def _failing_batch() -> None:
    with fewer_collections(5_000):
        assert gc.get_threshold()[0] == 5_000
        raise RuntimeError("batch failed")


def test_the_threshold_is_restored_when_the_work_fails() -> None:
    with pytest.raises(RuntimeError, match="batch failed"):
        _failing_batch()
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_already_set_is_kept() -> None:
    gc.set_threshold(200_000, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 200_000
    assert gc.get_threshold()[0] == 200_000


def test_a_batch_rescore_and_an_import_collect_fewer_times(
    recwarn: pytest.WarningsRecorder,
) -> None:
    # What the threshold buys, counted (not timed): allocations that stay alive, as a
    # batch's rows do, trigger far fewer collections inside.
    def collections_while_allocating() -> int:
        seen: list[int] = []

        def count(phase: str, _info: dict[str, int]) -> None:
            if phase == "start":
                seen.append(1)

        gc.callbacks.append(count)
        try:
            kept = [[i] for i in range(100_000)]
        finally:
            gc.callbacks.remove(count)
        assert len(kept) == 100_000
        return len(seen)

    default = collections_while_allocating()
    with fewer_collections():
        fewer = collections_while_allocating()
    assert fewer * 10 < default
