"""Routes of the supervision app."""

from django.urls import path

from qixiang.supervision import views
from qixiang.supervision.views import dashboard, field, hazards, inspections
from qixiang.supervision.views import exchange as exchange_views
from qixiang.supervision.views import files as file_views
from qixiang.supervision.views import quality as quality_views

app_name = "supervision"
urlpatterns = [
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/qr.png", views.site_qr, name="site-qr"),
    path("s/<str:token>", views.scan, name="scan"),
    path("", dashboard.home, name="home"),
    path("notifications/", dashboard.notifications, name="notifications"),
    path("notifications/read/", dashboard.notifications_read, name="notifications-read"),
    path("tasks/", inspections.task_list, name="tasks"),
    path("tasks/new/", inspections.task_create, name="task-new"),
    path("tasks/<int:pk>/", inspections.task_detail, name="task"),
    path("tasks/<int:pk>/team/", inspections.task_team, name="task-team"),
    path("tasks/<int:pk>/do/<slug:action>/", inspections.task_step, name="task-step"),
    path("reports/", inspections.report_list, name="reports"),
    path("reports/<int:pk>/file.pdf", inspections.report_file, name="report-file"),
    path("field/", field.field_home, name="field"),
    path("field/<int:pk>/", field.field_task, name="field-task"),
    path("field/<int:pk>/check-in/", field.check_in, name="field-check-in"),
    path("field/<int:pk>/check-out/", field.check_out, name="field-check-out"),
    path("field/<int:pk>/scan/", field.scan, name="field-scan"),
    path("field/<int:pk>/identity/", field.identity, name="field-identity"),
    path("field/<int:pk>/photos/", field.photos, name="field-photos"),
    path("field/<int:pk>/measurements/", field.measure, name="field-measure"),
    path("photos/<int:pk>", field.photo_file, name="photo"),
    path("hazards/", hazards.hazard_list, name="hazards"),
    path("hazards/new/", hazards.hazard_create, name="hazard-new"),
    path("hazards/<int:pk>/", hazards.hazard_detail, name="hazard"),
    path("hazards/<int:pk>/do/<slug:action>/", hazards.hazard_step, name="hazard-step"),
    path("attachments/<int:pk>", hazards.attachment_file, name="attachment"),
    path("subjects/", file_views.subject_list, name="subjects"),
    path("subjects/<int:pk>/file", file_views.subject_file, name="subject-file"),
    path("subjects/<int:pk>/file.pdf", file_views.subject_file_pdf, name="subject-file-pdf"),
    path("quality/", quality_views.issue_list, name="quality"),
    path("quality/<int:pk>/", quality_views.issue_action, name="quality-action"),
    path("exchange/", exchange_views.exchange_list, name="exchange"),
]
