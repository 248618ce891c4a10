"""Pages of the quality app: the quality page, the daily report download, the review of flags."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qixiang.accounts.scoping import region_prefix_of
from qixiang.observations.models import Observation, QCFlag
from qixiang.quality import indicators as service
from qixiang.quality import report, review
from qixiang.quality.stage import element_label, label_checks
from qixiang.science import elements as vocabulary
from qixiang.stations.views import boundary_path

PERIODS = (("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), ("30d", timedelta(days=30)))
PAGE = 50


def _period(request: HttpRequest) -> tuple[str, datetime, datetime]:
    chosen = request.GET.get("period", "24h")
    span = dict(PERIODS).get(chosen)
    if span is None:
        chosen, span = "24h", PERIODS[0][1]
    start, end = service.period(None, None, default=span)
    return chosen, start, end


def quality_page(request: HttpRequest) -> HttpResponse:
    """Availability map, province ranking, worst stations and trend over a chosen period."""
    chosen, start, end = _period(request)
    user = request.user
    network = service.indicators("network", start, end, user)[0]
    provinces = sorted(service.indicators("province", start, end, user),
                       key=lambda p: (p.availability is None, -(p.availability or 0), p.key))
    worst = service.worst(start, end, user, limit=15)
    pending = service.pending(start, end)
    today = datetime.now(service.BEIJING).date()
    query = f"?start={start:%Y-%m-%dT%H:%M:%SZ}&end={end:%Y-%m-%dT%H:%M:%SZ}"
    return render(request, "quality/page.html", {
        "period": chosen, "periods": [p for p, _ in PERIODS], "start": start, "end": end,
        "network": network, "provinces": provinces, "worst": worst, "pending": pending,
        "region_prefix": region_prefix_of(user),
        "report_day": today - timedelta(days=1), "today": today,
        "may_review": review.may_review(user),
        "boundary_url": reverse("stations:boundary") if boundary_path() else "",
        "stations_api": reverse("api:quality_indicators") + query + "&level=station",
        "trend_api": reverse("api:quality_trend") + query,
        "quality_i18n": {
            "availability": _("Availability"), "coverage": _("QC coverage"),
            "within1": _("Within 1 minute"), "within5": _("Within 5 minutes"),
            "expected": _("expected reports"), "arrived": _("arrived"),
            "wrong": _("wrong values"), "suspect": _("suspect values"),
            "beijing": _("Beijing time"), "noData": _("Nothing expected in this period"),
            "noValue": _("nothing expected"),
        },
    })


def report_csv(request: HttpRequest) -> HttpResponse:
    """The daily report of ``?date=YYYY-MM-DD`` (Beijing day; default yesterday) as CSV."""
    text = request.GET.get("date", "")
    try:
        day = date.fromisoformat(text) if text else datetime.now(service.BEIJING).date() - \
            timedelta(days=1)
    except ValueError:
        return HttpResponse(_("date: give a day as YYYY-MM-DD"), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qixiang-quality-{day}.csv"'
    report.write(day, response, request.user)
    return response


def _filters(request: HttpRequest) -> review.Filters:
    get = request.GET

    def moment(name: str) -> datetime | None:
        text = get.get(name, "").strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
        # the form's datetime-local fields are Beijing time
        return value.replace(tzinfo=service.BEIJING) if value.tzinfo is None else value

    flag = get.get("flag", "")
    return review.Filters(
        element=get.get("element", "") if get.get("element", "") in vocabulary.BY_CODE else "",
        station=get.get("station", "").strip(), province=get.get("province", "").strip(),
        start=moment("start"), end=moment("end"),
        flag=int(flag) if flag in ("1", "2") else None, pending=get.get("all", "") != "1")


def review_page(request: HttpRequest) -> HttpResponse:
    """Suspect and wrong values with their reasons, each with a form to decide on it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not review.may_review(request.user):
        raise PermissionDenied(_("Only operators and administrators may review QC flags."))
    filters = _filters(request)
    text = request.GET.get("page", "1")
    page = max(1, int(text)) if text.isdigit() else 1
    found = list(review.flagged(request.user, filters)[(page - 1) * PAGE: page * PAGE + 1])
    language = request.LANGUAGE_CODE
    rows = [{
        "obs": o,
        "label": element_label(o.element, language),
        "unit": vocabulary.BY_CODE[o.element].unit if o.element in vocabulary.BY_CODE else "",
        "checks": label_checks(o.qc_checks),
        "reasons": (o.qc_reason or "").splitlines(),
    } for o in found[:PAGE]]
    args = request.GET.copy()
    args.pop("page", None)
    return render(request, "quality/review.html", {
        "rows": rows, "filters": filters, "page": page, "more": len(found) > PAGE,
        "query": args.urlencode(),
        "elements": [(e.code, e.label(language)) for e in vocabulary.ELEMENTS],
        "decisions": [(int(f), QCFlag(f).label) for f in review.DECISIONS],
        "recent": review.Review.objects.order_by("-reviewed_at")[:10]
        if not region_prefix_of(request.user) else
        review.Review.objects.filter(reviewer=request.user).order_by("-reviewed_at")[:10],
        "start_text": request.GET.get("start", ""), "end_text": request.GET.get("end", ""),
    })


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply one decision from the review page's form, then go back to the list."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("quality:review"))
    observation = get_object_or_404(Observation, pk=pk)
    back = request.POST.get("next", "") or reverse("quality:review")
    if not back.startswith("/"):
        back = reverse("quality:review")
    try:
        flag = int(request.POST.get("flag", ""))
        text = request.POST.get("value", "").strip()
        value = float(text) if text else None
    except ValueError:
        messages.error(request, _("The flag and the value must be numbers."))
        return redirect(back)
    try:
        done = review.decide(request.user, observation, flag, request.POST.get("reason", ""),
                             value)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("%(station)s %(element)s %(time)s: flag %(old)s → %(new)s")
                     % {"station": done.station_id, "element": done.element,
                        "time": done.time.astimezone(service.BEIJING).strftime("%Y-%m-%d %H:%M"),
                        "old": done.old_flag, "new": done.new_flag})
    return redirect(back)


