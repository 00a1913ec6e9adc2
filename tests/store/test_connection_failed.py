"""Which database errors re-run a turn: a lost connection yes, a wrong statement never."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import connection_failed, create_engine
from tests.conftest import PG_ADMIN_URL


async def _error_of(engine: AsyncEngine, sql: str) -> BaseException:
    with pytest.raises(Exception) as caught:
        async with engine.begin() as connection:
            await connection.execute(text(sql))
    return caught.value


@pytest.mark.postgres
async def test_a_statement_error_is_not_a_connection_failure(engine: AsyncEngine) -> None:
    assert not connection_failed(await _error_of(engine, "SELEC 1"))
    assert not connection_failed(await _error_of(engine, "SELECT * FROM no_such_table"))


async def test_a_refused_connection_is_a_connection_failure() -> None:
    url = make_url(PG_ADMIN_URL).set(host="127.0.0.1", port=1)  # nothing listens on port 1
    engine = create_engine(url.render_as_string(hide_password=False))
    try:
        assert connection_failed(await _error_of(engine, "SELECT 1"))
    finally:
        await engine.dispose()


async def test_a_terminated_session_is_a_connection_failure(fresh_pg_database: str) -> None:
    engine = create_engine(fresh_pg_database)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    except Exception as error:  # the error under test
        assert connection_failed(error)
    else:
        pytest.fail("terminating its own backend did not fail the session")
    finally:
        await engine.dispose()


def test_a_file_the_handler_cannot_write_is_not_a_connection_failure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """QA round 11: a missing CERTIFICATES_DIR was retried for 30 s as "database
    unreachable"; a unix socket that is gone (no file name on the error) still counts."""
    with pytest.raises(OSError) as caught:
        (tmp_path / "missing" / "certificate.pdf").write_bytes(b"%PDF")
    assert not connection_failed(caught.value)
    assert connection_failed(FileNotFoundError(2, "No such file or directory"))
