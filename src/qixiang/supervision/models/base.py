"""Pieces every supervision record shares: time stamps, the region code, the state field.

Regions are GB/T 2260 division codes (six digits), the same codes users carry
(:attr:`qixiang.accounts.models.User.region_code`), so one prefix rule scopes users, stations and
supervision records alike. A record with a state machine keeps its state in ``status`` (or another
field the machine names, see :mod:`qixiang.supervision.workflows`) and the time it last changed.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

division_code_validator = RegexValidator(
    r"^\d{6}$", _("A GB/T 2260 division code has six digits (e.g. 330106)."))


def region_field(**kwargs) -> models.CharField:
    """A GB/T 2260 division code column, indexed because every scoped query filters on it."""
    options = {"max_length": 6, "db_index": True, "validators": [division_code_validator],
               "help_text": _("GB/T 2260 administrative division code (six digits).")}
    options.update(kwargs)
    return models.CharField(_("region (GB/T 2260)"), **options)


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class IdentifierCheck(models.TextChoices):
    """Outcome of the check-character test of a USCC or resident ID (spec §3).

    A code failing its check is kept, but only in review: real codes failing validation exist,
    so the record is accepted and a data quality issue asks a person to confirm or correct it.
    """

    VALID = "valid", _("valid")
    REVIEW = "review", _("in review: failed its check")
    CONFIRMED = "confirmed", _("confirmed by a reviewer despite the check")
    ABSENT = "absent", _("not given")


class Datum(models.TextChoices):
    """Geodetic datum of a position: BeiDou fixes are CGCS2000, GPS fixes WGS 84."""

    CGCS2000 = "CGCS2000", "CGCS2000"
    WGS84 = "WGS84", "WGS 84"


class HoldsIdNumber(models.Model):
    """A resident ID number kept encrypted, with a keyed hash for look-ups and a masked copy.

    The clear number is never an attribute: :func:`qixiang.supervision.privacy.set_id_number`
    writes these columns and :func:`qixiang.supervision.privacy.reveal_id_number` decrypts for a
    viewer whose role and recorded purpose allow it, logging the read. So a page, an export or a
    debugger that loads the row sees only the mask.
    """

    id_no_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, default="",
                                       editable=False)
    id_no_hash = models.CharField(_("ID number lookup hash"), max_length=64, blank=True,
                                  default="", db_index=True, editable=False)
    id_no_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True,
                                    default="", editable=False)
    id_no_check = models.CharField(_("ID number check"), max_length=10,
                                   choices=IdentifierCheck.choices, default=IdentifierCheck.ABSENT)

    class Meta:
        abstract = True
