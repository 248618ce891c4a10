"""The data quality page: scoped lists, the owner's view, acknowledging and dismissing."""

from __future__ import annotations

import pytest
from django.test import Client

from qixiang.supervision import models as m
from qixiang.supervision.quality import runner


@pytest.fixture
def issues(world):
    runner.run()
    return world


def page(user, query: str = ""):
    client = Client()
    client.force_login(user)
    return client, client.get(f"/supervision/quality/{query}")


def labels(response) -> set[str]:
    return {i.record_label for i in response.context["page"].object_list}


def test_a_key_unit_sees_its_own_issues_and_never_the_other_provinces(issues):
    _client, response = page(issues.zj.unit_user)
    assert response.status_code == 200
    shown = labels(response)
    assert str(issues.zj.key_unit) in shown
    assert str(issues.gd.key_unit) not in shown
    assert not any(i.subject == issues.gd.subject for i in response.context["page"])


def test_the_owners_view_narrows_to_what_the_organisation_must_correct(issues):
    _client, everything = page(issues.zj.agency_user)
    _client, mine = page(issues.zj.agency_user, "?owner=mine")
    mine_issues = list(mine.context["page"])
    assert mine_issues
    assert all(i.owner_subject == issues.zj.agency.subject for i in mine_issues)
    assert len(mine_issues) <= everything.context["page"].paginator.count


def test_a_regulators_own_view_is_the_bureaus_issues_of_the_region(issues):
    m.DataQualityIssue.objects.create(rule="storage.duplicate_subject", stage="storage",
                                      message="dup", subject=issues.zj.subject,
                                      fingerprint="dup-zj")
    m.DataQualityIssue.objects.create(rule="storage.duplicate_subject", stage="storage",
                                      message="dup", subject=issues.gd.subject,
                                      fingerprint="dup-gd")
    _client, mine = page(issues.users["zj_city"], "?owner=mine")
    shown = list(mine.context["page"])
    assert [i.fingerprint for i in shown] == ["dup-zj"]


def test_filters_by_stage_and_rule(issues):
    _client, response = page(issues.users["admin"], "?stage=capture&rule=capture.mandatory_fields")
    found = list(response.context["page"])
    assert found and {i.rule for i in found} == {"capture.mandatory_fields"}


def test_the_owner_acknowledges_and_a_key_unit_may_not_dismiss(issues):
    issue = m.DataQualityIssue.objects.filter(owner_subject=issues.zj.subject,
                                              status="open").first()
    client, _ = page(issues.zj.unit_user)
    refused = client.post(f"/supervision/quality/{issue.pk}/",
                          {"action": "dismiss", "reason": "no"})
    assert refused.status_code == 403
    done = client.post(f"/supervision/quality/{issue.pk}/", {"action": "acknowledge"})
    assert done.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "acknowledged"


def test_a_regulator_dismisses_with_a_reason_and_others_cannot_touch_foreign_issues(issues):
    issue = m.DataQualityIssue.objects.filter(subject=issues.zj.subject, status="open").first()
    other, _ = page(issues.users["gd_province"])
    assert other.post(f"/supervision/quality/{issue.pk}/",
                      {"action": "dismiss", "reason": "x"}).status_code == 404
    client, _ = page(issues.users["zj_county"])
    client.post(f"/supervision/quality/{issue.pk}/", {"action": "dismiss", "reason": ""})
    issue.refresh_from_db()
    assert issue.status == "open"
    client.post(f"/supervision/quality/{issue.pk}/",
                {"action": "dismiss", "reason": "accepted as is"})
    issue.refresh_from_db()
    assert issue.status == "dismissed" and issue.resolution == "accepted as is"


def test_users_without_a_supervision_role_are_refused(issues):
    _client, response = page(issues.users["forecaster"])
    assert response.status_code == 403


def test_the_page_is_chinese_by_default(issues):
    client = Client()
    client.force_login(issues.users["admin"])
    from django.utils import translation

    with translation.override("zh-hans"):
        response = client.get("/supervision/quality/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "数据质量" in response.content.decode()
