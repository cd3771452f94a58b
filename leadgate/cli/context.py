"""What every CLI command needs: settings, a session factory, the acting user, one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, NoReturn, TypeVar

from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from leadgate.core.errors import DomainError
from leadgate.core.settings import ConfigError, get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.security.access import Actor
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.service import actor_for_user, find_user
from leadgate.wiring import wire

F = TypeVar("F", bound=Callable[..., Any])
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def one_line_errors(func: F) -> F:
    """Domain and database errors become one clear line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            fields = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            fail(f"{exc.detail}" + (f" ({fields})" if fields and fields not in exc.detail else ""))
        except ValidationError as exc:
            # Options are validated by the same input schemas as the API.
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'input'}: "
                f"{str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            )
            fail(f"invalid input ({problems})")
        except ConfigError as exc:
            fail(str(exc))
        except (OperationalError, ProgrammingError) as exc:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            fail(f"database not ready ({first}); run `leadgate db upgrade`")

    return wrapper  # type: ignore[return-value]


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: committed when the command succeeds, rolled back when it fails."""
    wire()
    engine = make_engine(get_settings().database_url)
    factory = make_session_factory(engine, writes=True)
    try:
        with factory() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def cli_actor(session: Session, email: str | None) -> Actor:
    """The user a command acts as: --as EMAIL, else the first active administrator."""
    if email:
        user = find_user(session, email)
    else:
        found = session.scalar(
            select(User)
            .where(User.role == Role.SYSTEM_ADMINISTRATOR.value, User.is_active.is_(True))
            .order_by(User.created_at)
        )
        if found is None:
            fail(
                "no administrator exists yet; run `leadgate user create EMAIL --role "
                "system_administrator --password-stdin` or `leadgate demo load`"
            )
        user = found
    if not user.is_active:
        fail(f"user {user.email} is deactivated")
    return actor_for_user(user, "cli")
