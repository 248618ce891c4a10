"""The exchange API: partners pull changes since a cursor and push records, scoped, idempotent."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from qixiang.accounts.apikeys import create_api_key
from qixiang.accounts.models import Role
from qixiang.supervision import models as m
from tests.supervision.conftest import make_user, uscc

ALL = ["subjects", "key_units", "sites", "credit_records", "enforcement_results"]
BASE = "/api/supervision/exchange"


def partner(name: str, region: str, read=ALL, write=ALL, may_push=True) -> tuple[m.Partner, str]:
    user = make_user(f"{name}-api")
    row = m.Partner.objects.create(name=name, kind="fire", region_code=region, user=user,
                                   record_types=list(read), may_push=may_push,
                                   push_types=list(write))
    _row, key = create_api_key(user, "exchange")
    return row, key


@pytest.fixture
def partners(world):
    return {"zj": partner("Zhejiang fire", "330000"),
            "gd": partner("Guangdong market", "440000", read=["subjects"], write=[],
                          may_push=False)}


def get(key: str | None, path: str):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return Client().get(f"{BASE}{path}", **headers)


def post(key: str, kind: str, records: list[dict]):
    return Client().post(f"{BASE}/{kind}", json.dumps({"records": records}),
                         content_type="application/json", HTTP_X_API_KEY=key)


def test_scope_lists_what_the_partner_may_read_and_write_with_schemas(partners):
    body = get(partners["zj"][1], "/").json()
    assert body["read"] == ALL and body["write"] == ALL
    assert "uscc" in body["schemas"]["subjects"]["properties"]
    body = get(partners["gd"][1], "/").json()
    assert body["read"] == ["subjects"] and body["write"] == []


def test_pull_gives_each_changed_record_once_in_the_partners_region_then_only_new_changes(
        world, partners):
    key = partners["zj"][1]
    first = get(key, "/sites?cursor=0").json()
    assert [r["id"] for r in first["records"]] == [world.zj.site.site_code]
    record = first["records"][0]
    assert record["data"]["lightning_class"] == 2 and len(record["version"]) == 64
    again = get(key, f"/sites?cursor={first['next_cursor']}").json()
    assert again["records"] == [] and again["next_cursor"] == first["next_cursor"]
    world.zj.site.occupancy = "tank farm, 12 tanks"
    world.zj.site.save()
    changed = get(key, f"/sites?cursor={first['next_cursor']}").json()
    assert [r["data"]["occupancy"] for r in changed["records"]] == ["tank farm, 12 tanks"]
    assert changed["records"][0]["version"] != record["version"]
    sent = m.ExchangeRecord.objects.filter(direction="out", record_type="sites")
    assert sent.count() == 2 and {r.subject for r in sent} == {world.zj.subject}


def test_pull_pages_follow_the_cursor(world, partners):
    key = partners["zj"][1]
    for n in range(3):
        m.Site.objects.create(key_unit=world.zj.key_unit, name=f"roof {n}", lightning_class=3)
    page1 = get(key, "/sites?limit=2").json()
    assert len(page1["records"]) == 2 and page1["has_more"]
    page2 = get(key, f"/sites?limit=2&cursor={page1['next_cursor']}").json()
    assert len(page2["records"]) == 2 and not page2["has_more"]
    ids = [r["id"] for r in page1["records"] + page2["records"]]
    assert len(set(ids)) == 4


def test_unpublished_enforcement_and_unpublished_credit_stay_home(world, partners):
    key = partners["zj"][1]
    m.EnforcementInspection.objects.create(inspection_no="E-SECRET", region_code="330106",
                                           subject=world.zj.subject)
    done = m.EnforcementInspection.objects.create(inspection_no="E-DONE", region_code="330106",
                                                  subject=world.zj.subject)
    m.EnforcementInspection.objects.filter(pk=done.pk).update(status="published")
    done.refresh_from_db()
    done.findings = "no problem"
    done.save()
    pulled = get(key, "/enforcement_results").json()["records"]
    assert [r["id"] for r in pulled] == ["E-DONE"]


def test_refusals_no_key_unknown_kind_kind_not_granted_and_non_partner_keys(world, partners):
    assert get(None, "/sites").status_code == 401
    assert get(partners["zj"][1], "/hazards").status_code == 404
    assert get(partners["gd"][1], "/sites").status_code == 403
    assert post(partners["gd"][1], "subjects", []).status_code == 403
    for user in ("zj_unit", "zj_agency", "zj_county", "admin"):
        _row, key = create_api_key(world.users[user])
        assert get(key, "/subjects").status_code == 403, user
        assert post(key, "subjects", []).status_code == 403, user
    inactive, key = partner("Old platform", "", may_push=True)
    inactive.active = False
    inactive.save()
    assert get(key, "/subjects").status_code == 403


def test_a_partner_never_pulls_another_region(world, partners):
    body = get(partners["gd"][1], "/subjects").json()
    codes = {r["id"] for r in body["records"]}
    assert world.gd.subject.subject_code in codes
    assert world.zj.subject.subject_code not in codes


def subject_data(code: str, **extra) -> dict:
    return {"uscc": code, "name": "West Lake Gas Station", "region_code": "330106", **extra}


def test_a_pushed_subject_is_created_once_and_a_repush_changes_nothing_and_says_so(partners):
    key = partners["zj"][1]
    code = uscc("330106", "MD000001")
    first = post(key, "subjects", [{"id": "F-1", "data": subject_data(code)}]).json()
    assert first["created"] == 1 and first["results"][0]["outcome"] == "created"
    subject = m.Subject.objects.get(uscc=code)
    counts = (m.Subject.objects.count(), m.ExchangeRecord.objects.count(),
              m.AuditEntry.objects.filter(object_type="supervision.Subject").count())
    again = post(key, "subjects", [{"id": "F-1", "data": subject_data(code)}]).json()
    assert again["unchanged"] == 1 and again["results"][0]["local_id"] == str(subject.pk)
    assert counts == (m.Subject.objects.count(), m.ExchangeRecord.objects.count(),
                      m.AuditEntry.objects.filter(object_type="supervision.Subject").count())
    changed = post(key, "subjects", [{"id": "F-1", "data": subject_data(
        code, address="1 Lake Road")}]).json()
    assert changed["updated"] == 1
    subject.refresh_from_db()
    assert subject.address == "1 Lake Road"
    assert m.ExchangeRecord.objects.filter(direction="in", exchange_id="F-1").count() == 2


def test_going_back_to_an_earlier_version_applies_it_again(partners):
    key = partners["zj"][1]
    code = uscc("330106", "MD000002")
    for address in ("A road", "B road", "A road"):
        post(key, "subjects", [{"id": "F-2", "data": subject_data(code, address=address)}])
    assert m.Subject.objects.get(uscc=code).address == "A road"


def test_a_persons_id_number_is_encrypted_and_never_kept_clear_in_the_exchange(partners):
    key = partners["zj"][1]
    data = {"id_no": "11010519491231002X", "name": "Zhang San", "region_code": "330106"}
    body = post(key, "subjects", [{"id": "P-1", "data": data}]).json()
    assert body["created"] == 1
    person = m.Subject.objects.get(kind="person")
    assert person.id_no_masked and "11010519491231002X" not in person.id_no_encrypted
    row = m.ExchangeRecord.objects.get(exchange_id="P-1")
    assert "11010519491231002X" not in json.dumps(row.payload)
    assert row.payload["id_no_hash"] == person.id_no_hash
    assert post(key, "subjects", [{"id": "P-1", "data": data}]).json()["unchanged"] == 1
    pulled = get(key, "/subjects").json()["records"]
    assert "11010519491231002X" not in json.dumps(pulled)


def test_a_record_failing_the_schema_is_rejected_named_kept_and_owned_by_the_partner(partners):
    row, key = partners["zj"]
    bad = {"uscc": uscc("330106", "MD000003"), "name": "", "region_code": "33"}
    body = post(key, "subjects", [{"id": "F-3", "data": bad},
                                  {"id": "F-4", "data": subject_data(uscc("330106",
                                                                          "MD000004"))}]).json()
    assert (body["rejected"], body["created"]) == (1, 1)
    result = body["results"][0]
    assert result["outcome"] == "rejected" and "name" in result["error"]
    assert "region_code" in result["error"]
    kept = m.ExchangeRecord.objects.get(exchange_id="F-3")
    assert kept.status == "rejected" and kept.error
    issue = m.DataQualityIssue.objects.get(rule="exchange.schema", status="open")
    assert issue.owner_user == row.user
    fixed = post(key, "subjects", [{"id": "F-3", "data": subject_data(
        uscc("330106", "MD000003"))}]).json()
    assert fixed["created"] == 1
    issue.refresh_from_db()
    assert issue.status == "resolved"


def test_a_record_outside_the_partners_region_is_rejected(partners):
    key = partners["zj"][1]
    body = post(key, "subjects", [{"id": "F-5", "data": {
        "uscc": uscc("440305", "MD000005"), "name": "Shenzhen Co", "region_code": "440305"}}])
    result = body.json()["results"][0]
    assert result["outcome"] == "rejected" and result["field"] == "region_code"
    assert not m.Subject.objects.filter(region_code="440305", name="Shenzhen Co").exists()


def test_a_site_before_its_key_unit_is_rejected_then_applies_once_the_unit_is_there(partners):
    key = partners["zj"][1]
    code = uscc("330106", "MD000006")
    post(key, "subjects", [{"id": "S-6", "data": subject_data(code, name="Depot 6")}])
    site = {"key_unit": code, "name": "Tank farm", "lightning_class": 1,
            "explosion_zones": ["0", "1"], "inspection_period_months": 6,
            "latitude": 30.2, "longitude": 120.1}
    early = post(key, "sites", [{"id": "SITE-6", "data": site}]).json()["results"][0]
    assert early["outcome"] == "rejected" and early["field"] == "key_unit"
    unit = post(key, "key_units", [{"id": "KU-6", "data": {
        "subject": code, "category": "flammable_explosive", "listing_year": 2025,
        "safety_principal": "Li Si"}}]).json()
    assert unit["created"] == 1
    later = post(key, "sites", [{"id": "SITE-6", "data": site}]).json()["results"][0]
    assert later["outcome"] == "created"
    created = m.Site.objects.get(pk=later["local_id"])
    assert created.site_code == f"U{code}-001" and created.explosion_zones == ["0", "1"]
    moved = dict(site, name="Tank farm (east)")
    assert post(key, "sites", [{"id": "SITE-6", "data": moved}]).json()["updated"] == 1
    assert m.Site.objects.filter(subject__uscc=code).count() == 1


def test_credit_and_enforcement_results_pushed_by_a_partner(world, partners):
    key = partners["zj"][1]
    code = world.zj.subject.subject_code
    credit = post(key, "credit_records", [{"id": "C-1", "data": {
        "subject": code, "event": "warning", "delta": -8, "occurred_on": "2026-03-01",
        "valid_to": "2028-03-01", "source_ref": "杭消罚〔2026〕12号"}}]).json()
    assert credit["created"] == 1
    record = m.CreditRecord.objects.get(source="partner")
    assert record.source_ref == "杭消罚〔2026〕12号" and record.published
    result = post(key, "enforcement_results", [{"id": "DR-7", "data": {
        "subject": code, "site": world.zj.site.site_code, "inspected_on": "2026-04-02",
        "result": "hazards", "findings": "SPD of the pump house missing"}}]).json()
    assert result["created"] == 1
    inspection = m.EnforcementInspection.objects.get(inspection_no=f"X{partners['zj'][0].pk}-DR-7")
    assert inspection.status == "published" and inspection.site == world.zj.site
    bad = post(key, "credit_records", [{"id": "C-2", "data": {
        "subject": code, "event": "warning", "delta": -8, "occurred_on": "2026-03-01",
        "valid_to": "2025-03-01"}}]).json()
    assert bad["rejected"] == 1 and "valid_to" in bad["results"][0]["error"]


def test_every_exchange_request_is_kept_in_the_audit_trail(world, partners):
    row, key = partners["zj"]
    get(key, "/sites")
    post(key, "subjects", [{"id": "F-9", "data": subject_data(uscc("330106", "MD000009"))}])
    actions = list(m.AuditEntry.objects.filter(object_type="supervision.Partner",
                                               object_id=str(row.pk))
                   .values_list("action", flat=True))
    assert "exchange.pull" in actions and "exchange.push" in actions


def test_a_regulator_role_alone_is_no_partner(world):
    user = make_user("lonely", Role.REGULATOR, "330000")
    _row, key = create_api_key(user)
    assert get(key, "/").status_code == 403
