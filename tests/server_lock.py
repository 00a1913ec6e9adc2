"""A machine-wide readers/writer lock on the shared PostgreSQL server.

Tests run in parallel (pytest-xdist), and two runs may share this machine's server (a
local run beside CI). Every test holds the lock shared; a drill that restarts the
server holds it exclusively, so no other test has its connections cut mid-way.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_PATH = Path(tempfile.gettempdir()) / "cme-tests-postgres-server.lock"

_held = 0  # re-entrant within a process: a drill's fixtures may ask again while it holds it


@contextmanager
def postgres_server_lock(*, exclusive: bool = False) -> Iterator[None]:
    global _held
    if _held:
        _held += 1
        try:
            yield
        finally:
            _held -= 1
        return
    descriptor = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        _held = 1
        try:
            yield
        finally:
            _held = 0
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
