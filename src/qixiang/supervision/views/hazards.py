"""The hazard closed loop (查-整-消) in pages: list, record, one hazard with its steps, files.

Regulators see their region's hazards and notify, verify, reject, close and escalate; a key unit
sees its own and submits plans and evidence; an agency sees those its reports found, gives its
rectification opinion and may verify. Every step goes through
:func:`qixiang.supervision.workflows.transition`; records outside a user's scope answer 404, steps
their role may not take 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qixiang.supervision import findings, forms, scoping
from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from qixiang.supervision.views.common import kind_of, paginate, step_forms, take_step
from qixiang.supervision.workflows import hazard as hazard_flow

OPEN = [s for s in m.HazardStatus.values if s != m.HazardStatus.CLOSED]


def filtered_hazards(request: HttpRequest):
    """The user's hazards narrowed by the list's filters (status, severity, source, overdue...)."""
    qs = scoping.hazards(request.user).select_related("site", "subject")
    get = request.GET
    statuses = [s for s in get.getlist("status") if s in m.HazardStatus.values]
    if statuses:
        qs = qs.filter(status__in=statuses)
    elif get.get("open") == "1":
        qs = qs.filter(status__in=OPEN)
    if get.get("severity") in m.Severity.values:
        qs = qs.filter(severity=get["severity"])
    if get.get("source") in m.HazardSource.values:
        qs = qs.filter(source=get["source"])
    if get.get("overdue") == "1":
        qs = qs.filter(Q(status=m.HazardStatus.OVERDUE)
                       | Q(status__in=OPEN, deadline__lt=timezone.localdate()))
    if get.get("region", "").isdigit():
        qs = qs.filter(subject__region_code__startswith=get["region"])
    if q := get.get("q", "").strip():
        qs = qs.filter(Q(hazard_no__icontains=q) | Q(site__name__icontains=q)
                       | Q(subject__name__icontains=q) | Q(item__icontains=q))
    return qs.order_by("-found_at")


@login_required
def hazard_list(request: HttpRequest) -> HttpResponse:
    kind = kind_of(request)
    page, rest = paginate(request, filtered_hazards(request))
    return render(request, "supervision/hazards/list.html", {
        "page": page, "rest": rest, "kind": kind, "today": timezone.localdate(),
        "statuses": m.HazardStatus.choices, "severities": m.Severity.choices,
        "sources": m.HazardSource.choices, "chosen": request.GET.getlist("status"),
        "can_record": bool(findings.sources_for(request.user)),
    })


def trail(hazard: m.Hazard) -> list[dict]:
    """The hazard's own entries in the audit trail: when, who, what, and the state after."""
    states = dict(m.HazardStatus.choices)
    rows = []
    entries = list(m.AuditEntry.objects.filter(object_type="supervision.Hazard",
                                               object_id=str(hazard.pk)).order_by("seq"))
    named = any(e.action == "hazard.found" for e in entries)
    for entry in entries:
        if named and entry.action == "create":  # the named entry says who found it
            continue
        action = entry.action.removeprefix("hazard.")
        step = hazard_flow.MACHINE.get(action)
        label = step.label if step else PLAIN_ACTIONS.get(action, action)
        to = entry.change.get("to") if isinstance(entry.change, dict) else None
        rows.append({"at": entry.at, "actor": entry.actor, "label": label, "seq": entry.seq,
                     "state": states.get(to, "") if to else ""})
    return rows


PLAIN_ACTIONS = {"create": gettext_lazy("recorded"), "found": gettext_lazy("recorded"), "update": gettext_lazy("updated"),
                 "delete": gettext_lazy("deleted")}


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kind_of(request)
    hazard = get_object_or_404(
        scoping.hazards(request.user).select_related("site__key_unit", "subject", "component",
                                                     "report__task__agency__subject"), pk=pk)
    return render(request, "supervision/hazards/detail.html", {
        "hazard": hazard, "today": timezone.localdate(),
        "rounds": hazard.rectifications.select_related("verifier", "retest_report"),
        "attachments": scoping.attachments(request.user, hazard.attachments.all()),
        "steps": step_forms(hazard, request.user, forms.HAZARD_STEPS),
        "trail": trail(hazard),
    })


def _keep_files(hazard: m.Hazard, form: forms.StepForm, action: str, user) -> None:
    stage = forms.HAZARD_STEP_STAGES.get(action)
    if stage is not None:
        findings.attach(hazard, stage, form.files_given(), user)


@login_required
@require_POST
def hazard_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    kind_of(request)
    hazard = get_object_or_404(scoping.hazards(request.user), pk=pk)
    done = take_step(request, hazard, action, forms.HAZARD_STEPS,
                     after=lambda obj, form: _keep_files(obj, form, action, request.user))
    if done:
        news.after_hazard_step(hazard, action, request.user)
    return redirect("supervision:hazard", pk=hazard.pk)


@login_required
def hazard_create(request: HttpRequest) -> HttpResponse:
    kind_of(request)
    sources = findings.sources_for(request.user)
    if not sources:
        raise PermissionDenied(_("You may not record hazards."))
    initial = {"source": sources[0]}
    if request.GET.get("report", "").isdigit():
        initial.update(source=m.HazardSource.REPORT, report=int(request.GET["report"]))
    if request.GET.get("site", "").isdigit():
        initial["site"] = int(request.GET["site"])
    form = forms.HazardForm(request.POST or None, request.FILES or None, user=request.user,
                            sources=sources, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hazard = findings.record_hazard(
                request.user, source=data["source"], item=data["item"],
                site=data.get("site"), report=data.get("report"),
                component=data.get("component"), description=data["description"],
                severity=data["severity"], files=data["files"])
        except findings.FindingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Hazard %(no)s recorded.") % {"no": hazard.hazard_no})
            return redirect("supervision:hazard", pk=hazard.pk)
    return render(request, "supervision/hazards/new.html", {"form": form})


@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    kind_of(request)
    attachment = get_object_or_404(scoping.attachments(request.user), pk=pk)
    return FileResponse(attachment.file.open("rb"), filename=attachment.name or None,
                        as_attachment=False)
