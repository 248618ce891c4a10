from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from qixiang.accounts.apikeys import set_new_key
from qixiang.accounts.models import ApiKey, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "region_code", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Role and region"), {"fields": ("role", "region_code")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role and region"), {"fields": ("role", "region_code")}))


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made here or by ``qixiang apikey create``; the clear key is shown once."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "user") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key = set_new_key(obj)
        super().save_model(request, obj, form, change)
        self.message_user(
            request, _("API key for %(user)s: %(key)s — copy it now, it is not shown again.")
            % {"user": obj.user, "key": key}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = queryset.update(revoked=True)
        self.message_user(request, _("%(count)d keys revoked.") % {"count": count})
