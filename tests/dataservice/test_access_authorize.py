"""authorize(): who may read which dataset, and how each refusal is answered."""

from __future__ import annotations

import json

import pytest
from django.db.models import F
from django.test import RequestFactory
from django.utils import translation

from qixiang.accounts.apikeys import create_api_key, revoke
from qixiang.accounts.models import Role, User
from qixiang.dataservice import access, journal, quotas
from qixiang.dataservice.models import AccessGrant, DailyUsage, Tier
from tests.dataservice.conftest import make_data_user

pytestmark = pytest.mark.django_db
HOURLY, MINUTE = "surface-obs-hourly", "surface-obs-minute"


@pytest.fixture(autouse=True)
def english():
    """Messages are read in English here (Chinese is the default, pinned below)."""
    with translation.override("en"):
        yield


def test_refusals_are_chinese_by_default(data_user):
    _user, key = data_user
    with translation.override("zh-hans"), pytest.raises(access.NotAuthenticated) as caught:
        access.authorize(get(key + "x"), HOURLY, 1)
    assert caught.value.message == "API 密钥无效或已吊销。"


def get(key: str | None = None, header: str = "bearer", ip: str = "10.0.0.7"):
    request = RequestFactory().get("/edr/collections", REMOTE_ADDR=ip)
    if key is not None and header == "bearer":
        request.META["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    elif key is not None:
        request.META["HTTP_X_API_KEY"] = key
    return request


def test_no_key_for_a_dataset_that_is_not_public_is_401_with_a_challenge(settings):
    settings.QIXIANG_PUBLIC_DATASETS = []
    with pytest.raises(access.NotAuthenticated) as caught:
        access.authorize(get(), HOURLY, 1)
    answer = caught.value.response()
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(answer.content)["code"] == "401"


def test_anonymous_reads_a_public_dataset_at_the_public_tier_counted_per_address(settings):
    settings.QIXIANG_PUBLIC_DATASETS = [HOURLY]
    principal = access.authorize(get(ip="10.1.2.3"), HOURLY, 1)
    assert principal.anonymous and principal.key == "ip:10.1.2.3"
    assert principal.limits.tier == "public"
    with pytest.raises(access.NotAuthenticated):
        access.authorize(get(), MINUTE, 1)


def test_unknown_key_is_401_even_for_a_public_dataset(settings, data_user):
    settings.QIXIANG_PUBLIC_DATASETS = [HOURLY]
    _user, key = data_user
    with pytest.raises(access.NotAuthenticated, match="unknown or revoked"):
        access.authorize(get(key + "x"), HOURLY, 1)


def test_revoked_key_is_401_once_the_lookup_second_has_passed(data_user):
    _user, key = data_user
    assert access.authorize(get(key), HOURLY, 1).name == "reader"
    revoke(key[:8])  # a bulk update, as another process or `qixiang apikey revoke` makes it
    access.forget()  # what LOOKUP_SECONDS passing does
    with pytest.raises(access.NotAuthenticated):
        access.authorize(get(key, header="x-api-key"), HOURLY, 1)


def test_key_in_either_header_identifies_the_data_user_with_their_grant(data_user):
    user, key = data_user
    for header in ("bearer", "x-api-key"):
        principal = access.authorize(get(key, header), HOURLY, 1)
        assert principal.user == user and principal.via == "key"
        assert principal.key == f"user:{user.pk}" and principal.limits.tier == "standard"


def test_dataset_outside_the_grant_is_403(data_user):
    _user, key = data_user
    with pytest.raises(access.Forbidden, match=MINUTE) as caught:
        access.authorize(get(key), MINUTE, 1)
    assert caught.value.response().status_code == 403


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_user_not_approved_is_403_naming_the_status_but_reads_public_data(settings, status):
    settings.QIXIANG_PUBLIC_DATASETS = [MINUTE]
    _user, key = make_data_user(status=status)
    with pytest.raises(access.Forbidden) as caught:
        access.authorize(get(key), HOURLY, 1)
    label = str(AccessGrant.Status(status).label)
    assert label in caught.value.message
    assert access.authorize(get(key), MINUTE, 1).limits.tier == "public"


def test_user_without_registration_is_told_to_register():
    user = User.objects.create_user("walkin", password="x", role=Role.DATA_USER)
    _row, key = create_api_key(user)
    with pytest.raises(access.Forbidden, match="/portal/register"):
        access.authorize(get(key), HOURLY, 1)


def test_star_grant_reads_every_dataset_within_its_regions():
    _user, key = make_data_user(datasets="*", regions="440000, 3201")
    principal = access.authorize(get(key), MINUTE, 1)
    assert principal.regions == ("44", "3201")
    assert principal.covers("440105") and principal.covers("320102")
    assert not principal.covers("110000")
    assert access.regions_for(principal, MINUTE) == ("44", "3201")


def test_public_dataset_is_served_without_region_limits(settings):
    settings.QIXIANG_PUBLIC_DATASETS = [HOURLY]
    _user, key = make_data_user(regions="44")
    principal = access.authorize(get(key), HOURLY, 1)
    assert access.regions_for(principal, HOURLY) is None


def test_internal_roles_read_everything_in_their_own_region():
    forecaster = User.objects.create_user("fc", password="x", role=Role.FORECASTER,
                                          region_code="440100")
    _row, key = create_api_key(forecaster)
    principal = access.authorize(get(key), MINUTE, 1)
    assert principal.limits.tier == "internal" and principal.limits.daily_quota is None
    assert principal.datasets is None and principal.regions == ("4401",)


def test_logged_in_session_counts_as_the_user(data_user):
    user, _key = data_user
    request = get()
    request.user = user
    assert access.authorize(request, HOURLY, 1).via == "session"


def test_over_rate_is_429_with_retry_after():
    Tier.objects.filter(code="standard").update(rate_per_minute=2)
    _user, key = make_data_user()
    access.authorize(get(key), HOURLY, 1)
    access.authorize(get(key), HOURLY, 1)
    with pytest.raises(access.Throttled) as caught:
        access.authorize(get(key), HOURLY, 1)
    answer = caught.value.response()
    assert answer.status_code == 429
    assert 1 <= int(answer["Retry-After"]) <= 30  # one token of 2/min comes back in 30 s


def test_over_daily_quota_is_429_until_beijing_midnight_and_charges_nothing():
    Tier.objects.filter(code="standard").update(daily_quota=5)
    user, key = make_data_user()
    access.authorize(get(key), HOURLY, 3)
    with pytest.raises(access.Throttled, match="quota") as caught:
        access.authorize(get(key), HOURLY, 3)
    assert 1 <= caught.value.retry_after <= 86400
    assert caught.value.retry_after == pytest.approx(quotas.seconds_to_next_day(), abs=5)
    access.authorize(get(key), HOURLY, 2)  # exactly the rest of the day's quota
    assert DailyUsage.objects.count() == 0  # charges are journal lines until loaded
    journal.load()
    usage = DailyUsage.objects.get(principal=f"user:{user.pk}")
    assert usage.cost == 5 and usage.requests == 2 and usage.day == quotas.beijing_day()


def test_one_request_larger_than_the_quota_says_to_split_it():
    Tier.objects.filter(code="standard").update(daily_quota=5)
    _user, key = make_data_user()
    with pytest.raises(access.Throttled, match="fewer stations"):
        access.authorize(get(key), HOURLY, 6)


def test_usage_spent_by_other_processes_counts_once_reread(settings):
    settings.QIXIANG_JOURNAL_SECONDS = 0  # re-read the day's total on every charge
    Tier.objects.filter(code="standard").update(daily_quota=10)
    user, key = make_data_user()
    access.authorize(get(key), HOURLY, 4)
    journal.load()  # ours: 4
    DailyUsage.objects.filter(principal=f"user:{user.pk}").update(cost=F("cost") + 5)  # theirs
    with pytest.raises(access.Throttled):
        access.authorize(get(key), HOURLY, 4)  # 5 + 4 (ours) + 4 > 10
    journal.load()
    assert DailyUsage.objects.get(principal=f"user:{user.pk}").cost == 9
    access.authorize(get(key), HOURLY, 1)  # exactly the rest


def test_usage_not_yet_loaded_still_counts_against_the_quota(settings):
    settings.QIXIANG_JOURNAL_SECONDS = 0
    Tier.objects.filter(code="standard").update(daily_quota=10)
    user, key = make_data_user()
    access.authorize(get(key), HOURLY, 6)  # in the journal, not in the database
    with pytest.raises(access.Throttled):
        access.authorize(get(key), HOURLY, 6)
    journal.load()
    assert quotas.usage_meter.spent(f"user:{user.pk}") == 6  # loaded: not counted twice
    with pytest.raises(access.Throttled):
        access.authorize(get(key), HOURLY, 6)


@pytest.mark.parametrize(("stations", "elements", "days", "calls"), [
    (1, 1, 1, 1.0), (1, 10, 14, 1.0), (0, 3, 1, 1.0), (1, 20, 14, 2.0), (3, 15, 28, 9.0),
    (2000, 1, 1 / 24, 2000.0)])
def test_cost_is_weighed_like_open_meteo_calls(stations, elements, days, calls):
    assert quotas.weighted_calls(stations, elements, days * 86400) == pytest.approx(calls)


def test_a_key_is_looked_up_once_a_second_not_per_request(data_user,
                                                          django_assert_num_queries):
    _user, key = data_user
    access.authorize(get(key), HOURLY, 1)
    with django_assert_num_queries(0):  # key, user, grant, tier and the day's usage: reused
        access.authorize(get(key), HOURLY, 1)


def test_a_grant_saved_in_this_process_takes_effect_at_once(data_user):
    user, key = data_user
    access.authorize(get(key), HOURLY, 1)
    grant = AccessGrant.objects.get(user=user)
    grant.status = AccessGrant.Status.SUSPENDED  # as the admin's action saves it
    grant.save()
    with pytest.raises(access.Forbidden, match=str(AccessGrant.Status.SUSPENDED.label)):
        access.authorize(get(key), HOURLY, 1)
    tier = Tier.objects.get(code="standard")
    tier.rate_per_minute = 1
    tier.save()
    grant.status = AccessGrant.Status.APPROVED
    grant.save()
    access.authorize(get(key), HOURLY, 1)
    with pytest.raises(access.Throttled):
        access.authorize(get(key), HOURLY, 1)
