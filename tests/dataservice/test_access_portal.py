"""Data users register in the portal (Chinese by default, English on the switch), an
administrator approves them in the admin, then they make API keys and MUSIC credentials that
are shown once and work."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory

from qixiang.accounts.models import ApiKey, Role, User
from qixiang.dataservice import access
from qixiang.dataservice.models import AccessGrant, MusicCredential
from qixiang.dataservice.music import signing

pytestmark = pytest.mark.django_db
FORM = {"username": "hydro", "email": "hydro@example.cn", "password1": "Pw-hydro-2026!",
        "password2": "Pw-hydro-2026!", "organisation": "Pearl River Hydrology",
        "purpose": "Flood forecasting", "datasets": ["surface-obs-hourly"],
        "regions": "440000"}


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def admin_client() -> Client:
    User.objects.create_superuser("root", "", "pw-root-1234", role=Role.ADMINISTRATOR)
    client = Client(HTTP_HOST="localhost")
    client.login(username="root", password="pw-root-1234")
    return client


def test_registration_page_is_chinese_by_default_and_english_on_the_switch(browser):
    assert "注册数据服务" in browser.get("/portal/register/").content.decode()
    browser.cookies["qixiang_language"] = "en"
    assert "Register for the data service" in browser.get("/portal/register/").content.decode()


def register(browser) -> User:
    answer = browser.post("/portal/register/", FORM)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return User.objects.get(username="hydro")


def test_registering_makes_a_data_user_awaiting_approval_who_cannot_make_keys(browser):
    user = register(browser)
    grant = user.data_access
    assert user.role == Role.DATA_USER and grant.status == AccessGrant.Status.PENDING
    assert grant.requested_datasets == "surface-obs-hourly" and grant.regions == "440000"
    assert grant.tier.code == "standard" and grant.organisation == "Pearl River Hydrology"
    page = browser.get("/portal/").content.decode()
    assert "等待审批" in page and "id=\"keys\"" not in page
    browser.post("/portal/keys/new/", {"name": "x"})
    assert not ApiKey.objects.filter(user=user).exists()


def test_registration_rejects_bad_region_codes(browser):
    answer = browser.post("/portal/register/", {**FORM, "regions": "44x"})
    assert answer.status_code == 200 and not User.objects.filter(username="hydro").exists()
    assert "44x" in answer.content.decode()


def test_admin_approves_and_the_user_then_makes_a_key_that_works(browser, admin_client):
    user = register(browser)
    grant = user.data_access
    answer = admin_client.post("/admin/dataservice/accessgrant/", {
        "action": "approve", "_selected_action": [grant.pk]})
    assert answer.status_code == 302
    grant.refresh_from_db()
    assert grant.status == AccessGrant.Status.APPROVED
    assert grant.datasets == "surface-obs-hourly" and grant.decided_by.username == "root"
    shown = browser.post("/portal/keys/new/", {"name": "flood model"}).content.decode()
    key = re.search(r'id="secret">(qx_[^<]+)<', shown).group(1)
    assert ApiKey.objects.get(user=user).hashed_key != key
    request = RequestFactory().get("/edr/", HTTP_AUTHORIZATION=f"Bearer {key}")
    principal = access.authorize(request, "surface-obs-hourly", 1)
    assert principal.user == user and principal.regions == ("44",)
    page = browser.get("/portal/").content.decode()
    assert key[:8] in page and key not in page


def test_music_credential_from_the_portal_is_shown_once_and_signs(browser, admin_client):
    user = register(browser)
    admin_client.post("/admin/dataservice/accessgrant/", {
        "action": "approve", "_selected_action": [user.data_access.pk]})
    shown = browser.post("/portal/music/new/").content.decode()
    user_id = re.search(r'id="music-user">([^<]+)<', shown).group(1)
    secret = re.search(r'id="secret">([^<]+)<', shown).group(1)
    assert user_id == "hydro" and MusicCredential.objects.get(user_id=user_id)
    params = signing.signed_params({"a": "1"}, user_id, secret)
    assert signing.verify(params).api_key.user == user
    assert secret not in browser.get("/portal/").content.decode()


def test_revoking_a_key_in_the_portal_stops_it(browser, admin_client):
    user = register(browser)
    admin_client.post("/admin/dataservice/accessgrant/", {
        "action": "approve", "_selected_action": [user.data_access.pk]})
    shown = browser.post("/portal/keys/new/", {"name": "k"}).content.decode()
    key = re.search(r'id="secret">(qx_[^<]+)<', shown).group(1)
    browser.post(f"/portal/keys/{key[:8]}/revoke/")
    with pytest.raises(access.NotAuthenticated):
        access.authorize(RequestFactory().get("/", HTTP_X_API_KEY=key), "surface-obs-hourly", 1)


def test_suspending_a_user_in_the_admin_refuses_their_key(browser, admin_client):
    user = register(browser)
    grant = user.data_access
    admin_client.post("/admin/dataservice/accessgrant/", {
        "action": "approve", "_selected_action": [grant.pk]})
    shown = browser.post("/portal/keys/new/", {"name": "k"}).content.decode()
    key = re.search(r'id="secret">(qx_[^<]+)<', shown).group(1)
    admin_client.post("/admin/dataservice/accessgrant/", {
        "action": "suspend", "_selected_action": [grant.pk]})
    with pytest.raises(access.Forbidden, match="暂停|suspended"):
        access.authorize(RequestFactory().get("/", HTTP_X_API_KEY=key), "surface-obs-hourly", 1)
