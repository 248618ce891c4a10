"""Every kind of user against every other's records: only one's own region or organisation.

Two provinces (Zhejiang 330106, Guangdong 440305) each hold a full set of records; Zhejiang also
has a second key unit in the same district that nobody but regulators and administrators see.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision import scoping
from tests.supervision.conftest import make_subject

SEES_ZJ = {"admin", "national", "zj_province", "zj_city", "zj_county", "zj_unit", "zj_agency"}
SEES_GD = {"admin", "national", "gd_province", "gd_unit", "gd_agency"}
# Records a key unit or agency user never sees even in their own province: the agency's staff
# and the bureau's draws (key unit); the unit's own credit, sharing, quality and enforcement
# records and hazards no report of theirs found (agency); a random inspection not yet under way.
HIDDEN = {"zj_unit": {"inspector", "instrument", "agencyfiling", "annualreport", "draw",
                      "partner", "neighbour", "enforcement_secret"},
          "zj_agency": {"draw", "partner", "neighbour", "selfcheck", "enforcement_secret",
                        "enforcement", "case", "credit", "exchange", "quality"}}


def records(province, tag: str, region: str) -> dict[str, object]:
    now, today = timezone.now(), timezone.localdate()
    task = province.task
    session = m.FieldSession.objects.create(task=task, inspector=province.inspectors[0],
                                            check_in_at=now)
    report = m.InspectionReport.objects.create(task=task, report_no=f"{tag}-R", kind="periodic")
    hazard = m.Hazard.objects.create(hazard_no=f"{tag}-H", site=province.site, source="report",
                                     report=report, item="earthing", found_at=now)
    selfcheck = m.Hazard.objects.create(hazard_no=f"{tag}-H2", site=province.site,
                                        source="self_check", item="SPD", found_at=now)
    enforcement = m.EnforcementInspection.objects.create(
        inspection_no=f"{tag}-E", region_code=region, subject=province.subject,
        site=province.site)
    m.EnforcementInspection.objects.filter(pk=enforcement.pk).update(status="published")
    enforcement.refresh_from_db()
    secret = m.EnforcementInspection.objects.create(inspection_no=f"{tag}-E2",
                                                    region_code=region, subject=province.subject)
    partner_user = None
    neighbour = make_subject(f"{tag} neighbour", region, "MB10000" + ("1" if tag == "zj" else "2"))
    neighbour_unit = m.KeyUnit.objects.create(subject=neighbour, category="crowded")
    return {
        "subject": province.subject, "keyunit": province.key_unit, "site": province.site,
        "component": province.components[0], "agency": province.agency,
        "inspector": province.inspectors[0], "instrument": province.instrument,
        "agencyfiling": m.AgencyFiling.objects.create(agency=province.agency,
                                                      region_code=region, filed_on=today),
        "annualreport": m.AnnualReport.objects.create(agency=province.agency, year=2025),
        "task": task, "session": session,
        "photo": m.FieldPhoto.objects.create(session=session, sha256="a" * 64),
        "measurement": m.Measurement.objects.create(task=task, item="earth_resistance",
                                                    value=3, unit="Ω", measured_at=now),
        "report": report, "hazard": hazard, "selfcheck": selfcheck,
        "rectification": m.Rectification.objects.create(hazard=hazard, plan="fix"),
        "credit": m.CreditRecord.objects.create(subject=province.subject, event="warning",
                                                delta=-8, occurred_on=today,
                                                valid_to=today + dt.timedelta(days=700),
                                                source="manual"),
        "exchange": m.ExchangeRecord.objects.create(
            partner=m.Partner.objects.create(name=f"{tag} fire", kind="fire", region_code=region,
                                             user=partner_user),
            direction="out", record_type="hazard", exchange_id=f"{tag}-X", payload={},
            payload_sha256="0" * 64, status="sent", subject=province.subject),
        "quality": m.DataQualityIssue.objects.create(rule="r", stage="capture", message="m",
                                                     subject=province.subject,
                                                     fingerprint=f"{tag}-q"),
        "enforcement": enforcement, "enforcement_secret": secret,
        "case": m.PenaltyCase.objects.create(case_no=f"{tag}-C", region_code=region,
                                             subject=province.subject, violation_code="V1",
                                             filed_on=today),
        "draw": m.Draw.objects.create(draw_no=f"{tag}-D", region_code=region, drawn_at=now),
        "partner": m.Partner.objects.get(name=f"{tag} fire"),
        "neighbour": neighbour_unit,
    }


@pytest.fixture
def both(world):
    return {"zj": records(world.zj, "zj", "330106"), "gd": records(world.gd, "gd", "440305")}


def expected(user: str, province: str, kind: str) -> bool:
    sees = SEES_ZJ if province == "zj" else SEES_GD
    own = user.replace("gd_", "zj_") if province == "gd" else user
    if user not in sees:
        return False
    return kind not in HIDDEN.get(own, set())


USERS = ["admin", "national", "zj_province", "zj_city", "zj_county", "zj_other_county",
         "gd_province", "zj_unit", "gd_unit", "zj_agency", "gd_agency", "forecaster"]


@pytest.mark.parametrize("user", USERS)
def test_each_user_sees_exactly_their_own_records(world, both, user):
    who = world.users[user]
    wrong = []
    for province, kinds in both.items():
        for kind, obj in kinds.items():
            if scoping.can_see(who, obj) != expected(user, province, kind):
                wrong.append(f"{province}.{kind}: sees={not expected(user, province, kind)}")
    assert not wrong, f"{user}: " + ", ".join(wrong)


@pytest.mark.parametrize("user", ["zj_unit", "zj_agency", "zj_county", "gd_province"])
def test_require_refuses_every_record_of_the_other_province(world, both, user):
    other = both["gd" if user.startswith("zj") else "zj"]
    for obj in other.values():
        with pytest.raises(PermissionDenied):
            scoping.require(world.users[user], obj)


def test_a_membership_narrows_even_an_administrator_role(world, both):
    boss = world.users["admin"]
    m.Membership.objects.create(user=boss, key_unit=world.gd.key_unit)
    assert scoping.actor_kind(boss) == scoping.KEY_UNIT
    assert not scoping.can_see(boss, both["zj"]["site"])


def test_an_agency_filed_in_another_province_is_seen_by_that_regulator(world, both):
    gd_regulator = world.users["gd_province"]
    assert not scoping.can_see(gd_regulator, world.zj.agency)
    m.AgencyFiling.objects.create(agency=world.zj.agency, region_code="440300",
                                  filed_on=timezone.localdate())
    assert scoping.can_see(gd_regulator, world.zj.agency)
    assert scoping.can_see(gd_regulator, world.zj.inspectors[0])
    assert not scoping.can_see(gd_regulator, world.zj.site)


def test_querysets_list_only_visible_records(world, both):
    assert set(scoping.sites(world.users["zj_city"])) == {world.zj.site}
    assert set(scoping.hazards(world.zj.agency_user)) == {both["zj"]["hazard"]}
    assert set(scoping.key_units(world.zj.unit_user)) == {world.zj.key_unit}
    assert not scoping.hazards(world.users["forecaster"]).exists()
    assert set(scoping.visible(world.users["gd_province"], m.Site)) == {world.gd.site}
