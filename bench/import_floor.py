"""The second floor of the import benchmark: the nine rows an imported lead writes,
inserted raw into the real, indexed tables.

Each CSV row becomes what a created lead leaves in the database: the lead (with its
normalised keys), its "create" audit event, three match keys (one per published
default lead rule), a process-flow instance on the default lead flow's first stage,
its first stage visit and its "create" audit event, and the import row outcome. The
rows are built and converted to the driver's values untimed (ids, JSON texts, keys);
only the driver calls are timed: one `executemany` per table (SQLite) or one
`COPY … FROM STDIN` per table (PostgreSQL, as the import writes), and one commit per
2,000 leads (the import's batch). The tables start empty with every index, foreign
key and constraint of the schema, as the import's do, in a database of their own
(created and dropped here).

This is the write cost no import path with these nine rows per lead can avoid; the
import's rows/s over this floor's leads/s says how much the rest (reading, checking,
building the rows) costs on top.
"""

from __future__ import annotations

import csv
import json
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table

from leadgate.audit.models import AuditEvent
from leadgate.core.clock import utcnow
from leadgate.core.ids import new_ids
from leadgate.db.bulk import copy_sql, driver_rows
from leadgate.db.engine import make_session_factory
from leadgate.dedup.index import published_rules
from leadgate.dedup.models import MatchKey
from leadgate.imports.models import ImportRow
from leadgate.imports.service import ImportOptions, start_import
from leadgate.leads.models import Lead
from leadgate.processes.cache import FlowVersion
from leadgate.processes.models import ProcessInstance, StageVisit
from leadgate.processes.starting import default_flow
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user

CHUNK = 2000  # leads per commit, as the import's batches
COLUMNS = ["external_key", "topic", "first_name", "last_name", "company_name", "email", "phone",
           "city", "country", "estimated_value", "lead_source", "rating"]  # fmt: skip
TABLES = ("leads", "audit_events", "match_keys", "process_instances", "process_stage_visits",
          "import_rows")  # fmt: skip


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(path: Path) -> Iterator[list[dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        chunk: list[dict[str, Any]] = []
        for cells in reader:
            row: dict[str, Any] = dict(zip(COLUMNS, cells, strict=True))
            row["estimated_value"] = Decimal(row["estimated_value"])
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _statements(
    engine: Engine,
    actor: Actor,
    rules: list[uuid.UUID],
    flow: FlowVersion,
    job_id: uuid.UUID,
    first_row: int,
    chunk: list[dict[str, Any]],
) -> list[tuple[str, str, list[str], list[tuple[Any, ...]]]]:
    """(table, sql, column order, driver rows) of the chunk's nine rows per lead."""
    dialect, now, user, n = engine.dialect, utcnow(), actor.user_id, len(chunk)
    lead_ids, instance_ids = new_ids(n), new_ids(n)
    stamps = {"created_at": now, "updated_at": now, "created_by_id": user,
              "updated_by_id": user, "version": 1}  # fmt: skip
    leads = {name: [row[name] for row in chunk] for name in COLUMNS}
    leads |= {
        "id": lead_ids,
        "email_key": [row["email"].lower() for row in chunk],
        "phone_key": ["+" + "".join(c for c in row["phone"] if c.isdigit()) for row in chunk],
        "company_key": [row["company_name"].lower() for row in chunk],
    }
    lead_same = {"owner_id": user, "state": "open", "status": "new", "currency": "USD",
                 "do_not_email": False, "do_not_phone": False, "do_not_bulk_email": False,
                 "list_vendor": "bench", **stamps}  # fmt: skip
    lead_changes = [
        json.dumps({k: [None, str(v) if isinstance(v, Decimal) else v] for k, v in row.items()})
        for row in chunk
    ]
    first = flow.stages[0]
    instance_changes = [
        json.dumps({"flow_id": [None, str(flow.id)], "flow_family_id": [None, str(flow.family_id)],
                    "lead_id": [None, str(i)], "record_type": [None, "lead"],
                    "state": [None, "active"], "active_stage": [None, first.key],
                    "path": [None, [first.key]], "is_current": [None, True]})
        for i in lead_ids
    ]  # fmt: skip
    events = {"occurred_at": now, "actor_id": user, "channel": "import", "action": "create",
              "summary": ""}  # fmt: skip
    keys: dict[str, list[Any]] = {"rule_id": [], "record_id": [], "key": []}
    for rule, prefix in zip(rules, ("e", "p", "c"), strict=False):
        for lead_id, row in zip(lead_ids, chunk, strict=True):
            keys["rule_id"].append(rule)
            keys["record_id"].append(lead_id)
            keys["key"].append(f"{prefix}:{row['email' if prefix == 'e' else 'company_name']}")
    work: list[tuple[Table, dict[str, Any], dict[str, Any], tuple[str, ...]]] = [
        (_table(Lead), leads, lead_same, ()),
        (_table(AuditEvent), {"id": new_ids(n), "record_id": lead_ids, "changes": lead_changes},
         {**events, "record_type": "lead"}, ("changes",)),
        (_table(MatchKey), keys, {"record_type": "lead"}, ()),
        (_table(ProcessInstance), {"id": instance_ids, "lead_id": lead_ids},
         {"flow_id": flow.id, "flow_family_id": flow.family_id, "record_type": "lead",
          "state": "active", "active_stage": first.key, "path": [first.key],
          "is_current": True, **stamps}, ()),
        (_table(StageVisit), {"id": new_ids(n), "instance_id": instance_ids,
                              "record_id": lead_ids},
         {"flow_id": flow.id, "flow_family_id": flow.family_id, "stage_key": first.key,
          "record_type": "lead", "owner_id": user, "entered_at": now, "entered_by_id": user},
         ()),
        (_table(AuditEvent), {"id": new_ids(n), "record_id": instance_ids,
                              "changes": instance_changes},
         {**events, "record_type": "process_instance"}, ("changes",)),
        (_table(ImportRow), {"row_number": list(range(first_row, first_row + n)),
                             "record_id": lead_ids},
         {"job_id": job_id, "outcome": "created"}, ()),
    ]  # fmt: skip
    out = []
    for table, columns, same, encoded in work:
        sql, order, rows = driver_rows(dialect, table, columns, same, encoded)
        if dialect.name == "postgresql":
            sql = copy_sql(dialect, table, order)
        out.append((table.name, sql, order, rows))
    return out


def nine_row_floor(engine: Engine, path: Path) -> tuple[float, int, dict[str, float]]:
    """(seconds in driver calls and commits, leads, seconds per table) for the file's rows
    written as nine raw rows each into `engine`'s freshly migrated, empty database."""
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        user = create_user(session, None, UserCreate(
            email="floor@leadgate.example", full_name="Floor",
            role=Role.SYSTEM_ADMINISTRATOR, password="bench-password-123",
        ))  # fmt: skip
        actor = actor_for_user(user, "cli").via("import")
        job = start_import(session, actor, path, path.name, ImportOptions("lead", "skip", "bench"))
        rules = [r.id for r in published_rules(session) if r.base_type == r.match_type == "lead"]
        flow = default_flow(session, "lead", actor.role.value)
        assert flow is not None, "the migrations ship an active default lead flow"
    per_table = dict.fromkeys(TABLES, 0.0)
    elapsed, leads = 0.0, 0
    raw = engine.raw_connection()
    try:
        for chunk in _chunks(path):
            statements = _statements(engine, actor, rules, flow, job.id, leads + 1, chunk)
            start = time.perf_counter()
            for table, sql, _, rows in statements:
                began = time.perf_counter()
                _write(raw, engine.dialect.name, sql, rows)
                per_table[table] += time.perf_counter() - began
            raw.commit()
            elapsed += time.perf_counter() - start
            leads += len(chunk)
    finally:
        raw.close()
    return elapsed, leads, per_table


def _write(raw: Any, dialect: str, sql: str, rows: list[tuple[Any, ...]]) -> None:
    cursor = raw.cursor()
    try:
        if dialect == "postgresql":
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            if not raw.in_transaction:
                cursor.execute("BEGIN")
            cursor.executemany(sql, rows)
    finally:
        cursor.close()
