"""Registry imports from CSV and Excel: row by row, rejected rows named, failed checks in review."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from qixiang.supervision import models as m
from qixiang.supervision.imports.service import import_file
from tests.supervision.conftest import uscc

pytestmark = pytest.mark.django_db

DEPOT = uscc("330106", "MA000101")
SCHOOL = uscc("330106", "MA000102")
AGENCY = uscc("330106", "MA000103")
GOOD = uscc("330106", "MA000107")
FAILS_CHECK = GOOD[:-1] + ("1" if GOOD[-1] != "1" else "2")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def key_units(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "units.csv", [
        ["统一社会信用代码", "名称", "行政区划代码", "类别", "列入年度", "应急预案"],
        [DEPOT, "西湖油库", "330106", "flammable_explosive", "2024", "是"],
        [SCHOOL, "西湖小学", "330106", "人员密集场所", "2023", "否"],
        [FAILS_CHECK, "校验失败公司", "330106", "other", "2024", "1"],
        ["9133010", "太短公司", "330106", "other", "2024", "1"],
        [uscc("330106", "MA000104"), "无类别", "330106", "", "2024", "1"],
        [uscc("330106", "MA000105"), "坏区划", "33010", "other", "2024", "1"],
    ])


def test_key_units_import_row_by_row_with_reasons(tmp_path):
    report = import_file("keyunits", key_units(tmp_path))
    assert (report.read, report.created, report.updated) == (6, 3, 0)
    assert [(r.line, r.field) for r in report.rejected] == [
        (5, "uscc"), (6, "category"), (7, "region_code")]
    assert "length" in report.rejected[0].reason
    school = m.KeyUnit.objects.get(subject__uscc=SCHOOL)
    assert school.category == "crowded" and not school.has_emergency_plan
    assert m.KeyUnit.objects.get(subject__uscc=DEPOT).has_emergency_plan
    assert len(report.review) == 1 and "校验失败公司" in report.review[0]
    assert m.DataQualityIssue.objects.filter(rule="capture.uscc_check").count() == 1
    kept = list(csv.reader(io.StringIO(Path(report.rejects_file).read_text("utf-8-sig"))))
    assert kept[0][:3] == ["line", "field", "reason"] and len(kept) == 4
    assert kept[1][0] == "5" and "9133010" in kept[1]


def test_importing_the_same_file_again_updates_and_creates_nothing(tmp_path):
    path = key_units(tmp_path)
    import_file("keyunits", path)
    again = import_file("keyunits", path)
    assert (again.created, again.updated, len(again.rejected)) == (0, 3, 3)
    assert m.KeyUnit.objects.count() == 3


def test_sites_agencies_inspectors_and_instruments_from_excel(tmp_path):
    import_file("keyunits", key_units(tmp_path))
    book = Workbook()
    sheet = book.active
    sheet.append(["uscc", "name", "lightning_class", "explosion_zones", "latitude", "longitude"])
    sheet.append([DEPOT, "1号罐区", 2, "1;2", 30.25, 120.1])
    sheet.append([DEPOT, "加油站", 4, "", 30.2, 120.1])
    sheet.append([SCHOOL, "教学楼", 3, "", 30.3, 120.2])
    path = tmp_path / "sites.xlsx"
    book.save(path)
    report = import_file("sites", path)
    assert (report.created, [(r.line, r.field) for r in report.rejected]) == (
        2, [(3, "lightning_class")])
    tank = m.Site.objects.get(name="1号罐区")
    assert tank.explosion_zones == ["1", "2"] and tank.inspection_period_months == 6
    assert tank.site_code == f"U{DEPOT}-001"
    assert m.Site.objects.get(name="教学楼").inspection_period_months == 12

    write_csv(tmp_path / "agencies.csv", [
        ["uscc", "name", "region_code", "grade", "certificate_no", "issuing_province",
         "certificate_valid_to"],
        [AGENCY, "西湖检测", "330106", "甲级", "ZJ-A-9", "330000", "2029-12-31"],
        [uscc("330106", "MA000106"), "无证书", "330106", "B", "", "330000", "2029-12-31"]])
    agencies = import_file("agencies", tmp_path / "agencies.csv")
    assert agencies.created == 1 and agencies.rejected[0].field == "certificate_no"
    assert m.Agency.objects.get(certificate_no="ZJ-A-9").grade == "A"

    write_csv(tmp_path / "inspectors.csv", [
        ["agency_certificate_no", "name", "id_no", "title_level", "certificate_valid_to"],
        ["ZJ-A-9", "张三", "11010519491231002X", "高级", "2028-01-01"],
        ["ZJ-A-9", "李四", "110105194912310021", "intermediate", "2028-01-01"],
        ["ZJ-A-0", "王五", "11010519491231002X", "senior", "2028-01-01"],
        ["ZJ-A-9", "赵六", "1101051949123", "senior", "2028-01-01"]])
    inspectors = import_file("inspectors", tmp_path / "inspectors.csv")
    assert inspectors.created == 2 and len(inspectors.review) == 1
    assert [(r.line, r.field) for r in inspectors.rejected] == [
        (4, "agency_certificate_no"), (5, "id_no")]
    zhang = m.Inspector.objects.get(name="张三")
    assert zhang.title_level == "senior" and zhang.id_no_masked == "110105********002X"
    assert zhang.person_code.startswith("P")

    write_csv(tmp_path / "instruments.csv", [
        ["agency_certificate_no", "kind", "serial_no", "calib_valid_to"],
        ["ZJ-A-9", "接地电阻测试仪", "ER-01", "2027/06/30"],
        ["ZJ-A-9", "laser", "X-01", "2027-06-30"]])
    instruments = import_file("instruments", tmp_path / "instruments.csv")
    assert instruments.created == 1 and instruments.rejected[0].field == "kind"
    assert str(m.Instrument.objects.get().calib_valid_to) == "2027-06-30"


def test_an_id_number_typed_as_an_excel_number_is_refused_with_a_hint(tmp_path):
    import_file("keyunits", key_units(tmp_path))
    book = Workbook()
    book.active.append(["uscc", "name", "region_code", "category", "id_no"])
    book.active.append(["", "个体户", "330106", "other", 110105194912310020])
    book.save(tmp_path / "people.xlsx")
    report = import_file("subjects", tmp_path / "people.xlsx")
    assert report.rejected[0].field == "id_no" and "text" in report.rejected[0].reason


def test_the_command_prints_counts_and_each_rejected_row(tmp_path, capsys):
    call_command("supervision", "import", "keyunits", str(key_units(tmp_path)))
    out = capsys.readouterr().out
    assert "6" in out and "line 5, uscc" in out and "line 7, region_code" in out
    assert "rejected.csv" in out
