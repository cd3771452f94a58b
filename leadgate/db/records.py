"""Look up a mapped record class by its stored type code ("lead", "account", …).

Lets a lower layer (activities' "regarding", audit, security) reach any record
without importing the domain that owns it.
"""

from __future__ import annotations

from leadgate.db.base import Base


def record_types() -> dict[str, type[Base]]:
    found: dict[str, type[Base]] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, Base) and cls.RECORD_TYPE:
            found[cls.RECORD_TYPE] = cls
    return found


def model_for(record_type: str) -> type[Base] | None:
    return record_types().get(record_type)
