"""Page routes of the stations app."""

from django.urls import path  # noqa: F401

app_name = "stations"
urlpatterns: list = []
