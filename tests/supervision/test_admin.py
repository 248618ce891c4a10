"""The admin: every supervision model listed in Chinese, regions respected, states read-only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from qixiang.accounts.models import Role
from qixiang.supervision import models as m


@pytest.fixture
def staff(world):
    def login(name: str) -> Client:
        user = world.users[name]
        user.is_staff = True
        user.save()
        client = Client()
        client.force_login(user)
        return client
    return login


def test_every_supervision_model_except_the_chain_head_has_an_admin():
    models = {mdl for mdl in apps.get_app_config("supervision").get_models()}
    assert models - set(admin.site._registry) == {m.AuditHead}


def test_the_admin_lists_every_model_in_chinese(world, staff):
    client = staff("admin")
    page = client.get("/admin/supervision/").content.decode()
    for text in ("防雷安全监管", "重点单位", "检测资质单位", "隐患", "审计记录", "数据质量问题"):
        assert text in page
    for model in admin.site._registry:
        if model._meta.app_label == "supervision":
            url = f"/admin/supervision/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url


def test_a_regulator_in_the_admin_sees_only_their_region(world, staff):
    assert world.users["zj_county"].role == Role.REGULATOR
    page = staff("zj_county").get("/admin/supervision/site/").content.decode()
    assert world.zj.site.site_code in page and world.gd.site.site_code not in page
    other = staff("zj_county").get(f"/admin/supervision/site/{world.gd.site.pk}/change/")
    assert other.status_code == 302  # not found in their queryset: back to the index


def test_state_and_masked_id_are_read_only_and_an_id_typed_in_is_encrypted(world, staff):
    client = staff("admin")
    hazard = m.Hazard.objects.create(hazard_no="YH9", site=world.zj.site, source="self_check",
                                     item="x", found_at="2026-01-01T00:00Z")
    page = client.get(f"/admin/supervision/hazard/{hazard.pk}/change/").content.decode()
    assert 'name="status"' not in page
    inspector = world.zj.inspectors[0]
    url = f"/admin/supervision/inspector/{inspector.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="id_number"' in form
    data = {"agency": inspector.agency_id, "name": inspector.name, "title_level": "senior",
            "experience_years": 3, "id_no_check": "absent", "id_number": "11010519491231002X",
            "certificate_valid_to": "2030-01-01"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    inspector.refresh_from_db()
    assert inspector.id_no_masked == "110105********002X" and inspector.id_no_encrypted
