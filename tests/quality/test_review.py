"""Review: an operator confirms or overrides a flag with a reason; logged; the indicators follow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qixiang.accounts.models import Role, User
from qixiang.observations.models import Observation, Revision
from qixiang.quality import indicators
from qixiang.quality.models import Review, SummaryHour
from tests.quality import network
from tests.quality.network import H

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def made(settings, tmp_path):
    network.make(settings, tmp_path)


def login(client, name: str, role: str = Role.OPERATOR, region: str = "") -> User:
    user = User.objects.create_user(name, password="x", role=role, region_code=region)
    client.force_login(user)
    return user


def wrong_tem() -> Observation:
    return Observation.objects.get(station_id="54527", element="TEM", time=H)


def availability() -> float:
    SummaryHour.objects.update(computed_at=H)  # as if the throttle had passed
    [net] = indicators.indicators("network", H - timedelta(hours=1), H + timedelta(hours=2))
    return net.availability


def test_the_review_list_shows_wrong_and_suspect_values_with_their_reasons(client):
    login(client, "ops")
    page = client.get("/quality/review/", {"flag": "2"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-observation="{wrong_tem().pk}"' in html
    assert "range: 75 degC outside the range" in html
    suspect = client.get("/quality/review/", {"flag": "1", "station": "X0001"}).content.decode()
    assert suspect.count("data-observation=") == 45
    assert "not in the registry" in suspect


def test_a_correction_sets_flag_3_keeps_the_old_value_logs_it_and_moves_the_indicator(client):
    user = login(client, "ops")
    before = availability()
    value = wrong_tem()
    answer = client.post(f"/quality/review/{value.pk}/", {
        "flag": "3", "value": "15.0", "reason": "Kelvin offset removed", "next": "/quality/review/"})
    assert answer.status_code == 302
    value.refresh_from_db()
    assert (value.qc_flag, value.value) == (3, 15.0)
    revision = Revision.objects.get(station_id="54527", element="TEM")
    assert (revision.value, revision.qc_flag) == (75.0, 2)
    review = Review.objects.get()
    assert (review.old_flag, review.new_flag, review.old_value, review.new_value) == (2, 3, 75.0, 15.0)
    assert (review.reviewer, review.reason) == (user, "Kelvin offset removed")
    assert "range" in review.old_reason
    assert before == pytest.approx(46.5 / 63, abs=1e-6)
    assert availability() == pytest.approx(47 / 63, abs=1e-6)
    pending = client.get("/quality/review/", {"flag": "2"}).content.decode()
    assert f'data-observation="{value.pk}"' not in pending


def test_confirming_a_flag_keeps_it_and_takes_the_value_off_the_list(client):
    login(client, "ops")
    value = wrong_tem()
    client.post(f"/quality/review/{value.pk}/", {"flag": "2", "reason": "sensor fault"})
    value.refresh_from_db()
    assert value.qc_flag == 2 and Review.objects.get().new_flag == 2
    assert not Revision.objects.exists()
    listed = client.get("/quality/review/", {"flag": "2"}).content.decode()
    assert f'data-observation="{value.pk}"' not in listed
    everything = client.get("/quality/review/", {"flag": "2", "all": "1"}).content.decode()
    assert f'data-observation="{value.pk}"' in everything


def test_a_decision_needs_a_reason_and_a_corrected_value_needs_the_value(client):
    login(client, "ops")
    value = wrong_tem()
    client.post(f"/quality/review/{value.pk}/", {"flag": "0", "reason": " "})
    client.post(f"/quality/review/{value.pk}/", {"flag": "3", "reason": "fixed"})
    value.refresh_from_db()
    assert value.qc_flag == 2 and not Review.objects.exists()


def test_only_operators_and_administrators_review(client):
    assert client.get("/quality/review/").status_code == 302  # to the login page
    login(client, "forecaster", role=Role.FORECASTER)
    assert client.get("/quality/review/").status_code == 403
    value = wrong_tem()
    assert client.post(f"/quality/review/{value.pk}/", {"flag": "0", "reason": "ok"}
                       ).status_code == 403
    assert not Review.objects.exists()


def test_regional_scoping_applies_to_the_list_and_the_decisions(client):
    login(client, "bj", region="110000")
    listed = client.get("/quality/review/", {"all": "1"}).content.decode()
    assert "data-observation=" not in listed  # 54527 is in Tianjin, X0001 unregistered
    value = wrong_tem()
    assert client.post(f"/quality/review/{value.pk}/", {"flag": "0", "reason": "ok"}
                       ).status_code == 403
    login(client, "tj", region="120000")
    assert f'data-observation="{value.pk}"' in client.get("/quality/review/").content.decode()


def test_the_api_takes_a_decision_with_an_api_key(client):
    from qixiang.accounts.apikeys import create_api_key
    user = User.objects.create_user("robot", password="x", role=Role.OPERATOR)
    _, key = create_api_key(user, "qc")
    answer = client.post("/api/quality/reviews", {
        "station": "54527", "element": "TEM", "time": H.isoformat(), "flag": 0,
        "reason": "checked on site"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200, answer.content
    assert answer.json()["old_flag"] == 2 and wrong_tem().qc_flag == 0


def test_the_review_list_reads_the_partial_index_of_flagged_values_not_the_table():
    from django.db import connection

    from qixiang.quality import review
    user = User.objects.create_user("admin", password="x", role=Role.ADMINISTRATOR)
    query = review.flagged(user, review.Filters(element="TEM", flag=2))[:51]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "USING INDEX obs_flagged" in plan, plan
