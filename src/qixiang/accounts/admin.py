from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from qixiang.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "region_code", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Role and region"), {"fields": ("role", "region_code")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role and region"), {"fields": ("role", "region_code")}))
