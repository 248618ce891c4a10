"""Every role against the Zhejiang records on the supervision pages: outsiders are refused.

The Zhejiang task, its report, photo, hazard and attachment belong to the Zhejiang key unit
(region 330106) and the Zhejiang agency. Regulators covering 330106, that unit and that agency
may read them; the Guangdong users, a neighbouring county (330110) and a forecaster get 403 or
404 on every page, file and action, and nothing changes.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision.fieldwork import add_photo, check_in
from qixiang.supervision.findings import attach
from qixiang.supervision.uploads import Received
from tests.supervision.pages import PDF, client_for, jpeg, media, ready_for_site

__all__ = ["media"]

EVERYONE = ["admin", "national", "zj_province", "zj_city", "zj_county", "zj_other_county",
            "gd_province", "forecaster", "zj_unit", "gd_unit", "zj_agency", "gd_agency"]
READERS = {"admin", "national", "zj_province", "zj_city", "zj_county", "zj_unit", "zj_agency"}
REFUSED = (403, 404)


@pytest.fixture
def records(world, media):
    """A task on site with a photo, an issued and uploaded report, a hazard with a file."""
    task = ready_for_site(world)
    agency = world.zj.agency_user
    check_in(task, agency, latitude=30.0, longitude=120.0, accuracy_m=5.0)
    image = jpeg()
    photo = add_photo(task, agency, Received("p.jpg", image, hashlib.sha256(image).hexdigest()))
    report = m.InspectionReport.objects.create(task=task, report_no="JC-R1", kind="periodic",
                                               issued_on=timezone.localdate(),
                                               file_sha256="0" * 64)
    report.file.save("JC-R1.pdf", ContentFile(PDF))
    hazard = m.Hazard.objects.create(hazard_no="YH-R1", site=world.zj.site, source="report",
                                     report=report, item="earthing", found_at=timezone.now())
    attachment = attach(hazard, "found", [Received("f.jpg", image, photo.sha256)], agency)[0]
    return {"task": task, "report": report, "photo": photo, "hazard": hazard,
            "attachment": attachment}


def reads(records) -> dict[str, str]:
    r = records
    return {
        "task": f"/supervision/tasks/{r['task'].pk}/",
        "hazard": f"/supervision/hazards/{r['hazard'].pk}/",
        "report file": f"/supervision/reports/{r['report'].pk}/file.pdf",
        "photo": f"/supervision/photos/{r['photo'].pk}",
        "attachment": f"/supervision/attachments/{r['attachment'].pk}",
    }


@pytest.mark.parametrize("who", EVERYONE)
def test_each_page_and_file_is_read_by_those_in_scope_only(world, records, who):
    client = client_for(world.users[who])
    for name, url in reads(records).items():
        status = client.get(url).status_code
        if who in READERS:
            assert status == 200, (who, name, status)
        else:
            assert status in REFUSED, (who, name, status)


@pytest.mark.parametrize("who", EVERYONE)
def test_lists_show_only_records_in_scope(world, records, who):
    client = client_for(world.users[who])
    pages = {"tasks": ("/supervision/tasks/", records["task"].task_no),
             "reports": ("/supervision/reports/", records["report"].report_no),
             "hazards": ("/supervision/hazards/", records["hazard"].hazard_no)}
    for name, (url, number) in pages.items():
        response = client.get(url)
        if who == "forecaster":
            assert response.status_code == 403
            continue
        assert (number in response.content.decode()) == (who in READERS), (who, name)


@pytest.mark.parametrize("who", [w for w in EVERYONE if w != "zj_agency"])
def test_only_the_tasks_inspector_works_on_site(world, records, who):
    client = client_for(world.users[who])
    task = records["task"]
    assert client.get(f"/supervision/field/{task.pk}/").status_code in REFUSED
    for action, data in (("check-out", {}), ("identity", {"method": "face", "result": "passed"}),
                         ("scan", {"code": world.zj.site.site_code}),
                         ("measurements", {"item": "earth_resistance", "value": "1"})):
        status = client.post(f"/supervision/field/{task.pk}/{action}/", data).status_code
        assert status in REFUSED, (who, action, status)
    assert not m.Measurement.objects.exists()
    session = m.FieldSession.objects.get()
    assert session.check_out_at is None and session.identity_result == "not_done"


@pytest.mark.parametrize("who", [w for w in EVERYONE if w not in ("zj_agency", "admin")])
def test_only_the_agency_moves_its_task_and_changes_its_team(world, records, who):
    client = client_for(world.users[who])
    task = records["task"]
    assert client.post(f"/supervision/tasks/{task.pk}/do/finish_measuring/").status_code in (
        REFUSED)
    assert client.post(f"/supervision/tasks/{task.pk}/team/",
                       {"kind": "first"}).status_code in REFUSED
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.ON_SITE and task.kind == "periodic"


@pytest.mark.parametrize("who", [w for w in EVERYONE if w not in ("zj_unit", "admin")])
def test_only_the_unit_submits_its_plan(world, records, who):
    hazard = records["hazard"]
    m.Hazard.objects.filter(pk=hazard.pk).update(status=m.HazardStatus.NOTIFIED)
    response = client_for(world.users[who]).post(
        f"/supervision/hazards/{hazard.pk}/do/submit_plan/", {"submit_plan-plan": "mine"})
    assert response.status_code in REFUSED
    hazard.refresh_from_db()
    assert hazard.status == m.HazardStatus.NOTIFIED and not hazard.rectifications.exists()


@pytest.mark.parametrize("who", ["zj_other_county", "gd_province", "forecaster", "zj_unit",
                                 "gd_unit", "gd_agency"])
def test_outsiders_and_the_unit_may_not_notify(world, records, who):
    hazard = records["hazard"]
    response = client_for(world.users[who]).post(
        f"/supervision/hazards/{hazard.pk}/do/notify/", {"notify-notice_kind": "opinion"})
    assert response.status_code in REFUSED
    hazard.refresh_from_db()
    assert hazard.status == m.HazardStatus.IDENTIFIED


@pytest.mark.parametrize("who", ["gd_agency", "gd_unit", "gd_province", "zj_other_county"])
def test_no_one_records_a_hazard_against_anothers_report_or_site(world, records, who):
    client = client_for(world.users[who])
    client.post("/supervision/hazards/new/", {
        "source": "report", "report": records["report"].pk, "item": "forged",
        "severity": "general"})
    client.post("/supervision/hazards/new/", {
        "source": "self_check", "site": world.zj.site.pk, "item": "forged", "severity": "general"})
    client.post("/supervision/hazards/new/", {
        "source": "enforcement", "site": world.zj.site.pk, "item": "forged",
        "severity": "general"})
    assert not m.Hazard.objects.filter(item="forged").exists()


def test_a_user_marks_only_their_own_notifications_read(world, records):
    theirs = m.Notification.objects.create(user=world.zj.unit_user, kind="hazard_step",
                                           key="x", hazard=records["hazard"])
    client_for(world.gd.unit_user).post("/supervision/notifications/read/", {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client_for(world.gd.unit_user).get("/supervision/notifications/").content.decode()
    assert records["hazard"].hazard_no not in page
