"""The inspector's phone page in a real browser: the Geolocation API fills the check-in, the
camera input sends a photo of the site's QR plate, and both land in the field session."""

from __future__ import annotations

import pytest

from qixiang.supervision import models as m
from tests.pages.test_browser import assert_served_locally, browser_context, page, wait
from tests.supervision.pages import media, qr_photo, ready_for_site
from tests.supervision.test_browser_hazard_loop import PASSWORD, log_in

__all__ = ["browser_context", "media", "page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_phone_checks_in_with_its_position_and_scans_the_plate(page, live_server, world,
                                                                  media, tmp_path):
    inspector = world.zj.agency_user
    inspector.set_password(PASSWORD)
    inspector.save()
    task = ready_for_site(world)
    log_in(page, live_server, inspector)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 30.0005, "longitude": 120.0003, "accuracy": 8})
    page.goto(f"{live_server.url}/supervision/field/{task.pk}/")
    with page.expect_navigation():
        page.click("#check-in")
    wait(page, selector="#scan")
    session = m.FieldSession.objects.get(task=task)
    assert (session.latitude, session.longitude, session.accuracy_m) == (30.0005, 120.0003, 8)
    assert session.fix_at is not None and 60 < session.distance_to_site_m < 65
    page.set_input_files("#id_photo", {"name": "plate.png", "mimeType": "image/png",
                                       "buffer": qr_photo(world.zj.site, live_server.url.split(
                                           "//")[1])})
    with page.expect_navigation():
        page.click("#scan-submit")
    session.refresh_from_db()
    assert session.qr_site_matches is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.screenshot(path=str(tmp_path / "field.png"), full_page=True)
    assert_served_locally(page, live_server)
