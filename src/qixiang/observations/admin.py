"""Stored values and their revision history in the admin, read-only.

Values change only through ingest (a correction message), so the history stays complete.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qixiang.ingest.admin import ReadOnlyAdmin
from qixiang.observations.models import Observation, Revision
from qixiang.science import elements


class ElementFilter(admin.SimpleListFilter):
    """Element codes from the vocabulary (no DISTINCT over a large table)."""

    title = _("element")
    parameter_name = "element"

    def lookups(self, request, model_admin):
        return [(e.code, f"{e.code} {e.label(getattr(request, 'LANGUAGE_CODE', 'zh-hans'))}")
                for e in elements.ELEMENTS]

    def queryset(self, request, queryset):
        return queryset.filter(element=self.value()) if self.value() else queryset


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    """No date hierarchy: it lists distinct dates over the whole (large) table on every page."""

    list_display = ("station_id", "element", "time", "value", "unit", "qc_flag", "message_id",
                    "received_at")
    list_filter = (ElementFilter, "qc_flag")
    search_fields = ("=station_id",)
    ordering = ("-time",)
    show_full_result_count = False
    raw_id_fields = ("message",)

    @admin.display(description=_("unit"))
    def unit(self, obj: Observation) -> str:
        element = elements.BY_CODE.get(obj.element)
        return element.unit if element else ""


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("station_id", "element", "time", "value", "qc_flag", "message_id",
                    "replaced_by_id", "replaced_at")
    list_filter = (ElementFilter,)
    search_fields = ("=station_id",)
    date_hierarchy = "replaced_at"
    ordering = ("-replaced_at",)
    raw_id_fields = ("message", "replaced_by")
