"""The inspector's phone page: check-in with the browser's fix, the QR plate, identity, photos,
measurements judged against the limits, each kept and refused where it should be."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from django.utils import timezone

from qixiang.supervision import models as m
from tests.supervision.pages import client_for, jpeg, media, qr_photo, ready_for_site, upload

__all__ = ["media"]


def messages_of(response) -> list[str]:
    return [str(x) for x in response.context["messages"]] if response.context else []


def field(world):
    task = ready_for_site(world)
    return task, client_for(world.zj.agency_user)


def test_the_phone_page_is_one_column_with_camera_inputs_and_geolocation(world):
    task, client = field(world)
    page = client.get(f"/supervision/field/{task.pk}/").content.decode()
    assert 'name="viewport"' in page and "data-geolocate" in page
    assert "supervision/field.js" in page
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    page = client.get(f"/supervision/field/{task.pk}/").content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page


def test_check_in_keeps_the_browser_fix_its_distance_to_the_site_and_starts_work(world):
    task, client = field(world)
    fix_ms = int(timezone.now().timestamp() * 1000)
    response = client.post(f"/supervision/field/{task.pk}/check-in/", {
        "latitude": "30.0009", "longitude": "120.0", "accuracy": "6.5", "fix_time": fix_ms},
        follow=True)
    assert response.status_code == 200
    session = m.FieldSession.objects.get(task=task)
    assert session.inspector == world.zj.inspectors[0]
    assert (session.latitude, session.longitude, session.accuracy_m) == (30.0009, 120.0, 6.5)
    assert session.datum == m.Datum.WGS84 and session.gnss_system == ""
    assert 95 < session.distance_to_site_m < 105
    assert abs(session.fix_at.timestamp() * 1000 - fix_ms) < 1
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.ON_SITE
    assert m.AuditEntry.objects.filter(action="inspectiontask.arrive",
                                       object_id=str(task.pk)).exists()
    again = client.post(f"/supervision/field/{task.pk}/check-in/", {}, follow=True)
    assert any("already checked in" in x for x in messages_of(again))
    client.post(f"/supervision/field/{task.pk}/check-out/")
    session.refresh_from_db()
    assert session.check_out_at is not None


def test_check_in_without_a_position_is_kept_and_said_so(world):
    task, client = field(world)
    response = client.post(f"/supervision/field/{task.pk}/check-in/", {}, follow=True)
    assert any("without a position" in x for x in messages_of(response))
    assert m.FieldSession.objects.get(task=task).latitude is None


def test_check_in_before_the_pre_report_is_refused(world):
    task = world.zj.task
    task.inspectors.set(world.zj.inspectors)
    response = client_for(world.zj.agency_user).post(
        f"/supervision/field/{task.pk}/check-in/", {}, follow=True)
    assert any("contracted" in x for x in messages_of(response))
    assert not m.FieldSession.objects.exists()


def test_an_impossible_position_is_refused(world):
    task, client = field(world)
    response = client.post(f"/supervision/field/{task.pk}/check-in/",
                           {"latitude": "130", "longitude": "120"}, follow=True)
    assert any("not on the earth" in x for x in messages_of(response))
    assert not m.FieldSession.objects.exists()


def test_a_photo_of_the_site_plate_is_decoded_and_matched(world, media):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    response = client.post(f"/supervision/field/{task.pk}/scan/", {
        "photo": upload("plate.png", qr_photo(world.zj.site), "image/png")}, follow=True)
    assert any("matches" in x for x in messages_of(response))
    session = m.FieldSession.objects.get(task=task)
    assert session.qr_site_matches is True and session.qr_scanned_at is not None
    entry = m.AuditEntry.objects.get(action="fieldsession.scan")
    assert entry.change["how"] == "photo" and entry.change["site_id"] == world.zj.site.pk


def test_another_sites_plate_is_recorded_as_not_matching(world, media):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    response = client.post(f"/supervision/field/{task.pk}/scan/", {
        "photo": upload("plate.png", qr_photo(world.gd.site), "image/png")}, follow=True)
    assert any("not this site" in x for x in messages_of(response))
    assert m.FieldSession.objects.get(task=task).qr_site_matches is False


def test_a_typed_code_url_or_site_code_is_accepted_and_a_forged_one_refused(world, media):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    from qixiang.supervision import sitecodes

    url = f"https://bureau.example/supervision/s/{sitecodes.token_for(world.zj.site)}"
    client.post(f"/supervision/field/{task.pk}/scan/", {"code": url})
    assert m.FieldSession.objects.get(task=task).qr_site_matches is True
    client.post(f"/supervision/field/{task.pk}/scan/", {"code": world.zj.site.site_code})
    assert m.AuditEntry.objects.filter(action="fieldsession.scan").last().change["form"] == (
        "site_code")
    forged = sitecodes.token_for(world.zj.site)[:-3] + "AAA"
    response = client.post(f"/supervision/field/{task.pk}/scan/", {"code": forged}, follow=True)
    assert any("not a valid site code" in x for x in messages_of(response))


def test_a_photo_without_a_qr_code_says_what_to_do(world, media):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    response = client.post(f"/supervision/field/{task.pk}/scan/", {
        "photo": upload("blurred.jpg", jpeg(), "image/jpeg")}, follow=True)
    assert any("No QR code could be read in blurred.jpg" in x for x in messages_of(response))


def test_the_identity_check_result_is_kept(world):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    client.post(f"/supervision/field/{task.pk}/identity/",
                {"method": "face", "result": "passed", "score": "0.93"})
    session = m.FieldSession.objects.get(task=task)
    assert (session.identity_method, session.identity_result, session.face_match_score) == (
        "face", "passed", 0.93)
    assert m.AuditEntry.objects.filter(action="fieldsession.identity").exists()


def test_photos_are_stored_by_their_sha256_with_exif_time_and_place(world, media):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    taken = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    first, second = jpeg(taken, 30.0012, 120.0008), jpeg(colour=(200, 10, 10))
    earthing = world.zj.components[0]
    client.post(f"/supervision/field/{task.pk}/photos/", {
        "photos": [upload("a.jpg", first, "image/jpeg"), upload("b.jpg", second, "image/jpeg")],
        "component": earthing.pk, "caption": "earth electrode E1"})
    photos = {p.sha256: p for p in m.FieldPhoto.objects.all()}
    assert set(photos) == {hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()}
    photo = photos[hashlib.sha256(first).hexdigest()]
    assert photo.component == earthing and photo.session.task == task
    assert photo.exif_taken_at == taken
    assert abs(photo.exif_latitude - 30.0012) < 1e-4 and abs(photo.exif_longitude - 120.0008) < 1e-4
    stored = Path(media) / photo.image.name
    assert stored.read_bytes() == first and photo.sha256 in stored.name
    served = client.get(f"/supervision/photos/{photo.pk}")
    assert b"".join(served.streaming_content) == first


def test_a_file_that_is_not_an_image_is_refused_naming_it(world, media):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    response = client.post(f"/supervision/field/{task.pk}/photos/", {
        "photos": upload("notes.txt", b"hello", "text/plain")}, follow=True)
    assert any("notes.txt is not a readable image" in x for x in messages_of(response))
    assert not m.FieldPhoto.objects.exists()


def test_measurements_are_judged_against_the_default_limit_for_the_sites_class(world):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    earthing, spd = world.zj.components
    client.post(f"/supervision/field/{task.pk}/measurements/", {
        "component": earthing.pk, "item": "earth_resistance", "point": "E1", "value": "12.5",
        "instrument": world.zj.instrument.pk})
    client.post(f"/supervision/field/{task.pk}/measurements/", {
        "component": earthing.pk, "item": "earth_resistance", "point": "E2", "value": "4.1"})
    client.post(f"/supervision/field/{task.pk}/measurements/", {
        "component": spd.pk, "item": "spd_u1ma", "point": "P1", "value": "620"})
    client.post(f"/supervision/field/{task.pk}/measurements/", {
        "component": spd.pk, "item": "spd_leakage", "point": "P1", "value": "9",
        "limit": "5", "limit_kind": "max"})
    rows = {x.point + x.item: x for x in m.Measurement.objects.filter(task=task)}
    e1, e2 = rows["E1earth_resistance"], rows["E2earth_resistance"]
    assert (e1.limit, e1.limit_kind, e1.passed, e1.unit) == (10, "max", False, "Ω")
    assert e1.session.inspector == world.zj.inspectors[0] and e1.instrument == world.zj.instrument
    assert e2.passed is True
    assert rows["P1spd_u1ma"].passed is None and rows["P1spd_u1ma"].unit == "V"
    assert (rows["P1spd_leakage"].limit, rows["P1spd_leakage"].passed) == (5, False)


def test_a_measurement_of_another_sites_component_or_in_the_future_is_refused(world):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    other = world.gd.components[0]
    response = client.post(f"/supervision/field/{task.pk}/measurements/", {
        "component": other.pk, "item": "earth_resistance", "value": "3"}, follow=True)
    assert any("Select a valid choice" in x for x in messages_of(response))
    future = (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/supervision/field/{task.pk}/measurements/", {
        "item": "earth_resistance", "value": "3", "measured_at": future}, follow=True)
    assert any("future" in x for x in messages_of(response))
    assert not m.Measurement.objects.exists()


def test_finishing_measuring_from_the_phone_moves_the_task_on(world):
    task, client = field(world)
    client.post(f"/supervision/field/{task.pk}/check-in/", {})
    client.post(f"/supervision/field/{task.pk}/measurements/",
                {"item": "earth_resistance", "value": "3"})
    response = client.post(f"/supervision/tasks/{task.pk}/do/finish_measuring/",
                           {"next": f"/supervision/field/{task.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/supervision/field/{task.pk}/"
    task.refresh_from_db()
    assert task.status == m.InspectionStatus.MEASURED


def test_an_agency_user_who_is_not_an_inspector_of_the_task_may_not_work_on_site(world):
    task = ready_for_site(world)
    from tests.supervision.conftest import make_user

    clerk = make_user("zj-clerk", agency=world.zj.agency)
    assert client_for(clerk).get(f"/supervision/field/{task.pk}/").status_code == 403
    assert client_for(clerk).post(f"/supervision/field/{task.pk}/check-in/").status_code == 403
    task.inspectors.set(world.zj.inspectors[1:])
    assert client_for(world.zj.agency_user).post(
        f"/supervision/field/{task.pk}/check-in/").status_code == 403
    assert not m.FieldSession.objects.exists()


def test_the_field_list_shows_the_inspectors_tasks_with_work_ahead(world):
    task = ready_for_site(world)
    page = client_for(world.zj.agency_user).get("/supervision/field/").content.decode()
    assert task.site.name in page and f"/supervision/field/{task.pk}/" in page
