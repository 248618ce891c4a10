"""The inspector's phone page: check in and out with the phone's position, scan the site's QR
code, record the identity check, take photos and enter measurements.

Built for a phone browser: one column, big controls, the camera through ``<input type=file
capture>`` (the photo of the QR plate is decoded on the server) and the position through the
Geolocation API (``static/supervision/field.js``). Only inspectors of the task act here
(:mod:`qixiang.supervision.fieldwork`); others who may see the task are sent to its page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qixiang.supervision import fieldwork, forms, scoping
from qixiang.supervision import models as m
from qixiang.supervision.views.common import error_text, kind_of, step_forms
from qixiang.supervision.workflows import TransitionError

S = m.InspectionStatus
FIELD_STATES = (S.PLAN_FILED, S.PRE_REPORTED, S.ON_SITE, S.MEASURED)


def _inspector(request: HttpRequest) -> m.Inspector:
    kind_of(request)
    inspector = fieldwork.inspector_of(request.user)
    if inspector is None:
        raise PermissionDenied(_("The field page is for inspectors; link your account to your "
                                 "inspector record."))
    return inspector


@login_required
def field_home(request: HttpRequest) -> HttpResponse:
    """The inspector's tasks that have field work ahead or under way."""
    inspector = _inspector(request)
    tasks = (scoping.tasks(request.user).filter(inspectors=inspector, status__in=FIELD_STATES)
             .select_related("site", "subject").order_by("window_start", "task_no"))
    return render(request, "supervision/field/home.html", {"tasks": tasks,
                                                           "inspector": inspector})


def _task(request: HttpRequest, pk: int) -> tuple[m.InspectionTask, m.Inspector]:
    inspector = _inspector(request)
    task = get_object_or_404(scoping.tasks(request.user).select_related("site", "subject"),
                             pk=pk)
    fieldwork.require_inspector(request.user, task)
    return task, inspector


@login_required
def field_task(request: HttpRequest, pk: int) -> HttpResponse:
    task, inspector = _task(request, pk)
    session = fieldwork.open_session(task, inspector)
    return render(request, "supervision/field/task.html", {
        "task": task, "inspector": inspector, "session": session,
        "last_session": session or fieldwork.latest_session(task, inspector),
        "checkin_form": forms.CheckInForm(), "scan_form": forms.ScanForm(),
        "identity_form": forms.IdentityForm(), "photo_form": forms.PhotoForm(task=task),
        "measure_form": forms.MeasurementForm(task=task),
        "measurements": task.measurements.select_related("component").order_by("-measured_at"),
        "photos": m.FieldPhoto.objects.filter(session__task=task, session__inspector=inspector),
        "limits": forms.default_limits_table(task.site),
        "steps": [s for s in step_forms(task, request.user, forms.TASK_STEPS)
                  if s[0].action in ("finish_measuring",)],
        "can_check_in": task.status in fieldwork.CHECK_IN_STATES and session is None,
        "can_measure": task.status in fieldwork.MEASURE_STATES,
    })


def _done(request: HttpRequest, task: m.InspectionTask, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("supervision:field-task", pk=task.pk)


def _refused(request: HttpRequest, task: m.InspectionTask, text: str) -> HttpResponse:
    messages.error(request, text)
    return redirect("supervision:field-task", pk=task.pk)


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    task, _inspector_ = _task(request, pk)
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        return _refused(request, task, error_text(form))
    data = form.cleaned_data
    fix_at = None
    if data.get("fix_time"):
        try:
            fix_at = dt.datetime.fromtimestamp(data["fix_time"] / 1000, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            fix_at = None
    try:
        session = fieldwork.check_in(task, request.user, latitude=data.get("latitude"),
                                     longitude=data.get("longitude"),
                                     accuracy_m=data.get("accuracy"), fix_at=fix_at)
    except (fieldwork.FieldError, TransitionError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _refused(request, task, str(exc))
    if session.latitude is None:
        messages.warning(request, _("Checked in without a position: the phone gave none."))
    return _done(request, task, _("Checked in at %(time)s (Beijing time).")
                 % {"time": timezone.localtime(session.check_in_at).strftime("%H:%M")})


@login_required
@require_POST
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    task, _inspector_ = _task(request, pk)
    try:
        session = fieldwork.check_out(task, request.user)
    except fieldwork.FieldError as exc:
        return _refused(request, task, str(exc))
    return _done(request, task, _("Checked out at %(time)s (Beijing time).")
                 % {"time": timezone.localtime(session.check_out_at).strftime("%H:%M")})


@login_required
@require_POST
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    task, _inspector_ = _task(request, pk)
    form = forms.ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, task, error_text(form))
    try:
        session = fieldwork.record_scan(task, request.user, text=form.cleaned_data["code"],
                                        photo=form.cleaned_data.get("photo") or None)
    except (fieldwork.FieldError, ValueError) as exc:
        return _refused(request, task, str(exc))
    if not session.qr_site_matches:
        return _refused(request, task, _("The code scanned is not this site's: %(site)s.")
                        % {"site": task.site.site_code})
    return _done(request, task, _("Site code matches %(site)s.") % {"site": task.site.name})


@login_required
@require_POST
def identity(request: HttpRequest, pk: int) -> HttpResponse:
    task, _inspector_ = _task(request, pk)
    form = forms.IdentityForm(request.POST)
    if not form.is_valid():
        return _refused(request, task, error_text(form))
    data = form.cleaned_data
    try:
        fieldwork.record_identity(task, request.user, method=data["method"],
                                  result=data["result"], score=data.get("score"))
    except fieldwork.FieldError as exc:
        return _refused(request, task, str(exc))
    return _done(request, task, _("Identity check recorded."))


@login_required
@require_POST
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    task, _inspector_ = _task(request, pk)
    form = forms.PhotoForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        return _refused(request, task, error_text(form))
    kept = []
    for received in form.cleaned_data["photos"]:
        try:
            kept.append(fieldwork.add_photo(task, request.user, received,
                                            component=form.cleaned_data.get("component"),
                                            caption=form.cleaned_data.get("caption", "")))
        except (fieldwork.FieldError, ValueError) as exc:
            messages.error(request, str(exc))
    if not kept:
        return redirect("supervision:field-task", pk=task.pk)
    return _done(request, task, _("%(count)d photo(s) kept (sha256 %(hashes)s).") % {
        "count": len(kept), "hashes": ", ".join(p.sha256[:12] for p in kept)})


@login_required
@require_POST
def measure(request: HttpRequest, pk: int) -> HttpResponse:
    task, _inspector_ = _task(request, pk)
    form = forms.MeasurementForm(request.POST, task=task)
    if not form.is_valid():
        return _refused(request, task, error_text(form))
    data = form.cleaned_data
    try:
        measurement = fieldwork.add_measurement(
            task, request.user, item=data["item"], value=data["value"],
            component=data.get("component"), instrument=data.get("instrument"),
            point=data.get("point", ""), unit=data.get("unit", ""), limit=data.get("limit"),
            limit_kind=data.get("limit_kind", ""), measured_at=data.get("measured_at"))
    except fieldwork.FieldError as exc:
        return _refused(request, task, str(exc))
    verdict = {True: _("pass"), False: _("fail"), None: _("no limit")}[measurement.passed]
    return _done(request, task, _("%(item)s %(value)g %(unit)s: %(verdict)s.") % {
        "item": measurement.get_item_display(), "value": measurement.value,
        "unit": measurement.unit, "verdict": verdict})


@login_required
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    kind_of(request)
    photo = get_object_or_404(scoping.photos(request.user), pk=pk)
    if not photo.image:
        raise Http404(_("This photo has no stored image."))
    return FileResponse(photo.image.open("rb"))
