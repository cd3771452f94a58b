"""Test fixtures: every database test runs on SQLite and on PostgreSQL, each test inside
a transaction that is rolled back, so no test sees another's leftovers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from leadgate.asgi import create_app
from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine
from leadgate.db.migrate import upgrade
from leadgate.security import passwords
from leadgate.security.roles import Role
from leadgate.wiring import wire
from tests.factories import Api, make_user

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with its smallest cost parameters: still real argon2 (hash and verify), but a
    test user costs a millisecond instead of half a second. Production parameters are
    untouched; only this test process uses the cheap hasher."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", lambda: cheap)
        yield


def _postgres_url() -> str:
    return os.environ.get("LEADGATE_TEST_POSTGRES_URL", DEFAULT_PG)


def _fresh_postgres(url: str) -> Engine:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:
        engine.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable at {url} under CI: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable at {url}: {exc}")
    return engine


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    wire()
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "leadgate.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
    else:
        url = _postgres_url()
        engine = _fresh_postgres(url)
    upgrade(url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Each use case's `session.begin()` becomes a SAVEPOINT inside the test's transaction.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def dialect(engine: Engine) -> str:
    """ "sqlite" or "postgresql": the database this test runs on."""
    return engine.dialect.name


@pytest.fixture
def settings() -> Settings:
    return Settings(env="test", secret_key="x" * 32, database_url="sqlite://")


@pytest.fixture(scope="session")
def _shared_app() -> Iterator[tuple[FastAPI, TestClient]]:
    """One app for the whole run: FastAPI prepares each route on an app's first requests,
    which costs more than most tests; `app_client` points it at each test's transaction."""
    placeholder = Settings(env="test", secret_key="x" * 32, database_url="sqlite://")
    app = create_app(placeholder, sessionmaker())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client


@pytest.fixture
def app_client(
    settings: Settings,
    session_factory: sessionmaker[Session],
    _shared_app: tuple[FastAPI, TestClient],
) -> Iterator[TestClient]:
    app, client = _shared_app
    app.state.settings = settings
    app.state.session_factory = app.state.write_session_factory = session_factory
    yield client
    # Nothing of this test may reach the next one through the shared app.
    app.state.session_factory = app.state.write_session_factory = sessionmaker()
    app.dependency_overrides.clear()
    client.cookies.clear()


@pytest.fixture
def api_as(app_client: TestClient, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """api_as(Role.SALESPERSON) → an API client signed in as a new user of that role."""

    def build(role: Role = Role.SYSTEM_ADMINISTRATOR, email: str | None = None) -> Api:
        with session_factory() as session, session.begin():
            user, token = make_user(session, role, email)
        return Api(app_client, token, user.id)

    return build


@pytest.fixture
def admin(api_as) -> Api:  # type: ignore[no-untyped-def]
    return api_as(Role.SYSTEM_ADMINISTRATOR)
