"""Page routes of the observations app."""

from django.urls import path  # noqa: F401

app_name = "observations"
urlpatterns: list = []
