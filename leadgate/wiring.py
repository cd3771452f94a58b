"""Composition root: imports every domain's models (so string-named relations and
foreign keys resolve) and registers the cross-layer reactions.

The apps (api, web, cli) call `wire()` once at start; it is idempotent.
"""

from __future__ import annotations

from leadgate.accounts import models as _accounts  # noqa: F401
from leadgate.activities import models as _activities  # noqa: F401
from leadgate.audit import handlers as audit_handlers
from leadgate.audit import models as _audit  # noqa: F401
from leadgate.contacts import models as _contacts  # noqa: F401
from leadgate.db.base import Base
from leadgate.dedup import handlers as dedup_handlers
from leadgate.dedup import models as _dedup  # noqa: F401
from leadgate.imports import models as _imports  # noqa: F401
from leadgate.leads import models as _leads  # noqa: F401
from leadgate.opportunities import models as _opportunities  # noqa: F401
from leadgate.security import models as _security  # noqa: F401

metadata = Base.metadata


def wire() -> None:
    audit_handlers.register()
    dedup_handlers.register()
