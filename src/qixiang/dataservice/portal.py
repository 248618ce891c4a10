"""The data-user portal at ``/portal/``: register, wait for approval, then make API keys and
MUSIC credentials and watch the day's quota.

Registration makes an active account with the data-user role and an :class:`AccessGrant`
awaiting approval; an administrator approves it in the admin and sets datasets, regions and
tier. Keys and credentials are shown once, on the page that made them.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from qixiang.accounts.apikeys import create_api_key, revoke
from qixiang.accounts.models import ApiKey, Role, User
from qixiang.dataservice import access, query, quotas
from qixiang.dataservice.models import AccessGrant, MusicCredential, split_list, validate_regions
from qixiang.dataservice.music.credentials import create_credential


def dataset_choices() -> list[tuple[str, str]]:
    return [(d.id, f"{d.title_zh} · {d.title_en} ({d.id})") for d in query.DATASETS.values()]


class RegistrationForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"))
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    purpose = forms.CharField(label=_("Intended use"), widget=forms.Textarea(attrs={"rows": 3}))
    datasets = forms.MultipleChoiceField(label=_("Datasets requested"), choices=dataset_choices,
                                         widget=forms.CheckboxSelectMultiple)
    regions = forms.CharField(
        label=_("Regions (GB/T 2260 codes)"), required=False, validators=[validate_regions],
        help_text=_("Comma-separated division codes, e.g. 440000; empty for the whole country."))

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.email = self.cleaned_data["email"]
        user.role = Role.DATA_USER
        user.save()
        AccessGrant.objects.create(
            user=user, tier=access.tier_row(access.DEFAULT_TIER),
            organisation=self.cleaned_data["organisation"],
            purpose=self.cleaned_data["purpose"],
            requested_datasets=",".join(self.cleaned_data["datasets"]),
            regions=",".join(split_list(self.cleaned_data["regions"])))
        return user


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dataservice:portal")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dataservice:portal")
    return render(request, "dataservice/portal/register.html", {"form": form})


def _account(user: User) -> dict:
    grant = AccessGrant.objects.select_related("tier").filter(user=user).first()
    try:
        principal = access.principal_for_user(user, via="session")
    except access.AccessDenied:
        principal = None
    spent = quotas.usage_meter.spent(f"user:{user.pk}") if principal else 0.0
    keys = ApiKey.objects.filter(user=user).select_related("music")
    return {
        "grant": grant,
        "principal": principal,
        "approved": principal is not None and not principal.refusal,
        "spent": spent,
        "keys": [k for k in keys if not hasattr(k, "music")],
        "credentials": MusicCredential.objects.filter(api_key__user=user)
        .select_related("api_key"),
        "datasets": query.DATASETS,
    }


def portal(request: HttpRequest) -> HttpResponse:
    context = {"datasets": query.DATASETS}
    if request.user.is_authenticated:
        context.update(_account(request.user))
    return render(request, "dataservice/portal/index.html", context)


@login_required
@require_POST
def new_key(request: HttpRequest) -> HttpResponse:
    context = _account(request.user)
    if not context["approved"]:
        return redirect("dataservice:portal")
    _row, key = create_api_key(request.user, request.POST.get("name", "")[:100])
    return render(request, "dataservice/portal/shown_once.html", {"api_key": key})


@login_required
@require_POST
def new_music_credential(request: HttpRequest) -> HttpResponse:
    context = _account(request.user)
    if not context["approved"]:
        return redirect("dataservice:portal")
    row, secret = create_credential(request.user)
    return render(request, "dataservice/portal/shown_once.html",
                  {"music_user_id": row.user_id, "music_secret": secret})


@login_required
@require_POST
def revoke_key(request: HttpRequest, prefix: str) -> HttpResponse:
    revoke(prefix, user=request.user)
    access.forget()  # a bulk update sends no signal: this process refuses the key at once
    return redirect("dataservice:portal")
