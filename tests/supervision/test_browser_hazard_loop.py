"""A hazard from found to closed in a real browser, by the three roles, each logging in.

The agency's inspector records a hazard found in their issued report and gives the unit a
rectification opinion; the key unit submits its plan (with a file), starts, and submits evidence
(with a photo); the county regulator verifies and closes it. Drives Debian's Chromium through
Playwright against pytest-django's live server, in Chinese as a browser in China asks.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from qixiang.supervision import models as m
from tests.pages.test_browser import assert_served_locally, browser_context, page, wait
from tests.supervision.pages import jpeg, media

__all__ = ["browser_context", "media", "page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Lightning-2026!"


def log_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next=/supervision/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/supervision/")


def take(page, action: str, fields: dict | None = None, files: dict | None = None) -> None:
    """Open the step's form, fill it and submit; wait for the page it comes back to."""
    if not page.eval_on_selector(f"#step-{action}", "el => el.open"):
        page.click(f"#step-{action} summary")
    for name, value in (fields or {}).items():
        selector = f"#id_{action}-{name}"
        if page.eval_on_selector(selector, "el => el.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    for name, (filename, content, mime) in (files or {}).items():
        page.set_input_files(f"#id_{action}-{name}",
                             {"name": filename, "mimeType": mime, "buffer": content})
    with page.expect_navigation():
        page.click(f"#step-{action} button[type=submit]")


def status_of(page) -> str:
    return page.get_attribute("#hazard-status", "data-status")


def test_a_hazard_walks_from_found_to_closed_across_agency_unit_and_regulator(
        page, live_server, world, media, tmp_path):
    agency_user, unit_user, regulator = (world.zj.agency_user, world.zj.unit_user,
                                         world.users["zj_county"])
    for user in (agency_user, unit_user, regulator):
        user.set_password(PASSWORD)
        user.save()
    task = world.zj.task
    m.InspectionTask.objects.filter(pk=task.pk).update(status=m.InspectionStatus.ISSUED)
    report = m.InspectionReport.objects.create(task=task, report_no="JC-B1", kind="periodic",
                                               issued_on=timezone.localdate())

    # 1. the agency's inspector finds it in the report and gives a rectification opinion
    log_in(page, live_server, agency_user)
    page.goto(f"{live_server.url}/supervision/tasks/{task.pk}/")
    page.click("#record-hazard")
    wait(page, selector="#hazard-form")
    page.fill("#id_item", "引下线锈蚀断裂")
    page.select_option("#id_severity", "general")
    with page.expect_navigation():
        page.click("#hazard-form button[type=submit]")
    hazard = m.Hazard.objects.get(report=report)
    assert status_of(page) == "identified"
    take(page, "notify", {"notice_kind": "opinion", "notice_no": "YJ-2026-01"})
    assert status_of(page) == "notified"
    assert "整改" in page.text_content("#facts")
    page.screenshot(path=str(tmp_path / "1-agency.png"), full_page=True)

    # 2. the key unit plans, rectifies and gives its evidence
    log_in(page, live_server, unit_user)
    page.click(f"#to-act a[href='/supervision/hazards/{hazard.pk}/']")
    wait(page, selector="#step-submit_plan")
    take(page, "submit_plan", {"plan": "更换引下线并做防腐处理", "owner": "王工"},
         {"files": ("整改方案.pdf", b"%PDF-1.4 plan", "application/pdf")})
    assert status_of(page) == "plan_submitted"
    take(page, "start")
    take(page, "submit_evidence", {"evidence": "已更换，复测过渡电阻 0.05 Ω"},
         {"files": ("after.jpg", jpeg(), "image/jpeg")})
    assert status_of(page) == "evidence_submitted"
    page.screenshot(path=str(tmp_path / "2-unit.png"), full_page=True)

    # 3. the county bureau verifies and closes (销号)
    log_in(page, live_server, regulator)
    page.goto(f"{live_server.url}/supervision/hazards/?status=evidence_submitted")
    page.click(f"#hazards a[href='/supervision/hazards/{hazard.pk}/']")
    wait(page, selector="#step-verify")
    take(page, "verify", {"result": "passed", "note": "现场复核合格"})
    assert status_of(page) == "verified"
    take(page, "close")
    assert status_of(page) == "closed"
    page.screenshot(path=str(tmp_path / "3-regulator.png"), full_page=True)

    hazard.refresh_from_db()
    assert hazard.status == m.HazardStatus.CLOSED
    steps = list(m.AuditEntry.objects.filter(object_type="supervision.Hazard",
                                             object_id=str(hazard.pk), action__startswith="hazard.")
                 .values_list("action", "actor"))
    assert steps == [("hazard.found", "zj-agency"), ("hazard.notify", "zj-agency"), ("hazard.submit_plan", "zj-unit"),
                     ("hazard.start", "zj-unit"), ("hazard.submit_evidence", "zj-unit"),
                     ("hazard.verify", "zj_county"), ("hazard.close", "zj_county")]
    assert sorted(hazard.attachments.values_list("stage", flat=True)) == ["evidence", "plan"]
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert_served_locally(page, live_server)
