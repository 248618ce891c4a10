"""What pushed records refer to: subjects by code, the partner's region, plain field copies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from qixiang.accounts.models import region_prefix
from qixiang.science import identifiers
from qixiang.supervision import models as m
from qixiang.supervision.exchange.interface import ExchangeError


def subject(reference: str, field: str = "subject") -> m.Subject:
    """The subject named by its supervision code (``U…``/``P…``) or its credit code."""
    code = identifiers.normalise(reference)
    found = (m.Subject.objects.filter(subject_code=code).first()
             or (m.Subject.objects.filter(uscc=code).first() if len(code) == 18 else None))
    if found is None:
        raise ExchangeError(field, _("no subject %(code)s is registered here; push the subject "
                                     "first") % {"code": reference})
    return found


def covered(partner: m.Partner, region_code: str, field: str = "region_code") -> None:
    """Refuse a record outside the partner's region."""
    prefix = region_prefix(partner.region_code)
    if prefix and not (region_code or "").startswith(prefix):
        raise ExchangeError(field, _("region %(code)s is outside the partner's region "
                                     "%(partner)s") % {"code": region_code or "—",
                                                       "partner": partner.region_code})


def assign(obj: Model, data: dict, names: tuple[str, ...]) -> None:
    """Copy the given fields of ``data`` onto ``obj``."""
    for name in names:
        if name in data:
            setattr(obj, name, data[name])


def clean(obj: Model, exclude: tuple[str, ...] = ()) -> None:
    """Model validation, as an ExchangeError naming the first field at fault."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ExchangeError(field, "; ".join(messages)) from exc


def date_text(value) -> str | None:
    return value.isoformat() if value is not None else None
