"""Fixtures shared by every test: the real-data folder and the real servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import services

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout (real files from public sources)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data folder {SHARED_DATA} is absent (it sits beside the checkout in CI)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _connections_stay_open_between_requests():
    """Requests never close the test's database connection, as in Django's own test client.

    Tests also call the WSGI stack directly (the EDR fast path, schemathesis); Django would close
    the connection at the end of each such request and the test's transaction with it.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def postgres_url():
    """A private PostgreSQL server for the session; skips with the reason when unavailable."""
    try:
        with services.postgres_server() as url:
            yield url
    except services.Unavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.fixture(scope="session")
def mosquitto_port():
    """A private Mosquitto broker for the session; skips with the reason when unavailable."""
    try:
        with services.mosquitto_broker() as port:
            yield port
    except services.Unavailable as exc:
        pytest.skip(f"Mosquitto unavailable: {exc}")


# libldap (loaded with libpq for the PostgreSQL tests) crashes in its own exit-time destructor
# (free() of a bad pointer in _dl_fini) once TLS libraries it relies on were finalised first: the
# run passes and then dies with SIGSEGV, which CI would count as a failure. Leave the test process
# with pytest's own exit status once pytest is done, without running C library destructors.
_exit_status = 0


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
