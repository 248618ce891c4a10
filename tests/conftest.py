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
