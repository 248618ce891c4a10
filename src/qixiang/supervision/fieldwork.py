"""What an inspector does on site, as services the phone page calls.

Each function checks that the user is an inspector of the task (through their
:class:`~qixiang.supervision.models.Membership`), that the task is in a state where that work
happens, and keeps what proves presence: the position as the browser's Geolocation API reported
it (WGS 84, with its accuracy and fix time; browsers do not say whether BeiDou or GPS gave it),
the distance to the site, the site QR code read from a photo or typed, the identity check, photos
by their sha256 with their EXIF time and place, and measurements with the instrument and the
limit they were judged against. Every record is saved through the ORM, so the audit trail keeps
it (:mod:`qixiang.supervision.signals`); the scan and identity check add a named entry. The first
check-in of a pre-reported task takes the workflow step "arrive".
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qixiang.science.qc.position import distance
from qixiang.supervision import audit, scoping, sitecodes, uploads
from qixiang.supervision import limits as default_limits
from qixiang.supervision import models as m
from qixiang.supervision.workflows import transition

S = m.InspectionStatus
CHECK_IN_STATES = (S.PRE_REPORTED, S.ON_SITE)
PHOTO_STATES = (S.PRE_REPORTED, S.ON_SITE, S.MEASURED)
MEASURE_STATES = (S.ON_SITE,)
FUTURE_SLACK = dt.timedelta(minutes=5)


class FieldError(ValueError):
    """Field work refused as asked; the message says why in the user's language."""


def inspector_of(user) -> m.Inspector | None:
    member = scoping.membership(user)
    return member.inspector if member is not None and member.agency_id else None


def require_inspector(user, task: m.InspectionTask) -> m.Inspector:
    """The user's inspector when they are one of the task's; PermissionDenied otherwise."""
    inspector = inspector_of(user)
    if inspector is None or not task.inspectors.filter(pk=inspector.pk).exists():
        raise PermissionDenied(_("Only an inspector of this task may do this."))
    return inspector


def _state(task: m.InspectionTask, allowed: tuple[str, ...]) -> None:
    if task.status not in allowed:
        raise FieldError(_("Not possible while the task is %(state)s.")
                         % {"state": task.get_status_display()})


def open_session(task: m.InspectionTask, inspector: m.Inspector) -> m.FieldSession | None:
    return (task.sessions.filter(inspector=inspector, check_out_at__isnull=True)
            .order_by("-check_in_at").first())


def latest_session(task: m.InspectionTask, inspector: m.Inspector) -> m.FieldSession | None:
    return task.sessions.filter(inspector=inspector).order_by("-check_in_at").first()


def distance_to_site(site: m.Site, latitude: float | None,
                     longitude: float | None) -> float | None:
    if None in (latitude, longitude, site.latitude, site.longitude):
        return None
    return round(float(distance(site.latitude, site.longitude, latitude, longitude)), 1)


def _check_fix(latitude, longitude, accuracy_m) -> None:
    if (latitude is None) != (longitude is None):
        raise FieldError(_("A position needs both latitude and longitude."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise FieldError(_("The position (%(lat)s, %(lon)s) is not on the earth.")
                         % {"lat": latitude, "lon": longitude})
    if accuracy_m is not None and accuracy_m < 0:
        raise FieldError(_("The accuracy cannot be negative."))


def check_in(task: m.InspectionTask, user, *, latitude: float | None = None,
             longitude: float | None = None, accuracy_m: float | None = None,
             fix_at: dt.datetime | None = None) -> m.FieldSession:
    """Open the user's field session on the task with the position the browser gave."""
    inspector = require_inspector(user, task)
    _state(task, CHECK_IN_STATES)
    if open_session(task, inspector) is not None:
        raise FieldError(_("You are already checked in on this task; check out first."))
    _check_fix(latitude, longitude, accuracy_m)
    now = timezone.now()
    with transaction.atomic():  # the session and the step "arrive" stand or fall together
        session = m.FieldSession.objects.create(
            task=task, inspector=inspector, check_in_at=now, latitude=latitude,
            longitude=longitude, accuracy_m=accuracy_m, datum=m.Datum.WGS84,
            fix_at=fix_at if latitude is not None else None,
            distance_to_site_m=distance_to_site(task.site, latitude, longitude))
        if task.status == S.PRE_REPORTED:
            transition(task, "arrive", user)
    return session


def check_out(task: m.InspectionTask, user) -> m.FieldSession:
    inspector = require_inspector(user, task)
    session = open_session(task, inspector)
    if session is None:
        raise FieldError(_("You are not checked in on this task."))
    session.check_out_at = timezone.now()
    session.save(update_fields=["check_out_at", "updated_at"])
    return session


TOKEN_IN_URL = re.compile(r"/s/([^/?#\s]+)")


def token_from(text: str) -> str:
    """The signed token in a scanned or typed URL (``…/supervision/s/<token>``), or the text."""
    text = (text or "").strip()
    found = TOKEN_IN_URL.search(text)
    return found.group(1) if found else text


def site_named_by(text: str) -> tuple[int | None, str]:
    """``(site id, how)`` for a scanned token, a typed token or a typed site code."""
    token = token_from(text)
    try:
        return sitecodes.site_id_for(token), "token"
    except sitecodes.TokenError as exc:
        site = m.Site.objects.filter(site_code=text.strip().upper()).only("pk").first()
        if site is not None:
            return site.pk, "site_code"
        raise FieldError(_("This is not a valid site code: %(reason)s") % {"reason": exc}) from exc


def decode_qr(received: uploads.Received) -> list[str]:
    """The texts of the QR codes in a photo (zxing-cpp); FieldError when there is none."""
    import zxingcpp

    image = uploads.open_image(received)
    results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    texts = [r.text for r in results if r.text]
    if not texts:
        raise FieldError(_("No QR code could be read in %(file)s; take the photo closer and "
                           "straight on, or type the code.") % {"file": received.name})
    return texts


def record_scan(task: m.InspectionTask, user, *, text: str = "",
                photo: uploads.Received | None = None) -> m.FieldSession:
    """Keep the site code the inspector scanned (a photo of the plate) or typed."""
    inspector = require_inspector(user, task)
    session = open_session(task, inspector)
    if session is None:
        raise FieldError(_("Check in before scanning the site's code."))
    how = "typed"
    if photo is not None:
        texts, how = decode_qr(photo), "photo"
        text = texts[0]
    site_id, form = site_named_by(text)
    session.qr_scanned_at = timezone.now()
    session.qr_site_matches = site_id == task.site_id
    with audit.quiet(session):
        session.save(update_fields=["qr_scanned_at", "qr_site_matches", "updated_at"])
    audit.record("fieldsession.scan", session, user, {
        "how": how, "form": form, "site_id": site_id, "matches": session.qr_site_matches,
        "at": session.qr_scanned_at, "photo_sha256": photo.sha256 if photo else ""})
    return session


def record_identity(task: m.InspectionTask, user, *, method: str, result: str,
                    score: float | None = None) -> m.FieldSession:
    inspector = require_inspector(user, task)
    session = open_session(task, inspector)
    if session is None:
        raise FieldError(_("Check in before the identity check."))
    methods = dict(m.FieldSession._meta.get_field("identity_method").choices)
    if method not in methods or result not in m.IdentityResult.values:
        raise FieldError(_("Choose the identity check method and its result."))
    if score is not None and not 0 <= score <= 1:
        raise FieldError(_("A face match score lies between 0 and 1."))
    session.identity_method, session.identity_result = method, result
    session.face_match_score = score if method == "face" else None
    with audit.quiet(session):
        session.save(update_fields=["identity_method", "identity_result", "face_match_score",
                                    "updated_at"])
    audit.record("fieldsession.identity", session, user,
                 {"method": method, "result": result, "score": session.face_match_score})
    return session


def add_photo(task: m.InspectionTask, user, received: uploads.Received, *,
              component: m.LPSComponent | None = None, caption: str = "") -> m.FieldPhoto:
    inspector = require_inspector(user, task)
    _state(task, PHOTO_STATES)
    session = open_session(task, inspector) or latest_session(task, inspector)
    if session is None:
        raise FieldError(_("Check in before taking photos."))
    if component is not None and component.site_id != task.site_id:
        raise FieldError(_("The component is not one of this site's."))
    facts = uploads.image_facts(uploads.open_image(received))
    photo = m.FieldPhoto(session=session, component=component, sha256=received.sha256,
                         caption=caption[:200], exif_taken_at=facts.taken_at,
                         exif_latitude=facts.latitude, exif_longitude=facts.longitude)
    uploads.store(photo, "image", received)
    photo.save()
    return photo


def add_measurement(task: m.InspectionTask, user, *, item: str, value: float,
                    component: m.LPSComponent | None = None,
                    instrument: m.Instrument | None = None, point: str = "", unit: str = "",
                    limit: float | None = None, limit_kind: str = "",
                    measured_at: dt.datetime | None = None) -> m.Measurement:
    """A value measured on site, judged against the typed limit or the default one."""
    inspector = require_inspector(user, task)
    _state(task, MEASURE_STATES)
    if item not in m.MeasurementItem.values:
        raise FieldError(_("Unknown measurement item %(item)s.") % {"item": item})
    if component is not None and component.site_id != task.site_id:
        raise FieldError(_("The component is not one of this site's."))
    if instrument is not None and not task.instruments.filter(pk=instrument.pk).exists():
        raise FieldError(_("Instrument %(serial)s is not assigned to this task.")
                         % {"serial": instrument.serial_no})
    now = timezone.now()
    measured_at = measured_at or now
    if measured_at > now + FUTURE_SLACK:
        raise FieldError(_("A measurement cannot be taken in the future."))
    unit = m.ITEM_UNITS.get(item) or unit.strip()
    if not unit:
        raise FieldError(_("Give the unit of this item."))
    if limit is None:
        found = default_limits.default_limit(item, task.site.lightning_class)
        if found is not None:
            limit, limit_kind = found.value, found.kind
    elif limit_kind not in m.LimitKind.values:
        raise FieldError(_("Say whether the limit is a maximum or a minimum."))
    session = open_session(task, inspector) or latest_session(task, inspector)
    measurement = m.Measurement(task=task, component=component, session=session,
                                instrument=instrument, item=item, point=point[:100],
                                value=value, unit=unit, measured_at=measured_at, limit=limit,
                                limit_kind=limit_kind if limit is not None else "")
    measurement.passed = measurement.judge()
    measurement.save()
    return measurement
