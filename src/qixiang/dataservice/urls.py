"""Routes of the dataservice app."""

from django.urls import path  # noqa: F401

from qixiang.dataservice.edr.api import api as edr_api

app_name = "dataservice"
urlpatterns: list = [
    path("edr/", edr_api.urls),  # OGC API – EDR (docs/api.md)
]
