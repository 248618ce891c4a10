"""Pages of the stations app: the station map, the boundary file it draws, a station's page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from qixiang.accounts.scoping import region_prefix_of, scope_stations
from qixiang.observations.models import QCFlag
from qixiang.observations.series import rfc3339, station_known
from qixiang.science import elements as vocabulary
from qixiang.stations.charts import CHARTS, all_elements
from qixiang.stations.periods import CHOICES_HOURS, period_from_query

# Elements a map can be coloured by: the numeric ones (present-weather codes are categories).
MAP_ELEMENTS = tuple(e for e in vocabulary.ELEMENTS if e.unit != "code")


def qc_labels() -> dict[int, str]:
    """CMA QC flag -> its label in the current language, for chart tooltips."""
    return {int(value): str(label) for value, label in QCFlag.choices}


def boundary_path() -> Path | None:
    """The deployer's boundary GeoJSON (setting QIXIANG_BOUNDARY_GEOJSON), if it exists."""
    configured = getattr(settings, "QIXIANG_BOUNDARY_GEOJSON", "")
    if not configured:
        return None
    path = Path(configured)
    return path if path.is_file() else None


def station_map(request: HttpRequest) -> HttpResponse:
    """Every visible station as a point, coloured by its newest value of a chosen element."""
    go = request.GET.get("go", "").strip()
    if go:
        return redirect("stations:detail", cma_id=go)
    element = request.GET.get("element", "TEM")
    if element not in vocabulary.BY_CODE:
        element = "TEM"
    language = request.LANGUAGE_CODE
    return render(request, "stations/map.html", {
        "element": element,
        "elements": [(e.code, e.label(language), e.unit) for e in MAP_ELEMENTS],
        "region_prefix": region_prefix_of(request.user),
        "station_count": scope_stations(request.user).count(),
        "boundary_url": reverse("stations:boundary") if boundary_path() else "",
        "map_i18n": {
            "reporting": _("Reported in the last hour"),
            "reportingNoValue": _("Reported in the last hour, no value of this element"),
            "silent": _("Silent for an hour or more"),
            "noValue": _("no value"),
            "observed": _("Observed (Beijing time)"),
            "status": _("%(reporting)s of %(total)s stations reported in the last hour"),
            "qc": qc_labels(),
        },
    })


def boundary(request: HttpRequest) -> FileResponse:
    """The configured boundary file as GeoJSON; 404 when none is configured."""
    path = boundary_path()
    if path is None:
        raise Http404("no boundary file is configured (QIXIANG_BOUNDARY_GEOJSON)")
    response = FileResponse(path.open("rb"), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def station_detail(request: HttpRequest, cma_id: str) -> HttpResponse:
    """A station's identifiers, position and charts of its values over a chosen period."""
    station = scope_stations(request.user).filter(cma_id=cma_id).first()
    if station is None and (region_prefix_of(request.user) or not station_known(cma_id)):
        raise Http404(f"station {cma_id!r} is not registered or not in your region")
    period = period_from_query(request.GET)
    language = request.LANGUAGE_CODE
    element_info = {
        code: {"label": vocabulary.get(code).label(language), "unit": vocabulary.get(code).unit}
        for code in all_elements()
    }
    return render(request, "stations/detail.html", {
        "station": station,
        "cma_id": cma_id,
        "period": period,
        "hour_choices": CHOICES_HOURS,
        "charts": CHARTS,
        "chart_config": {
            "station": cma_id,
            "start": rfc3339(period.start),
            "end": rfc3339(period.end),
            "seriesUrl": reverse("api:observation_series"),
            "charts": [{"key": c.key, "elements": list(c.elements)} for c in CHARTS],
            "elements": element_info,
        },
        "chart_i18n": {
            "noData": _("No values in this period"),
            "beijing": _("Beijing time"),
            "direction": _("direction (°)"),
            "points": _("%(count)s values in this period."),
            "failed": _("The values could not be loaded:"),
            "qc": qc_labels(),
        },
    })
