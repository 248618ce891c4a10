"""Data quality rules: each finds its problem with the right owner; runs are idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from qixiang.supervision import audit, identity, quality
from qixiang.supervision import models as m
from qixiang.supervision.quality import runner

OPEN = ("open", "acknowledged")


def open_issues(rule: str, **filters):
    return m.DataQualityIssue.objects.filter(rule=rule, status__in=OPEN, **filters)


def run(*names: str) -> dict[str, runner.Outcome]:
    return {o.rule: o for o in runner.run(names or None)}


def test_every_stage_has_rules_and_names_follow_their_stage():
    stages = {r.stage for r in quality.rules()}
    assert stages == {"capture", "exchange", "storage", "use"}
    assert all(r.name.startswith(f"{r.stage}.") for r in quality.rules())


def test_a_second_run_on_unchanged_data_changes_nothing(world):
    first = runner.run()
    assert sum(o.opened for o in first) > 0
    count = m.DataQualityIssue.objects.count()
    second = runner.run()
    assert sum(o.opened for o in second) == 0
    assert sum(o.closed for o in second) == 0
    assert m.DataQualityIssue.objects.count() == count


def test_missing_mandatory_fields_are_owned_by_the_key_unit_and_close_when_filled(world):
    run("capture.mandatory_fields")
    unit = world.zj.key_unit
    issue = open_issues("capture.mandatory_fields", object_id=str(unit.pk),
                        field="safety_principal").get()
    assert issue.owner_subject == unit.subject and issue.subject == unit.subject
    assert issue.stage == "capture"
    unit.safety_principal = "Wang Wei"
    unit.save()
    outcome = run("capture.mandatory_fields")["capture.mandatory_fields"]
    assert outcome.closed == 1
    issue.refresh_from_db()
    assert issue.status == "resolved" and issue.resolved_at is not None
    assert open_issues("capture.mandatory_fields", object_id=str(unit.pk),
                       field="safety_principal_phone").count() == 1


def test_a_dismissed_issue_is_not_raised_again(world):
    run("capture.mandatory_fields")
    issue = open_issues("capture.mandatory_fields").first()
    issue.status = "dismissed"
    issue.save()
    again = run("capture.mandatory_fields")["capture.mandatory_fields"]
    assert again.opened == 0
    assert not m.DataQualityIssue.objects.filter(fingerprint=issue.fingerprint,
                                                 status__in=OPEN).exists()


def test_a_credit_code_in_review_keeps_the_issue_identity_raised_until_confirmed(db):
    subject, _ = identity.register_subject("Review Co.", "330106", uscc="91110108551385082R")
    assert open_issues("capture.uscc_check", object_id=str(subject.pk)).count() == 1
    assert run("capture.uscc_check")["capture.uscc_check"].opened == 0
    subject.uscc_check = m.IdentifierCheck.CONFIRMED
    subject.save()
    assert run("capture.uscc_check")["capture.uscc_check"].closed == 1


def test_a_measurement_in_the_wrong_unit_is_the_agencys(world):
    m.Measurement.objects.create(task=world.zj.task, item="earth_resistance", value=4000,
                                 unit="mΩ", measured_at=timezone.now())
    run("capture.measurement_unit")
    issue = open_issues("capture.measurement_unit").get()
    assert issue.owner_subject == world.zj.agency.subject
    assert issue.subject == world.zj.subject
    assert "mΩ" in issue.message


def measured(province, day: dt.date, instrument=None, passed=True) -> m.Measurement:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    return m.Measurement.objects.create(task=province.task, item="earth_resistance", value=3,
                                        unit="Ω", measured_at=at, passed=passed,
                                        instrument=instrument or province.instrument)


def test_an_instrument_used_after_its_calibration_expired_is_flagged_per_task(world):
    instrument = world.zj.instrument
    instrument.calib_valid_to = dt.date(2025, 3, 31)
    instrument.save()
    measured(world.zj, dt.date(2025, 3, 31))  # last valid day: fine
    assert not open_issues("use.expired_calibration").exists()
    measured(world.zj, dt.date(2025, 4, 2))
    measured(world.zj, dt.date(2025, 4, 3))
    run("use.expired_calibration")
    issue = open_issues("use.expired_calibration").get()
    assert issue.object_id == str(world.zj.task.pk)
    assert issue.field == f"instrument:{instrument.serial_no}"
    assert issue.owner_subject == world.zj.agency.subject


def test_an_inspector_on_site_without_a_valid_certificate_is_flagged(world):
    inspector = world.zj.inspectors[1]
    inspector.certificate_valid_to = dt.date(2024, 12, 31)
    inspector.save()
    m.FieldSession.objects.create(
        task=world.zj.task, inspector=inspector,
        check_in_at=timezone.make_aware(dt.datetime(2025, 5, 6, 9)))
    m.FieldSession.objects.create(
        task=world.zj.task, inspector=world.zj.inspectors[0],
        check_in_at=timezone.make_aware(dt.datetime(2025, 5, 6, 9)))
    run("use.expired_certificate")
    issue = open_issues("use.expired_certificate").get()
    assert issue.field == f"inspector:{inspector.pk}"
    assert inspector.name in issue.message


def test_a_report_uploaded_past_its_deadline_and_one_never_uploaded(world):
    report = m.InspectionReport.objects.create(
        task=world.zj.task, report_no="R-LATE", kind="periodic", issued_on=dt.date(2025, 5, 1),
        upload_due=dt.date(2025, 5, 15),
        uploaded_at=timezone.make_aware(dt.datetime(2025, 5, 20, 10)), file_sha256="f" * 64)
    missing = m.InspectionReport.objects.create(
        task=world.gd.task, report_no="R-NONE", kind="periodic", issued_on=dt.date(2025, 5, 1),
        upload_due=dt.date(2025, 5, 15))
    run("use.late_upload")
    assert {i.object_id for i in open_issues("use.late_upload")} == {str(report.pk),
                                                                     str(missing.pk)}
    missing.uploaded_at = timezone.make_aware(dt.datetime(2025, 5, 14, 10))
    missing.file_sha256 = "e" * 64
    missing.save()
    assert run("use.late_upload")["use.late_upload"].closed == 1


def test_a_pass_conclusion_over_a_failed_measurement_and_a_grade_b_on_class_2(world):
    measured(world.zj, dt.date(2025, 5, 1), passed=False)
    m.InspectionReport.objects.create(task=world.zj.task, report_no="R-PASS", kind="periodic",
                                      conclusion="pass")
    world.gd.agency.grade = "B"
    world.gd.agency.save()
    run("use.conclusion_mismatch", "use.grade_class")
    assert open_issues("use.conclusion_mismatch").get().record_label == "R-PASS"
    grade = open_issues("use.grade_class").get()
    assert grade.object_id == str(world.gd.task.pk)
    assert grade.owner_subject == world.gd.agency.subject


def test_subjects_sharing_an_organisation_code_are_one_registration_too_many(world):
    first = world.zj.subject
    org = first.uscc[8:17]
    body = "93" + "330106" + org
    from qixiang.science.identifiers import uscc_check_char

    code = body + uscc_check_char(body)
    second = m.Subject.objects.create(subject_code="U" + code, uscc=code, name="Same org",
                                      region_code="330106")
    run("storage.duplicate_subject")
    issue = open_issues("storage.duplicate_subject").get()
    assert issue.object_id == str(second.pk) and issue.field == "uscc"
    assert first.subject_code in issue.message
    assert issue.owner_subject is None  # the bureau's


def test_a_site_without_components_and_an_uploaded_report_without_its_file(world):
    bare = m.Site.objects.create(key_unit=world.zj.key_unit, name="bare roof", lightning_class=3)
    m.InspectionReport.objects.create(task=world.zj.task, report_no="R-NOFILE", kind="periodic",
                                      uploaded_at=timezone.now())
    run("storage.site_without_components", "storage.report_file_missing")
    assert open_issues("storage.site_without_components").get().object_id == str(bare.pk)
    assert open_issues("storage.report_file_missing").get().record_label == "R-NOFILE"


def test_a_households_file_exported_without_a_purpose_is_flagged_to_the_reader(world):
    person, _ = identity.register_subject("Zhang San", "330106", id_no="11010519491231002X")
    regulator = world.users["zj_county"]
    audit.record("subject.file_export", person, regulator, {"purpose": ""})
    audit.record("subject.file_export", person, regulator, {"purpose": "enforcement"})
    audit.record("subject.file_export", world.zj.subject, regulator, {"purpose": ""})
    run("use.read_without_purpose")
    issue = open_issues("use.read_without_purpose").get()
    assert issue.owner_user == regulator
    assert issue.subject == person


def test_the_command_prints_each_rule_and_a_rerun_opens_nothing(world):
    out = io.StringIO()
    call_command("supervision", "quality", stdout=out)
    assert "capture.mandatory_fields" in out.getvalue()
    out = io.StringIO()
    call_command("supervision", "quality", "--rule", "capture.mandatory_fields", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1 and "opened 0" in lines[0]


def test_an_unknown_rule_is_named(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown data quality rule"):
        call_command("supervision", "quality", "--rule", "capture.nope")
