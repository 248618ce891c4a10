"""Roles: one permission group each, users kept in their role's group, region scoping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied

from qixiang.accounts.models import Role, User
from qixiang.accounts.roles import ROLE_PERMISSIONS, permission_names, sync_role_groups
from qixiang.accounts.scoping import (
    can_see_station,
    require_station,
    scope_by_station,
    scope_stations,
)
from qixiang.ingest.models import RawMessage
from qixiang.observations.models import Observation
from qixiang.stations.models import Station

pytestmark = pytest.mark.django_db


def make_user(username: str, role: str, region: str = "") -> User:
    return User.objects.create_user(username, password="x-" + username, role=role,
                                    region_code=region)


@pytest.fixture
def stations() -> dict[str, Station]:
    places = {"54511": ("110000", 39.8), "54406": ("110000", 40.5), "59287": ("440000", 23.2),
              "59493": ("440300", 22.5), "99999": ("", 30.0)}
    return {cma: Station.objects.create(cma_id=cma, division_code=code, latitude=lat,
                                        longitude=116.0)
            for cma, (code, lat) in places.items()}


def test_migrate_creates_one_group_per_role_with_its_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {r.value for r in Role} <= names
    admin = Group.objects.get(name=Role.ADMINISTRATOR)
    forecaster = Group.objects.get(name=Role.FORECASTER)
    data_user = Group.objects.get(name=Role.DATA_USER)
    codenames = set(forecaster.permissions.values_list("codename", flat=True))
    assert {"view_station", "view_observation"} <= codenames
    assert "change_station" not in codenames and "add_user" not in codenames
    assert set(data_user.permissions.values_list("codename", flat=True)) == {
        "view_station", "view_observation"}
    assert admin.permissions.filter(codename="add_user").exists()


def test_operator_manages_stations_but_not_users():
    user = make_user("op", Role.OPERATOR)
    assert user.has_perm("stations.change_station")
    assert user.has_perm("observations.change_observation")
    assert not user.has_perm("accounts.change_user")


def test_saving_a_user_puts_them_in_their_role_group_only():
    user = make_user("f1", Role.FORECASTER)
    other = Group.objects.create(name="night shift")
    user.groups.add(other)
    assert set(user.groups.values_list("name", flat=True)) == {"forecaster", "night shift"}
    user.role = Role.REGULATOR
    user.save()
    assert set(user.groups.values_list("name", flat=True)) == {"regulator", "night shift"}
    user = User.objects.get(pk=user.pk)
    assert not user.has_perm("observations.view_observation")
    assert user.has_perm("stations.view_station")


def test_sync_adds_permissions_and_keeps_what_an_administrator_granted():
    group = Group.objects.get(name=Role.DATA_USER)
    extra = Group.objects.get(name=Role.OPERATOR).permissions.get(codename="change_station")
    group.permissions.add(extra)
    sync_role_groups()
    assert group.permissions.filter(pk=extra.pk).exists()


def test_patterns_cover_apps_installed_later():
    available = ["warnings.add_warning", "warnings.delete_warning", "supervision.view_unit"]
    assert permission_names(ROLE_PERMISSIONS[Role.FORECASTER], available) == [
        "warnings.add_warning"]
    assert permission_names(ROLE_PERMISSIONS[Role.REGULATOR], available) == [
        "supervision.view_unit"]


def test_regional_user_sees_only_stations_of_their_region(stations):
    beijing = make_user("reg", Role.REGULATOR, "110000")
    assert set(scope_stations(beijing).values_list("cma_id", flat=True)) == {"54511", "54406"}
    shenzhen = make_user("sz", Role.FORECASTER, "440300")
    assert list(scope_stations(shenzhen, Station.objects.all()).values_list(
        "cma_id", flat=True)) == ["59493"]


def test_scoping_refuses_a_station_outside_the_region(stations):
    beijing = make_user("reg", Role.REGULATOR, "110000")
    assert can_see_station(beijing, stations["54511"])
    assert not can_see_station(beijing, stations["59287"])
    assert not can_see_station(beijing, stations["99999"])  # region unknown
    with pytest.raises(PermissionDenied, match="59287"):
        require_station(beijing, stations["59287"])


def test_administrators_national_users_and_visitors_see_everything(stations):
    admin = make_user("boss", Role.ADMINISTRATOR, "110000")
    national = make_user("nat", Role.FORECASTER)
    for user in (admin, national, AnonymousUser(), None):
        assert scope_stations(user).count() == len(stations)
        assert can_see_station(user, stations["59287"])


def test_observations_are_scoped_by_their_station(stations):
    raw = RawMessage.objects.create(sha256="0" * 64, payload=b"{}", codec="json", channel="file",
                                    status="decoded", received_at=datetime(2026, 11, 21, tzinfo=UTC))
    for cma in ("54511", "59287", "unregistered"):
        Observation.objects.create(station_id=cma, time=datetime(2026, 11, 21, tzinfo=UTC),
                                   element="TEM", value=1.0, message=raw,
                                   received_at=datetime(2026, 11, 21, tzinfo=UTC))
    beijing = make_user("reg", Role.REGULATOR, "110000")
    assert list(scope_by_station(beijing, Observation.objects.all()).values_list(
        "station_id", flat=True)) == ["54511"]
    assert scope_by_station(None, Observation.objects.all()).count() == 3
