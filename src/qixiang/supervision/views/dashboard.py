"""The home of each kind of user, and their notifications.

``/supervision/`` shows a regulator (or administrator) the region at a glance: key units, open
hazards by state, overdue ones, inspections planned this month, reports awaiting upload, and
charts of hazards found and closed per month; a key unit its own sites, hazards to act on and
reports; an agency its tasks, reports to upload, and certificates and calibrations running out.
All counts come from :mod:`qixiang.supervision.scoping`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from qixiang.supervision import scoping
from qixiang.supervision.views.common import kind_of, paginate, safe_next
from qixiang.supervision.workflows.calendar import add_months

H, S = m.HazardStatus, m.InspectionStatus
OPEN = [s for s in H.values if s != H.CLOSED]
EXPIRY_WARNING_DAYS = 90
MONTHS = 12


@login_required
def home(request: HttpRequest) -> HttpResponse:
    kind = kind_of(request)
    if kind == scoping.KEY_UNIT:
        return unit_home(request)
    if kind == scoping.AGENCY:
        return agency_home(request)
    return regulator_home(request)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _per_month(queryset, field: str, first: dt.date) -> dict[str, int]:
    rows = (queryset.filter(**{f"{field}__date__gte": first}).order_by()  # no ordering in GROUP BY
            .annotate(month=TruncMonth(field)).values("month").annotate(n=Count("pk")))
    return {row["month"].strftime("%Y-%m"): row["n"] for row in rows if row["month"]}


def hazard_chart(hazards, today: dt.date) -> dict:
    """Hazards found and closed per month over the last year, and open ones by state."""
    first = add_months(month_start(today), -(MONTHS - 1))
    months = [add_months(first, i).strftime("%Y-%m") for i in range(MONTHS)]
    found = _per_month(hazards, "found_at", first)
    closed = _per_month(hazards.filter(closed_at__isnull=False), "closed_at", first)
    by_state = dict(hazards.filter(status__in=OPEN).order_by().values_list("status")
                    .annotate(n=Count("pk")).values_list("status", "n"))
    labels = dict(H.choices)
    return {
        "months": months, "found": [found.get(x, 0) for x in months],
        "closed": [closed.get(x, 0) for x in months],
        "states": [{"state": s, "label": str(labels[s]), "count": by_state.get(s, 0)}
                   for s in OPEN],
        "i18n": {"found": _("hazards found"), "closed": _("hazards closed")},
    }


def regulator_home(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    hazards = scoping.hazards(user)
    tasks = scoping.tasks(user)
    first, following = month_start(today), add_months(month_start(today), 1)
    open_hazards = hazards.filter(status__in=OPEN)
    overdue = open_hazards.filter(Q(status=H.OVERDUE) | Q(deadline__lt=today))
    awaiting = scoping.reports(user).filter(task__status=S.ISSUED, uploaded_at__isnull=True)
    chart = hazard_chart(hazards, today)
    return render(request, "supervision/dashboard/regulator.html", {
        "today": today,
        "key_units": scoping.key_units(user).filter(delisted_on__isnull=True).count(),
        "sites_due": scoping.sites(user).filter(retired_on__isnull=True,
                                                next_due__lt=today).count(),
        "open_hazards": open_hazards.count(),
        "major_open": open_hazards.filter(severity=m.Severity.MAJOR).count(),
        "overdue": overdue.count(),
        "escalated": open_hazards.filter(status=H.ESCALATED).count(),
        "tasks_month": tasks.filter(window_start__gte=first, window_start__lt=following).count(),
        "tasks_active": tasks.filter(status__in=(S.PRE_REPORTED, S.ON_SITE)).count(),
        "awaiting_upload": awaiting.count(),
        "late_upload": awaiting.filter(upload_due__lt=today).count(),
        "to_verify": open_hazards.filter(status__in=(H.EVIDENCE_SUBMITTED, H.VERIFIED)).count(),
        "flagged": scoping.tasks(user).filter(status__in=(S.FLAGGED, S.REVIEW)).count(),
        "states": chart["states"], "chart": chart,
        "overdue_list": overdue.select_related("site", "subject").order_by("deadline")[:10],
        "awaiting_list": awaiting.select_related("task__agency__subject", "task__site")
        .order_by("upload_due")[:10],
        "month": first.strftime("%Y-%m"),
    })


def unit_home(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    unit = scoping.membership(user).key_unit
    hazards = scoping.hazards(user).select_related("site")
    return render(request, "supervision/dashboard/unit.html", {
        "today": today, "unit": unit,
        "sites": scoping.sites(user).filter(retired_on__isnull=True).order_by("next_due"),
        "to_act": hazards.filter(status__in=(H.NOTIFIED, H.PLAN_SUBMITTED, H.RECTIFYING,
                                             H.REJECTED, H.OVERDUE, H.ESCALATED))
        .order_by("deadline"),
        "waiting": hazards.filter(status__in=(H.IDENTIFIED, H.EVIDENCE_SUBMITTED, H.VERIFIED)),
        "reports": scoping.reports(user).select_related("task__agency__subject", "task__site")
        .filter(issued_on__isnull=False).order_by("-issued_on")[:10],
        "notifications": m.Notification.objects.filter(user=user, read_at__isnull=True)[:10],
    })


def agency_home(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    agency = scoping.membership(user).agency
    tasks = scoping.tasks(user)
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    by_status = dict(tasks.order_by().values_list("status").annotate(n=Count("pk"))
                     .values_list("status", "n"))
    return render(request, "supervision/dashboard/agency.html", {
        "today": today, "agency": agency,
        "by_status": [(label, by_status.get(value, 0), value) for value, label in S.choices
                      if by_status.get(value)],
        "field_tasks": tasks.filter(status__in=(S.PRE_REPORTED, S.ON_SITE, S.MEASURED))
        .select_related("site").order_by("window_start"),
        "to_upload": scoping.reports(user).filter(task__status=S.ISSUED,
                                                  uploaded_at__isnull=True)
        .select_related("task__site").order_by("upload_due"),
        "inspectors_expiring": scoping.inspectors(user).filter(
            certificate_valid_to__lte=soon).order_by("certificate_valid_to"),
        "instruments_expiring": scoping.instruments(user).filter(
            retired_on__isnull=True, calib_valid_to__lte=soon).order_by("calib_valid_to"),
        "hazards": scoping.hazards(user).filter(status__in=OPEN).select_related("site")
        .order_by("deadline")[:10],
        "renewal_due": agency.renewal_due, "is_inspector": scoping.membership(user).inspector_id,
        "notifications": m.Notification.objects.filter(user=user, read_at__isnull=True)[:10],
    })


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    kind_of(request)
    items = m.Notification.objects.filter(user=request.user).select_related("hazard", "task")
    if request.GET.get("unread") == "1":
        items = items.filter(read_at__isnull=True)
    page, rest = paginate(request, items)
    rows = [(n, news.text(n), news.link(n)) for n in page]
    return render(request, "supervision/dashboard/notifications.html",
                  {"page": page, "rest": rest, "rows": rows})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    kind_of(request)
    items = m.Notification.objects.filter(user=request.user, read_at__isnull=True)
    ids = [int(x) for x in request.POST.getlist("id") if x.isdigit()]
    if ids:
        items = items.filter(pk__in=ids)
    count = items.update(read_at=timezone.now())
    messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
    return redirect(safe_next(request, "/supervision/notifications/"))
