"""Inspections through the pages: a task from its creation to an uploaded, accepted report."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from qixiang.supervision import models as m
from tests.supervision.pages import PDF, client_for, media, ready_for_site, upload

__all__ = ["media"]


def messages_of(response) -> list[str]:
    return [str(x) for x in response.context["messages"]] if response.context else []


def step(client, task, action: str, data: dict | None = None, **kwargs):
    return client.post(f"/supervision/tasks/{task.pk}/do/{action}/", data or {}, **kwargs)


def test_an_agency_creates_a_task_by_the_sites_code_and_files_its_plan(world):
    client = client_for(world.zj.agency_user)
    today = timezone.localdate()
    inspectors = [i.pk for i in world.zj.inspectors]
    response = client.post("/supervision/tasks/new/", {
        "site_code": world.zj.site.site_code.lower(), "kind": "periodic", "contract_no": "HT-7",
        "window_start": today.isoformat(), "window_end": (today + dt.timedelta(days=2)).isoformat(),
        "inspectors": inspectors, "instruments": [world.zj.instrument.pk]})
    task = m.InspectionTask.objects.get(contract_no="HT-7")
    assert response["Location"] == f"/supervision/tasks/{task.pk}/"
    assert task.task_no.startswith("RW") and task.site == world.zj.site
    assert task.agency == world.zj.agency and task.status == m.InspectionStatus.CONTRACTED
    page = client.get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert 'id="step-file_plan"' in page and 'id="team"' in page
    step(client, task, "file_plan", {"file_plan-window_start": today.isoformat(),
                                     "file_plan-window_end": today.isoformat()})
    step(client, task, "pre_report")
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.PRE_REPORTED and task.plan_filed_at
    assert m.Notification.objects.filter(user=world.users["zj_county"], task=task,
                                         kind="task_step").exists()
    assert m.Notification.objects.filter(user=world.zj.unit_user, task=task).exists()


def test_a_site_outside_the_agencys_province_and_filings_is_not_found(world):
    client = client_for(world.zj.agency_user)
    response = client.post("/supervision/tasks/new/", {
        "site_code": world.gd.site.site_code, "kind": "periodic"})
    assert response.status_code == 200
    assert world.gd.site.site_code in response.content.decode()
    assert not m.InspectionTask.objects.filter(site=world.gd.site, agency=world.zj.agency)
    m.AgencyFiling.objects.create(agency=world.zj.agency, region_code="440300",
                                  filed_on=timezone.localdate())
    response = client.post("/supervision/tasks/new/", {
        "site_code": world.gd.site.site_code, "kind": "periodic"})
    assert response.status_code == 302


def test_only_agency_staff_create_tasks(world):
    for who in ("zj_county", "zj_unit", "admin"):
        assert client_for(world.users[who]).get("/supervision/tasks/new/").status_code == 403


def test_a_plan_refused_by_the_workflow_says_why_and_stays_contracted(world):
    task = world.zj.task
    task.inspectors.set(world.zj.inspectors[:1])
    client = client_for(world.zj.agency_user)
    today = timezone.localdate().isoformat()
    response = step(client, task, "file_plan", {"file_plan-window_start": today,
                                                "file_plan-window_end": today}, follow=True)
    assert any("at least 2 inspectors" in x for x in messages_of(response))
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.CONTRACTED


def on_site_with_values(world) -> m.InspectionTask:
    task = ready_for_site(world)
    client = client_for(world.zj.agency_user)
    client.post(f"/supervision/field/{task.pk}/check-in/", {"latitude": "30", "longitude": "120",
                                                           "accuracy": "5"})
    earthing = world.zj.components[0]
    client.post(f"/supervision/field/{task.pk}/measurements/", {
        "component": earthing.pk, "item": "earth_resistance", "point": "E1", "value": "12.5"})
    step(client, task, "finish_measuring")
    return task


def test_the_report_is_drafted_signed_issued_and_uploaded_from_the_task_page(world, media):
    task = on_site_with_values(world)
    client = client_for(world.zj.agency_user)
    step(client, task, "draft", {"draft-conclusion_text": "earthing fails at E1"})
    step(client, task, "sign", {"sign-signatories": [i.pk for i in world.zj.inspectors]})
    step(client, task, "issue")
    report = m.InspectionReport.objects.get(task=task)
    assert report.conclusion == "fail" and report.signatories.count() == 2
    hazard = m.Hazard.objects.get(report=report)
    assert hazard.component == world.zj.components[0]
    response = step(client, task, "upload",
                    {"upload-file": upload("report.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    report.refresh_from_db()
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.UPLOADED
    assert report.file_sha256 == hashlib.sha256(PDF).hexdigest()
    assert (media / report.file.name).read_bytes() == PDF
    entry = m.AuditEntry.objects.filter(action="inspectiontask.upload").get()
    assert entry.change["data"]["file"] == report.file_sha256
    # the key unit reads the report on itself; the regulator is told of the upload
    unit = client_for(world.zj.unit_user)
    assert report.report_no in unit.get("/supervision/reports/").content.decode()
    served = unit.get(f"/supervision/reports/{report.pk}/file.pdf")
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF
    assert m.Notification.objects.filter(user=world.users["zj_county"], kind="task_step",
                                         params__action="upload").exists()


def test_a_report_file_that_is_not_a_pdf_is_refused_naming_it(world, media):
    task = on_site_with_values(world)
    client = client_for(world.zj.agency_user)
    for action, data in (("draft", {}), ("sign", {"sign-signatories": [
            i.pk for i in world.zj.inspectors]}), ("issue", {})):
        step(client, task, action, data)
    response = step(client, task, "upload",
                    {"upload-file": upload("scan.docx", b"PK\x03\x04 word")}, follow=True)
    assert any("scan.docx is not a PDF file" in x for x in messages_of(response))
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.ISSUED


def test_the_regulator_screens_and_accepts_and_the_agency_may_not(world):
    task = on_site_with_values(world)
    agency = client_for(world.zj.agency_user)
    for action, data in (("draft", {}), ("sign", {"sign-signatories": [
            i.pk for i in world.zj.inspectors]}), ("issue", {})):
        step(agency, task, action, data)
    m.InspectionReport.objects.filter(task=task).update(file_sha256="0" * 64)
    m.InspectionTask.objects.filter(pk=task.pk).update(status=m.InspectionStatus.UPLOADED)
    assert step(agency, task, "screen", {"screen-score": "1"}).status_code == 403
    regulator = client_for(world.users["zj_city"])
    step(regulator, task, "screen", {"screen-score": "1", "screen-findings": "A10 capacity"})
    step(regulator, task, "accept")
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.ACCEPTED
    assert task.report.screening_findings == ["A10 capacity"]


def test_report_lists_filter_by_upload_state_and_the_files_stay_in_region(world, media):
    task = on_site_with_values(world)
    agency = client_for(world.zj.agency_user)
    for action, data in (("draft", {}), ("sign", {"sign-signatories": [
            i.pk for i in world.zj.inspectors]}), ("issue", {})):
        step(agency, task, action, data)
    report = task.report
    regulator = client_for(world.users["zj_province"])
    assert report.report_no in regulator.get("/supervision/reports/?uploaded=no").content.decode()
    assert report.report_no not in regulator.get(
        "/supervision/reports/?uploaded=yes").content.decode()
    m.InspectionReport.objects.filter(pk=report.pk).update(
        upload_due=timezone.localdate() - dt.timedelta(days=1))
    assert report.report_no in regulator.get("/supervision/reports/?uploaded=late").content.decode()
    step(agency, task, "upload", {"upload-file": upload("r.pdf", PDF)})
    assert regulator.get(f"/supervision/reports/{report.pk}/file.pdf").status_code == 200
    for outsider in ("gd_province", "zj_other_county", "gd_agency", "gd_unit"):
        client = client_for(world.users[outsider])
        assert client.get(f"/supervision/reports/{report.pk}/file.pdf").status_code == 404
        assert report.report_no not in client.get("/supervision/reports/").content.decode()


def test_task_lists_filter_by_status_and_planned_month(world):
    task = ready_for_site(world)
    regulator = client_for(world.users["zj_county"])
    month = timezone.localdate().strftime("%Y-%m")
    assert task.task_no in regulator.get(f"/supervision/tasks/?month={month}").content.decode()
    assert task.task_no in regulator.get(
        "/supervision/tasks/?status=pre_reported").content.decode()
    assert task.task_no not in regulator.get(
        "/supervision/tasks/?status=contracted").content.decode()
    assert task.task_no not in regulator.get("/supervision/tasks/?month=2001-01").content.decode()


def test_the_team_is_changed_only_by_the_agency_before_the_plan_is_filed(world):
    task = world.zj.task
    data = {"kind": "periodic", "contract_no": "HT-9", "inspectors": [world.zj.inspectors[0].pk]}
    assert client_for(world.users["zj_county"]).post(
        f"/supervision/tasks/{task.pk}/team/", data).status_code == 403
    client_for(world.zj.agency_user).post(f"/supervision/tasks/{task.pk}/team/", data)
    task.refresh_from_db()
    assert task.contract_no == "HT-9" and list(task.inspectors.all()) == world.zj.inspectors[:1]
    other_agency_inspector = world.gd.inspectors[0].pk
    client_for(world.zj.agency_user).post(f"/supervision/tasks/{task.pk}/team/", {
        **data, "inspectors": [other_agency_inspector]})
    assert not task.inspectors.filter(pk=other_agency_inspector).exists()
