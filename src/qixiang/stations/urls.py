"""Page routes of the stations app."""

from django.urls import path

from qixiang.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.station_map, name="map"),
    path("boundary.geojson", views.boundary, name="boundary"),
    path("<str:cma_id>/", views.station_detail, name="detail"),
]
