"""Use-stage rules: records used in an inspection or a read are fit for that use.

An inspection is only worth its report when, on the day, every instrument was calibrated and
every inspector certified (spec §1.2, anomaly rules A7/A8 read the same columns); a report is
uploaded by its deadline (10 working days, Zhejiang) and its conclusion agrees with its
measurements; a grade B agency inspects class 3 structures only. Personal data are read for a
recorded purpose (PIPL): a household's file exported, or an ID number read, without one is
flagged to the person who did it. Inspection problems are the agency's to answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import models as m
from qixiang.supervision.quality import rule
from qixiang.supervision.quality.interface import Finding

LIVE_TASK = ~Q(status=m.InspectionStatus.CANCELLED)


def _tasks(ids) -> dict[int, m.InspectionTask]:
    return m.InspectionTask.objects.select_related("agency__subject", "subject").in_bulk(ids)


@rule("use.expired_calibration", m.Stage.USE, m.IssueSeverity.ERROR,
      gettext_lazy("instrument used out of calibration"))
def expired_calibration() -> Iterator[Finding]:
    day = TruncDate("measured_at")
    pairs = (m.Measurement.objects.filter(instrument__isnull=False)
             .filter(Q(instrument__calib_valid_to__isnull=True)
                     | Q(instrument__calib_valid_to__lt=day)
                     | Q(instrument__retired_on__lte=day))
             .values_list("task_id", "instrument_id").distinct())
    pairs = sorted(set(pairs))
    tasks = _tasks({t for t, _i in pairs})
    instruments = m.Instrument.objects.in_bulk({i for _t, i in pairs})
    for task_id, instrument_id in pairs:
        task, instrument = tasks[task_id], instruments[instrument_id]
        yield Finding(task, f"instrument:{instrument.serial_no}",
                      _("%(task)s: instrument %(serial)s was used while its calibration was not "
                        "valid (valid to %(day)s).")
                      % {"task": task.task_no, "serial": instrument.serial_no,
                         "day": instrument.calib_valid_to or "—"},
                      owner_subject=task.agency.subject, subject=task.subject)


@rule("use.expired_certificate", m.Stage.USE, m.IssueSeverity.ERROR,
      gettext_lazy("inspector without a valid certificate"))
def expired_certificate() -> Iterator[Finding]:
    """Inspectors on site or signing while their capability certificate was not valid."""
    on_site = (m.FieldSession.objects
               .filter(Q(inspector__certificate_valid_to__isnull=True)
                       | Q(inspector__certificate_valid_to__lt=TruncDate("check_in_at")))
               .values_list("task_id", "inspector_id"))
    signed = (m.InspectionReport.signatories.through.objects
              .filter(inspectionreport__signed_at__isnull=False)
              .filter(Q(inspector__certificate_valid_to__isnull=True)
                      | Q(inspector__certificate_valid_to__lt=TruncDate(
                          "inspectionreport__signed_at")))
              .values_list("inspectionreport__task_id", "inspector_id"))
    pairs = sorted(set(on_site) | set(signed))
    tasks = _tasks({t for t, _i in pairs})
    inspectors = m.Inspector.objects.in_bulk({i for _t, i in pairs})
    for task_id, inspector_id in pairs:
        task, inspector = tasks[task_id], inspectors[inspector_id]
        yield Finding(task, f"inspector:{inspector.pk}",
                      _("%(task)s: %(name)s worked or signed while the capability certificate "
                        "was not valid (valid to %(day)s).")
                      % {"task": task.task_no, "name": inspector.name,
                         "day": inspector.certificate_valid_to or "—"},
                      owner_subject=task.agency.subject, subject=task.subject)


@rule("use.late_upload", m.Stage.USE, m.IssueSeverity.WARNING,
      gettext_lazy("report uploaded past its deadline"))
def late_upload() -> Iterator[Finding]:
    today = timezone.localdate()
    late = (Q(uploaded_at__isnull=False, upload_due__lt=TruncDate("uploaded_at"))
            | Q(uploaded_at__isnull=True, upload_due__lt=today))
    for report in (m.InspectionReport.objects.filter(upload_due__isnull=False).filter(late)
                   .filter(task__in=m.InspectionTask.objects.filter(LIVE_TASK))
                   .select_related("task__agency__subject", "subject")):
        uploaded = (timezone.localdate(report.uploaded_at) if report.uploaded_at
                    else _("not yet"))
        yield Finding(report, "uploaded_at",
                      _("Report %(no)s was due for upload on %(due)s; uploaded: %(day)s.")
                      % {"no": report.report_no, "due": report.upload_due, "day": uploaded},
                      owner_subject=report.task.agency.subject, subject=report.subject)


@rule("use.conclusion_mismatch", m.Stage.USE, m.IssueSeverity.ERROR,
      gettext_lazy("report conclusion contradicts its measurements"))
def conclusion_mismatch() -> Iterator[Finding]:
    failed = m.Measurement.objects.filter(passed=False).values("task_id")
    for report in (m.InspectionReport.objects.filter(conclusion=m.Conclusion.PASS,
                                                     task_id__in=failed)
                   .select_related("task__agency__subject", "subject")):
        yield Finding(report, "conclusion",
                      _("Report %(no)s concludes 'pass' but a measurement of it failed.")
                      % {"no": report.report_no},
                      owner_subject=report.task.agency.subject, subject=report.subject)


@rule("use.grade_class", m.Stage.USE, m.IssueSeverity.ERROR,
      gettext_lazy("agency grade does not cover the structure"))
def grade_class() -> Iterator[Finding]:
    for task in (m.InspectionTask.objects.filter(LIVE_TASK, agency__grade=m.Grade.B)
                 .exclude(site__lightning_class=m.LightningClass.THIRD)
                 .select_related("agency__subject", "subject", "site")):
        yield Finding(task, "agency",
                      _("%(task)s: grade B agency %(agency)s inspected a class %(cls)d "
                        "structure (class 3 only).")
                      % {"task": task.task_no, "agency": task.agency,
                         "cls": task.site.lightning_class},
                      owner_subject=task.agency.subject, subject=task.subject)


# Audit actions that read personal data and must name a purpose.
PERSONAL_READS = ("personal_data.read", "subject.file_export")


@rule("use.read_without_purpose", m.Stage.USE, m.IssueSeverity.WARNING,
      gettext_lazy("personal data read without a purpose"))
def read_without_purpose() -> Iterator[Finding]:
    """ID numbers read, or a household's (person's) file exported, with no purpose recorded."""
    no_purpose = Q(change__purpose__isnull=True) | Q(change__purpose="")
    entries = (m.AuditEntry.objects.filter(action="personal_data.read")
               | m.AuditEntry.objects.filter(action="subject.file_export",
                                             subject_code__startswith="P"))
    entries = list(entries.filter(no_purpose))
    users = get_user_model().objects.in_bulk({e.actor_id for e in entries if e.actor_id})
    subjects = {s.subject_code: s for s in m.Subject.objects.filter(
        subject_code__in={e.subject_code for e in entries if e.subject_code})}
    for entry in entries:
        yield Finding(entry, "purpose",
                      _("%(actor)s: %(action)s at %(at)s without a recorded purpose.")
                      % {"actor": entry.actor, "action": entry.action,
                         "at": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")},
                      owner_user=users.get(entry.actor_id),
                      subject=subjects.get(entry.subject_code))
