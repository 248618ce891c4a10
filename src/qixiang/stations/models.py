"""The station registry: what a station is called in every scheme, and where it is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    cma_id = models.CharField(_("CMA station id"), max_length=16, unique=True)
    wmo_index = models.CharField(_("WMO index"), max_length=5, blank=True, default="", db_index=True)
    wigos_id = models.CharField(_("WIGOS id"), max_length=64, blank=True, default="", db_index=True)
    name = models.CharField(_("name"), max_length=128, blank=True, default="")
    province = models.CharField(_("province"), max_length=64, blank=True, default="")
    division_code = models.CharField(
        _("division code (GB/T 2260)"), max_length=6, blank=True, default="", db_index=True
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    elevation = models.FloatField(_("elevation (m)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("imported from"), max_length=255, blank=True, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["cma_id"]

    def __str__(self) -> str:
        return f"{self.cma_id} {self.name}".strip()
