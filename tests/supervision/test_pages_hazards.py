"""The hazard loop through the pages: each role's steps, files by sha256, news to the next side."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from qixiang.supervision import models as m
from tests.supervision.pages import client_for, jpeg, media, upload

__all__ = ["media"]


def messages_of(response) -> list[str]:
    return [str(x) for x in response.context["messages"]] if response.context else []


def issued_report(world) -> m.InspectionReport:
    task = world.zj.task
    m.InspectionTask.objects.filter(pk=task.pk).update(status=m.InspectionStatus.ISSUED)
    return m.InspectionReport.objects.create(task=task, report_no="JC-H1", kind="periodic",
                                             issued_on=timezone.localdate())


def step(client, hazard, action: str, data: dict | None = None, **kwargs):
    return client.post(f"/supervision/hazards/{hazard.pk}/do/{action}/", data or {}, **kwargs)


def test_a_hazard_found_in_a_report_is_closed_through_the_pages_by_three_roles(world, media):
    report = issued_report(world)
    agency = client_for(world.zj.agency_user)
    response = agency.post("/supervision/hazards/new/", {
        "source": "report", "report": report.pk, "component": world.zj.components[0].pk,
        "item": "down-conductor corroded", "severity": "general",
        "files": upload("found.jpg", jpeg(), "image/jpeg")})
    hazard = m.Hazard.objects.get(item="down-conductor corroded")
    assert response["Location"] == f"/supervision/hazards/{hazard.pk}/"
    assert hazard.site == world.zj.site and hazard.found_by == world.zj.agency_user
    assert hazard.attachments.get().stage == "found"
    step(agency, hazard, "notify", {"notify-notice_kind": "opinion", "notify-notice_no": "YJ-1"})
    hazard.refresh_from_db()
    assert hazard.status == "notified" and hazard.deadline == timezone.localdate() + dt.timedelta(
        days=30)
    assert m.Notification.objects.filter(user=world.zj.unit_user, hazard=hazard,
                                         params__action="notify").exists()

    unit = client_for(world.zj.unit_user)
    plan_file = b"%PDF-1.4 plan"
    step(unit, hazard, "submit_plan", {"submit_plan-plan": "replace the conductor",
                                       "submit_plan-owner": "Wang",
                                       "submit_plan-files": upload("plan.pdf", plan_file)})
    step(unit, hazard, "start")
    photo = jpeg(colour=(9, 9, 9))
    step(unit, hazard, "submit_evidence", {"submit_evidence-evidence": "replaced; 0.1 ohm",
                                           "submit_evidence-files": upload("after.jpg", photo)})
    hazard.refresh_from_db()
    assert hazard.status == "evidence_submitted"
    stages = dict(hazard.attachments.values_list("stage", "sha256"))
    assert stages["plan"] == hashlib.sha256(plan_file).hexdigest()
    assert stages["evidence"] == hashlib.sha256(photo).hexdigest()
    assert m.Notification.objects.filter(user=world.users["zj_county"], hazard=hazard,
                                         params__action="submit_evidence").exists()

    regulator = client_for(world.users["zj_county"])
    step(regulator, hazard, "verify", {"verify-result": "passed", "verify-note": "re-tested"})
    step(regulator, hazard, "close")
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.closed_at is not None
    page = regulator.get(f"/supervision/hazards/{hazard.pk}/").content.decode()
    assert "replace the conductor" in page and "re-tested" in page
    assert 'id="steps-none"' in page
    actions = list(m.AuditEntry.objects.filter(object_type="supervision.Hazard",
                                               object_id=str(hazard.pk))
                   .values_list("action", "actor"))
    assert [a for a in actions if a[0].startswith("hazard.")] == [
        ("hazard.found", "zj-agency"), ("hazard.notify", "zj-agency"), ("hazard.submit_plan", "zj-unit"),
        ("hazard.start", "zj-unit"), ("hazard.submit_evidence", "zj-unit"),
        ("hazard.verify", "zj_county"), ("hazard.close", "zj_county")]
    attachment = hazard.attachments.get(stage="evidence")
    served = unit.get(f"/supervision/attachments/{attachment.pk}")
    assert b"".join(served.streaming_content) == photo


def test_a_rejected_rectification_goes_back_to_the_unit_for_a_new_round(world):
    hazard = m.Hazard.objects.create(hazard_no="YH-R", site=world.zj.site, source="self_check",
                                     item="SPD", found_at=timezone.now())
    regulator, unit = client_for(world.users["zj_city"]), client_for(world.zj.unit_user)
    step(regulator, hazard, "notify", {"notify-notice_kind": "order"})
    step(unit, hazard, "submit_plan", {"submit_plan-plan": "swap the SPD"})
    step(unit, hazard, "start")
    step(unit, hazard, "submit_evidence", {"submit_evidence-evidence": "swapped"})
    step(regulator, hazard, "verify", {"verify-result": "failed", "verify-note": "wrong model"})
    response = step(regulator, hazard, "close", follow=True)
    assert any("did not pass" in x for x in messages_of(response))
    step(regulator, hazard, "reject", {"reject-reason": "wrong model"})
    assert m.Notification.objects.filter(user=world.zj.unit_user, params__action="reject")
    step(unit, hazard, "resume")
    hazard.refresh_from_db()
    assert hazard.status == "rectifying"
    assert list(hazard.rectifications.values_list("round", "result")) == [(1, "failed"), (2, "")]


def test_a_key_unit_records_a_self_check_hazard_at_its_own_site_only(world):
    unit = client_for(world.zj.unit_user)
    form = unit.get("/supervision/hazards/new/").content.decode()
    assert 'value="self_check"' in form and 'value="report"' not in form
    assert world.gd.site.name not in form
    unit.post("/supervision/hazards/new/", {"source": "self_check", "site": world.zj.site.pk,
                                           "item": "air terminal bent", "severity": "general"})
    hazard = m.Hazard.objects.get(item="air terminal bent")
    assert hazard.source == "self_check" and hazard.subject == world.zj.subject
    assert m.Notification.objects.filter(user=world.users["zj_county"], hazard=hazard,
                                         kind="hazard_found").exists()
    unit.post("/supervision/hazards/new/", {"source": "self_check", "site": world.gd.site.pk,
                                           "item": "elsewhere", "severity": "general"})
    unit.post("/supervision/hazards/new/", {"source": "report", "site": world.zj.site.pk,
                                           "item": "pretend report", "severity": "general"})
    assert not m.Hazard.objects.filter(item__in=["elsewhere", "pretend report"]).exists()


def test_a_major_hazard_is_escalated_as_soon_as_it_is_recorded(world):
    regulator = client_for(world.users["zj_county"])
    regulator.post("/supervision/hazards/new/", {
        "source": "enforcement", "site": world.zj.site.pk, "item": "no LPS on tank 3",
        "severity": "major"})
    hazard = m.Hazard.objects.get(item="no LPS on tank 3")
    assert hazard.status == "escalated" and hazard.escalated_at is not None
    assert m.Notification.objects.filter(user=world.zj.unit_user, hazard=hazard,
                                         kind="hazard_escalated").exists()
    step(regulator, hazard, "notify", {"notify-notice_kind": "order"})
    hazard.refresh_from_db()
    assert hazard.status == "notified"
    assert hazard.deadline == timezone.localdate() + dt.timedelta(days=15)


def test_an_agency_gives_opinions_and_a_past_deadline_is_refused(world):
    report = issued_report(world)
    hazard = m.Hazard.objects.create(hazard_no="YH-A", site=world.zj.site, source="report",
                                     report=report, item="x", found_at=timezone.now())
    agency = client_for(world.zj.agency_user)
    page = agency.get(f"/supervision/hazards/{hazard.pk}/").content.decode()
    assert 'value="opinion"' in page and 'value="order"' not in page
    response = step(agency, hazard, "notify", {"notify-notice_kind": "order"}, follow=True)
    assert any("Select a valid choice" in x for x in messages_of(response))
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = step(client_for(world.users["zj_county"]), hazard, "notify", {
        "notify-notice_kind": "order", "notify-deadline": yesterday}, follow=True)
    assert any("after today" in x for x in messages_of(response))
    hazard.refresh_from_db()
    assert hazard.status == "identified"


def test_steps_of_another_role_are_forbidden_and_unknown_steps_not_found(world):
    hazard = m.Hazard.objects.create(hazard_no="YH-F", site=world.zj.site, source="self_check",
                                     item="x", found_at=timezone.now())
    unit = client_for(world.zj.unit_user)
    assert step(unit, hazard, "notify", {"notify-notice_kind": "order"}).status_code == 403
    assert step(unit, hazard, "fly").status_code == 404
    hazard.refresh_from_db()
    assert hazard.status == "identified"


def test_the_hazard_list_filters_overdue_severity_status_and_region(world):
    today = timezone.localdate()
    late = m.Hazard.objects.create(hazard_no="YH-L", site=world.zj.site, source="self_check",
                                   item="late one", found_at=timezone.now(), status="notified",
                                   deadline=today - dt.timedelta(days=2))
    major = m.Hazard.objects.create(hazard_no="YH-M", site=world.zj.site, source="self_check",
                                    item="major one", found_at=timezone.now(), severity="major")
    shut = m.Hazard.objects.create(hazard_no="YH-C", site=world.zj.site, source="self_check",
                                   item="closed one", found_at=timezone.now(), status="closed")
    regulator = client_for(world.users["zj_province"])

    def listed(query: str) -> set[str]:
        page = regulator.get(f"/supervision/hazards/?{query}").content.decode()
        return {h.hazard_no for h in (late, major, shut) if h.hazard_no in page}

    assert listed("overdue=1") == {"YH-L"}
    assert listed("severity=major") == {"YH-M"}
    assert listed("open=1") == {"YH-L", "YH-M"}
    assert listed("status=closed") == {"YH-C"}
    assert listed("region=3301") == {"YH-L", "YH-M", "YH-C"}
    assert listed("region=3302") == set()
    assert listed("q=late") == {"YH-L"}
