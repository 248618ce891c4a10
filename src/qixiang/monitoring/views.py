"""Pages of the monitoring app: the live operations dashboard, its fragment, /metrics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from qixiang.monitoring import prometheus
from qixiang.monitoring import summary as dashboard

POLL_SECONDS = 5


def _context() -> dict:
    return {"s": dashboard.collect(), "dead_letters_url": dashboard.dead_letter_url(),
            "poll_seconds": POLL_SECONDS}


@never_cache
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The operations dashboard: figures refreshed by htmx, the chart by the summary API."""
    context = _context()
    context["dashboard_i18n"] = {
        "stored": _("Stored"), "duplicates": _("Duplicates"), "rejected": _("Rejected"),
        "undecoded": _("Undecoded"), "received": _("In"), "beijing": _("Beijing time"),
        "offline": _("Connection lost; retrying"),
    }
    return render(request, "monitoring/dashboard.html", context)


@never_cache
def panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures alone, which the page polls every few seconds."""
    return render(request, "monitoring/_panel.html", _context())


@never_cache
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition (scrape target ``/metrics``)."""
    return HttpResponse(prometheus.exposition(), content_type=prometheus.CONTENT_TYPE)
