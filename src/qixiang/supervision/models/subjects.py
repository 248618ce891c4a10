"""The supervised: subjects, key units (重点单位), their sites and lightning-protection components.

A :class:`Subject` is an identity (an organisation by its unified social credit code, or a
person by a keyed hash of their ID number) with its unified supervision code (统一监管数字码,
spec §3.3). Being a key unit or an inspection agency is a role of a subject (one-to-one), so
one file per enterprise (一企一档) is every record whose ``subject`` is that subject.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import (
    Datum,
    HoldsIdNumber,
    IdentifierCheck,
    Timestamped,
    region_field,
)


class SubjectKind(models.TextChoices):
    ORGANISATION = "organisation", _("organisation")
    PERSON = "person", _("person (household)")


class Subject(HoldsIdNumber, Timestamped):
    """An organisation or person under supervision, one row per identity."""

    subject_code = models.CharField(
        _("unified supervision code"), max_length=32, unique=True,
        help_text=_("'U' + unified social credit code for organisations; 'P' + 16 characters "
                    "of a keyed hash of the ID number for persons."))
    kind = models.CharField(_("kind"), max_length=12, choices=SubjectKind.choices,
                            default=SubjectKind.ORGANISATION)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True,
                            default="", db_index=True)
    uscc_check = models.CharField(_("credit code check"), max_length=10,
                                  choices=IdentifierCheck.choices, default=IdentifierCheck.ABSENT)
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=100,
                                            blank=True, default="")
    region_code = region_field()
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    phone = models.CharField(_("contact phone"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["subject_code"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""),
                                    name="supervision_subject_uscc_unique"),
            models.UniqueConstraint(fields=["id_no_hash"], condition=~models.Q(id_no_hash=""),
                                    name="supervision_subject_id_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.subject_code})"

    @property
    def in_review(self) -> bool:
        """True while an identifier failed its check and nobody confirmed it."""
        return IdentifierCheck.REVIEW in (self.uscc_check, self.id_no_check)


class KeyUnitCategory(models.TextChoices):
    FLAMMABLE_EXPLOSIVE = "flammable_explosive", _("flammable or explosive")
    CROWDED = "crowded", _("crowded place")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    HERITAGE = "heritage", _("heritage")
    OTHER = "other", _("other")


class RiskCode(models.TextChoices):
    """Bands of the key-unit safety score (spec §5.1); computed by the scoring models."""

    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    ORANGE = "orange", _("orange")
    RED = "red", _("red")


class KeyUnit(Timestamped):
    """A subject on the local bureau's list of lightning-protection key units (目录清单).

    The management fields (responsibility system, emergency plan and drill, training) are the
    "management gaps" factor of the risk code; ``risk_*`` and ``rank_score`` are written by the
    scoring models, never typed in.
    """

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="key_unit",
                                   verbose_name=_("subject"))
    category = models.CharField(_("category"), max_length=24, choices=KeyUnitCategory.choices)
    listing_basis = models.CharField(_("listing basis"), max_length=300, blank=True, default="")
    listing_year = models.PositiveSmallIntegerField(_("listing year"), null=True, blank=True)
    delisted_on = models.DateField(_("delisted on"), null=True, blank=True)
    safety_principal = models.CharField(_("safety principal"), max_length=100, blank=True,
                                        default="")
    safety_principal_phone = models.CharField(_("safety principal phone"), max_length=40,
                                              blank=True, default="")
    responsible_department = models.CharField(_("responsible department"), max_length=200,
                                              blank=True, default="")
    has_responsibility_system = models.BooleanField(
        _("lightning safety in the responsibility system"), default=False)
    has_emergency_plan = models.BooleanField(_("emergency plan"), default=False)
    last_drill_on = models.DateField(_("last emergency drill"), null=True, blank=True)
    last_training_on = models.DateField(_("last safety training"), null=True, blank=True)
    risk_code = models.CharField(_("risk code"), max_length=8, choices=RiskCode.choices,
                                 blank=True, default="")
    risk_score = models.FloatField(_("safety score"), null=True, blank=True)
    risk_reasons = models.JSONField(_("risk code reasons"), default=list, blank=True)
    risk_computed_at = models.DateTimeField(_("risk code computed"), null=True, blank=True)
    rank_score = models.FloatField(_("responsibility ranking score"), null=True, blank=True)

    class Meta:
        verbose_name = _("key unit")
        verbose_name_plural = _("key units")
        ordering = ["subject__subject_code"]

    def __str__(self) -> str:
        return self.subject.name

    @property
    def region_code(self) -> str:
        return self.subject.region_code


class LightningClass(models.IntegerChoices):
    """Lightning-protection class of a structure under GB 50057-2010."""

    FIRST = 1, _("class 1")
    SECOND = 2, _("class 2")
    THIRD = 3, _("class 3")


EXPLOSION_ZONES = ("0", "1", "2", "20", "21", "22")


class Site(Timestamped):
    """A place of a key unit whose lightning protection is inspected on a period of 6 or 12 months.

    ``next_due`` is the issue date of the last report plus the period; the inspection workflow
    moves it forward when a report is issued.
    """

    key_unit = models.ForeignKey(KeyUnit, on_delete=models.PROTECT, related_name="sites",
                                 verbose_name=_("key unit"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="sites",
                                verbose_name=_("subject"), editable=False)
    seq = models.PositiveSmallIntegerField(_("sequence number"), editable=False)
    site_code = models.CharField(_("site code"), max_length=40, unique=True, editable=False,
                                 help_text=_("Unified supervision code of the subject, '-', "
                                             "and a three-digit sequence number."))
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    datum = models.CharField(_("datum"), max_length=10, choices=Datum.choices,
                             default=Datum.CGCS2000)
    height_m = models.FloatField(_("height (m)"), null=True, blank=True)
    lightning_class = models.PositiveSmallIntegerField(
        _("lightning-protection class (GB 50057)"), choices=LightningClass.choices)
    explosion_zones = models.JSONField(
        _("explosion hazard zones"), default=list, blank=True,
        help_text=_("Zones present on the site: 0, 1, 2 (gas) and 20, 21, 22 (dust)."))
    occupancy = models.CharField(_("occupancy"), max_length=200, blank=True, default="")
    inspection_period_months = models.PositiveSmallIntegerField(
        _("inspection period (months)"), choices=[(6, _("6 months")), (12, _("12 months"))],
        default=12)
    next_due = models.DateField(_("next inspection due"), null=True, blank=True)
    design_review_ref = models.CharField(_("design review reference"), max_length=100,
                                         blank=True, default="")
    acceptance_ref = models.CharField(_("completion acceptance reference"), max_length=100,
                                      blank=True, default="")
    expected_strikes = models.FloatField(
        _("expected strikes per year (N)"), null=True, blank=True,
        help_text=_("GB 50057 expected number of lightning strikes to the structure per year."))
    ground_flash_density = models.FloatField(
        _("ground flash density (Ng)"), null=True, blank=True,
        help_text=_("Flashes per km² per year from the lightning location network (5 years)."))
    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["site_code"]
        constraints = [models.UniqueConstraint(fields=["subject", "seq"],
                                               name="supervision_site_seq_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.site_code})"

    @property
    def explosion_or_fire_site(self) -> bool:
        return bool(self.explosion_zones)

    def save(self, *args, **kwargs) -> None:
        """Take the subject from the key unit and number the site within its subject."""
        self.subject_id = self.key_unit.subject_id
        if not self.seq:
            last = (Site.objects.filter(subject_id=self.subject_id)
                    .aggregate(models.Max("seq"))["seq__max"]) or 0
            self.seq = last + 1
        if not self.site_code:
            from qixiang.science.identifiers import site_code

            self.site_code = site_code(self.key_unit.subject.subject_code, self.seq)
        super().save(*args, **kwargs)


class ComponentKind(models.TextChoices):
    AIR_TERMINATION = "air_termination", _("air-termination")
    DOWN_CONDUCTOR = "down_conductor", _("down-conductor")
    EARTHING = "earthing", _("earthing")
    BONDING = "bonding", _("equipotential bonding")
    SHIELDING = "shielding", _("shielding")
    SPD_POWER = "spd_power", _("surge protective device, power")
    SPD_SIGNAL = "spd_signal", _("surge protective device, signal")


class LPSComponent(Timestamped):
    """One part of a site's lightning protection system, the unit measurements refer to."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="components",
                             verbose_name=_("site"))
    kind = models.CharField(_("type"), max_length=20, choices=ComponentKind.choices)
    model = models.CharField(_("model"), max_length=100, blank=True, default="")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    location = models.CharField(_("location"), max_length=200, blank=True, default="")
    iot_sensor_id = models.CharField(_("IoT sensor id"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("lightning-protection component")
        verbose_name_plural = _("lightning-protection components")
        ordering = ["site", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.location or self.model}"
