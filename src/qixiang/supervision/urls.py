"""Routes of the supervision app."""

from django.urls import path

from qixiang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/qr.png", views.site_qr, name="site-qr"),
    path("s/<str:token>", views.scan, name="scan"),
]
