"""Admin of the data service: tiers, approving registrations, MUSIC credentials, daily usage and
the access log ("who downloaded what, when"), filterable and exportable as CSV."""

from __future__ import annotations

import csv
from datetime import UTC

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qixiang.dataservice.models import (
    AccessGrant,
    AccessLog,
    DailyUsage,
    MusicCredential,
    Tier,
    split_list,
)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "daily_quota", "rate_per_minute")
    list_editable = ("name", "daily_quota", "rate_per_minute")


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    """Registrations arrive pending; approve them (after setting datasets, regions and tier) with
    the actions. Approving a grant with no datasets grants the datasets the user asked for."""

    list_display = ("user", "organisation", "status", "tier", "datasets", "regions",
                    "requested_datasets", "created_at", "decided_at")
    list_filter = ("status", "tier")
    search_fields = ("user__username", "user__email", "organisation")
    readonly_fields = ("created_at", "decided_at", "decided_by", "requested_datasets")
    fields = ("user", "status", "tier", "datasets", "regions", "organisation", "purpose",
              "requested_datasets", "created_at", "decided_at", "decided_by")
    actions = ("approve", "reject", "suspend")

    def _decide(self, request: HttpRequest, queryset, status: str) -> int:
        count = 0
        for grant in queryset.select_related("user"):
            grant.status = status
            if status == AccessGrant.Status.APPROVED and not split_list(grant.datasets):
                grant.datasets = grant.requested_datasets
            grant.decided_at, grant.decided_by = timezone.now(), request.user
            grant.save()
            count += 1
        return count

    @admin.action(description=_("Approve the selected registrations"))
    def approve(self, request, queryset):
        count = self._decide(request, queryset, AccessGrant.Status.APPROVED)
        self.message_user(request, _("%(count)d registrations approved.") % {"count": count})

    @admin.action(description=_("Reject the selected registrations"))
    def reject(self, request, queryset):
        count = self._decide(request, queryset, AccessGrant.Status.REJECTED)
        self.message_user(request, _("%(count)d registrations rejected.") % {"count": count},
                          messages.WARNING)

    @admin.action(description=_("Suspend the selected users' access"))
    def suspend(self, request, queryset):
        count = self._decide(request, queryset, AccessGrant.Status.SUSPENDED)
        self.message_user(request, _("%(count)d users suspended.") % {"count": count},
                          messages.WARNING)

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            obj.decided_at, obj.decided_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)


@admin.register(MusicCredential)
class MusicCredentialAdmin(admin.ModelAdmin):
    """Credentials are made in the portal; the secret is never shown again. Revoke the API key
    a credential hangs on to revoke it."""

    list_display = ("user_id", "owner", "key_prefix", "revoked", "created_at")
    search_fields = ("user_id", "api_key__user__username")
    readonly_fields = ("api_key", "user_id", "created_at")
    fields = readonly_fields

    @admin.display(description=_("user"))
    def owner(self, obj):
        return obj.api_key.user

    @admin.display(description=_("API key"))
    def key_prefix(self, obj):
        return f"{obj.api_key.prefix}…"

    @admin.display(description=_("revoked"), boolean=True)
    def revoked(self, obj):
        return obj.api_key.revoked

    def has_add_permission(self, request):
        return False


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ("principal", "day", "cost", "requests")
    list_filter = ("day",)
    search_fields = ("principal",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


CSV_COLUMNS = ("time", "requester", "client_ip", "api", "dataset", "query", "media_type",
               "size", "sha256", "cost", "state", "data_id", "kid")


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Who downloaded what, when: filter, then export the filtered list as CSV (times in UTC)."""

    list_display = ("time", "requester", "api", "dataset", "short_query", "size", "state",
                    "client_ip", "record_link")
    list_filter = ("api", "dataset", "state", ("time", admin.DateFieldListFilter))
    search_fields = ("requester", "data_id", "sha256", "query", "client_ip")
    readonly_fields = [f.name for f in AccessLog._meta.fields]
    actions = ("export_selected",)
    list_select_related = ("user",)
    show_full_result_count = False  # no COUNT(*) over the whole log on every page
    change_list_template = "admin/dataservice/accesslog/change_list.html"

    @admin.display(description=_("query"))
    def short_query(self, obj):
        return obj.query if len(obj.query) <= 80 else obj.query[:79] + "…"

    @admin.display(description=_("record"))
    def record_link(self, obj):
        return format_html('<a href="/provenance/{}">{}</a>', obj.data_id, obj.data_id[:8])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [path("export.csv", self.admin_site.admin_view(self.export_filtered),
                    name="dataservice_accesslog_export")]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        extra = {"export_url": reverse("admin:dataservice_accesslog_export")
                 + (f"?{query}" if query else "")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def _csv(self, queryset, filename: str) -> StreamingHttpResponse:
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(CSV_COLUMNS)
            for row in queryset.order_by("time").iterator(chunk_size=2000):
                yield writer.writerow([
                    row.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    if name == "time" else getattr(row, name) for name in CSV_COLUMNS])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def export_filtered(self, request: HttpRequest) -> StreamingHttpResponse:
        """The list as filtered and searched on the change list, every page, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self._csv(changelist.get_queryset(request), "access-log.csv")

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_selected(self, request, queryset):
        return self._csv(queryset, "access-log.csv")
