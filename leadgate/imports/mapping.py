"""Column mapping: file headers → fields, automatic from the synonym table, with the
user's overrides and saved named mappings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.audit.recording import add_record, change_record
from leadgate.core.errors import NotFound, ValidationFailed
from leadgate.core.ids import new_id
from leadgate.imports.models import ImportMapping
from leadgate.imports.synonyms import SYNONYMS
from leadgate.imports.targets import target_for
from leadgate.security.access import Actor, ensure
from leadgate.security.roles import Op

IGNORE = "-"  # map a header to "-" to leave the column out


def fold_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def auto_map(record_type: str, headers: Sequence[str]) -> dict[str, str]:
    target = target_for(record_type)
    synonyms = SYNONYMS.get(record_type, {})
    by_fold = {fold_header(f): f for f in target.fields}
    # Headers that name a field exactly win over synonyms ("external_key" beats "id").
    mapping = {h: by_fold[fold_header(h)] for h in headers if fold_header(h) in by_fold}
    taken = set(mapping.values())
    for header in headers:
        field = synonyms.get(fold_header(header))
        if header not in mapping and field is not None and field not in taken:
            mapping[header] = field
            taken.add(field)
    return mapping


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """["File header=field", …] → {header: field}."""
    result: dict[str, str] = {}
    for i, pair in enumerate(pairs):
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise ValidationFailed.on(f"map.{i}", 'expected "File header=field"')
        result[header.strip()] = field.strip()
    return result


def build_mapping(
    record_type: str,
    headers: Sequence[str],
    saved: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The mapping a job uses; refuses unknown fields and unmapped required fields."""
    target = target_for(record_type)
    mapping = auto_map(record_type, headers)
    for source in (saved or {}, overrides or {}):
        for header, field in source.items():
            if header not in headers:
                raise ValidationFailed.on(f"mapping.{header}", "no such column in the file")
            if field == IGNORE:
                mapping.pop(header, None)
                continue
            if field not in target.fields:
                raise ValidationFailed.on(
                    f"mapping.{header}", f"{record_type} has no field {field}"
                )
            mapping = {h: f for h, f in mapping.items() if f != field}
            mapping[header] = field
    mapped = set(mapping.values())
    for required in target.required:
        if not (mapped & set(required)):
            names = " or ".join(required)
            raise ValidationFailed.on(
                f"mapping.{required[0]}", f"no column is mapped to {names} (required)"
            )
    return mapping


def save_mapping(
    session: Session, actor: Actor, name: str, record_type: str, columns: Mapping[str, str]
) -> ImportMapping:
    target = target_for(record_type)
    for header, field in columns.items():
        if field != IGNORE and field not in target.fields:
            raise ValidationFailed.on(f"columns.{header}", f"{record_type} has no field {field}")
    existing = session.scalar(select(ImportMapping).where(ImportMapping.name == name))
    if existing is not None:
        ensure(actor, "import_mapping", Op.WRITE)
        change_record(
            session, actor, existing, {"record_type": record_type, "columns": dict(columns)}
        )
        return existing
    mapping = ImportMapping(id=new_id(), name=name, record_type=record_type, columns=dict(columns))
    add_record(session, actor, mapping)
    return mapping


def get_mapping(session: Session, actor: Actor, name: str) -> ImportMapping:
    ensure(actor, "import_mapping", Op.READ)
    found = session.scalar(select(ImportMapping).where(ImportMapping.name == name))
    if found is None:
        raise NotFound(f"no saved mapping named {name!r}")
    return found
