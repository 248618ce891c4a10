"""What each kind of registry file holds, and how a row becomes a record.

Each kind lists its columns as ``field: (aliases...)``; a row is a dict keyed by field name after
the header is matched (:func:`columns`). A handler creates or updates one record and returns
``(record, created, in_review)``; it raises :class:`~.fields.RowError` for a row it refuses.
Upsert keys: subjects and key units by identifier (USCC or ID number), sites by site code or by
unit and name, agencies by certificate number, inspectors by agency and ID number (or name and
certificate), instruments by agency and serial number.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from qixiang.science.identifiers import person_code
from qixiang.supervision import identity, privacy
from qixiang.supervision.imports import fields as f
from qixiang.supervision.keys import lookup_key
from qixiang.supervision.models import (
    EXPLOSION_ZONES,
    Agency,
    IdentifierCheck,
    Inspector,
    Instrument,
    KeyUnit,
    Site,
)

SUBJECT_COLUMNS = {
    "uscc": ("uscc", "统一社会信用代码", "信用代码"),
    "id_no": ("id_no", "身份证号", "身份证号码"),
    "name": ("name", "名称", "单位名称", "姓名"),
    "region_code": ("region_code", "行政区划代码", "区划代码"),
    "legal_representative": ("legal_representative", "法定代表人"),
    "address": ("address", "地址", "单位地址"),
    "phone": ("phone", "联系电话", "电话"),
}
KEY_UNIT_COLUMNS = {**SUBJECT_COLUMNS,
    "category": ("category", "类别", "单位类别"),
    "listing_basis": ("listing_basis", "列入依据"),
    "listing_year": ("listing_year", "列入年度"),
    "safety_principal": ("safety_principal", "安全负责人"),
    "safety_principal_phone": ("safety_principal_phone", "安全负责人电话"),
    "responsible_department": ("responsible_department", "责任部门"),
    "has_responsibility_system": ("has_responsibility_system", "纳入安全生产责任制"),
    "has_emergency_plan": ("has_emergency_plan", "应急预案"),
    "last_drill_on": ("last_drill_on", "最近应急演练"),
    "last_training_on": ("last_training_on", "最近安全培训"),
}
SITE_COLUMNS = {
    "uscc": SUBJECT_COLUMNS["uscc"], "id_no": SUBJECT_COLUMNS["id_no"],
    "site_code": ("site_code", "场所编码"),
    "name": ("name", "场所名称", "名称"),
    "address": ("address", "地址", "场所地址"),
    "latitude": ("latitude", "lat", "纬度"), "longitude": ("longitude", "lon", "经度"),
    "datum": ("datum", "坐标系"), "height_m": ("height_m", "height", "高度"),
    "lightning_class": ("lightning_class", "防雷类别"),
    "explosion_zones": ("explosion_zones", "爆炸危险区域"),
    "occupancy": ("occupancy", "使用性质"),
    "inspection_period_months": ("inspection_period_months", "检测周期"),
    "next_due": ("next_due", "下次检测日期"),
    "design_review_ref": ("design_review_ref", "设计审核文号"),
    "acceptance_ref": ("acceptance_ref", "竣工验收文号"),
}
AGENCY_COLUMNS = {
    "uscc": SUBJECT_COLUMNS["uscc"], "name": SUBJECT_COLUMNS["name"],
    "region_code": SUBJECT_COLUMNS["region_code"],
    "legal_representative": SUBJECT_COLUMNS["legal_representative"],
    "address": SUBJECT_COLUMNS["address"], "phone": SUBJECT_COLUMNS["phone"],
    "grade": ("grade", "资质等级"),
    "certificate_no": ("certificate_no", "资质证编号", "资质证书编号"),
    "issuing_province": ("issuing_province", "发证省份"),
    "certificate_issued_on": ("certificate_issued_on", "发证日期"),
    "certificate_valid_to": ("certificate_valid_to", "有效期至", "资质证有效期至"),
    "status": ("status", "资质状态"),
    "branches": ("branches", "分支机构"),
}
AGENCY_REF = ("agency_certificate_no", "资质单位资质证编号", "资质证编号")
INSPECTOR_COLUMNS = {
    "agency_certificate_no": AGENCY_REF,
    "name": ("name", "姓名"), "id_no": SUBJECT_COLUMNS["id_no"],
    "title_level": ("title_level", "职称"), "specialty": ("specialty", "专业"),
    "certificate_no": ("certificate_no", "能力评价证书编号", "证书编号"),
    "certificate_valid_to": ("certificate_valid_to", "证书有效期至"),
    "insurance_employer_uscc": ("insurance_employer_uscc", "社保缴纳单位信用代码"),
    "experience_years": ("experience_years", "从业年限"),
    "employed_from": ("employed_from", "入职日期"), "employed_to": ("employed_to", "离职日期"),
}
INSTRUMENT_COLUMNS = {
    "agency_certificate_no": AGENCY_REF,
    "kind": ("kind", "type", "仪器类型", "类型"), "model": ("model", "型号"),
    "serial_no": ("serial_no", "出厂编号", "编号"),
    "calibration_certificate_no": ("calibration_certificate_no", "检定证书编号", "校准证书编号"),
    "calibrated_on": ("calibrated_on", "检定日期", "校准日期"),
    "calib_valid_to": ("calib_valid_to", "检定有效期至", "校准有效期至"),
    "iot_id": ("iot_id", "物联网标识"),
}


def columns(header: list[str], spec: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Header name -> field name for the columns of ``spec`` present in ``header``."""
    found = {}
    for field, aliases in spec.items():
        for alias in aliases:
            if alias.lower() in header and alias.lower() not in found:
                found[alias.lower()] = field
                break
    return found


def _subject(row: dict, *, create: bool) -> tuple:
    uscc, id_no = f.text(row, "uscc"), f.text(row, "id_no")
    if not (uscc or id_no):
        raise f.RowError("uscc", "missing (a credit code or an ID number)")
    try:
        if not create:
            subject = identity.find_subject(uscc=uscc, id_no=id_no)
            if subject is None:
                raise f.RowError("uscc" if uscc else "id_no", "no such subject in the registry")
            return subject, False
        extra = {k: f.text(row, k) for k in ("legal_representative", "address", "phone")
                 if row.get(k)}
        return identity.register_subject(f.text(row, "name", required=True, max_length=200),
                                         f.region(row), uscc=uscc, id_no=id_no, **extra)
    except identity.IdentifierError as exc:
        raise f.RowError(exc.field, str(exc)) from None


def import_subject(row: dict):
    subject, created = _subject(row, create=True)
    return subject, created, subject.in_review


def import_key_unit(row: dict):
    subject, _ = _subject(row, create=bool(row.get("name") and row.get("region_code")))
    unit = KeyUnit.objects.filter(subject=subject).first()
    created = unit is None
    unit = unit or KeyUnit(subject=subject)
    unit.category = f.choice(row, "category", KeyUnit._meta.get_field("category"),
                             required=created) or unit.category
    for name in ("listing_basis", "safety_principal", "safety_principal_phone",
                 "responsible_department"):
        if row.get(name):
            setattr(unit, name, f.text(row, name))
    if row.get("listing_year"):
        unit.listing_year = f.number(row, "listing_year", low=1990, high=2100, integer=True)
    for name in ("has_responsibility_system", "has_emergency_plan"):
        if name in row:
            setattr(unit, name, f.boolean(row, name))
    for name in ("last_drill_on", "last_training_on"):
        if row.get(name):
            setattr(unit, name, f.date(row, name))
    _save(unit)
    return unit, created, subject.in_review


def import_site(row: dict):
    subject, _ = _subject(row, create=False)
    unit = KeyUnit.objects.filter(subject=subject).first()
    if unit is None:
        raise f.RowError("uscc", f"{subject} is not a key unit; import it as a key unit first")
    name = f.text(row, "name", required=True, max_length=200)
    code = f.text(row, "site_code")
    site = (Site.objects.filter(site_code=code).first() if code
            else Site.objects.filter(key_unit=unit, name=name).first())
    if code and site is None:
        raise f.RowError("site_code", f"no site {code}")
    if site is not None and site.key_unit_id != unit.pk:
        raise f.RowError("site_code", f"site {code} belongs to another unit")
    created = site is None
    site = site or Site(key_unit=unit)
    site.name = name
    zones = [z.strip() for z in f.text(row, "explosion_zones").replace("；", ";")
             .replace("，", ",").replace(";", ",").split(",") if z.strip()]
    bad = [z for z in zones if z not in EXPLOSION_ZONES]
    if bad:
        raise f.RowError("explosion_zones", f"{', '.join(bad)} not among "
                         f"{', '.join(EXPLOSION_ZONES)}")
    if "explosion_zones" in row:
        site.explosion_zones = zones
    site.lightning_class = f.number(row, "lightning_class", low=1, high=3, integer=True) or (
        site.lightning_class if not created else _missing("lightning_class"))
    period = f.number(row, "inspection_period_months", integer=True)
    if period is not None and period not in (6, 12):
        raise f.RowError("inspection_period_months", f"{period}: the period is 6 or 12 months")
    site.inspection_period_months = period or (6 if site.explosion_zones else 12)
    for name in ("address", "occupancy", "design_review_ref", "acceptance_ref"):
        if row.get(name):
            setattr(site, name, f.text(row, name))
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180),
                            ("height_m", 0, 1000)):
        if row.get(name):
            setattr(site, name, f.number(row, name, low=low, high=high))
    if row.get("datum"):
        site.datum = f.choice(row, "datum", Site._meta.get_field("datum"))
    if row.get("next_due"):
        site.next_due = f.date(row, "next_due")
    _save(site)
    return site, created, subject.in_review


def import_agency(row: dict):
    certificate = f.text(row, "certificate_no", required=True, max_length=64)
    subject, _ = _subject(row, create=True)
    agency = Agency.objects.filter(certificate_no=certificate).first()
    if agency is None:
        agency = Agency.objects.filter(subject=subject).first()
    if agency is not None and agency.subject_id != subject.pk:
        raise f.RowError("certificate_no", f"certificate {certificate} belongs to {agency}")
    created = agency is None
    agency = agency or Agency(subject=subject)
    agency.certificate_no = certificate
    agency.region_code = subject.region_code
    agency.grade = f.choice(row, "grade", Agency._meta.get_field("grade"), required=True)
    agency.issuing_province = f.region(row, "issuing_province")
    agency.certificate_valid_to = f.date(row, "certificate_valid_to", required=True)
    if row.get("certificate_issued_on"):
        agency.certificate_issued_on = f.date(row, "certificate_issued_on")
    if row.get("status"):
        agency.status = f.choice(row, "status", Agency._meta.get_field("status"))
    if row.get("branches"):
        agency.branches = f.text(row, "branches")
    _save(agency)
    return agency, created, subject.in_review


def _agency(row: dict) -> Agency:
    certificate = f.text(row, "agency_certificate_no", required=True)
    agency = Agency.objects.filter(certificate_no=certificate).first()
    if agency is None:
        raise f.RowError("agency_certificate_no", f"no agency with certificate {certificate}")
    return agency


def import_inspector(row: dict):
    agency = _agency(row)
    name = f.text(row, "name", required=True, max_length=100)
    id_no = f.text(row, "id_no")
    checked = None
    if id_no:
        try:
            checked = identity.check_id_no(id_no)
        except identity.IdentifierError as exc:
            raise f.RowError("id_no", str(exc)) from None
        found = privacy.with_id_number(Inspector.objects.filter(agency=agency), checked.text)
    else:
        found = Inspector.objects.filter(agency=agency, name=name,
                                         certificate_no=f.text(row, "certificate_no"))
    inspector = found.first()
    created = inspector is None
    inspector = inspector or Inspector(agency=agency)
    inspector.name = name
    if checked is not None:
        previous = inspector.id_no_check
        privacy.set_id_number(inspector, checked.text, checked.status)
        if previous == IdentifierCheck.CONFIRMED:
            inspector.id_no_check = previous
        inspector.person_code = person_code(lookup_key(), checked.text)
    if row.get("title_level"):
        inspector.title_level = f.choice(row, "title_level",
                                         Inspector._meta.get_field("title_level"))
    for name_ in ("specialty", "certificate_no", "insurance_employer_uscc"):
        if row.get(name_):
            setattr(inspector, name_, f.text(row, name_))
    for name_ in ("certificate_valid_to", "employed_from", "employed_to"):
        if row.get(name_):
            setattr(inspector, name_, f.date(row, name_))
    if row.get("experience_years"):
        inspector.experience_years = f.number(row, "experience_years", low=0, high=70,
                                              integer=True)
    _save(inspector)
    review = inspector.id_no_check == IdentifierCheck.REVIEW
    if review:
        identity.flag_for_review(inspector, "id_no", checked)
    return inspector, created, review


def import_instrument(row: dict):
    agency = _agency(row)
    serial = f.text(row, "serial_no", required=True, max_length=64)
    instrument = Instrument.objects.filter(agency=agency, serial_no=serial).first()
    created = instrument is None
    instrument = instrument or Instrument(agency=agency, serial_no=serial)
    instrument.kind = f.choice(row, "kind", Instrument._meta.get_field("kind"),
                               required=created) or instrument.kind
    for name in ("model", "calibration_certificate_no", "iot_id"):
        if row.get(name):
            setattr(instrument, name, f.text(row, name))
    for name in ("calibrated_on", "calib_valid_to"):
        if row.get(name):
            setattr(instrument, name, f.date(row, name))
    _save(instrument)
    return instrument, created, False


def _missing(field: str):
    raise f.RowError(field, "missing")


def _save(obj) -> None:
    """Validate the record like a form would and save it; a validation error names its field."""
    try:
        obj.full_clean(exclude=[n for n in ("subject", "seq", "site_code") if hasattr(obj, n)],
                       validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise f.RowError(field, " ".join(messages)) from None
    obj.save()


Handler = Callable[[dict], tuple]
KINDS: dict[str, tuple[dict[str, tuple[str, ...]], Handler]] = {
    "subjects": (SUBJECT_COLUMNS, import_subject),
    "keyunits": (KEY_UNIT_COLUMNS, import_key_unit),
    "sites": (SITE_COLUMNS, import_site),
    "agencies": (AGENCY_COLUMNS, import_agency),
    "inspectors": (INSPECTOR_COLUMNS, import_inspector),
    "instruments": (INSTRUMENT_COLUMNS, import_instrument),
}
