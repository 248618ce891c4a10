"""Inspections in pages: task lists, a new task, one task end to end, reports and their files.

Agency staff create a task for a site by its code (in their province or a region they filed
to), set the team and window, file the plan, pre-report, and carry the report from draft to
upload; the on-site part is the phone page (:mod:`.field`). Regulators see their region's tasks
and reports and screen, accept, flag and review them; a key unit sees the tasks and reports on
itself. Steps go through :func:`qixiang.supervision.workflows.transition`.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qixiang.supervision import fieldwork, findings, forms, scoping
from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from qixiang.supervision.numbers import next_number
from qixiang.supervision.views.common import kind_of, paginate, safe_next, step_forms, take_step
from qixiang.supervision.workflows.inspection import report_of

S = m.InspectionStatus
EDITABLE = (S.CONTRACTED,)


def _month(text: str) -> tuple[dt.date, dt.date] | None:
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following


def filtered_tasks(request: HttpRequest):
    qs = scoping.tasks(request.user).select_related("site", "subject", "agency__subject")
    get = request.GET
    statuses = [s for s in get.getlist("status") if s in S.values]
    if statuses:
        qs = qs.filter(status__in=statuses)
    if get.get("agency", "").isdigit():
        qs = qs.filter(agency_id=int(get["agency"]))
    if (span := _month(get.get("month", ""))) is not None:
        qs = qs.filter(window_start__gte=span[0], window_start__lt=span[1])
    if q := get.get("q", "").strip():
        qs = qs.filter(Q(task_no__icontains=q) | Q(site__name__icontains=q)
                       | Q(subject__name__icontains=q) | Q(contract_no__icontains=q))
    return qs.order_by("-created_at")


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    kind = kind_of(request)
    page, rest = paginate(request, filtered_tasks(request))
    return render(request, "supervision/inspections/tasks.html", {
        "page": page, "rest": rest, "kind": kind, "statuses": S.choices,
        "chosen": request.GET.getlist("status"),
        "agencies": scoping.agencies(request.user).select_related("subject")
        if kind in (scoping.REGULATOR, scoping.ADMIN) else [],
    })


def _own_agency(request: HttpRequest) -> m.Agency:
    member = scoping.membership(request.user)
    if member is None or not member.agency_id:
        raise PermissionDenied(_("Only inspection agency staff create inspection tasks."))
    return member.agency


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    kind_of(request)
    agency = _own_agency(request)
    form = forms.TaskCreateForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        task = form.save(commit=False)
        task.site = form.cleaned_data["site_code"]
        task.agency = agency
        task.task_no = next_number(m.InspectionTask, "task_no", "RW")
        task.save()
        form.save_m2m()
        messages.success(request, _("Task %(no)s created.") % {"no": task.task_no})
        return redirect("supervision:task", pk=task.pk)
    return render(request, "supervision/inspections/task_new.html", {"form": form,
                                                                    "agency": agency})


def _task(request: HttpRequest, pk: int) -> m.InspectionTask:
    kind_of(request)
    return get_object_or_404(
        scoping.tasks(request.user).select_related("site__key_unit", "subject",
                                                   "agency__subject"), pk=pk)


def _may_edit_team(request: HttpRequest, task: m.InspectionTask) -> bool:
    member = scoping.membership(request.user)
    return (task.status in EDITABLE and member is not None
            and member.agency_id == task.agency_id)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    report = report_of(task)
    sessions = scoping.sessions(request.user, task.sessions.select_related("inspector"))
    return render(request, "supervision/inspections/task.html", {
        "task": task, "report": report, "sessions": sessions,
        "photos": scoping.photos(request.user, m.FieldPhoto.objects.filter(session__task=task))
        .select_related("component", "session__inspector"),
        "measurements": scoping.measurements(request.user, task.measurements.select_related(
            "component", "instrument")),
        "hazards": scoping.hazards(request.user, m.Hazard.objects.filter(report=report))
        if report else [],
        "steps": step_forms(task, request.user, forms.TASK_STEPS),
        "team_form": forms.TaskTeamForm(instance=task, agency=task.agency)
        if _may_edit_team(request, task) else None,
        "is_inspector": fieldwork.inspector_of(request.user) is not None
        and task.inspectors.filter(pk=fieldwork.inspector_of(request.user).pk).exists(),
        "may_record_hazard": report is not None and report.issued_on is not None
        and m.HazardSource.REPORT in _sources(request),
    })


def _sources(request: HttpRequest) -> tuple[str, ...]:
    return findings.sources_for(request.user)


@login_required
@require_POST
def task_team(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if not _may_edit_team(request, task):
        raise PermissionDenied(_("Only the agency changes the team, before the plan is filed."))
    form = forms.TaskTeamForm(request.POST, instance=task, agency=task.agency)
    if form.is_valid():
        form.save()
        messages.success(request, _("Task %(no)s saved.") % {"no": task.task_no})
    else:
        messages.error(request, "; ".join(f"{form.fields[k].label if k in form.fields else ''}: "
                                          f"{' '.join(v)}" for k, v in form.errors.items()))
    return redirect("supervision:task", pk=task.pk)


@login_required
@require_POST
def task_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    task = _task(request, pk)
    if take_step(request, task, action, forms.TASK_STEPS):
        news.after_task_step(task, action, request.user)
    return redirect(safe_next(request, task_url(task)))


def task_url(task: m.InspectionTask) -> str:
    return reverse("supervision:task", args=[task.pk])


def filtered_reports(request: HttpRequest):
    qs = scoping.reports(request.user).select_related("task__site", "task__agency__subject",
                                                      "subject")
    get = request.GET
    if get.get("conclusion") in m.Conclusion.values:
        qs = qs.filter(conclusion=get["conclusion"])
    uploaded = get.get("uploaded")
    if uploaded == "no":
        qs = qs.filter(issued_on__isnull=False, uploaded_at__isnull=True)
    elif uploaded == "yes":
        qs = qs.filter(uploaded_at__isnull=False)
    elif uploaded == "late":
        qs = qs.filter(Q(uploaded_at__isnull=True, upload_due__lt=timezone.localdate())
                       | Q(uploaded_at__date__gt=F("upload_due")))
    statuses = [s for s in get.getlist("status") if s in S.values]
    if statuses:
        qs = qs.filter(task__status__in=statuses)
    if get.get("agency", "").isdigit():
        qs = qs.filter(task__agency_id=int(get["agency"]))
    for name, lookup in (("from", "issued_on__gte"), ("to", "issued_on__lte")):
        with contextlib.suppress(ValueError):
            qs = qs.filter(**{lookup: dt.date.fromisoformat(get.get(name, ""))})
    if q := get.get("q", "").strip():
        qs = qs.filter(Q(report_no__icontains=q) | Q(task__site__name__icontains=q)
                       | Q(subject__name__icontains=q))
    return qs.order_by("-issued_on", "-created_at")


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    kind = kind_of(request)
    page, rest = paginate(request, filtered_reports(request))
    return render(request, "supervision/inspections/reports.html", {
        "page": page, "rest": rest, "kind": kind, "statuses": S.choices,
        "chosen": request.GET.getlist("status"), "conclusions": m.Conclusion.choices,
        "today": timezone.localdate(),
        "agencies": scoping.agencies(request.user).select_related("subject")
        if kind in (scoping.REGULATOR, scoping.ADMIN) else [],
    })


@login_required
def report_file(request: HttpRequest, pk: int) -> FileResponse:
    kind_of(request)
    report = get_object_or_404(scoping.reports(request.user), pk=pk)
    if not report.file:
        raise Http404(_("This report has no uploaded file."))
    return FileResponse(report.file.open("rb"), content_type="application/pdf",
                        filename=f"{report.report_no}.pdf")
