"""Quality app in the admin: station schedules are edited here; reviews and summaries are read."""

from __future__ import annotations

from django.contrib import admin

from qixiang.ingest.admin import ReadOnlyAdmin
from qixiang.quality.models import HourSummary, Review, StationSchedule


@admin.register(StationSchedule)
class StationScheduleAdmin(admin.ModelAdmin):
    list_display = ("station_id", "cadence", "learned", "updated_at")
    list_editable = ("cadence", "learned")
    list_filter = ("cadence", "learned")
    search_fields = ("=station_id",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """The review log is evidence: read here, written only by decisions on the review page."""

    list_display = ("reviewed_at", "reviewer_name", "station_id", "element", "time", "old_flag",
                    "new_flag", "old_value", "new_value", "reason")
    list_filter = ("new_flag", "old_flag")
    search_fields = ("=station_id", "reviewer_name")
    date_hierarchy = "reviewed_at"


@admin.register(HourSummary)
class HourSummaryAdmin(ReadOnlyAdmin):
    list_display = ("hour", "station_id", "province", "cadence", "expected", "arrived", "usable",
                    "values", "checked", "suspect", "wrong", "within_1min", "within_5min")
    list_filter = ("cadence",)
    search_fields = ("=station_id",)
    ordering = ("-hour",)
    show_full_result_count = False
