"""The inspection workflow of spec §4.2 as a table.

::

    contracted ─file_plan→ plan_filed ─pre_report→ pre_reported ─arrive→ on_site
      ─finish_measuring→ measured ─draft→ drafted ─sign→ signed ─issue→ issued ─upload→ uploaded
      ─screen→ screened ─accept→ accepted
                        └flag→ flagged ─open_review→ review ─clear→ cleared
                                                            └confirm_false→ confirmed_false
    contracted | plan_filed | pre_reported ─cancel→ cancelled

Filing the plan checks what makes an inspection lawful before anyone travels: at least two
inspectors of the agency with capability certificates valid through the window, instruments of
the agency calibrated through the window, and a qualification valid and of a grade covering the
site's class (grade B: class 3 only). Issuing a report moves the site's next due date by its
period, sets the upload deadline (10 working days, Zhejiang) and opens a hazard for each failed
measurement. Screening scores come from the anomaly rules (a later issue); a score of
:data:`REVIEW_SCORE` or more flags the report. Confirming a report false records the credit
event (−30); the penalty case is opened by a regulator.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision.models import (
    Conclusion,
    CreditEvent,
    CreditRecord,
    CreditSource,
    Grade,
    Hazard,
    HazardSource,
    InspectionReport,
    InspectionStatus,
    InspectionTask,
    LightningClass,
)
from qixiang.supervision.numbers import next_number
from qixiang.supervision.workflows.calendar import add_months, add_working_days
from qixiang.supervision.workflows.engine import (
    AGENCY,
    REGULATOR,
    SYSTEM,
    Machine,
    Step,
    Transition,
    set_field,
)

S = InspectionStatus
MIN_INSPECTORS = 2
UPLOAD_WORKING_DAYS = 10  # Zhejiang: upload within 10 working days of issue
REVIEW_SCORE = 3  # anomaly score from which a report goes to review (spec §6)
FAKE_REPORT_DELTA = -30.0
CREDIT_MONTHS = 24


def report_of(task: InspectionTask) -> InspectionReport | None:
    try:
        return task.report
    except InspectionReport.DoesNotExist:
        return None


def plan_problems(task: InspectionTask) -> list[str]:
    """Why the task's plan may not be filed (empty when it may)."""
    problems = []
    if task.window_start is None or task.window_end is None:
        return [_("the planned window (from, to) is missing")]
    if task.window_end < task.window_start:
        problems.append(_("the window ends before it starts"))
    end = task.window_end
    agency = task.agency
    if not agency.certificate_valid_on(end):
        problems.append(_("the agency's qualification is not valid through %(day)s")
                        % {"day": end})
    if agency.grade == Grade.B and task.site.lightning_class != LightningClass.THIRD:
        problems.append(_("a grade B agency may inspect class 3 structures only"))
    inspectors = list(task.inspectors.all())
    if len(inspectors) < MIN_INSPECTORS:
        problems.append(_("at least %(n)d inspectors are needed") % {"n": MIN_INSPECTORS})
    for inspector in inspectors:
        if inspector.agency_id != agency.pk:
            problems.append(_("%(name)s does not work for this agency") % {"name": inspector})
        elif not inspector.certified_on(end):
            problems.append(_("%(name)s has no capability certificate valid through %(day)s")
                            % {"name": inspector, "day": end})
    instruments = list(task.instruments.all())
    if not instruments:
        problems.append(_("no instrument is assigned"))
    for instrument in instruments:
        if instrument.agency_id != agency.pk:
            problems.append(_("instrument %(serial)s is not the agency's")
                            % {"serial": instrument.serial_no})
        elif not instrument.calibrated_for(end):
            problems.append(_("instrument %(serial)s is not calibrated through %(day)s")
                            % {"serial": instrument.serial_no, "day": end})
    return problems


def _file_plan_guard(step: Step) -> list[str]:
    return plan_problems(step.obj)


def _pre_report_guard(step: Step) -> list[str]:
    if step.obj.window_start < step.today:
        return [_("work was planned to start on %(day)s; pre-report before it")
                % {"day": step.obj.window_start}]
    return []


def _arrive_guard(step: Step) -> list[str]:
    task = step.obj
    if not task.remote and not task.sessions.exists():
        return [_("no inspector has checked in on site")]
    return []


def _measured_guard(step: Step) -> list[str]:
    if not step.obj.measurements.exists():
        return [_("no measurement has been recorded")]
    return []


def _draft(step: Step) -> None:
    task, data = step.obj, step.data
    if report_of(task) is not None:
        return
    failed = task.measurements.filter(passed=False).exists()
    previous = (InspectionReport.objects.filter(task__site=task.site, issued_on__isnull=False)
                .order_by("-issued_on").first())
    InspectionReport.objects.create(
        task=task, kind=task.kind, drafted_at=step.now,
        report_no=data.get("report_no") or next_number(InspectionReport, "report_no", "JC"),
        standards=data.get("standards") or "GB/T 21431-2023",
        conclusion=Conclusion.FAIL if failed else Conclusion.PASS,
        conclusion_text=data.get("conclusion_text", ""), previous_report=previous)


def _sign_guard(step: Step) -> list[str]:
    task = step.obj
    signatories = list(step.data["signatories"])
    if len({s.pk for s in signatories}) < MIN_INSPECTORS:
        return [_("at least %(n)d inspectors sign a report") % {"n": MIN_INSPECTORS}]
    assigned = set(task.inspectors.values_list("pk", flat=True))
    return [_("%(name)s was not an inspector of this task") % {"name": s}
            for s in signatories if s.pk not in assigned] + [
        _("%(name)s has no valid capability certificate") % {"name": s}
        for s in signatories if not s.certified_on(step.today)]


def _sign(step: Step) -> None:
    report = step.obj.report
    report.signatories.set(step.data["signatories"])
    report.signed_at = step.now
    report.save()


def _issued_on(step: Step) -> dt.date:
    return step.data.get("issued_on") or step.today


def _issue_guard(step: Step) -> list[str]:
    issued = _issued_on(step)
    last = step.obj.measurements.order_by("-measured_at").values_list("measured_at",
                                                                      flat=True).first()
    if issued > step.today:
        return [_("a report cannot be issued in the future")]
    if last is not None and issued < last.date():
        return [_("a report cannot be issued before its last measurement (%(day)s)")
                % {"day": last.date()}]
    return []


def _issue(step: Step) -> None:
    task, issued = step.obj, _issued_on(step)
    report = task.report
    report.issued_on = issued
    report.upload_due = add_working_days(issued, UPLOAD_WORKING_DAYS)
    report.save()
    site = task.site
    site.next_due = add_months(issued, site.inspection_period_months)
    site.save()
    for measurement in task.measurements.filter(passed=False).select_related("component"):
        Hazard.objects.create(
            hazard_no=next_number(Hazard, "hazard_no", "YH"), site=site,
            component=measurement.component, source=HazardSource.REPORT, report=report,
            measurement=measurement, found_at=step.now,
            item=f"{measurement.get_item_display()} {measurement.point}".strip(),
            description=_("%(item)s measured %(value)g %(unit)s against a limit of %(limit)s")
            % {"item": measurement.get_item_display(), "value": measurement.value,
               "unit": measurement.unit, "limit": measurement.limit})


def _upload_guard(step: Step) -> list[str]:
    if not (step.data.get("file") is not None or step.data.get("file_sha256")):
        return [_("give the report file or its sha256")]
    return []


def _upload(step: Step) -> None:
    report = step.obj.report
    upload = step.data.get("file")
    if upload is not None:
        content = upload if isinstance(upload, bytes) else upload.read()
        report.file_sha256 = hashlib.sha256(content).hexdigest()
        report.file.save(f"{report.report_no}.pdf", ContentFile(content), save=False)
    else:
        report.file_sha256 = step.data["file_sha256"]
    report.uploaded_at = step.now
    report.save()


def _screen(step: Step) -> None:
    report = step.obj.report
    report.screening_score = int(step.data["score"])
    report.screening_findings = list(step.data.get("findings", []))
    report.screened_at = step.now
    report.save()


def _score(step: Step) -> int:
    return step.obj.report.screening_score or 0


def _accept_guard(step: Step) -> list[str]:
    if _score(step) >= REVIEW_SCORE:
        return [_("its screening score %(score)d calls for review") % {"score": _score(step)}]
    return []


def _flag_guard(step: Step) -> list[str]:
    if _score(step) < REVIEW_SCORE and not step.data.get("reason"):
        return [_("give a reason to flag a report that screening passed")]
    return []


def _note_review(step: Step) -> None:
    report = step.obj.report
    report.review_note = step.data["note"]
    report.save()


def _confirm_false(step: Step) -> None:
    _note_review(step)
    report, day = step.obj.report, step.today
    CreditRecord.objects.create(
        subject=step.obj.agency.subject, event=CreditEvent.FAKE_REPORT, delta=FAKE_REPORT_DELTA,
        occurred_on=day, valid_to=add_months(day, CREDIT_MONTHS), source=CreditSource.REPORT,
        source_ref=report.report_no, description=step.data["note"])


MACHINE = Machine("supervision.InspectionTask", "status", (
    Transition("file_plan", (S.CONTRACTED,), S.PLAN_FILED, frozenset({AGENCY}),
               gettext_lazy("file the inspection plan"), fields=("window_start", "window_end"),
               stamp="plan_filed_at", guard=_file_plan_guard),
    Transition("pre_report", (S.PLAN_FILED,), S.PRE_REPORTED, frozenset({AGENCY}),
               gettext_lazy("pre-report to the bureau"), stamp="pre_reported_at",
               guard=_pre_report_guard),
    Transition("arrive", (S.PRE_REPORTED,), S.ON_SITE, frozenset({AGENCY}),
               gettext_lazy("start work on site"), guard=_arrive_guard),
    Transition("finish_measuring", (S.ON_SITE,), S.MEASURED, frozenset({AGENCY}),
               gettext_lazy("finish measuring"), guard=_measured_guard),
    Transition("draft", (S.MEASURED,), S.DRAFTED, frozenset({AGENCY}),
               gettext_lazy("draft the report"), effect=_draft),
    Transition("sign", (S.DRAFTED,), S.SIGNED, frozenset({AGENCY}), gettext_lazy("sign the report"),
               required=("signatories",), guard=_sign_guard, effect=_sign),
    Transition("issue", (S.SIGNED,), S.ISSUED, frozenset({AGENCY}), gettext_lazy("issue the report"),
               guard=_issue_guard, effect=_issue),
    Transition("upload", (S.ISSUED,), S.UPLOADED, frozenset({AGENCY}),
               gettext_lazy("upload the report"), guard=_upload_guard, effect=_upload),
    Transition("screen", (S.UPLOADED,), S.SCREENED, frozenset({SYSTEM, REGULATOR}),
               gettext_lazy("screen the report"), required=("score",), effect=_screen),
    Transition("accept", (S.SCREENED,), S.ACCEPTED, frozenset({SYSTEM, REGULATOR}),
               gettext_lazy("accept the report"), guard=_accept_guard),
    Transition("flag", (S.SCREENED,), S.FLAGGED, frozenset({SYSTEM, REGULATOR}),
               gettext_lazy("flag the report for review"), guard=_flag_guard),
    Transition("open_review", (S.FLAGGED,), S.REVIEW, frozenset({REGULATOR}),
               gettext_lazy("open the review")),
    Transition("clear", (S.REVIEW,), S.CLEARED, frozenset({REGULATOR}),
               gettext_lazy("clear the report"), required=("note",), effect=_note_review),
    Transition("confirm_false", (S.REVIEW,), S.CONFIRMED_FALSE, frozenset({REGULATOR}),
               gettext_lazy("confirm the report false"), required=("note",), effect=_confirm_false),
    Transition("cancel", (S.CONTRACTED, S.PLAN_FILED, S.PRE_REPORTED), S.CANCELLED,
               frozenset({AGENCY, REGULATOR}), gettext_lazy("cancel the task"), required=("reason",),
               effect=lambda step: set_field(step, "note", step.data["reason"])),
))
