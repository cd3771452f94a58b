"""Ids are UUIDv7: time-ordered, so ids made later sort later (also within a millisecond)."""

from __future__ import annotations

import itertools
import time
import uuid

from leadgate.core.ids import new_id, new_ids


def test_new_id_is_a_version_7_rfc_9562_uuid() -> None:
    value = new_id()
    assert isinstance(value, uuid.UUID)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_new_id_carries_the_current_unix_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after + 1


def test_ids_made_in_a_burst_are_unique_and_strictly_increasing() -> None:
    ids = [new_id() for _ in range(5000)]  # far more than one per millisecond
    assert len(set(ids)) == len(ids)
    assert all(a < b for a, b in itertools.pairwise(ids))
    assert all(a.bytes < b.bytes for a, b in itertools.pairwise(ids))


def test_ids_made_in_bulk_continue_the_order_of_single_ones() -> None:
    # More than one millisecond's 4,096-step sequence in one call, between single ids.
    ids = [new_id(), *new_ids(10_000), new_id(), *new_ids(3), new_id()]
    assert all(v.version == 7 and v.variant == uuid.RFC_4122 for v in ids)
    assert len(set(ids)) == len(ids)
    assert all(a < b for a, b in itertools.pairwise(ids))
    assert new_ids(0) == []


def test_ids_made_in_bulk_carry_random_bits() -> None:
    low = [v.int & ((1 << 62) - 1) for v in new_ids(1000)]
    assert len(set(low)) == len(low)
