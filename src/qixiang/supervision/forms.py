"""Forms of the supervision pages: one per workflow step that needs data, and the field forms.

A step form turns what a person typed into the keyword arguments of
:func:`qixiang.supervision.workflows.transition` (:meth:`StepForm.step_data`) and the files to
keep with the step (:meth:`StepForm.files_given`). :data:`TASK_STEPS` and :data:`HAZARD_STEPS`
map each action to its form; an action missing there needs no data. Choices are always drawn
from what the user may see (the task's own inspectors, the site's own reports).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qixiang.accounts.models import region_prefix
from qixiang.supervision import limits, scoping, uploads
from qixiang.supervision import models as m


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is read and hashed (:mod:`.uploads`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [single(item, initial) for item in items]
        received = []
        for item in cleaned:
            if not item:
                continue
            try:
                received.append(uploads.read_upload(item))
            except uploads.UploadError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return received


class StepForm(forms.Form):
    """Data for one workflow step on ``obj`` by ``user``."""

    file_fields: tuple[str, ...] = ()

    def __init__(self, *args, obj, user, **kwargs) -> None:
        self.obj, self.user = obj, user
        super().__init__(*args, **kwargs)

    def step_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()
                if k not in self.file_fields and v not in (None, "", [])}

    def files_given(self) -> list[uploads.Received]:
        return [f for name in self.file_fields for f in self.cleaned_data.get(name) or []]


# --- inspection task steps -------------------------------------------------------------------
class FilePlanForm(StepForm):
    window_start = forms.DateField(label=_("planned from"), widget=DateInput())
    window_end = forms.DateField(label=_("planned to"), widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["window_start"].initial = self.obj.window_start
        self.fields["window_end"].initial = self.obj.window_end


class DraftForm(StepForm):
    report_no = forms.CharField(label=_("report number"), max_length=64, required=False,
                                help_text=_("Leave empty to number it automatically."))
    standards = forms.CharField(label=_("standards applied"), max_length=200, required=False,
                                initial="GB/T 21431-2023")
    conclusion_text = forms.CharField(label=_("conclusion text"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def clean_report_no(self) -> str:
        number = self.cleaned_data["report_no"].strip()
        if number and m.InspectionReport.objects.filter(report_no=number).exists():
            raise forms.ValidationError(_("This report number is taken."))
        return number


class SignForm(StepForm):
    signatories = forms.ModelMultipleChoiceField(
        label=_("signatories"), queryset=m.Inspector.objects.none(),
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signatories"].queryset = self.obj.inspectors.all()

    def step_data(self) -> dict:
        return {"signatories": list(self.cleaned_data["signatories"])}


class IssueForm(StepForm):
    issued_on = forms.DateField(label=_("issued on"), required=False, widget=DateInput(),
                                help_text=_("Empty: today."))


class UploadReportForm(StepForm):
    file = forms.FileField(label=_("report file (PDF)"),
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def clean_file(self):
        try:
            received = uploads.read_upload(self.cleaned_data["file"])
            uploads.require_pdf(received)
        except uploads.UploadError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return received

    def step_data(self) -> dict:
        return {"file": self.cleaned_data["file"].content}


class ScreenForm(StepForm):
    score = forms.IntegerField(label=_("screening score"), min_value=0, max_value=100)
    findings = forms.CharField(label=_("screening findings"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("One finding per line."))

    def step_data(self) -> dict:
        lines = [line.strip() for line in self.cleaned_data["findings"].splitlines()]
        return {"score": self.cleaned_data["score"], "findings": [x for x in lines if x]}


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(StepForm):
    reason = forms.CharField(label=_("reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(StepForm):
    note = forms.CharField(label=_("review note"), widget=forms.Textarea(attrs={"rows": 3}))


TASK_STEPS: dict[str, type[StepForm]] = {
    "file_plan": FilePlanForm, "draft": DraftForm, "sign": SignForm, "issue": IssueForm,
    "upload": UploadReportForm, "screen": ScreenForm, "flag": OptionalReasonForm,
    "clear": NoteForm, "confirm_false": NoteForm, "cancel": ReasonForm,
}


# --- hazard steps ----------------------------------------------------------------------------
class NotifyForm(StepForm):
    notice_kind = forms.ChoiceField(label=_("notice kind"), choices=m.NoticeKind.choices)
    notice_no = forms.CharField(label=_("notice number"), max_length=64, required=False)
    deadline = forms.DateField(label=_("rectification deadline"), required=False,
                               widget=DateInput(),
                               help_text=_("Empty: 30 days for a general hazard, 15 for a "
                                           "major one."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if scoping.actor_kind(self.user) == scoping.AGENCY:  # agencies give opinions only
            self.fields["notice_kind"].choices = [(m.NoticeKind.OPINION,
                                                   m.NoticeKind.OPINION.label)]
        else:
            self.fields["notice_kind"].initial = m.NoticeKind.ORDER


class PlanForm(StepForm):
    plan = forms.CharField(label=_("plan"), widget=forms.Textarea(attrs={"rows": 4}))
    owner = forms.CharField(label=_("person in charge"), max_length=100, required=False)
    planned_finish = forms.DateField(label=_("planned finish"), required=False,
                                     widget=DateInput())
    files = MultipleFileField(label=_("attachments"))
    file_fields = ("files",)


class EvidenceForm(StepForm):
    evidence = forms.CharField(label=_("evidence"), widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("What was done, and the re-test values."))
    files = MultipleFileField(label=_("photos and documents"))
    file_fields = ("files",)


class VerifyForm(StepForm):
    result = forms.ChoiceField(label=_("verification result"),
                               choices=m.VerificationResult.choices)
    note = forms.CharField(label=_("verification note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    retest_report = forms.ModelChoiceField(label=_("re-test report"), required=False,
                                           queryset=m.InspectionReport.objects.none())
    files = MultipleFileField(label=_("attachments"))
    file_fields = ("files",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retest_report"].queryset = scoping.reports(
            self.user, m.InspectionReport.objects.filter(task__site=self.obj.site_id))


class ResumeForm(StepForm):
    planned_finish = forms.DateField(label=_("planned finish"), required=False,
                                     widget=DateInput())


HAZARD_STEPS: dict[str, type[StepForm]] = {
    "notify": NotifyForm, "submit_plan": PlanForm, "submit_evidence": EvidenceForm,
    "verify": VerifyForm, "reject": ReasonForm, "escalate": ReasonForm, "resume": ResumeForm,
}

HAZARD_STEP_STAGES = {"submit_plan": m.AttachmentStage.PLAN,
                      "submit_evidence": m.AttachmentStage.EVIDENCE,
                      "verify": m.AttachmentStage.VERIFICATION}


def step_form(forms_by_action: dict, action: str, obj, user, data=None, files=None) -> StepForm:
    form_class = forms_by_action.get(action, StepForm)
    return form_class(data, files, obj=obj, user=user, prefix=action)


# --- tasks ----------------------------------------------------------------------------------
class TaskTeamForm(forms.ModelForm):
    """The contract, window, inspectors and instruments of a task not yet filed."""

    class Meta:
        model = m.InspectionTask
        fields = ["kind", "contract_no", "contracted_on", "window_start", "window_end",
                  "inspectors", "instruments", "note"]
        widgets = {"contracted_on": DateInput(), "window_start": DateInput(),
                   "window_end": DateInput(), "inspectors": forms.CheckboxSelectMultiple,
                   "instruments": forms.CheckboxSelectMultiple,
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, agency: m.Agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["inspectors"].queryset = agency.inspectors.filter(
            Q(employed_to__isnull=True) | Q(employed_to__gte=today))
        self.fields["instruments"].queryset = agency.instruments.filter(
            Q(retired_on__isnull=True) | Q(retired_on__gt=today))


class TaskCreateForm(TaskTeamForm):
    site_code = forms.CharField(
        label=_("site code"), max_length=40,
        help_text=_("The unified supervision code of the site, as on its plate "
                    "(e.g. U91330106…-001)."))

    class Meta(TaskTeamForm.Meta):
        fields = ["site_code", *TaskTeamForm.Meta.fields]

    def __init__(self, *args, agency: m.Agency, **kwargs) -> None:
        super().__init__(*args, agency=agency, **kwargs)
        self.agency = agency

    def clean_site_code(self) -> m.Site:
        code = self.cleaned_data["site_code"].strip().upper()
        site = workable_sites(self.agency).filter(site_code=code).first()
        if site is None:
            raise forms.ValidationError(
                _("No site %(code)s in a region where the agency may work (its province and "
                  "the regions it filed to).") % {"code": code})
        return site


def workable_sites(agency: m.Agency):
    """Sites where an agency may take work: its own province and the regions it filed to."""
    condition = Q(subject__region_code__startswith=agency.region_code[:2])
    for region in agency.filings.values_list("region_code", flat=True):
        condition |= Q(subject__region_code__startswith=region_prefix(region))
    return m.Site.objects.filter(condition, retired_on__isnull=True)


# --- field work -------------------------------------------------------------------------------
class CheckInForm(forms.Form):
    """Filled by the browser's Geolocation API; empty when the phone gave no position."""

    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    fix_time = forms.IntegerField(required=False, widget=forms.HiddenInput,
                                  help_text="milliseconds since 1970 (Position.timestamp)")


class ScanForm(forms.Form):
    photo = forms.FileField(
        label=_("photo of the site's QR code"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    code = forms.CharField(label=_("or type the code"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if not data.get("photo") and not (data.get("code") or "").strip():
            raise forms.ValidationError(_("Take a photo of the QR code or type the code."))
        if data.get("photo"):
            try:
                data["photo"] = uploads.read_upload(data["photo"])
            except uploads.UploadError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class IdentityForm(forms.Form):
    """Nothing is preselected: a result is recorded only when someone chose it."""

    method = forms.ChoiceField(
        label=_("identity check method"),
        choices=[("", "—"), *m.FieldSession._meta.get_field("identity_method").choices])
    result = forms.ChoiceField(label=_("identity check result"),
                               choices=[("", "—"),
                                        (m.IdentityResult.PASSED, m.IdentityResult.PASSED.label),
                                        (m.IdentityResult.FAILED, m.IdentityResult.FAILED.label)])
    score = forms.FloatField(label=_("face match score"), required=False, min_value=0,
                             max_value=1, help_text=_("0–1, from the identity service."))


class PhotoForm(forms.Form):
    photos = MultipleFileField(
        label=_("photos"), required=True,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    component = forms.ModelChoiceField(label=_("component"), required=False,
                                       queryset=m.LPSComponent.objects.none())
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)

    def __init__(self, *args, task: m.InspectionTask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = task.site.components.all()


class MeasurementForm(forms.Form):
    component = forms.ModelChoiceField(label=_("component"), required=False,
                                       queryset=m.LPSComponent.objects.none())
    item = forms.ChoiceField(label=_("item"), choices=m.MeasurementItem.choices)
    point = forms.CharField(label=_("measuring point"), max_length=100, required=False)
    value = forms.FloatField(label=_("value"),
                             widget=forms.NumberInput(attrs={"step": "any",
                                                             "inputmode": "decimal"}))
    unit = forms.CharField(label=_("unit"), max_length=8, required=False,
                           help_text=_("Only for 'other': the others use their standard unit."))
    instrument = forms.ModelChoiceField(label=_("instrument"), required=False,
                                        queryset=m.Instrument.objects.none())
    limit = forms.FloatField(label=_("limit"), required=False,
                             widget=forms.NumberInput(attrs={"step": "any"}),
                             help_text=_("Empty: the default limit for the site's class."))
    limit_kind = forms.ChoiceField(label=_("limit kind"), required=False,
                                   choices=[("", "—"), *m.LimitKind.choices])
    measured_at = forms.DateTimeField(label=_("measured (Beijing time)"), required=False,
                                      widget=DateTimeInput(), help_text=_("Empty: now."))

    def __init__(self, *args, task: m.InspectionTask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = task.site.components.all()
        self.fields["instrument"].queryset = task.instruments.all()


def default_limits_table(site: m.Site) -> list[tuple[str, str, str]]:
    """(item label, limit text, unit) of every item with a default limit for this site."""
    rows = []
    for item in m.MeasurementItem:
        found = limits.default_limit(item, site.lightning_class)
        if found is not None:
            sign = "≤" if found.kind == m.LimitKind.MAX else "≥"
            rows.append((str(item.label), f"{sign} {found.value:g}", m.ITEM_UNITS.get(item, "")))
    return rows


# --- hazards ---------------------------------------------------------------------------------
class HazardForm(forms.Form):
    """A hazard found; which fields apply depends on the source (see findings.record_hazard)."""

    source = forms.ChoiceField(label=_("source"), choices=m.HazardSource.choices)
    report = forms.ModelChoiceField(label=_("inspection report"), required=False,
                                    queryset=m.InspectionReport.objects.none())
    site = forms.ModelChoiceField(label=_("site"), required=False, queryset=m.Site.objects.none())
    component = forms.ModelChoiceField(label=_("component"), required=False,
                                       queryset=m.LPSComponent.objects.none())
    item = forms.CharField(label=_("item"), max_length=200)
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("severity"), choices=m.Severity.choices,
                                 help_text=_("A major hazard is escalated to the bureau at "
                                             "once."))
    files = MultipleFileField(label=_("photos and documents"))

    def __init__(self, *args, user, sources: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(m.HazardSource.choices)
        self.fields["source"].choices = [(s, labels[s]) for s in sources]
        self.fields["report"].queryset = scoping.reports(
            user, m.InspectionReport.objects.filter(issued_on__isnull=False)
            .select_related("task__site"))
        self.fields["site"].queryset = scoping.sites(user).select_related("subject")
        self.fields["component"].queryset = scoping.components(user).select_related("site")
        if m.HazardSource.REPORT not in sources:
            del self.fields["report"]
        if sources == (m.HazardSource.REPORT,):
            del self.fields["site"]
