"""Chinese is the default language: model and app names, and the admin, read in Chinese."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.utils.functional import Promise
from django.utils.translation import override

from qixiang.accounts.models import Role, User


def qixiang_models():
    return [m for m in apps.get_models() if m.__module__.startswith("qixiang.")]


def untranslated(text: Promise) -> bool:
    with override("en"):
        english = str(text)
    with override("zh-hans"):
        chinese = str(text)
    return chinese == english


def test_every_translatable_verbose_name_of_our_models_and_apps_has_chinese():
    missing = set()
    for config in apps.get_app_configs():
        if config.name.startswith("qixiang.") and untranslated(config.verbose_name):
            missing.add(f"{config.name}: {config.verbose_name}")
    for model in qixiang_models():
        for name in ("verbose_name", "verbose_name_plural"):
            text = model._meta.original_attrs.get(name)  # set in Meta, not derived
            if isinstance(text, Promise) and untranslated(text):
                missing.add(f"{model._meta.label}: {text}")
        for field in model._meta.get_fields():
            for text in (getattr(field, "verbose_name", None), getattr(field, "help_text", None)):
                if isinstance(text, Promise) and untranslated(text):
                    missing.add(f"{model._meta.label}.{field.name}: {text}")
    assert not missing, "no Chinese in the catalogs for:\n" + "\n".join(sorted(missing))


def test_role_labels_are_chinese_by_default():
    with override("zh-hans"):
        assert [str(label) for label in Role.labels] == [
            "管理员", "运维人员", "预报员", "数据用户", "监管人员"]


@pytest.mark.django_db
def test_admin_site_greets_in_chinese_with_our_titles():
    User.objects.create_superuser("root", "", "pw-root-1234", role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(User.objects.get(username="root"))
    page = client.get("/admin/").content.decode()
    assert "qixiang 气象 管理" in page
    assert "账户与角色" in page and "数据接入" in page
    client.cookies["qixiang_language"] = "en"
    english = client.get("/admin/").content.decode()
    assert "qixiang administration" in english
