"""A small supervised world in two provinces, and one user of every kind.

Zhejiang (Hangzhou, Xihu district 330106) and Guangdong (Shenzhen, Nanshan 440305) each have a
key unit with a site and components, an agency with two certified inspectors and a calibrated
instrument. Users: an administrator, regulators at national, province, city and county level
in Zhejiang and a province regulator in Guangdong, a user of each key unit and each agency, and
a forecaster (no supervision role).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import translation

from qixiang.accounts.models import Role, User
from qixiang.science.identifiers import org_code_check_char, uscc_check_char
from qixiang.supervision import models as m


def uscc(region: str, org8: str) -> str:
    """A valid USCC of a company registered in ``region`` with organisation code ``org8``."""
    body = "91" + region + org8 + org_code_check_char(org8)
    return body + uscc_check_char(body)


def make_subject(name: str, region: str, org8: str) -> m.Subject:
    code = uscc(region, org8)
    return m.Subject.objects.create(subject_code="U" + code, uscc=code, name=name,
                                    region_code=region, uscc_check=m.IdentifierCheck.VALID)


def make_user(username: str, role: str = Role.DATA_USER, region: str = "", **member) -> User:
    user = User.objects.create_user(username, password=None, role=role,  # no slow hashing
                                    region_code=region)
    if member:
        m.Membership.objects.create(user=user, **member)
    return user


@dataclass
class Province:
    subject: m.Subject
    key_unit: m.KeyUnit
    site: m.Site
    components: list[m.LPSComponent]
    agency: m.Agency
    inspectors: list[m.Inspector]
    instrument: m.Instrument
    task: m.InspectionTask
    unit_user: User
    agency_user: User
    extra: dict = field(default_factory=dict)


def make_province(tag: str, region: str, org: str) -> Province:
    far = dt.date.today() + dt.timedelta(days=800)
    subject = make_subject(f"{tag} fuel depot", region, f"{org}01")
    key_unit = m.KeyUnit.objects.create(subject=subject, category="flammable_explosive",
                                        listing_year=2024)
    site = m.Site.objects.create(key_unit=key_unit, name=f"{tag} tank farm", lightning_class=2,
                                 latitude=30.0, longitude=120.0, explosion_zones=["1"],
                                 inspection_period_months=6)
    components = [m.LPSComponent.objects.create(site=site, kind=kind, location=f"{kind} A")
                  for kind in ("earthing", "spd_power")]
    agency_subject = make_subject(f"{tag} inspection co.", region, f"{org}02")
    agency = m.Agency.objects.create(subject=agency_subject, region_code=region, grade="A",
                                     certificate_no=f"{tag}-A-001",
                                     issuing_province=region[:2] + "0000",
                                     certificate_valid_to=far)
    inspectors = [m.Inspector.objects.create(agency=agency, name=f"{tag} inspector {i}",
                                             certificate_no=f"{tag}-C{i}",
                                             certificate_valid_to=far, title_level="senior")
                  for i in (1, 2)]
    instrument = m.Instrument.objects.create(agency=agency, kind="earth_resistance",
                                            serial_no=f"{tag}-ER-1", calib_valid_to=far)
    task = m.InspectionTask.objects.create(task_no=f"{tag}-T1", agency=agency, site=site)
    unit_user = make_user(f"{tag}-unit", key_unit=key_unit)
    agency_user = make_user(f"{tag}-agency", agency=agency, inspector=inspectors[0])
    return Province(subject, key_unit, site, components, agency, inspectors, instrument, task,
                    unit_user, agency_user)


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so tests can match them (Chinese is pinned where it matters)."""
    with translation.override("en"):
        yield


@dataclass
class World:
    zj: Province
    gd: Province
    users: dict[str, User]


@pytest.fixture
def world(db) -> World:
    zj = make_province("zj", "330106", "MA0001")
    gd = make_province("gd", "440305", "MA0002")
    users = {
        "admin": make_user("admin", Role.ADMINISTRATOR),
        "national": make_user("national", Role.REGULATOR, ""),
        "zj_province": make_user("zj_province", Role.REGULATOR, "330000"),
        "zj_city": make_user("zj_city", Role.REGULATOR, "330100"),
        "zj_county": make_user("zj_county", Role.REGULATOR, "330106"),
        "zj_other_county": make_user("zj_other_county", Role.REGULATOR, "330110"),
        "gd_province": make_user("gd_province", Role.REGULATOR, "440000"),
        "forecaster": make_user("forecaster", Role.FORECASTER),
        "zj_unit": zj.unit_user, "gd_unit": gd.unit_user,
        "zj_agency": zj.agency_user, "gd_agency": gd.agency_user,
    }
    return World(zj, gd, users)
