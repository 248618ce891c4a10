"""API keys: shown once, stored hashed, revocable, usable as Bearer or X-API-Key."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qixiang.accounts.apikeys import create_api_key, revoke, user_for_key
from qixiang.accounts.models import ApiKey, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return User.objects.create_user("op", password="x", role=Role.OPERATOR)


def test_only_the_hash_and_prefix_of_a_key_are_stored(operator):
    row, key = create_api_key(operator, "station gateway")
    stored = ApiKey.objects.values().get(pk=row.pk)
    assert key not in {str(v) for v in stored.values()}
    assert stored["hashed_key"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["prefix"] == key[:8] and key.startswith("qx_") and len(key) > 40


def test_key_finds_its_user_and_notes_the_use(operator):
    row, key = create_api_key(operator)
    assert user_for_key(key) == operator
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_wrong_revoked_or_inactive_user_key_finds_nobody(operator):
    row, key = create_api_key(operator)
    assert user_for_key(key + "x") is None
    assert user_for_key("") is None
    assert revoke(row.prefix) == 1
    assert user_for_key(key) is None
    _, other = create_api_key(operator)
    operator.is_active = False
    operator.save()
    assert user_for_key(other) is None


def test_command_prints_the_key_once_and_lists_prefixes_only(operator):
    out, err = StringIO(), StringIO()
    call_command("apikey", "create", "op", "--name", "gateway", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert user_for_key(key) == operator
    assert "shown only now" in err.getvalue()
    listing = StringIO()
    call_command("apikey", "list", stdout=listing)
    assert key[:8] in listing.getvalue() and key not in listing.getvalue()
    call_command("apikey", "revoke", key[:8], stdout=StringIO())
    assert user_for_key(key) is None


def test_command_names_an_unknown_user():
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("apikey", "create", "ghost")


def test_admin_makes_a_key_and_shows_it_once():
    from django.test import Client

    admin = User.objects.create_superuser("boss", password="pw", role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    response = client.post("/admin/accounts/apikey/add/", {"user": admin.pk, "name": "logger"},
                           follow=True)
    assert response.status_code == 200
    row = ApiKey.objects.get(name="logger")
    shown = [str(m) for m in response.context["messages"]]
    [key] = re.findall(r"qx_[A-Za-z0-9_-]{43}", " ".join(shown))  # the message may be in Chinese
    assert key.startswith(row.prefix) and user_for_key(key) == admin
    page = client.get(f"/admin/accounts/apikey/{row.pk}/change/").content.decode()
    assert key not in page
