"""Helpers of the supervision page tests: logged-in clients, real files, a task ready for site."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision import sitecodes
from qixiang.supervision.workflows import transition


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a folder of the test, not the working tree's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["qixiang_language"] = "en"
    return client


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def qr_photo(site: m.Site, host: str = "testserver") -> bytes:
    """A PNG of the site's QR plate, as a phone camera would send the picture of it."""
    url = f"http://{host}/supervision/s/{sitecodes.token_for(site)}"
    return sitecodes.qr_png(url)


def jpeg(taken: dt.datetime | None = None, lat: float | None = None,
         lon: float | None = None, colour: tuple[int, int, int] = (40, 90, 160)) -> bytes:
    """A small JPEG with EXIF time (Beijing wall clock, no offset) and GPS when given."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = timezone.localtime(taken).strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None:
        def dms(value: float) -> tuple:
            deg = int(value)
            minutes = (value - deg) * 60
            return (deg, int(minutes), round((minutes - int(minutes)) * 60, 2))
        gps = exif.get_ifd(0x8825)
        gps.update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ready_for_site(world) -> m.InspectionTask:
    """The Zhejiang task with its team, its plan filed and pre-reported."""
    task = world.zj.task
    task.inspectors.set(world.zj.inspectors)
    task.instruments.set([world.zj.instrument])
    today = timezone.localdate()
    transition(task, "file_plan", world.zj.agency_user, window_start=today,
               window_end=today + dt.timedelta(days=3))
    transition(task, "pre_report", world.zj.agency_user)
    return task
