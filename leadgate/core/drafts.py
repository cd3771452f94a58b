"""A record's field values as a plain object, for code that only reads attributes.

Bulk paths (imports) check duplicates and announce created records without
building an ORM instance per row: a Draft costs a dict, an ORM object a unit of
work's bookkeeping. Missing fields read as None, like an unset nullable column.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class Draft(SimpleNamespace):
    """Attribute access over a record's values; `RECORD_TYPE` names its type."""

    RECORD_TYPE: str
    id: Any

    def __init__(self, record_type: str, /, **values: Any) -> None:
        super().__init__(RECORD_TYPE=record_type, **values)

    @property
    def full_name(self) -> str:
        # The one virtual field duplicate rules read (leads and contacts define it alike).
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names never set; dunder lookups must still fail normally.
        if name.startswith("__"):
            raise AttributeError(name)
        return None
