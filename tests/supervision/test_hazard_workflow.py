"""The hazard loop: each step by the role the table names, refusals, deadlines, the trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from qixiang.supervision import audit
from qixiang.supervision import models as m
from qixiang.supervision.workflows import SYSTEM, NotAllowed, TransitionError, transition
from qixiang.supervision.workflows import hazard as loop


def found(world, severity: str = "general") -> m.Hazard:
    """A hazard the Zhejiang agency's report found at the Zhejiang site."""
    report = m.InspectionReport.objects.create(task=world.zj.task, report_no="JC1",
                                               kind="periodic")
    return m.Hazard.objects.create(hazard_no="YH1", site=world.zj.site, source="report",
                                   report=report, item="earthing resistance",
                                   severity=severity, found_at=timezone.now())


def test_a_hazard_goes_from_found_to_closed_across_the_three_roles(world):
    hazard = found(world)
    regulator, unit, agency = (world.users["zj_county"], world.zj.unit_user,
                               world.zj.agency_user)
    transition(hazard, "notify", regulator, notice_kind="order", notice_no="ZG-1")
    assert hazard.deadline == timezone.localdate() + dt.timedelta(days=30)
    transition(hazard, "submit_plan", unit, plan="replace earth electrode", owner="Li")
    transition(hazard, "start", unit)
    transition(hazard, "submit_evidence", unit, evidence="re-test 3.2 ohm")
    transition(hazard, "verify", agency, result="passed", note="re-tested")
    transition(hazard, "close", regulator)
    hazard.refresh_from_db()
    assert hazard.status == m.HazardStatus.CLOSED and hazard.closed_at is not None
    steps = list(m.AuditEntry.objects.filter(object_type="supervision.Hazard",
                                             object_id=str(hazard.pk))
                 .values_list("action", "actor"))
    assert [a for a, _ in steps if a.startswith("hazard.")] == [
        "hazard.notify", "hazard.submit_plan", "hazard.start", "hazard.submit_evidence",
        "hazard.verify", "hazard.close"]
    assert ("hazard.verify", "zj-agency") in steps
    assert audit.verify().ok


def test_a_rejected_rectification_starts_a_new_round(world):
    hazard = found(world)
    regulator, unit = world.users["zj_city"], world.zj.unit_user
    transition(hazard, "notify", regulator, notice_kind="order")
    transition(hazard, "submit_plan", unit, plan="fix")
    transition(hazard, "start", unit)
    transition(hazard, "submit_evidence", unit, evidence="photo")
    transition(hazard, "verify", regulator, result="failed", note="still 12 ohm")
    with pytest.raises(TransitionError):
        transition(hazard, "close", regulator)
    transition(hazard, "reject", regulator, reason="still 12 ohm")
    transition(hazard, "resume", unit)
    assert hazard.status == m.HazardStatus.RECTIFYING
    assert list(hazard.rectifications.values_list("round", flat=True)) == [1, 2]


@pytest.mark.parametrize("who", ["gd_province", "zj_other_county", "gd_unit", "gd_agency",
                                 "forecaster"])
def test_someone_outside_the_hazard_may_not_notify_it(world, who):
    hazard = found(world)
    with pytest.raises(NotAllowed):
        transition(hazard, "notify", world.users[who], notice_kind="order")
    hazard.refresh_from_db()
    assert hazard.status == m.HazardStatus.IDENTIFIED


def test_the_key_unit_may_not_close_its_own_hazard_nor_the_agency_give_an_order(world):
    hazard = found(world)
    with pytest.raises(NotAllowed):
        transition(hazard, "notify", world.zj.unit_user, notice_kind="order")
    with pytest.raises(TransitionError, match="opinion"):
        transition(hazard, "notify", world.zj.agency_user, notice_kind="order")
    transition(hazard, "notify", world.zj.agency_user, notice_kind="opinion")
    with pytest.raises(TransitionError):
        transition(hazard, "close", world.zj.unit_user)


def test_a_passed_deadline_makes_the_hazard_overdue_and_it_escalates(world):
    hazard = found(world)
    transition(hazard, "notify", world.users["zj_county"], notice_kind="order",
               deadline=timezone.localdate() + dt.timedelta(days=5))
    assert loop.sweep_overdue(timezone.localdate()) == 0
    assert loop.sweep_overdue(timezone.localdate() + dt.timedelta(days=6)) == 1
    hazard.refresh_from_db()
    assert hazard.status == m.HazardStatus.OVERDUE
    transition(hazard, "escalate", SYSTEM, reason="overdue 1 day")
    assert hazard.status == m.HazardStatus.ESCALATED and hazard.escalated_at
    transition(hazard, "submit_evidence", world.zj.unit_user, evidence="late fix")
    assert hazard.status == m.HazardStatus.EVIDENCE_SUBMITTED


def test_only_a_major_hazard_escalates_before_its_deadline(world):
    general = found(world)
    with pytest.raises(TransitionError, match="major"):
        transition(general, "escalate", world.users["zj_county"], reason="now")
    major = m.Hazard.objects.create(hazard_no="YH2", site=world.zj.site, source="report",
                                    item="no earthing", severity="major",
                                    found_at=timezone.now())
    transition(major, "escalate", world.users["zj_county"], reason="major hazard")
    assert major.status == m.HazardStatus.ESCALATED
    transition(major, "notify", world.users["zj_county"], notice_kind="order")
    assert major.deadline == timezone.localdate() + dt.timedelta(days=15)


def test_reminders_fall_on_the_days_before_the_deadline(world):
    hazard = found(world)
    today = timezone.localdate()
    transition(hazard, "notify", world.users["zj_county"], notice_kind="order",
               deadline=today + dt.timedelta(days=7))
    assert list(loop.due_for_reminder(m.Hazard.objects.all(), today)) == [hazard]
    assert not loop.due_for_reminder(m.Hazard.objects.all(), today + dt.timedelta(days=1))


def test_a_step_from_the_wrong_state_or_without_its_data_is_refused(world):
    hazard = found(world)
    with pytest.raises(TransitionError, match="identified"):
        transition(hazard, "start", world.zj.unit_user)
    with pytest.raises(TransitionError, match="notice_kind"):
        transition(hazard, "notify", world.users["zj_county"])
    stale = m.Hazard.objects.get(pk=hazard.pk)
    transition(hazard, "notify", world.users["zj_county"], notice_kind="order")
    with pytest.raises(TransitionError, match="meanwhile|已被修改"):
        transition(stale, "notify", world.users["zj_county"], notice_kind="order")


def test_a_refusal_reads_in_chinese_by_default(world):
    hazard = found(world)
    with translation.override("zh-hans"), pytest.raises(TransitionError) as refused:
        transition(hazard, "start", world.zj.unit_user)
    assert str(refused.value) == "无法开始整改：记录当前为“已发现”。"
