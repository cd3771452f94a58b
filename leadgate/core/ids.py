"""Time-ordered UUIDs (RFC 9562 version 7 layout).

Ordered ids keep B-tree inserts at the right edge of the index and make `id`
a stable tie-breaker for keyset pagination by creation time.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    """A UUIDv7; ids made in the same millisecond by this process still sort in order."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            _counter += 1
            if _counter >= 1 << 12:  # 12-bit sequence exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        else:
            _last_ms = ms
            _counter = 0
        seq = _counter
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= seq << 64
    value |= 0b10 << 62
    value |= secrets.randbits(62)
    return uuid.UUID(int=value)


_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_RANDOM_62 = (1 << 62) - 1


def new_ids(count: int) -> list[uuid.UUID]:
    """`count` UUIDv7s in order, exactly as `count` calls of `new_id` would make them
    (same layout, same per-millisecond sequence, the same lock), with one clock read
    and one draw of random bytes for them all: bulk writes make thousands per batch."""
    global _last_ms, _counter
    if count <= 0:
        return []
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms, seq = _last_ms, _counter + 1
        else:
            seq = 0
        stamps = []
        for _ in range(count):
            if seq >= 1 << 12:  # 12-bit sequence exhausted: borrow the next millisecond
                ms, seq = ms + 1, 0
            stamps.append(((ms & ((1 << 48) - 1)) << 80) | (seq << 64))
            seq += 1
        _last_ms, _counter = ms, seq - 1
    noise = os.urandom(8 * count)  # what secrets.randbits draws from
    fixed, mask, make = _VERSION_AND_VARIANT, _RANDOM_62, uuid.UUID
    return [
        make(int=stamp | fixed | (int.from_bytes(noise[8 * i : 8 * i + 8]) & mask))
        for i, stamp in enumerate(stamps)
    ]
