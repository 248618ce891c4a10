"""The raw archive and the stage counts in the admin: read-only, dead letters one click away."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qixiang.ingest.models import RawMessage, StageCount

PREVIEW_BYTES = 4096


class ReadOnlyAdmin(admin.ModelAdmin):
    """What ingest recorded is evidence: it is looked at, never edited or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DeadLetterFilter(admin.SimpleListFilter):
    title = _("dead letters")
    parameter_name = "dead"

    def lookups(self, request, model_admin):
        return [("yes", _("dead letters (rejected or undecoded)")), ("no", _("decoded"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(status=RawMessage.Status.DECODED)
        if self.value() == "no":
            return queryset.filter(status=RawMessage.Status.DECODED)
        return queryset


def payload_preview(payload: bytes) -> str:
    """The start of a payload: as text when it reads as text, else as hex."""
    head = bytes(payload[:PREVIEW_BYTES])
    text = head.decode("utf-8", errors="replace")
    readable = sum(c.isprintable() and c != "\ufffd" or c in "\r\n\t\x01\x03" for c in text)
    if readable < 0.95 * len(text):
        text = "\n".join(head[i:i + 32].hex(" ") for i in range(0, len(head), 32))
    return text + ("\n…" if len(payload) > PREVIEW_BYTES else "")


@admin.register(RawMessage)
class RawMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "origin", "position", "codec", "channel", "status",
                    "correction", "report_count", "value_count", "short_reason")
    list_filter = (DeadLetterFilter, "status", "codec", "channel", "correction")
    search_fields = ("=sha256", "origin", "header", "reason")
    ordering = ("-received_at", "-id")
    show_full_result_count = False
    exclude = ("payload",)
    readonly_fields = ("sha256", "codec", "channel", "origin", "position", "header", "correction",
                       "status", "reason", "report_count", "value_count", "received_at",
                       "stored_at", "payload_size", "payload_text")

    @admin.display(description=_("reason"))
    def short_reason(self, obj: RawMessage) -> str:
        return obj.reason if len(obj.reason) <= 120 else obj.reason[:119] + "…"

    @admin.display(description=_("payload size (bytes)"))
    def payload_size(self, obj: RawMessage) -> int:
        return len(obj.payload)

    @admin.display(description=_("payload"))
    def payload_text(self, obj: RawMessage) -> str:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>',
                           payload_preview(obj.payload))


@admin.register(StageCount)
class StageCountAdmin(ReadOnlyAdmin):
    list_display = ("minute", "stage", "channel", "received", "stored", "duplicates", "rejected",
                    "undecoded", "values")
    list_filter = ("stage", "channel")
    date_hierarchy = "minute"
    ordering = ("-minute", "stage", "channel")
