"""Who may use the platform for which organisation, and who may read personal data for what.

:class:`Membership` links a user to the one key unit or agency they act for; it is what makes a
user a key-unit or agency user for :mod:`qixiang.supervision.scoping` (regulators are users with
the regulator role and a region; accounts stays unaware of supervision). :class:`AccessGrant`
is a purpose-bound, expiring permission to see clear ID numbers (PIPL: sensitive personal
data); :func:`qixiang.supervision.privacy.reveal_id_number` checks it and logs every read.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.agencies import Agency
from qixiang.supervision.models.base import Timestamped
from qixiang.supervision.models.subjects import KeyUnit


class Membership(Timestamped):
    """A user acting for one key unit or one inspection agency (exactly one of the two)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="supervision_membership", verbose_name=_("user"))
    key_unit = models.ForeignKey(KeyUnit, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="members", verbose_name=_("key unit"))
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="members", verbose_name=_("inspection agency"))
    inspector = models.OneToOneField(
        "supervision.Inspector", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="user_membership", verbose_name=_("inspector"),
        help_text=_("The inspector this user is, for agency users who inspect."))

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [models.CheckConstraint(
            condition=(models.Q(key_unit__isnull=False, agency__isnull=True)
                       | models.Q(key_unit__isnull=True, agency__isnull=False)),
            name="supervision_membership_one_organisation")]

    def __str__(self) -> str:
        return f"{self.user} → {self.key_unit or self.agency}"

    def clean(self) -> None:
        if bool(self.key_unit_id) == bool(self.agency_id):
            raise ValidationError(_("Link the user to either one key unit or one agency."))
        if self.inspector_id and self.inspector.agency_id != self.agency_id:
            raise ValidationError({"inspector": _("The inspector works for another agency.")})


class Purpose(models.TextChoices):
    IDENTITY_CHECK = "identity_check", _("identity check of an inspector")
    ENFORCEMENT = "enforcement", _("enforcement inspection or case")
    QUALIFICATION = "qualification", _("qualification review")
    DATA_CORRECTION = "data_correction", _("correcting the record")


class PersonalField(models.TextChoices):
    INSPECTOR_ID = "inspector.id_no", _("inspector ID numbers")
    SUBJECT_ID = "subject.id_no", _("ID numbers of persons supervised")


class AccessGrant(Timestamped):
    """Permission for one user to read clear personal data for one purpose, until it expires."""

    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="supervision_grants", verbose_name=_("grantee"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    scope = models.CharField(_("data"), max_length=20, choices=PersonalField.choices)
    reason = models.TextField(_("reason"), blank=True, default="")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("granted by"))
    expires_at = models.DateTimeField(_("expires"))
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("personal data access grant")
        verbose_name_plural = _("personal data access grants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.grantee}: {self.get_scope_display()} / {self.get_purpose_display()}"

    @property
    def active(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()
