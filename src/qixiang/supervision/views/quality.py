"""The data quality page: issues the rules raised, filtered, and the owner's own list.

Everyone sees the issues :func:`qixiang.supervision.scoping.quality_issues` lets them see; the
"mine" view narrows to what the user must act on: their organisation's issues for a key unit or
agency user, the bureau's (no organisation named) for a regulator, and anything addressed to
them personally. An owner acknowledges an issue; a regulator may dismiss one with a reason (the
rules then leave it dismissed). Fixing the data closes an issue at the next rule run.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qixiang.supervision import models as m
from qixiang.supervision import quality, scoping

PAGE_SIZE = 50
OPEN = list(quality.OPEN)


def mine(user) -> Q:
    """The issues ``user`` (or their organisation) is the owner of."""
    member = scoping.membership(user)
    if member is not None:
        own = member.key_unit.subject_id if member.key_unit_id else member.agency.subject_id
        return Q(owner_subject_id=own) | Q(owner_user=user)
    if scoping.actor_kind(user) in (scoping.REGULATOR, scoping.ADMIN):
        return Q(owner_subject__isnull=True, owner_user__isnull=True) | Q(owner_user=user)
    return Q(owner_user=user)


def is_owner(user, issue: m.DataQualityIssue) -> bool:
    return m.DataQualityIssue.objects.filter(mine(user), pk=issue.pk).exists()


def filtered(request: HttpRequest) -> tuple[QuerySet[m.DataQualityIssue], dict]:
    """The visible issues narrowed by the query string, and the filters as given."""
    get = request.GET
    chosen = {name: get.get(name, "") for name in ("stage", "rule", "severity", "status",
                                                   "owner", "q")}
    qs = scoping.quality_issues(request.user).select_related("subject", "owner_subject",
                                                             "owner_user")
    if chosen["status"] in ("", "open"):
        qs = qs.filter(status__in=OPEN)
    elif chosen["status"] in m.IssueStatus.values:
        qs = qs.filter(status=chosen["status"])
    for name in ("stage", "rule", "severity"):
        if chosen[name]:
            qs = qs.filter(**{name: chosen[name]})
    if chosen["owner"] == "mine":
        qs = qs.filter(mine(request.user))
    if chosen["q"]:
        text = chosen["q"].strip()
        qs = qs.filter(Q(record_label__icontains=text) | Q(subject__subject_code__icontains=text)
                       | Q(subject__name__icontains=text) | Q(message__icontains=text))
    return qs.order_by("-created_at", "-pk"), chosen


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    if scoping.actor_kind(request.user) is None:
        raise PermissionDenied(_("Supervision pages are for regulators, key units and agencies."))
    qs, chosen = filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    titles = {r.name: r.title for r in quality.rules()}
    for issue in page.object_list:
        issue.rule_title = titles.get(issue.rule, issue.rule)
    stage_labels = dict(m.Stage.choices)
    counts = (scoping.quality_issues(request.user).filter(status__in=OPEN)
              .values("stage", "rule").annotate(n=Count("pk")).order_by("stage", "rule"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "supervision/quality/list.html", {
        "page": page, "chosen": chosen, "query": query.urlencode(),
        "rules": quality.rules(), "stages": m.Stage.choices,
        "severities": m.IssueSeverity.choices, "statuses": m.IssueStatus.choices,
        "counts": [dict(c, title=titles.get(c["rule"], c["rule"]),
                        stage_label=stage_labels.get(c["stage"], c["stage"])) for c in counts],
        "mine_count": scoping.quality_issues(request.user).filter(
            mine(request.user), status__in=OPEN).count(),
        "can_dismiss": scoping.actor_kind(request.user) in (scoping.REGULATOR, scoping.ADMIN),
    })


@login_required
@require_POST
def issue_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge (the owner) or dismiss with a reason (a regulator) one open issue."""
    issue = get_object_or_404(scoping.quality_issues(request.user), pk=pk)
    action = request.POST.get("action")
    if issue.status not in OPEN:
        messages.error(request, _("This issue is no longer open."))
    elif action == "acknowledge":
        if not (is_owner(request.user, issue)
                or scoping.actor_kind(request.user) == scoping.ADMIN):
            raise PermissionDenied(_("Only the owner acknowledges an issue."))
        issue.status = m.IssueStatus.ACKNOWLEDGED
        issue.save(update_fields=["status", "updated_at"])
        messages.success(request, _("Issue acknowledged."))
    elif action == "dismiss":
        if scoping.actor_kind(request.user) not in (scoping.REGULATOR, scoping.ADMIN):
            raise PermissionDenied(_("Only a regulator dismisses an issue."))
        reason = request.POST.get("reason", "").strip()
        if not reason:
            messages.error(request, _("Give the reason for dismissing the issue."))
        else:
            issue.status, issue.resolution = m.IssueStatus.DISMISSED, reason
            issue.resolved_at = timezone.now()
            issue.save(update_fields=["status", "resolution", "resolved_at", "updated_at"])
            messages.success(request, _("Issue dismissed."))
    else:
        messages.error(request, _("Unknown action."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith(reverse("supervision:quality")) else
                    "supervision:quality")
