"""The homes of regulators, key units and agencies; notifications; Chinese first, English switch."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.test import Client
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from tests.supervision.pages import client_for


def kpi(page: str, name: str) -> int:
    found = re.search(rf'id="kpi-{name}">(\d+)<', page)
    assert found, name
    return int(found.group(1))


def hazard(world, province: str, no: str, **fields) -> m.Hazard:
    site = getattr(world, province).site
    return m.Hazard.objects.create(hazard_no=no, site=site, source="self_check", item=no,
                                   found_at=fields.pop("found_at", timezone.now()), **fields)


def test_the_regulator_overview_counts_its_region_only(world):
    today = timezone.localdate()
    hazard(world, "zj", "Z1", status="notified", deadline=today - dt.timedelta(days=1))
    hazard(world, "zj", "Z2", status="evidence_submitted", severity="major")
    hazard(world, "zj", "Z3", status="closed", closed_at=timezone.now())
    hazard(world, "gd", "G1", status="overdue")
    m.InspectionTask.objects.filter(pk=world.zj.task.pk).update(
        window_start=today, status=m.InspectionStatus.ISSUED)
    m.InspectionReport.objects.create(task=world.zj.task, report_no="JC-D1", kind="periodic",
                                      issued_on=today, upload_due=today - dt.timedelta(days=1))
    page = client_for(world.users["zj_county"]).get("/supervision/").content.decode()
    assert kpi(page, "key-units") == 1
    assert kpi(page, "open-hazards") == 2
    assert kpi(page, "overdue") == 1
    assert kpi(page, "tasks-month") == 1
    assert kpi(page, "awaiting-upload") == 1
    chart = json.loads(re.search(r'id="hazard-chart"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert len(chart["months"]) == 12 and chart["months"][-1] == today.strftime("%Y-%m")
    assert chart["found"][-1] == 3 and chart["closed"][-1] == 1
    assert {s["state"]: s["count"] for s in chart["states"]}["notified"] == 1
    assert "vendor/echarts.min.js" in page and "supervision/dashboard.js" in page
    national = client_for(world.users["national"]).get("/supervision/").content.decode()
    assert kpi(national, "key-units") == 2 and kpi(national, "open-hazards") == 3


def test_a_key_unit_home_lists_its_hazards_to_act_on_and_its_sites(world):
    mine = hazard(world, "zj", "Z-ACT", status="notified",
                  deadline=timezone.localdate() + dt.timedelta(days=5))
    hazard(world, "gd", "G-ACT", status="notified")
    page = client_for(world.zj.unit_user).get("/supervision/").content.decode()
    assert f"/supervision/hazards/{mine.pk}/" in page and "G-ACT" not in page
    assert world.zj.site.site_code in page and world.zj.subject.name in page


def test_an_agency_home_shows_uploads_due_and_calibrations_running_out(world):
    today = timezone.localdate()
    m.InspectionTask.objects.filter(pk=world.zj.task.pk).update(status=m.InspectionStatus.ISSUED)
    m.InspectionReport.objects.create(task=world.zj.task, report_no="JC-AG", kind="periodic",
                                      issued_on=today, upload_due=today + dt.timedelta(days=2))
    instrument = world.zj.instrument
    instrument.calib_valid_to = today + dt.timedelta(days=20)
    instrument.save()
    page = client_for(world.zj.agency_user).get("/supervision/").content.decode()
    assert "JC-AG" in page and instrument.serial_no in page
    assert "/supervision/tasks/new/" in page
    other = client_for(world.gd.agency_user).get("/supervision/").content.decode()
    assert "JC-AG" not in other and instrument.serial_no not in other


def test_users_with_no_part_in_supervision_are_refused_and_anonymous_sent_to_log_in(world):
    assert client_for(world.users["forecaster"]).get("/supervision/").status_code == 403
    response = Client().get("/supervision/hazards/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_notifications_read_in_the_readers_language_and_are_marked_read(world):
    h = hazard(world, "zj", "YH-N", status="notified",
               deadline=timezone.localdate() + dt.timedelta(days=3))
    news.notify([world.zj.unit_user], m.NotificationKind.HAZARD_REMINDER, "k1", hazard=h,
                **news.hazard_params(h, days=3))
    english = client_for(world.zj.unit_user)
    page = english.get("/supervision/notifications/").content.decode()
    assert "Hazard YH-N at zj tank farm must be rectified by" in page
    assert 'id="unread-count">1<' in page
    chinese = Client()
    chinese.force_login(world.zj.unit_user)
    assert "整改" in chinese.get("/supervision/notifications/").content.decode()
    english.post("/supervision/notifications/read/", {})
    assert not m.Notification.objects.filter(read_at__isnull=True).exists()
    assert 'id="unread-count"' not in english.get("/supervision/notifications/").content.decode()


def test_pages_are_chinese_by_default_with_an_english_switch(world):
    client = Client()
    client.force_login(world.users["zj_county"])
    for url in ("/supervision/", "/supervision/tasks/", "/supervision/reports/",
                "/supervision/hazards/"):
        page = client.get(url).content.decode()
        assert "防雷安全监管" in page or "隐患" in page, url
        assert "Inspection tasks" not in page, url
    client.cookies["qixiang_language"] = "en"
    assert "Inspection tasks" in client.get("/supervision/").content.decode()
