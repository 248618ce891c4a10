"""Fixtures of the data-service tests: clean in-memory limits, users with each kind of access,
private signing keys and journal."""

from __future__ import annotations

import pytest

from qixiang.accounts.apikeys import create_api_key
from qixiang.accounts.models import Role, User
from qixiang.dataservice import access, journal, quotas
from qixiang.dataservice.models import AccessGrant


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate buckets, usage totals and reused lookups live in process memory: start each test
    with none."""
    for clean in (quotas.rate_limiter.reset, quotas.usage_meter.reset, access.forget):
        clean()
    yield
    for clean in (quotas.rate_limiter.reset, quotas.usage_meter.reset, access.forget):
        clean()


@pytest.fixture(autouse=True)
def journal_dir(tmp_path, settings):
    """Each test journals into its own folder; nothing loads it unless the test calls
    ``journal.load()`` (no loader thread runs in tests)."""
    settings.QIXIANG_JOURNAL_DIR = tmp_path / "journal"
    yield settings.QIXIANG_JOURNAL_DIR
    journal.release()  # charges a test made outside a view go to its own folder


@pytest.fixture(autouse=True)
def key_dir(tmp_path, settings):
    """Each test signs with keys made in its own folder (never the project's var/keys)."""
    settings.QIXIANG_KEY_DIR = tmp_path / "keys"
    return settings.QIXIANG_KEY_DIR


def make_data_user(username: str = "reader", *, status: str = AccessGrant.Status.APPROVED,
                   datasets: str = "surface-obs-hourly", regions: str = "",
                   tier: str = "standard") -> tuple[User, str]:
    """A data user with a grant and an API key; returns the user and the clear key."""
    user = User.objects.create_user(username, password="pw-" + username, role=Role.DATA_USER)
    AccessGrant.objects.create(user=user, status=status, datasets=datasets, regions=regions,
                               tier=access.tier_row(tier))
    _row, key = create_api_key(user, "test")
    return user, key


@pytest.fixture
def data_user(db) -> tuple[User, str]:
    return make_data_user()
