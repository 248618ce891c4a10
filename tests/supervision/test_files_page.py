"""One file per subject: every record in time order, filtered by kind, scoped, ID numbers masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from qixiang.supervision import identity
from qixiang.supervision import models as m

CLEAR_ID = "11010519491231002X"


@pytest.fixture
def filled(world):
    """The Zhejiang depot with an inspection, a report, a hazard loop, credit and sharing."""
    zj = world.zj
    now = timezone.now()
    session = m.FieldSession.objects.create(task=zj.task, inspector=zj.inspectors[0],
                                            check_in_at=now - dt.timedelta(days=40),
                                            check_out_at=now - dt.timedelta(days=40, hours=-2),
                                            gnss_system="beidou", accuracy_m=4,
                                            distance_to_site_m=35)
    m.Measurement.objects.create(task=zj.task, session=session, item="earth_resistance",
                                 value=12, unit="Ω", limit=10, limit_kind="max", passed=False,
                                 measured_at=now - dt.timedelta(days=40))
    report = m.InspectionReport.objects.create(
        task=zj.task, report_no="JC2026000001", kind="periodic", conclusion="fail",
        issued_on=(now - dt.timedelta(days=38)).date())
    hazard = m.Hazard.objects.create(hazard_no="YH2026000001", site=zj.site, source="report",
                                     report=report, item="earthing", found_at=now -
                                     dt.timedelta(days=38),
                                     notified_at=now - dt.timedelta(days=37),
                                     deadline=(now + dt.timedelta(days=5)).date())
    m.Rectification.objects.create(hazard=hazard, plan="replace the earth electrode",
                                   plan_submitted_at=now - dt.timedelta(days=30))
    m.CreditRecord.objects.create(subject=zj.subject, event="warning", delta=-8,
                                  occurred_on=(now - dt.timedelta(days=20)).date(),
                                  valid_to=(now + dt.timedelta(days=700)).date(),
                                  source="manual")
    m.CreditRecord.objects.create(subject=world.gd.subject, event="warning", delta=-8,
                                  occurred_on=(now - dt.timedelta(days=20)).date(),
                                  valid_to=(now + dt.timedelta(days=700)).date(),
                                  source="manual", source_ref="GD-ONLY")
    return world


def open_file(user, subject, query: str = ""):
    client = Client()
    client.cookies["qixiang_language"] = "en"  # messages read in English
    client.force_login(user)
    return client.get(f"/supervision/subjects/{subject.pk}/file{query}")


def kinds(response) -> set[str]:
    return {e.kind for e in response.context["page"].object_list}


def test_the_key_unit_sees_its_whole_file_in_time_order(filled):
    response = open_file(filled.zj.unit_user, filled.zj.subject)
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert {"registry", "site", "inspection", "session", "report", "hazard",
            "credit"} <= {e.kind for e in events}
    times = [e.at for e in events]
    assert times == sorted(times, reverse=True)
    text = response.content.decode()
    assert "YH2026000001" in text and "JC2026000001" in text and "GD-ONLY" not in text


def test_oldest_first_and_filter_by_kind(filled):
    response = open_file(filled.users["zj_city"], filled.zj.subject,
                         "?kind=hazard&kind=report&order=asc")
    assert kinds(response) == {"hazard", "report"}
    times = [e.at for e in response.context["page"].object_list]
    assert times == sorted(times)
    titles = [e.title for e in response.context["page"].object_list if e.kind == "hazard"]
    assert any("round 1" in t for t in titles)


@pytest.mark.parametrize("user", ["gd_unit", "gd_agency", "gd_province", "zj_other_county"])
def test_others_are_refused_the_file(filled, user):
    assert open_file(filled.users[user], filled.zj.subject).status_code == 404


def test_a_user_without_a_supervision_role_is_refused(filled):
    assert open_file(filled.users["forecaster"], filled.zj.subject).status_code == 403


def test_the_agency_sees_only_its_part_of_a_clients_file(filled):
    response = open_file(filled.zj.agency_user, filled.zj.subject)
    assert response.status_code == 200
    shown = kinds(response)
    assert {"inspection", "report", "hazard"} <= shown
    assert "credit" not in shown and "audit" not in shown


def test_the_audit_trail_is_in_the_regulators_file_only(filled):
    assert "audit" in kinds(open_file(filled.users["zj_county"], filled.zj.subject,
                                      "?kind=audit"))
    assert "audit" not in kinds(open_file(filled.zj.unit_user, filled.zj.subject, "?kind=audit"))


def test_an_agencys_own_file_lists_staff_and_instruments_with_masked_id_numbers(filled):
    from qixiang.supervision import privacy

    inspector = filled.zj.inspectors[0]
    privacy.set_id_number(inspector, CLEAR_ID)
    inspector.save()
    response = open_file(filled.zj.agency_user, filled.zj.agency.subject, "?kind=staff")
    text = response.content.decode()
    assert inspector.name in text and inspector.id_no_masked in text and CLEAR_ID not in text


@pytest.fixture
def household(world):
    person, _ = identity.register_subject("Zhang San", "330106", id_no=CLEAR_ID)
    return person


def test_a_households_file_masks_the_id_number_and_logs_the_read(world, household):
    response = open_file(world.users["zj_county"], household)
    text = response.content.decode()
    assert household.id_no_masked in text and CLEAR_ID not in text
    assert m.AuditEntry.objects.filter(action="subject.file_read",
                                       subject_code=household.subject_code).exists()


def test_a_purpose_with_a_live_grant_shows_the_number_and_logs_the_read(world, household):
    regulator = world.users["zj_county"]
    m.AccessGrant.objects.create(grantee=regulator, purpose="enforcement", scope="subject.id_no",
                                 expires_at=timezone.now() + dt.timedelta(days=1))
    shown = open_file(regulator, household, "?purpose=enforcement").content.decode()
    assert CLEAR_ID in shown
    assert m.AuditEntry.objects.filter(action="personal_data.read").count() >= 1
    other = open_file(world.users["zj_city"], household, "?purpose=enforcement")
    assert CLEAR_ID not in other.content.decode()


def test_the_subject_list_is_scoped_and_searchable(filled):
    client = Client()
    client.force_login(filled.zj.unit_user)
    listed = client.get("/supervision/subjects/").context["page"].object_list
    assert [s.pk for s in listed] == [filled.zj.subject.pk]
    client.force_login(filled.users["national"])
    found = client.get("/supervision/subjects/?q=gd+fuel").context["page"].object_list
    assert [s.pk for s in found] == [filled.gd.subject.pk]


def test_the_file_page_is_chinese_by_default_and_english_on_the_switch(filled):
    client = Client()
    client.force_login(filled.zj.unit_user)
    path = f"/supervision/subjects/{filled.zj.subject.pk}/file"
    chinese = client.get(path).content.decode()
    assert "一企一档" in chinese and "导出 PDF" in chinese and "隐患及整改过程" in chinese
    client.cookies["qixiang_language"] = "en"
    english = client.get(path).content.decode()
    assert "Export PDF" in english and "hazards and their steps" in english
