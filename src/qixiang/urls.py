"""URL map: each app mounts its own routes; the JSON API is one django-ninja instance."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from qixiang.api import api

admin.site.site_header = _("qixiang administration")
admin.site.site_title = _("qixiang administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("qixiang.accounts.urls")),
    path("api/", api.urls),
    path("ingest/", include("qixiang.ingest.urls")),
    path("stations/", include("qixiang.stations.urls")),
    path("observations/", include("qixiang.observations.urls")),
    path("quality/", include("qixiang.quality.urls")),
    path("supervision/", include("qixiang.supervision.urls")),
    path("", include("qixiang.monitoring.urls")),  # / (operations dashboard), /metrics
    # /edr/, /music-ws/, /provenance/ (each a ninja API under its own prefix), /portal/
    path("", include("qixiang.dataservice.urls")),
]
