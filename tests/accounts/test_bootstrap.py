"""The first accounts: a generated administrator password, and one demo user per role."""

from __future__ import annotations

import stat

import pytest
from django.contrib.auth import authenticate

from qixiang.accounts import bootstrap
from qixiang.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_administrator_is_created_once_with_a_generated_password_kept_private(tmp_path):
    credentials = bootstrap.ensure_administrator(tmp_path)
    assert credentials.username == "admin" and len(credentials.password) >= 12
    admin = authenticate(username="admin", password=credentials.password)
    assert admin.is_superuser and admin.role == Role.ADMINISTRATOR
    assert admin.groups.filter(name="administrator").exists()
    path = tmp_path / bootstrap.ADMIN_FILE
    assert credentials.password in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bootstrap.ensure_administrator(tmp_path) is None


def test_no_administrator_is_made_when_users_exist(tmp_path):
    User.objects.create_user("someone", password="pw")
    assert bootstrap.ensure_administrator(tmp_path) is None
    assert not (tmp_path / bootstrap.ADMIN_FILE).exists()


def test_demo_users_cover_every_role_and_can_sign_in(tmp_path):
    created = bootstrap.ensure_demo_users(tmp_path)
    assert {c.role for c in created} >= {r.value for r in Role} - {Role.ADMINISTRATOR}
    for c in created:
        user = authenticate(username=c.username, password=c.password)
        assert user.role == c.role and user.region_code == c.region
        assert user.groups.filter(name=c.role).exists()
    regulator = User.objects.get(username="regulator")
    assert regulator.region_code == "110000"
    assert bootstrap.ensure_demo_users(tmp_path) == []
    lines = (tmp_path / bootstrap.DEMO_FILE).read_text().splitlines()
    assert len(lines) == len(created)
