"""Shared fixtures: a fresh real database per test, on SQLite and (where marked) PostgreSQL.

A test that takes ``database_url`` runs on SQLite; mark it ``@pytest.mark.postgres``
to run it on both. PostgreSQL tests get a database of their own, cloned from a
migrated template, so runs never see each other's data. Set CME_TEST_PG_URL to point
elsewhere; CME_TEST_SKIP_PG=1 skips PostgreSQL (CI never sets it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store import migrate
from bot.store.db import create_engine, create_sessionmaker
from tests.feed_server import feed_server  # noqa: F401  (a fixture for every folder)
from tests.server_lock import postgres_server_lock

PG_ADMIN_URL = os.environ.get(
    "CME_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SKIP_PG = os.environ.get("CME_TEST_SKIP_PG") == "1"
_TEMPLATE = f"cme_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"

# Tests that start `python -m bot.cli` do so from a temporary folder: without this, the
# child imports the checkout the virtualenv was installed from (an editable install of
# another worktree), not the code under test.
_ROOT = Path(__file__).resolve().parent.parent
os.environ["PYTHONPATH"] = os.pathsep.join(
    part for part in (str(_ROOT), os.environ.get("PYTHONPATH")) if part
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "restarts_postgres: restarts the shared server (runs with no other test)"
    )


@pytest.fixture(autouse=True)
def _postgres_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """Hold the server lock for the whole test (autouse: set up before its databases)."""
    exclusive = request.node.get_closest_marker("restarts_postgres") is not None
    with postgres_server_lock(exclusive=exclusive):
        yield


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        backends = ["sqlite"]
        if metafunc.definition.get_closest_marker("postgres"):
            backends.append("postgres")
        metafunc.parametrize("backend", backends, indirect=False)


def _pg_dsn(database: str | None = None) -> str:
    url = make_url(PG_ADMIN_URL)
    if database:
        url = url.set(database=database)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(_pg_dsn())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database, created once per test session."""
    if SKIP_PG:
        pytest.skip("CME_TEST_SKIP_PG=1")

    async def create() -> None:
        await _pg_admin(f'CREATE DATABASE "{_TEMPLATE}"')
        engine = create_engine(
            make_url(PG_ADMIN_URL).set(database=_TEMPLATE).render_as_string(False)
        )
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(create())
    yield _TEMPLATE
    with postgres_server_lock():
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_TEMPLATE}" WITH (FORCE)'))


@pytest.fixture
def fresh_pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty (unmigrated) PostgreSQL database URL of its own."""
    if SKIP_PG:
        pytest.skip("CME_TEST_SKIP_PG=1")
    name = f"cme_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once: each test copies it (running the migrations for
    each of ~800 tests cost about a minute of the suite)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "cme-template.db"

    async def prepare() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    return path


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database of this test's own."""
    if backend == "sqlite":
        path = tmp_path / "cme-test.db"
        template: Path = request.getfixturevalue("sqlite_template")
        for suffix in ("", "-wal", "-shm"):  # a checkpointed template has only the first
            if (source := Path(f"{template}{suffix}")).exists():
                shutil.copyfile(source, f"{path}{suffix}")
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"cme_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)
