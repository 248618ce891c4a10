"""The deadline sweep: overdue, escalation, reminders, each once, to the right people."""

from __future__ import annotations

import datetime as dt
import io
import threading

from django.core.management import call_command
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from qixiang.supervision import sweep as sweeping
from qixiang.supervision.workflows import transition


def hazard(world, severity: str = "general", deadline_days: int | None = 10) -> m.Hazard:
    item = m.Hazard.objects.create(hazard_no=f"YH{m.Hazard.objects.count() + 1}",
                                   site=world.zj.site, source="self_check", item="earthing",
                                   severity=severity, found_at=timezone.now())
    if deadline_days is not None:
        transition(item, "notify", world.users["zj_county"], notice_kind="order",
                   deadline=timezone.localdate() + dt.timedelta(days=deadline_days))
    return item


def told(user, kind: str) -> list[m.Notification]:
    return list(m.Notification.objects.filter(user=user, kind=kind))


def test_the_competent_bureau_is_the_most_local_level_with_regulators(world):
    assert [u.username for u in news.regulators_for("330106")] == ["zj_county"]
    assert [u.username for u in news.regulators_for("330108")] == ["zj_city"]
    assert [u.username for u in news.regulators_for("331000")] == ["zj_province"]
    assert [u.username for u in news.regulators_for("510104")] == ["national"]


def test_a_passed_deadline_is_marked_overdue_and_told_once_to_unit_and_bureau(world):
    h = hazard(world, deadline_days=2)
    later = timezone.localdate() + dt.timedelta(days=3)
    report = sweeping.sweep(later)
    h.refresh_from_db()
    assert report.overdue == 1 and h.status == m.HazardStatus.OVERDUE
    assert len(told(world.zj.unit_user, "hazard_overdue")) == 1
    assert len(told(world.users["zj_county"], "hazard_overdue")) == 1
    assert told(world.gd.unit_user, "hazard_overdue") == []
    again = sweeping.sweep(later)
    assert again.overdue == 0
    assert m.Notification.objects.filter(kind="hazard_overdue").count() == 2


def test_units_are_reminded_seven_three_and_one_day_before_the_deadline_once_each(world):
    h = hazard(world, deadline_days=10)
    today = timezone.localdate()
    for offset in range(11):
        sweeping.sweep(today + dt.timedelta(days=offset))
        sweeping.sweep(today + dt.timedelta(days=offset))
    days = sorted(n.params["days"] for n in told(world.zj.unit_user, "hazard_reminder"))
    assert days == [1, 3, 7]
    assert all(n.hazard_id == h.pk for n in told(world.zj.unit_user, "hazard_reminder"))
    assert told(world.users["zj_county"], "hazard_reminder") == []


def test_a_major_hazard_is_escalated_at_once_and_a_general_one_after_a_week_overdue(world):
    major = hazard(world, "major", deadline_days=None)
    general = hazard(world, "general", deadline_days=1)
    today = timezone.localdate()
    first = sweeping.sweep(today)
    major.refresh_from_db()
    assert first.escalated == 1 and major.status == m.HazardStatus.ESCALATED
    assert told(world.zj.unit_user, "hazard_escalated")
    sweeping.sweep(today + dt.timedelta(days=1 + sweeping.ESCALATE_AFTER_DAYS))
    general.refresh_from_db()
    assert general.status == m.HazardStatus.OVERDUE  # exactly a week: not yet
    late = sweeping.sweep(today + dt.timedelta(days=2 + sweeping.ESCALATE_AFTER_DAYS))
    general.refresh_from_db()
    assert late.escalated == 1 and general.status == m.HazardStatus.ESCALATED
    assert "8" in general.escalation_reason
    # once notified again after escalation, a major hazard is not escalated a second time
    transition(major, "notify", world.users["zj_county"], notice_kind="order")
    assert sweeping.sweep(today).escalated == 0


def test_agencies_are_reminded_of_uploads_due_and_late(world):
    task = world.zj.task
    report = m.InspectionReport.objects.create(task=task, report_no="JC-U1", kind="periodic",
                                               upload_due=timezone.localdate()
                                               + dt.timedelta(days=3))
    m.InspectionTask.objects.filter(pk=task.pk).update(status=m.InspectionStatus.ISSUED)
    today = timezone.localdate()
    assert sweeping.sweep(today).upload_reminders == 1
    assert sweeping.sweep(today + dt.timedelta(days=1)).upload_reminders == 0
    assert sweeping.sweep(today + dt.timedelta(days=5)).upload_reminders == 1
    notes = told(world.zj.agency_user, "upload_reminder")
    assert sorted(bool(n.params["late"]) for n in notes) == [False, True]
    assert all(n.params["report_no"] == report.report_no for n in notes)


def test_the_command_sweeps_as_on_a_given_day(world):
    hazard(world, deadline_days=1)
    out = io.StringIO()
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    call_command("supervision", "sweep", "--date", day, stdout=out)
    assert "overdue 1" in out.getvalue()


def test_the_periodic_sweep_runs_at_start_and_stops(monkeypatch):
    ran = threading.Event()
    monkeypatch.setattr(sweeping, "sweep", lambda: ran.set() or sweeping.SweepReport())
    thread = sweeping.PeriodicSweep(interval=3600)
    thread.start()
    assert ran.wait(10)
    thread.stop()
    assert not thread.is_alive() and thread.runs == 1
