"""Django admin for every supervision model, in Chinese by default.

Each list is filtered by :mod:`qixiang.supervision.scoping`, so a regulator with admin access
sees their region only. States are read-only here: they change through
:func:`qixiang.supervision.workflows.transition`, which keeps the trail. ID numbers are typed
into a plain field that is encrypted on save and only ever shown masked. The audit trail is
read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qixiang.supervision import models as m
from qixiang.supervision import privacy, scoping
from qixiang.supervision.identity import IdentifierError, check_id_no


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what the user may see; state fields shown, never edited."""

    state_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.model in scoping.SCOPES:
            return scoping.visible(request.user, self.model, queryset)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.state_fields)


class IdNumberForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"), required=False, max_length=18,
        help_text=_("Typed in clear, stored encrypted, shown masked. Leave empty to keep it."))

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        if value:
            try:
                check_id_no(value)
            except IdentifierError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def save(self, commit: bool = True):
        if self.cleaned_data.get("id_number"):
            privacy.set_id_number(self.instance, self.cleaned_data["id_number"])
        return super().save(commit)


class SiteInline(admin.TabularInline):
    model = m.Site
    fields = ("name", "lightning_class", "inspection_period_months", "next_due")
    extra = 0
    show_change_link = True


class ComponentInline(admin.TabularInline):
    model = m.LPSComponent
    extra = 0


@admin.register(m.Subject)
class SubjectAdmin(ScopedAdmin):
    form = IdNumberForm
    list_display = ("subject_code", "name", "kind", "region_code", "uscc_check", "id_no_check")
    list_filter = ("kind", "uscc_check", "id_no_check")
    search_fields = ("subject_code", "name", "uscc")
    readonly_fields = ("subject_code", "id_no_masked")


@admin.register(m.KeyUnit)
class KeyUnitAdmin(ScopedAdmin):
    list_display = ("subject", "category", "listing_year", "risk_code", "rank_score")
    list_filter = ("category", "risk_code")
    search_fields = ("subject__name", "subject__subject_code")
    readonly_fields = ("risk_code", "risk_score", "risk_reasons", "risk_computed_at",
                       "rank_score")
    autocomplete_fields = ("subject",)
    inlines = (SiteInline,)


@admin.register(m.Site)
class SiteAdmin(ScopedAdmin):
    list_display = ("site_code", "name", "key_unit", "lightning_class", "next_due")
    list_filter = ("lightning_class", "inspection_period_months")
    search_fields = ("site_code", "name", "address")
    readonly_fields = ("site_code",)
    inlines = (ComponentInline,)


@admin.register(m.Agency)
class AgencyAdmin(ScopedAdmin):
    list_display = ("subject", "grade", "certificate_no", "certificate_valid_to", "status",
                    "credit_grade")
    list_filter = ("grade", "status", "credit_grade")
    search_fields = ("subject__name", "certificate_no")
    readonly_fields = ("credit_grade", "credit_score", "credit_computed_at")
    autocomplete_fields = ("subject",)


@admin.register(m.Inspector)
class InspectorAdmin(ScopedAdmin):
    form = IdNumberForm
    list_display = ("name", "agency", "title_level", "certificate_valid_to", "id_no_masked",
                    "id_no_check")
    list_filter = ("title_level", "id_no_check")
    search_fields = ("name", "certificate_no", "person_code")
    readonly_fields = ("id_no_masked", "person_code")


@admin.register(m.Instrument)
class InstrumentAdmin(ScopedAdmin):
    list_display = ("serial_no", "kind", "agency", "calib_valid_to")
    list_filter = ("kind",)
    search_fields = ("serial_no", "model")


@admin.register(m.InspectionTask)
class InspectionTaskAdmin(ScopedAdmin):
    list_display = ("task_no", "agency", "site", "kind", "status", "status_changed_at")
    list_filter = ("status", "kind")
    search_fields = ("task_no", "contract_no", "site__name")
    state_fields = ("status", "status_changed_at", "plan_filed_at", "pre_reported_at")


@admin.register(m.InspectionReport)
class InspectionReportAdmin(ScopedAdmin):
    list_display = ("report_no", "task", "conclusion", "issued_on", "uploaded_at",
                    "screening_score")
    list_filter = ("conclusion", "kind")
    search_fields = ("report_no",)


@admin.register(m.Hazard)
class HazardAdmin(ScopedAdmin):
    list_display = ("hazard_no", "site", "item", "severity", "status", "deadline")
    list_filter = ("status", "severity", "source")
    search_fields = ("hazard_no", "item", "site__name")
    state_fields = ("status", "status_changed_at", "notified_at", "escalated_at", "closed_at")


@admin.register(m.CreditRecord)
class CreditRecordAdmin(ScopedAdmin):
    list_display = ("subject", "event", "delta", "occurred_on", "valid_to", "objection_status",
                    "repair_status")
    list_filter = ("event", "objection_status", "repair_status")
    state_fields = ("objection_status", "repair_status", "status_changed_at")


@admin.register(m.EnforcementInspection)
class EnforcementInspectionAdmin(ScopedAdmin):
    list_display = ("inspection_no", "subject", "region_code", "status", "result")
    list_filter = ("status", "result")
    state_fields = ("status", "status_changed_at", "published_at")


@admin.register(m.PenaltyCase)
class PenaltyCaseAdmin(ScopedAdmin):
    list_display = ("case_no", "subject", "violation_code", "degree", "amount", "status")
    list_filter = ("status", "degree")
    state_fields = ("status", "status_changed_at")


@admin.register(m.DataQualityIssue)
class DataQualityIssueAdmin(ScopedAdmin):
    list_display = ("rule", "stage", "severity", "record_label", "field", "owner_subject",
                    "due", "status")
    list_filter = ("stage", "severity", "status", "rule")
    search_fields = ("record_label", "message")


@admin.register(m.AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    """The trail, to read: nothing here adds, changes or deletes an entry."""

    list_display = ("seq", "at", "actor", "action", "object_type", "object_id", "subject_code")
    list_filter = ("action",)
    search_fields = ("subject_code", "object_id", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.Notification)
class NotificationAdmin(ScopedAdmin):
    """Notifications, read-only: administrators see all, anyone else only their own."""

    list_display = ("created_at", "user", "kind", "hazard", "task", "read_at")
    list_filter = ("kind",)
    readonly_fields = ("user", "kind", "params", "hazard", "task", "read_at")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if scoping.actor_kind(request.user) == scoping.ADMIN:
            return queryset
        return queryset.filter(user=request.user)

    def has_add_permission(self, request):
        return False


# The remaining models with the plain admin, scoped all the same.
for _model in (m.LPSComponent, m.AgencyFiling, m.AnnualReport, m.FieldSession, m.FieldPhoto,
               m.Measurement, m.Rectification, m.HazardAttachment, m.CreditRating, m.Draw,
               m.Partner, m.ExchangeRecord, m.Membership, m.AccessGrant):
    admin.site.register(_model, ScopedAdmin)
