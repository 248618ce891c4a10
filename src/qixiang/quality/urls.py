"""Page routes of the quality app."""

from django.urls import path

from qixiang.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.quality_page, name="page"),
    path("report.csv", views.report_csv, name="report"),
    path("review/", views.review_page, name="review"),
    path("review/<int:pk>/", views.decide, name="decide"),
]
