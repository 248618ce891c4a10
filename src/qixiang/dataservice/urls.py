"""Routes of the dataservice app."""

from django.urls import path  # noqa: F401

from qixiang.dataservice.edr.api import api as edr_api
from qixiang.dataservice.service_api import api as service_api

app_name = "dataservice"
urlpatterns: list = [
    path("edr/", edr_api.urls),  # OGC API – EDR (docs/api.md)
    path("", service_api.urls),  # /music-ws/api (天擎 MUSIC), /provenance/... (docs/api.md)
]
