"""Seeding the demo city: the rows, the trail, the manifest, the users and what each may see."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from qixiang.accounts.apikeys import create_api_key
from qixiang.accounts.models import Role, User
from qixiang.supervision import audit, demo, scoping
from qixiang.supervision import models as m
from qixiang.supervision.exchange import service

TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def seeded(db, tmp_path):
    return demo.seed(TODAY, var_dir=tmp_path, key_units=40)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_every_generated_record_is_stored_and_the_trail_verifies(seeded):
    c = seeded.counts
    assert m.KeyUnit.objects.count() == c["key_units"] == 40
    assert m.Subject.objects.count() == c["subjects"]
    assert m.Site.objects.count() == c["sites"]
    assert m.InspectionTask.objects.count() == c["tasks"]
    assert m.FieldPhoto.objects.count() == c["photos"]
    assert m.Measurement.objects.count() == c["measurements"]
    assert m.InspectionReport.objects.count() == c["reports"]
    assert m.Hazard.objects.count() == c["hazards"]
    assert audit.verify().ok
    assert m.AuditEntry.objects.filter(object_type="supervision.Site").count() == c["sites"]
    assert not m.Site.objects.filter(site_code="").exists()
    assert m.Hazard.objects.filter(source="report", measurement__isnull=False).exists()


def test_person_subjects_and_inspectors_keep_id_numbers_only_encrypted(seeded):
    person = m.Subject.objects.filter(kind="person").first()
    assert person is not None and person.subject_code.startswith("P")
    assert person.id_no_masked and "*" in person.id_no_masked
    assert all(i.id_no_hash and i.person_code for i in m.Inspector.objects.all())


def test_the_manifest_names_reports_that_exist(seeded):
    cases = json.loads(seeded.manifest.read_text(encoding="utf-8"))["cases"]
    assert cases
    numbers = {c["report_no"] for c in cases}
    assert m.InspectionReport.objects.filter(report_no__in=numbers).count() == len(numbers)
    assert {c["rule"] for c in cases} >= {"A2", "A4", "A13"}


def test_quality_issues_of_the_planted_data_are_open(seeded):
    rules = set(m.DataQualityIssue.objects.filter(status="open").values_list("rule", flat=True))
    assert {"capture.uscc_check", "storage.duplicate_subject", "use.late_upload",
            "exchange.schema"} <= rules
    regulator = User.objects.get(username="city-regulator")
    assert scoping.quality_issues(regulator).filter(rule="exchange.schema").exists()
    assert m.Site.objects.order_by("created_at").first().created_at.date() < TODAY.replace(
        year=TODAY.year - 2)


def test_the_three_demo_users_exist_with_their_organisations(seeded):
    regulator = User.objects.get(username="city-regulator")
    assert regulator.role == Role.REGULATOR and regulator.region_code == "330100"
    assert scoping.actor_kind(User.objects.get(username="keyunit")) == scoping.KEY_UNIT
    assert scoping.actor_kind(User.objects.get(username="agency")) == scoping.AGENCY
    assert {u.username for u in seeded.users} == {"city-regulator", "keyunit", "agency"}
    assert "city-regulator" in (seeded.manifest.parent.parent / "demo-users.txt").read_text()


def test_each_demo_role_opens_its_pages(seeded):
    unit = User.objects.get(username="keyunit").supervision_membership.key_unit
    for username in ("city-regulator", "keyunit", "agency"):
        client = client_for(username)
        for path in ("/supervision/subjects/", "/supervision/quality/",
                     "/supervision/exchange/"):
            assert client.get(path).status_code == 200, (username, path)
    page = client_for("keyunit").get(f"/supervision/subjects/{unit.subject_id}/file")
    assert page.status_code == 200 and page.context["total"] > 5


def test_each_demo_role_is_refused_the_others_files(seeded):
    unit = User.objects.get(username="keyunit").supervision_membership.key_unit
    agency = User.objects.get(username="agency").supervision_membership.agency
    other = m.KeyUnit.objects.exclude(pk=unit.pk).exclude(
        subject__inspection_tasks__agency=agency).first()
    assert client_for("keyunit").get(
        f"/supervision/subjects/{other.subject_id}/file").status_code == 404
    assert client_for("agency").get(
        f"/supervision/subjects/{other.subject_id}/file").status_code == 404
    assert client_for("city-regulator").get(
        f"/supervision/subjects/{other.subject_id}/file").status_code == 200
    ningbo = User.objects.create_user("ningbo", password=None, role=Role.REGULATOR,
                                      region_code="330200")
    client = Client()
    client.force_login(ningbo)
    assert client.get(f"/supervision/subjects/{other.subject_id}/file").status_code == 404


def test_the_demo_partners_stay_within_their_exchange_scopes(seeded):
    fire = m.Partner.objects.get(kind="fire")
    market = m.Partner.objects.get(kind="market")
    assert m.ExchangeRecord.objects.filter(partner=fire, direction="in",
                                           status="applied").count() == 3
    assert m.ExchangeRecord.objects.filter(partner=market, direction="out").exists()
    with pytest.raises(service.Refused):
        service.pull(market, "sites")
    with pytest.raises(service.Refused):
        service.push(fire, "credit_records", [])
    _row, key = create_api_key(User.objects.get(username="keyunit"))
    assert Client().get("/api/supervision/exchange/subjects",
                        HTTP_X_API_KEY=key).status_code == 403


def test_the_command_leaves_existing_data_alone(seeded):
    out = io.StringIO()
    call_command("supervision", "demo", stdout=out)
    assert "exist" in out.getvalue()
    assert m.KeyUnit.objects.count() == 40
