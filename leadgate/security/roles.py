"""Shipped roles and what each may do per record type.

A grant is a depth per operation: NONE, OWN (records the user owns) or ALL.
This table is the single source of truth; `access` applies it to every list,
get, update, action and timeline.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMINISTRATOR = "system_administrator"
    SALES_MANAGER = "sales_manager"
    SALESPERSON = "salesperson"
    READ_ONLY = "read_only"


class Op(StrEnum):
    READ = "read"
    CREATE = "create"
    WRITE = "write"  # update and actions (qualify, win, complete, …)
    DELETE = "delete"


class Depth(StrEnum):
    NONE = "none"
    OWN = "own"
    ALL = "all"


N, OWN, A = Depth.NONE, Depth.OWN, Depth.ALL

# record type -> role -> (read, create, write, delete)
_SALES_RECORDS = {"lead", "opportunity"}
_PARTY_RECORDS = {"account", "contact"}
_WORK_RECORDS = {"activity", "note"}
_ADMIN_RECORDS = {
    "user",
    "qualify_mapping",
    "audit_event",
    "process_flow",
    "duplicate_rule",
    "web_form",
}
# Quotes, orders and invoices are owned like opportunities; their lines follow the document.
_DOCUMENT_RECORDS = {"quote", "order", "invoice"}
# Organisation-wide reference data: everyone reads it, managers maintain it.
_CATALOG_RECORDS = {
    "unit_group",
    "unit",
    "product",
    "bundle_item",
    "price_list",
    "price_list_item",
    "discount_list",
}
# Administrators define and train scoring models; managers may look at them.
_SCORING_RECORDS = {"scoring_model", "scoring_model_version"}
# Import jobs and saved column mappings (issue 8): people import their own lists.
_IMPORT_RECORDS = {"import_job", "import_mapping"}

_GRANTS: dict[Role, dict[str, tuple[Depth, Depth, Depth, Depth]]] = {
    Role.SYSTEM_ADMINISTRATOR: {},  # everything at ALL, see depth()
    Role.SALES_MANAGER: {
        **dict.fromkeys(_SALES_RECORDS | _PARTY_RECORDS | _WORK_RECORDS, (A, A, A, A)),
        **dict.fromkeys(_DOCUMENT_RECORDS | _CATALOG_RECORDS, (A, A, A, A)),
        "opportunity_close": (A, N, N, N),
        "user": (A, N, N, N),
        "qualify_mapping": (A, N, N, N),
        "audit_event": (A, N, N, N),
        **dict.fromkeys(_SCORING_RECORDS, (A, N, N, N)),
        "process_flow": (A, N, N, N),
        **dict.fromkeys(_IMPORT_RECORDS, (A, A, A, A)),
        "duplicate_rule": (A, N, N, N),
        "web_form": (A, A, A, A),
    },
    Role.SALESPERSON: {
        **dict.fromkeys(_SALES_RECORDS, (OWN, A, OWN, OWN)),
        **dict.fromkeys(_DOCUMENT_RECORDS, (OWN, A, OWN, OWN)),
        **dict.fromkeys(_CATALOG_RECORDS, (A, N, N, N)),
        **dict.fromkeys(_PARTY_RECORDS, (A, A, OWN, OWN)),
        **dict.fromkeys(_WORK_RECORDS, (A, A, OWN, OWN)),
        "opportunity_close": (OWN, N, N, N),
        "user": (A, N, N, N),
        "qualify_mapping": (A, N, N, N),
        "process_flow": (A, N, N, N),
        **dict.fromkeys(_IMPORT_RECORDS, (OWN, A, OWN, OWN)),
        "duplicate_rule": (A, N, N, N),
    },
    Role.READ_ONLY: {
        **dict.fromkeys(_SALES_RECORDS | _PARTY_RECORDS | _WORK_RECORDS, (A, N, N, N)),
        **dict.fromkeys(_DOCUMENT_RECORDS | _CATALOG_RECORDS, (A, N, N, N)),
        "opportunity_close": (A, N, N, N),
        "user": (A, N, N, N),
        "qualify_mapping": (A, N, N, N),
        "process_flow": (A, N, N, N),
    },
}

_OP_INDEX = {Op.READ: 0, Op.CREATE: 1, Op.WRITE: 2, Op.DELETE: 3}

RECORD_TYPES = frozenset(
    _SALES_RECORDS
    | _PARTY_RECORDS
    | _WORK_RECORDS
    | _ADMIN_RECORDS
    | _DOCUMENT_RECORDS
    | _CATALOG_RECORDS
    | _SCORING_RECORDS
    | _IMPORT_RECORDS
    | {"opportunity_close"}
)


def depth(role: Role, record_type: str, op: Op) -> Depth:
    if role is Role.SYSTEM_ADMINISTRATOR:
        return Depth.ALL
    grants = _GRANTS[role].get(record_type)
    return Depth.NONE if grants is None else grants[_OP_INDEX[op]]
