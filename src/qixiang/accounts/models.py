"""Users, their roles and the region they may see.

A user's region is a GB/T 2260 administrative division code; an empty code is the whole
country. Scoping is by code prefix: a province code ``440000`` covers ``44xxxx``, a city
``440100`` covers ``4401xx``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    OPERATOR = "operator", _("Operator")
    FORECASTER = "forecaster", _("Forecaster")
    DATA_USER = "data_user", _("Data user")
    REGULATOR = "regulator", _("Regulator")


def region_prefix(code: str) -> str:
    """The prefix of a GB/T 2260 code that all divisions inside it share ("440100" -> "4401")."""
    code = (code or "").strip()
    if not code:
        return ""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DATA_USER)
    region_code = models.CharField(
        _("region (GB/T 2260)"), max_length=6, blank=True, default="",
        help_text=_("Administrative division the user may see; empty for the whole country."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def region_prefix(self) -> str:
        return region_prefix(self.region_code)

    def covers(self, division_code: str) -> bool:
        """True when ``division_code`` lies inside the user's region."""
        return (division_code or "").startswith(self.region_prefix)


class ApiKey(models.Model):
    """A key a program uses instead of a password; only its sha256 is stored.

    The clear key is shown once, when it is made (:func:`qixiang.accounts.apikeys.create_api_key`);
    ``prefix`` (its first 8 characters) is kept so people can tell their keys apart.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    hashed_key = models.CharField(_("sha256 of the key"), max_length=64, unique=True,
                                  editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()
