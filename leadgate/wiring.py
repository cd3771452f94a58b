"""Composition root: imports every domain's models (so string-named relations and
foreign keys resolve) and registers the cross-layer reactions.

The apps (api, web, cli) call `wire()` once at start; it is idempotent.
"""

from __future__ import annotations

from leadgate.accounts import models as _accounts  # noqa: F401
from leadgate.activities import models as _activities  # noqa: F401
from leadgate.audit import handlers as audit_handlers
from leadgate.audit import models as _audit  # noqa: F401
from leadgate.catalog import models as _catalog  # noqa: F401
from leadgate.contacts import models as _contacts  # noqa: F401
from leadgate.db.base import Base
from leadgate.dedup import handlers as dedup_handlers
from leadgate.dedup import models as _dedup  # noqa: F401
from leadgate.imports import models as _imports  # noqa: F401
from leadgate.invoices import models as _invoices  # noqa: F401
from leadgate.leads import models as _leads  # noqa: F401
from leadgate.opportunities import lines as _opportunity_lines  # noqa: F401
from leadgate.opportunities import models as _opportunities  # noqa: F401
from leadgate.opportunities.hooks import register_close_guard
from leadgate.orders import models as _orders  # noqa: F401
from leadgate.processes import handlers as process_handlers
from leadgate.processes import models as _processes  # noqa: F401
from leadgate.quotes import models as _quotes  # noqa: F401
from leadgate.quotes import numbering as _numbering  # noqa: F401
from leadgate.quotes.service import open_quote_objections
from leadgate.scoring import handlers as scoring_handlers
from leadgate.scoring import models as _scoring  # noqa: F401
from leadgate.security import models as _security  # noqa: F401
from leadgate.security import web_sessions as _web_sessions  # noqa: F401

metadata = Base.metadata


def wire() -> None:
    audit_handlers.register()
    register_close_guard(open_quote_objections)
    scoring_handlers.register()
    process_handlers.register()
    dedup_handlers.register()
