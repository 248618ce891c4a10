"""Who may use the data service, how much, and what they downloaded.

- :class:`Tier` — a service level: a daily quota of weighted calls and a rate per minute.
- :class:`AccessGrant` — a data user's registration, approved (or not) by an administrator, with
  the datasets and regions (GB/T 2260 prefixes) they may read and their tier.
- :class:`MusicCredential` — the ``userId`` and shared secret a 天擎 (MUSIC) client signs with;
  the secret is sealed (encrypted) because the server must recompute the client's MD5 signature.
- :class:`DailyUsage` — weighted calls per user (or anonymous address) and Beijing day.
- :class:`MusicNonce` — nonces already seen, so a signed URL cannot be replayed.
- :class:`AccessLog` — one row per data response: who, what, when, and its signed provenance.
- :class:`JournalMark` — how far each process's journal file has been loaded into the database.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ALL_DATASETS = "*"
_DIVISION = re.compile(r"^\d{2}(\d{2}){0,2}$")


def split_list(text: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``: the comma lists stored on a grant."""
    return [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]


def validate_regions(text: str) -> None:
    bad = [code for code in split_list(text) if not _DIVISION.match(code)]
    if bad:
        raise ValidationError(
            _("Not GB/T 2260 division codes or prefixes (2, 4 or 6 digits): %(codes)s"),
            params={"codes": ", ".join(bad)})


class Tier(models.Model):
    """A service level. ``daily_quota`` counts weighted calls (see :mod:`..quotas`); empty
    quota or rate means no limit."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    daily_quota = models.FloatField(
        _("daily quota (weighted calls)"), null=True, blank=True,
        help_text=_("One call is up to 10 elements x 14 days x 1 station; empty: unlimited."))
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True, help_text=_("Empty: unlimited."))

    class Meta:
        verbose_name = _("service tier")
        verbose_name_plural = _("service tiers")
        ordering = ["daily_quota"]

    def __str__(self) -> str:
        return self.name or self.code


class AccessGrant(models.Model):
    """A data user's registration and what an administrator allowed them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SUSPENDED = "suspended", _("suspended")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="data_access", verbose_name=_("user"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="grants",
                             verbose_name=_("tier"))
    datasets = models.CharField(
        _("datasets"), max_length=500, blank=True, default="",
        help_text=_("Dataset ids the user may read, comma-separated; * for every dataset."))
    regions = models.CharField(
        _("regions (GB/T 2260)"), max_length=500, blank=True, default="",
        validators=[validate_regions],
        help_text=_("Division codes or prefixes (44, 4401, 440105), comma-separated; "
                    "empty for the whole country."))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True, default="")
    purpose = models.TextField(_("intended use"), blank=True, default="")
    requested_datasets = models.CharField(_("datasets requested"), max_length=500, blank=True,
                                          default="")
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))

    class Meta:
        verbose_name = _("data access grant")
        verbose_name_plural = _("data access grants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"

    @property
    def dataset_list(self) -> list[str]:
        return split_list(self.datasets)

    @property
    def region_prefixes(self) -> tuple[str, ...]:
        from qixiang.accounts.models import region_prefix
        return tuple(region_prefix(code) for code in split_list(self.regions))


class MusicCredential(models.Model):
    """A 天擎 (MUSIC) ``userId`` and its signing secret, tied to one API key.

    Revoking the API key revokes the credential. The secret is sealed with the key in
    ``QIXIANG_KEY_DIR`` (see :mod:`..sealing`): a copy of the database alone reveals nothing.
    """

    api_key = models.OneToOneField("accounts.ApiKey", on_delete=models.CASCADE,
                                   related_name="music", verbose_name=_("API key"))
    user_id = models.CharField(_("MUSIC userId"), max_length=64, unique=True)
    sealed_secret = models.TextField(_("sealed secret"), editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("MUSIC credential")
        verbose_name_plural = _("MUSIC credentials")

    def __str__(self) -> str:
        return self.user_id


class DailyUsage(models.Model):
    """Weighted calls spent by one principal (``user:<id>`` or ``ip:<address>``) on one
    Beijing day."""

    principal = models.CharField(_("principal"), max_length=80)
    day = models.DateField(_("day (Beijing)"))
    cost = models.FloatField(_("weighted calls"), default=0.0)
    requests = models.PositiveBigIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")
        constraints = [models.UniqueConstraint(fields=["principal", "day"], name="usage_key")]


class MusicNonce(models.Model):
    """A nonce a MUSIC client has used; kept for the timestamp window, then purged."""

    user_id = models.CharField(_("MUSIC userId"), max_length=64)
    nonce = models.CharField(_("nonce"), max_length=64)
    seen_at = models.DateTimeField(_("seen"), db_index=True)

    class Meta:
        verbose_name = _("MUSIC nonce")
        verbose_name_plural = _("MUSIC nonces")
        constraints = [models.UniqueConstraint(fields=["user_id", "nonce"], name="nonce_key")]


class AccessLog(models.Model):
    """One data response: who received which bytes of which dataset, when, and the signed
    provenance record (a compact JWS) that says so."""

    class Api(models.TextChoices):
        EDR = "edr", "OGC API – EDR"
        MUSIC = "music", _("MUSIC (天擎)")

    class State(models.TextChoices):
        COMPLETE = "complete", _("complete")
        STREAMING = "streaming", _("streaming")
        ABORTED = "aborted", _("aborted")

    data_id = models.CharField(_("data id"), max_length=32, unique=True)
    time = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("user"))
    requester = models.CharField(_("requester"), max_length=150, db_index=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    api = models.CharField(_("interface"), max_length=8, choices=Api.choices)
    dataset = models.CharField(_("dataset"), max_length=64, db_index=True)
    query = models.TextField(_("query"))
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("bytes"), null=True)
    sha256 = models.CharField(_("sha256"), max_length=64, blank=True, default="", db_index=True)
    cost = models.FloatField(_("weighted calls"), default=0.0)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.COMPLETE)
    kid = models.CharField(_("signing key id"), max_length=64, blank=True, default="")
    record = models.TextField(_("signed provenance record (JWS)"), blank=True, default="")

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.data_id} {self.requester} {self.dataset}"


class JournalMark(models.Model):
    """How many bytes of a journal file (:mod:`qixiang.dataservice.journal`) are loaded: moved
    in the same transaction as the rows they hold, so no line is loaded twice."""

    name = models.CharField(_("journal file"), max_length=200, unique=True)
    loaded_bytes = models.PositiveBigIntegerField(_("bytes loaded"), default=0)

    class Meta:
        verbose_name = _("journal mark")
        verbose_name_plural = _("journal marks")

    def __str__(self) -> str:
        return f"{self.name} @ {self.loaded_bytes}"
