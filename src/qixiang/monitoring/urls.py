"""Page routes of the monitoring app."""

from django.urls import path

from qixiang.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("monitoring/panel/", views.panel, name="panel"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
