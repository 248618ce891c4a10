"""The inspection workflow: a lawful plan, the on-site trail, the report and its screening."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision.workflows import SYSTEM, NotAllowed, TransitionError, transition
from qixiang.supervision.workflows.calendar import add_months, add_working_days


def plan(world) -> m.InspectionTask:
    task = world.zj.task
    task.inspectors.set(world.zj.inspectors)
    task.instruments.set([world.zj.instrument])
    today = timezone.localdate()
    transition(task, "file_plan", world.zj.agency_user, window_start=today,
               window_end=today + dt.timedelta(days=3))
    return task


def on_site(world) -> m.InspectionTask:
    task = plan(world)
    agency = world.zj.agency_user
    transition(task, "pre_report", agency)
    now = timezone.now()
    for inspector in world.zj.inspectors:
        m.FieldSession.objects.create(task=task, inspector=inspector, check_in_at=now,
                                      gnss_system="beidou", latitude=30.0, longitude=120.0,
                                      accuracy_m=4.0, qr_scanned_at=now, qr_site_matches=True,
                                      identity_result="passed")
    transition(task, "arrive", agency)
    earthing, spd = world.zj.components
    m.Measurement.objects.create(task=task, component=earthing, instrument=world.zj.instrument,
                                 item="earth_resistance", value=12.5, unit="Ω", limit=10,
                                 limit_kind="max", passed=False, measured_at=now, point="E1")
    m.Measurement.objects.create(task=task, component=spd, item="spd_u1ma", value=620,
                                 unit="V", measured_at=now, passed=True, point="P1")
    transition(task, "finish_measuring", agency)
    return task


def test_an_inspection_runs_from_contract_to_acceptance(world):
    task = on_site(world)
    agency = world.zj.agency_user
    transition(task, "draft", agency)
    report = task.report
    assert report.conclusion == m.Conclusion.FAIL and report.report_no.startswith("JC")
    transition(task, "sign", agency, signatories=world.zj.inspectors)
    transition(task, "issue", agency)
    today = timezone.localdate()
    report.refresh_from_db()
    world.zj.site.refresh_from_db()
    assert report.upload_due == add_working_days(today, 10)
    assert world.zj.site.next_due == add_months(today, 6)
    hazard = m.Hazard.objects.get(report=report)
    assert hazard.source == m.HazardSource.REPORT and hazard.status == "identified"
    assert hazard.component == world.zj.components[0]
    transition(task, "upload", agency, file=b"%PDF-1.7 report")
    report.refresh_from_db()
    assert report.file_sha256 == hashlib.sha256(b"%PDF-1.7 report").hexdigest()
    transition(task, "screen", SYSTEM, score=1, findings=["A10"])
    transition(task, "accept", SYSTEM)
    assert task.status == m.InspectionStatus.ACCEPTED


def test_a_flagged_report_confirmed_false_costs_the_agency_credit(world):
    task = on_site(world)
    agency = world.zj.agency_user
    for action, data in (("draft", {}), ("sign", {"signatories": world.zj.inspectors}),
                         ("issue", {}), ("upload", {"file_sha256": "0" * 64})):
        transition(task, action, agency, **data)
    transition(task, "screen", SYSTEM, score=4, findings=["A4", "A12"])
    with pytest.raises(TransitionError, match="review"):
        transition(task, "accept", SYSTEM)
    transition(task, "flag", SYSTEM)
    regulator = world.users["zj_county"]
    transition(task, "open_review", regulator)
    with pytest.raises(NotAllowed):
        transition(task, "confirm_false", agency, note="no")
    transition(task, "confirm_false", regulator, note="copied values of another site")
    record = m.CreditRecord.objects.get(subject=world.zj.agency.subject)
    assert record.event == m.CreditEvent.FAKE_REPORT and record.delta == -30


def test_a_plan_without_two_certified_inspectors_and_calibrated_instruments_is_refused(world):
    task = world.zj.task
    expired = world.zj.instrument
    expired.calib_valid_to = timezone.localdate() - dt.timedelta(days=1)
    expired.save()
    task.inspectors.set(world.zj.inspectors[:1])
    task.instruments.set([expired, world.gd.instrument])
    today = timezone.localdate()
    with pytest.raises(TransitionError) as refused:
        transition(task, "file_plan", world.zj.agency_user, window_start=today,
                   window_end=today)
    message = str(refused.value)
    assert "2" in message and expired.serial_no in message
    assert world.gd.instrument.serial_no in message
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.CONTRACTED


def test_a_grade_b_agency_may_not_plan_a_class_2_site(world):
    agency = world.zj.agency
    agency.grade = "B"
    agency.save()
    with pytest.raises(TransitionError, match="grade B"):
        plan(world)


def test_arriving_needs_a_check_in_and_issuing_cannot_precede_measuring(world):
    task = plan(world)
    transition(task, "pre_report", world.zj.agency_user)
    with pytest.raises(TransitionError):
        transition(task, "arrive", world.zj.agency_user)
    task = m.InspectionTask.objects.get(pk=task.pk)
    assert task.status == m.InspectionStatus.PRE_REPORTED


def test_the_other_agency_and_the_key_unit_may_not_move_the_task(world):
    task = world.zj.task
    for who in (world.gd.agency_user, world.zj.unit_user, world.users["gd_province"]):
        with pytest.raises(NotAllowed):
            transition(task, "cancel", who, reason="x")
