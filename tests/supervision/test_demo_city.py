"""The generated demo city (pure data): its size, validity, states and planted anomalies."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from qixiang.science import identifiers
from qixiang.science.simulate import supervision as simulate
from qixiang.supervision.models import HazardStatus, InspectionStatus

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def city() -> simulate.City:
    return simulate.generate(TODAY)


def test_the_city_has_the_size_the_issue_asks_for(city):
    counts = city.counts()
    assert counts["key_units"] == 300 and counts["agencies"] == 12
    assert counts["inspectors"] == 60
    assert counts["sites"] > 400 and counts["tasks"] > 1000 and counts["hazards"] > 200
    first = min(t["contracted_on"] for t in city.tasks)
    assert (TODAY - first).days >= 700  # two years of inspections


def test_the_same_seed_and_day_give_the_same_city(city):
    again = simulate.generate(TODAY)
    assert again.counts() == city.counts()
    assert [s["uscc"] for s in again.subjects] == [s["uscc"] for s in city.subjects]
    assert again.manifest == city.manifest


def test_identifiers_are_valid_except_the_planted_ones(city):
    for subject in city.subjects:
        if subject["kind"] == "organisation":
            valid = identifiers.validate_uscc(subject["uscc"]).valid
            assert valid == (subject.get("planted") != "uscc_check"), subject["name"]
        else:
            assert identifiers.validate_resident_id(subject["id_no"], TODAY).valid
    assert all(identifiers.validate_resident_id(i["id_no"], TODAY).valid
               for i in city.inspectors)
    assert sum(1 for s in city.subjects if s.get("planted") == "uscc_check") == 3
    assert any(s["kind"] == "person" for s in city.subjects)  # households too


def test_inspections_and_hazards_reach_every_state(city):
    assert set(Counter(t["status"] for t in city.tasks)) == set(InspectionStatus.values)
    assert set(Counter(h["status"] for h in city.hazards)) == set(HazardStatus.values)


def test_every_planted_case_is_in_the_data_as_the_manifest_says(city):
    cases = Counter(e["case"] for e in city.manifest)
    assert {"copy_paste", "far_fix", "short_session", "photo_reuse", "lapsed_certificate",
            "expired_calibration", "lone_inspector", "issued_before_measured",
            "grade_b_on_class_2"} <= set(cases)
    tasks = {t["task_no"]: t for t in city.tasks}
    values: dict[str, list[float]] = {}
    for m in city.measurements:
        values.setdefault(m["task"], []).append(m["value"])
    reports = {r["report_no"]: r for r in city.reports}
    sessions: dict[str, list[dict]] = {}
    for s in city.sessions:
        sessions.setdefault(s["task"], []).append(s)
    for entry in city.manifest:
        task = tasks[entry["task_no"]]
        if entry["case"] == "copy_paste":
            source = next(t for t in city.tasks
                          if t["key"] == reports[entry["copied_from"]]["task"])
            assert source["site"] != task["site"]
            same = sum(a == b for a, b in zip(values[source["key"]], values[task["key"]],
                                              strict=False))
            assert same >= 8
        elif entry["case"] == "far_fix":
            assert any(s["distance_to_site_m"] > 500 for s in sessions[task["key"]])
        elif entry["case"] == "short_session":
            assert all((s["check_out_at"] - s["check_in_at"]).total_seconds() < 600
                       for s in sessions[task["key"]])
        elif entry["case"] == "lone_inspector":
            assert len(sessions[task["key"]]) == 1
        elif entry["case"] == "issued_before_measured":
            first = min(m["measured_at"] for m in city.measurements if m["task"] == task["key"])
            assert reports[entry["report_no"]]["issued_on"] < first.date()
    shared = Counter(p["sha256"] for p in city.photos)
    assert sum(1 for n in shared.values() if n > 1) >= 4


def test_sites_are_inside_the_city_and_fixes_near_their_sites(city):
    for site in city.sites:
        if site["latitude"] is not None:
            assert 29.2 < site["latitude"] < 30.7 and 118.8 < site["longitude"] < 120.8
    far = {s["session"] for e in city.manifest for s in [e] if "session" in e}
    normal = [s for s in city.sessions if s["key"] not in far and s["distance_to_site_m"]]
    assert sorted(s["distance_to_site_m"] for s in normal)[len(normal) // 2] < 100
