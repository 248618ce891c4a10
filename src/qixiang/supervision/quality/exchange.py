"""Exchange-stage rules: records received from partner platforms fit the schema.

A pushed record failing the exchange schema (or naming a subject that does not exist) is kept
as a rejected :class:`~qixiang.supervision.models.ExchangeRecord` with the reason; the partner
platform's API user owns the issue until a later version of the same record is applied. A
partner record applied but never linked to a local record is a broken exchange too.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import models as m
from qixiang.supervision.quality import rule
from qixiang.supervision.quality.interface import Finding


@rule("exchange.schema", m.Stage.EXCHANGE, m.IssueSeverity.ERROR,
      gettext_lazy("exchanged record failed the schema"))
def schema() -> Iterator[Finding]:
    later_applied = m.ExchangeRecord.objects.filter(
        partner=OuterRef("partner"), direction=m.Direction.IN,
        record_type=OuterRef("record_type"), exchange_id=OuterRef("exchange_id"),
        status=m.ExchangeStatus.APPLIED, exchanged_at__gt=OuterRef("exchanged_at"))
    rejected = (m.ExchangeRecord.objects
                .filter(direction=m.Direction.IN, status=m.ExchangeStatus.REJECTED)
                .exclude(Exists(later_applied)).select_related("partner__user", "subject"))
    for record in rejected:
        yield Finding(record, "payload",
                      _("%(partner)s sent %(kind)s %(id)s that was rejected: %(error)s")
                      % {"partner": record.partner, "kind": record.record_type,
                         "id": record.exchange_id, "error": record.error},
                      owner_user=record.partner.user, subject=record.subject)


@rule("exchange.unlinked", m.Stage.EXCHANGE, m.IssueSeverity.WARNING,
      gettext_lazy("applied record without a local record"))
def unlinked() -> Iterator[Finding]:
    for record in (m.ExchangeRecord.objects.filter(direction=m.Direction.IN,
                                                   status=m.ExchangeStatus.APPLIED,
                                                   object_id="")
                   .select_related("partner__user", "subject")):
        yield Finding(record, "object_id",
                      _("%(partner)s's %(kind)s %(id)s was applied but names no local record.")
                      % {"partner": record.partner, "kind": record.record_type,
                         "id": record.exchange_id},
                      owner_user=record.partner.user, subject=record.subject)
