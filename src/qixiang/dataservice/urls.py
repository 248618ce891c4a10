"""Routes of the dataservice app."""

from django.urls import path  # noqa: F401

app_name = "dataservice"
urlpatterns: list = []
