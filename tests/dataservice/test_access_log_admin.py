"""The access log answers "who downloaded what, when" in the admin: filtered, searched and
exported as CSV (the whole filtered list, or the selected rows)."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from qixiang.accounts.models import Role, User
from qixiang.dataservice import access, journal, provenance
from qixiang.dataservice.models import AccessLog
from tests.dataservice.conftest import make_data_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def downloads():
    rows = []
    for name, dataset in (("alice", "surface-obs-hourly"), ("bob", "surface-obs-minute"),
                          ("alice2", "surface-obs-minute")):
        _user, key = make_data_user(name, datasets="*")
        request = RequestFactory().get("/edr/x", HTTP_X_API_KEY=key, REMOTE_ADDR="10.0.0.1")
        principal = access.authorize(request, dataset, 1)
        body = f"data for {name}".encode()
        rows.append(provenance.stamp(HttpResponse(body, content_type="text/csv"), body,
                                     dataset=dataset, query={"f": "csv"}, principal=principal))
    journal.load()  # what the server's loader thread does within QIXIANG_JOURNAL_SECONDS
    return [AccessLog.objects.get(data_id=stamp.data_id) for stamp in rows]


@pytest.fixture
def admin_client() -> Client:
    User.objects.create_superuser("root", "", "pw-root-1234", role=Role.ADMINISTRATOR)
    client = Client(HTTP_HOST="localhost")
    client.login(username="root", password="pw-root-1234")
    return client


def read_csv(answer) -> list[dict]:
    text = b"".join(answer.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_list_filters_by_dataset_and_searches_by_requester(admin_client, downloads):
    page = admin_client.get("/admin/dataservice/accesslog/",
                            {"dataset": "surface-obs-minute"}).content.decode()
    assert "bob" in page and "alice2" in page and ">alice<" not in page
    assert "访问日志" in page and "导出为 CSV" in page
    page = admin_client.get("/admin/dataservice/accesslog/", {"q": "alice"}).content.decode()
    assert "alice2" in page and "bob" not in page


def test_filtered_list_exports_as_csv_with_every_column(admin_client, downloads):
    answer = admin_client.get("/admin/dataservice/accesslog/export.csv",
                              {"dataset": "surface-obs-minute"})
    assert answer["Content-Type"].startswith("text/csv")
    rows = read_csv(answer)
    assert sorted(r["requester"] for r in rows) == ["alice2", "bob"]
    bob = next(r for r in rows if r["requester"] == "bob")
    logged = next(r for r in downloads if r.requester == "bob")
    assert bob["sha256"] == logged.sha256 and bob["data_id"] == logged.data_id
    assert bob["time"].endswith("Z") and bob["client_ip"] == "10.0.0.1"


def test_selected_rows_export_as_csv(admin_client, downloads):
    answer = admin_client.post("/admin/dataservice/accesslog/", {
        "action": "export_selected", "_selected_action": [downloads[0].pk]})
    assert [r["requester"] for r in read_csv(answer)] == ["alice"]


def test_export_needs_an_administrator(downloads):
    user, _key = make_data_user("nosy")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    answer = client.get("/admin/dataservice/accesslog/export.csv")
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
