"""The admin shows the archive, dead letters, counts, values and revisions, and edits none."""

from __future__ import annotations

import pytest

from qixiang.ingest.admin import payload_preview
from qixiang.ingest.models import RawMessage
from qixiang.ingest.pipeline import ingest_messages
from qixiang.observations.models import Observation, Revision
from qixiang.science.observation import rejected
from tests.ingest.conftest import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    ingest_messages([message(1), rejected(2, b"bad row", "csv", "in.csv: row 2, field TEM: 'x'")],
                    origin="in.csv", channel="file", filename="in.csv")
    ingest_messages([message(3, values={"TEM": 1.0})], origin="fix", channel="file")


def test_dead_letter_filter_lists_only_rejected_and_undecoded(admin_client, archive):
    response = admin_client.get("/admin/ingest/rawmessage/?dead=yes")
    assert [m.status for m in response.context["cl"].result_list] == ["rejected"]
    assert "in.csv: row 2, field TEM" in response.content.decode()
    decoded = admin_client.get("/admin/ingest/rawmessage/?dead=no")
    assert sorted(m.status for m in decoded.context["cl"].result_list) == ["decoded"] * 2


@pytest.mark.parametrize("path", ["ingest/rawmessage", "ingest/stagecount",
                                  "observations/observation", "observations/revision"])
def test_pages_render_and_offer_no_add(admin_client, archive, path):
    response = admin_client.get(f"/admin/{path}/")
    assert response.status_code == 200
    assert admin_client.get(f"/admin/{path}/add/").status_code == 403


def test_archived_message_shows_its_payload_and_cannot_be_changed(admin_client, archive):
    dead = RawMessage.objects.get(status="rejected")
    page = admin_client.get(f"/admin/ingest/rawmessage/{dead.pk}/change/").content.decode()
    assert "bad row" in page
    response = admin_client.post(f"/admin/ingest/rawmessage/{dead.pk}/change/", {"reason": ""})
    assert response.status_code == 403
    assert RawMessage.objects.get(pk=dead.pk).reason == dead.reason
    obs = Observation.objects.first()
    assert admin_client.post(f"/admin/observations/observation/{obs.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    assert Revision.objects.exists()


def test_binary_payload_is_previewed_as_hex():
    assert payload_preview(b"BUFR\x00\x00\xe0\x04\x00\x00\x16") == "42 55 46 52 00 00 e0 04 00 00 16"
    assert payload_preview(b"AAXX 17121 15108=\r\n") == "AAXX 17121 15108=\r\n"
