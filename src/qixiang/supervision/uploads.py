"""Files people upload (field photos, report PDFs, hazard evidence), kept by their sha256.

The hash is computed here, on the server, from the bytes received: what a phone claims about a
file is never trusted. Files are stored under MEDIA_ROOT at a path made of the hash, so the same
bytes are stored once and a name says nothing about the content. :func:`read_upload` refuses a
file too large or empty with a message naming it; :func:`image_facts` reads what a photo says
about itself (EXIF time and place) with Pillow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

MAX_BYTES = 25 * 1024 * 1024
BEIJING = dt.timezone(dt.timedelta(hours=8))


class UploadError(ValueError):
    """An uploaded file that cannot be kept; the message names the file and why."""


@dataclass(frozen=True, slots=True)
class Received:
    name: str
    content: bytes
    sha256: str


def read_upload(upload: UploadedFile, max_bytes: int = MAX_BYTES) -> Received:
    name = upload.name or "upload"
    if upload.size is not None and upload.size > max_bytes:
        raise UploadError(_("%(file)s is larger than %(mb)d MB") % {
            "file": name, "mb": max_bytes // (1024 * 1024)})
    content = upload.read()
    if not content:
        raise UploadError(_("%(file)s is empty") % {"file": name})
    return Received(name, content, hashlib.sha256(content).hexdigest())


def store(instance: models.Model, field_name: str, received: Received) -> str:
    """Put the bytes where the field's ``upload_to`` says (a path made of the hash), once."""
    field = instance._meta.get_field(field_name)
    path = field.generate_filename(instance, received.name)
    if not field.storage.exists(path):
        path = field.storage.save(path, ContentFile(received.content))
    setattr(instance, field_name, path)
    return path


def require_pdf(received: Received) -> None:
    if not received.content.startswith(b"%PDF-"):
        raise UploadError(_("%(file)s is not a PDF file") % {"file": received.name})


@dataclass(frozen=True, slots=True)
class ImageFacts:
    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


def open_image(received: Received):
    """The image as Pillow reads it; UploadError when it is not an image Pillow knows."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(received.content))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UploadError(_("%(file)s is not a readable image (%(error)s)")
                          % {"file": received.name, "error": exc}) from exc
    return image


def _ratio(value) -> float:
    return float(value[0]) / float(value[1]) if isinstance(value, tuple) else float(value)


def _degrees(dms, ref: str) -> float | None:
    try:
        deg = _ratio(dms[0]) + _ratio(dms[1]) / 60 + _ratio(dms[2]) / 3600
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    return -deg if ref in ("S", "W") else deg


def image_facts(image) -> ImageFacts:
    """EXIF time (as Beijing time when the photo gives no offset) and GPS position, if any."""
    exif = image.getexif()
    if not exif:
        return ImageFacts()
    details = exif.get_ifd(0x8769)
    taken_at = None
    stamp = details.get(36867) or exif.get(306)  # DateTimeOriginal, else DateTime
    if isinstance(stamp, str):
        try:
            naive = dt.datetime.strptime(stamp.strip(), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            naive = None
        if naive is not None:
            offset = details.get(36881)  # OffsetTimeOriginal, "+08:00"
            zone = BEIJING
            if isinstance(offset, str) and len(offset) == 6:
                try:
                    sign = -1 if offset[0] == "-" else 1
                    zone = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]),
                                                           minutes=int(offset[4:6])))
                except ValueError:
                    zone = BEIJING
            taken_at = naive.replace(tzinfo=zone).astimezone(dt.UTC)
    gps = exif.get_ifd(0x8825)
    lat = lon = None
    if gps.get(2) and gps.get(4):
        lat, lon = _degrees(gps[2], gps.get(1, "N")), _degrees(gps[4], gps.get(3, "E"))
    return ImageFacts(taken_at, lat, lon)
