"""The supervision demo: a plausible city in the database, with users to look at it.

:func:`seed` turns :func:`qixiang.science.simulate.supervision.generate` into rows in one
transaction with ``bulk_create`` (a few seconds for ~30,000 rows): identifiers checked, ID
numbers encrypted as everywhere else, registry records, tasks, reports and hazards entered in the
audit trail (one chained entry per registry, credit and enforcement record, so the exchange
API's cursor and the subject files see them; inspections, hazards and their details are summed
up in one ``demo.seed`` entry). Then two
partner platforms push and pull through the real exchange service, the data quality rules run,
and three demo users are made: a city regulator, a key unit and an agency (credentials added to
``var/demo-users.txt`` beside the other demo users). The suspicious records planted for the
anomaly screening are written to ``var/demo/supervision-manifest.json``.

``qixiang run`` calls it in demo mode when there is no supervision data yet;
``qixiang supervision demo`` calls it by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Model
from django.utils import timezone

from qixiang.accounts import bootstrap
from qixiang.accounts.models import Role, User
from qixiang.science import identifiers
from qixiang.science.simulate import supervision as simulate
from qixiang.supervision import audit, keys, privacy
from qixiang.supervision import models as m
from qixiang.supervision.workflows.calendar import add_months, add_working_days

MANIFEST = "supervision-manifest.json"
BATCH = 1000
# username, role (text shown), region; the organisation is chosen from the data
DEMO_USERS = (("city-regulator", Role.REGULATOR, simulate.CITY_CODE), ("keyunit", "key_unit", ""),
              ("agency", "agency", ""))


@dataclass
class Seeded:
    counts: dict[str, int]
    seconds: float
    manifest: Path
    users: list[bootstrap.Credentials] = field(default_factory=list)


def has_data() -> bool:
    """True once any key unit is registered (the demo then leaves the data alone)."""
    return m.KeyUnit.objects.exists()


def demo_dir(var_dir: Path | None = None) -> Path:
    path = Path(var_dir or settings.VAR_DIR) / "demo"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed(today: dt.date | None = None, seed_value: int = simulate.DEFAULT_SEED,
         var_dir: Path | None = None, key_units: int = 300) -> Seeded:
    """Generate the city as of ``today`` and store it; returns what was made."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    city = simulate.generate(today, seed_value, key_units=key_units)
    with transaction.atomic():
        store = _Store(city)
        store.all()
        users = _users(store, Path(var_dir or settings.VAR_DIR))
    _exchange(store)
    from qixiang.supervision.quality import runner

    runner.run()
    manifest = demo_dir(var_dir) / MANIFEST
    manifest.write_text(json.dumps({"seed": seed_value, "today": today.isoformat(),
                                    "cases": city.manifest}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    return Seeded(city.counts(), time.perf_counter() - started, manifest, users)


def _bulk(model: type[Model], rows: list[Model]) -> list[Model]:
    return model.objects.bulk_create(rows, batch_size=BATCH)


class _Store:
    """Writes the city's records and keeps ``key -> row`` maps for the relations."""

    def __init__(self, city: simulate.City) -> None:
        self.city = city
        self.rows: dict[str, dict[str, Model]] = {}
        self.lookup_key = keys.lookup_key()
        self.trail: list[tuple[Model, str]] = []

    def map(self, name: str, records: list[dict], rows: list[Model]) -> None:
        self.rows[name] = {r["key"]: row for r, row in zip(records, rows, strict=True)}

    def all(self) -> None:
        self.subjects()
        self.agencies()
        self.key_units()
        self.inspections()
        self.hazards()
        self.credit_and_enforcement()
        self.write_trail()
        self.backdate()

    def subjects(self) -> None:
        rows = []
        for r in self.city.subjects:
            subject = m.Subject(kind=r["kind"], name=r["name"], region_code=r["region_code"],
                                address=r["address"], phone=r.get("phone", ""),
                                legal_representative=r.get("legal_representative", ""))
            if r["kind"] == "person":
                privacy.set_id_number(subject, r["id_no"])
                subject.subject_code = identifiers.person_code(self.lookup_key, r["id_no"])
            else:
                check = identifiers.validate_uscc(r["uscc"])
                subject.uscc, subject.subject_code = check.text, "U" + check.text
                subject.uscc_check = (m.IdentifierCheck.VALID if check.valid
                                      else m.IdentifierCheck.REVIEW)
            rows.append(subject)
        self.map("subjects", self.city.subjects, _bulk(m.Subject, rows))
        self.trail += [(s, s.subject_code) for s in rows]

    def subject(self, key: str) -> m.Subject:
        return self.rows["subjects"][key]

    def agencies(self) -> None:
        c = self.city
        agencies = [m.Agency(subject=self.subject(r["subject"]), region_code=r["region_code"],
                             grade=r["grade"], certificate_no=r["certificate_no"],
                             issuing_province=r["issuing_province"],
                             certificate_issued_on=r["certificate_issued_on"],
                             certificate_valid_to=r["certificate_valid_to"], status=r["status"],
                             rectify_by=r["rectify_by"]) for r in c.agencies]
        self.map("agencies", c.agencies, _bulk(m.Agency, agencies))
        ag = self.rows["agencies"]
        _bulk(m.AgencyFiling, [m.AgencyFiling(agency=ag[r["agency"]], region_code=r["region_code"],
                                              filed_on=r["filed_on"], valid_to=r["valid_to"])
                               for r in c.filings])
        _bulk(m.AnnualReport, [m.AnnualReport(agency=ag[r["agency"]], year=r["year"],
                                              submitted_on=r["submitted_on"],
                                              spot_check=r["spot_check"],
                                              file_sha256=r["file_sha256"])
                               for r in c.annual_reports])
        inspectors = []
        for r in c.inspectors:
            inspector = m.Inspector(
                agency=ag[r["agency"]], name=r["name"], title_level=r["title_level"],
                specialty=r["specialty"], certificate_no=r["certificate_no"],
                certificate_valid_to=r["certificate_valid_to"],
                insurance_employer_uscc=r["insurance_employer_uscc"],
                experience_years=r["experience_years"], employed_from=r["employed_from"],
                person_code=identifiers.person_code(self.lookup_key, r["id_no"]))
            privacy.set_id_number(inspector, r["id_no"])
            inspectors.append(inspector)
        self.map("inspectors", c.inspectors, _bulk(m.Inspector, inspectors))
        leads = []
        for agency in agencies:
            lead = next((i for i in inspectors if i.agency_id == agency.pk
                         and i.title_level == "senior"), None)
            agency.technical_lead = lead
            leads.append(agency)
        m.Agency.objects.bulk_update(leads, ["technical_lead"])
        instruments = [m.Instrument(agency=ag[r["agency"]], kind=r["kind"], model=r["model"],
                                    serial_no=r["serial_no"],
                                    calibration_certificate_no=r["calibration_certificate_no"],
                                    calibrated_on=r["calibrated_on"],
                                    calib_valid_to=r["calib_valid_to"]) for r in c.instruments]
        self.map("instruments", c.instruments, _bulk(m.Instrument, instruments))
        self.trail += [(a, a.subject.subject_code) for a in agencies]
        self.trail += [(i, i.agency.subject.subject_code) for i in inspectors + instruments]

    def key_units(self) -> None:
        c = self.city
        units = [m.KeyUnit(subject=self.subject(r["subject"]), category=r["category"],
                           listing_basis=r["listing_basis"], listing_year=r["listing_year"],
                           safety_principal=r["safety_principal"],
                           safety_principal_phone=r["safety_principal_phone"],
                           responsible_department=r["responsible_department"],
                           has_responsibility_system=r["has_responsibility_system"],
                           has_emergency_plan=r["has_emergency_plan"],
                           last_drill_on=r["last_drill_on"],
                           last_training_on=r["last_training_on"]) for r in c.key_units]
        self.map("key_units", c.key_units, _bulk(m.KeyUnit, units))
        seqs: dict[int, int] = {}
        sites = []
        for r in c.sites:
            unit = self.rows["key_units"][r["key_unit"]]
            seq = seqs[unit.subject_id] = seqs.get(unit.subject_id, 0) + 1
            sites.append(m.Site(
                key_unit=unit, subject=unit.subject, seq=seq,
                site_code=identifiers.site_code(unit.subject.subject_code, seq), name=r["name"],
                address=r["address"], latitude=r["latitude"], longitude=r["longitude"],
                height_m=r["height_m"], lightning_class=r["lightning_class"],
                explosion_zones=r["explosion_zones"], occupancy=r["occupancy"],
                inspection_period_months=r["inspection_period_months"],
                design_review_ref=r["design_review_ref"], acceptance_ref=r["acceptance_ref"]))
        self.map("sites", c.sites, _bulk(m.Site, sites))
        components = [m.LPSComponent(site=self.rows["sites"][r["site"]], kind=r["kind"],
                                     model=r["model"], quantity=r["quantity"],
                                     location=r["location"]) for r in c.components]
        self.map("components", c.components, _bulk(m.LPSComponent, components))
        self.trail += [(u, u.subject.subject_code) for u in units]
        self.trail += [(s, s.subject.subject_code) for s in sites]

    def inspections(self) -> None:
        c, rows = self.city, self.rows
        tasks = []
        for r in c.tasks:
            site = rows["sites"][r["site"]]
            last = max((t for t in (r["contracted_on"] and _at(r["contracted_on"]),
                                    r["plan_filed_at"], r["pre_reported_at"]) if t),
                       default=None)
            tasks.append(m.InspectionTask(
                task_no=r["task_no"], agency=rows["agencies"][r["agency"]], site=site,
                subject=site.subject, kind=r["kind"], contract_no=r["contract_no"],
                contracted_on=r["contracted_on"], window_start=r["window_start"],
                window_end=r["window_end"], plan_filed_at=r["plan_filed_at"],
                pre_reported_at=r["pre_reported_at"], status=r["status"],
                status_changed_at=last, note=r.get("note", "")))
        self.map("tasks", c.tasks, _bulk(m.InspectionTask, tasks))
        _insert(m.InspectionTask.inspectors.through, ("inspectiontask", "inspector"),
                [(rows["tasks"][r["key"]].pk, rows["inspectors"][i].pk)
                 for r in c.tasks for i in dict.fromkeys(r["inspectors"])])
        _insert(m.InspectionTask.instruments.through, ("inspectiontask", "instrument"),
                [(rows["tasks"][r["key"]].pk, rows["instruments"][i].pk)
                 for r in c.tasks for i in dict.fromkeys(r["instruments"])])
        sessions = [m.FieldSession(
            task=rows["tasks"][r["task"]], inspector=rows["inspectors"][r["inspector"]],
            check_in_at=r["check_in_at"], check_out_at=r["check_out_at"],
            gnss_system=r["gnss_system"], latitude=r["latitude"], longitude=r["longitude"],
            accuracy_m=r["accuracy_m"], fix_at=r["fix_at"],
            distance_to_site_m=r["distance_to_site_m"], qr_scanned_at=r["qr_scanned_at"],
            qr_site_matches=r["qr_site_matches"], identity_method=r["identity_method"],
            identity_result=r["identity_result"], face_match_score=r["face_match_score"])
            for r in c.sessions]
        self.map("sessions", c.sessions, _bulk(m.FieldSession, sessions))
        now = timezone.now()
        _insert(m.FieldPhoto, ("session", "sha256", "perceptual_hash", "caption", "image",
                               "exif_taken_at", "exif_latitude", "exif_longitude",
                               "uploaded_at"),
                [(rows["sessions"][r["session"]].pk, r["sha256"], r["perceptual_hash"],
                  r["caption"], "", r["exif_taken_at"], r["exif_latitude"], r["exif_longitude"],
                  now) for r in c.photos])
        _insert(m.Measurement, ("task", "component", "session", "instrument", "item", "point",
                                "value", "unit", "measured_at", "limit", "limit_kind",
                                "passed"),
                [(rows["tasks"][r["task"]].pk, rows["components"][r["component"]].pk,
                  rows["sessions"][r["session"]].pk if r["session"] in rows["sessions"]
                  else None, rows["instruments"][r["instrument"]].pk, r["item"], r["point"],
                  r["value"], r["unit"], r["measured_at"], r["limit"], r["limit_kind"],
                  r["passed"]) for r in c.measurements])
        failed = m.Measurement.objects.filter(passed=False).values_list("task_id", "point",
                                                                        "item", "pk")
        self.failed_measurements = {(t, p, i): pk for t, p, i, pk in failed}
        reports = []
        for r in c.reports:
            task = rows["tasks"][r["task"]]
            reports.append(m.InspectionReport(
                task=task, subject=task.subject, report_no=r["report_no"], kind=r["kind"],
                conclusion=r["conclusion"], conclusion_text=r["conclusion_text"],
                drafted_at=r["drafted_at"], signed_at=r["signed_at"], issued_on=r["issued_on"],
                upload_due=add_working_days(r["issued_on"], 10) if r["issued_on"] else None,
                uploaded_at=r["uploaded_at"], file_sha256=r["file_sha256"],
                screening_score=r["screening_score"],
                screening_findings=r["screening_findings"], screened_at=r["screened_at"],
                review_note=r["review_note"]))
        self.map("reports", c.reports, _bulk(m.InspectionReport, reports))
        _insert(m.InspectionReport.signatories.through, ("inspectionreport", "inspector"),
                [(rows["reports"][r["key"]].pk, rows["inspectors"][i].pk)
                 for r in c.reports for i in dict.fromkeys(r["signatories"])])
        due: dict[int, dt.date] = {}
        for report in reports:
            if report.issued_on:
                site = report.task.site
                nxt = add_months(report.issued_on, site.inspection_period_months)
                due[site.pk] = max(due.get(site.pk, nxt), nxt)
        sites = list(rows["sites"].values())
        for site in sites:
            site.next_due = due.get(site.pk)
        m.Site.objects.bulk_update(sites, ["next_due"], batch_size=BATCH)
        self.summary = {"sessions": len(sessions), "photos": len(c.photos),
                        "measurements": len(c.measurements)}

    def hazards(self) -> None:
        c, rows = self.city, self.rows
        hazards = []
        for r in c.hazards:
            site = rows["sites"][r["site"]]
            hazards.append(m.Hazard(
                hazard_no=r["hazard_no"], subject=site.subject, site=site,
                component=rows["components"].get(r["component"]) if r["component"] else None,
                source=r["source"], report=rows["reports"].get(r["report"]) if r["report"]
                else None,
                measurement_id=self._measurement_id(r["measurement"]),
                item=r["item"], severity=r["severity"], found_at=r["found_at"],
                notice_kind=r["notice_kind"], notice_no=r["notice_no"],
                notified_at=r["notified_at"], deadline=r["deadline"],
                escalated_at=r["escalated_at"], escalation_reason=r["escalation_reason"],
                closed_at=r["closed_at"], status=r["status"],
                status_changed_at=max(t for t in (r["found_at"], r["notified_at"],
                                                  r["escalated_at"], r["closed_at"]) if t)))
        self.map("hazards", c.hazards, _bulk(m.Hazard, hazards))
        _bulk(m.Rectification, [m.Rectification(
            hazard=rows["hazards"][r["hazard"]], round=r["round"], plan=r["plan"],
            owner=r["owner"], planned_finish=r["planned_finish"],
            plan_submitted_at=r["plan_submitted_at"], evidence=r["evidence"],
            evidence_submitted_at=r["evidence_submitted_at"], verified_at=r["verified_at"],
            result=r["result"], verification_note=r["verification_note"])
            for r in c.rectifications])

    def _measurement_id(self, record: dict | None) -> int | None:
        if record is None:
            return None
        key = (self.rows["tasks"][record["task"]].pk, record["point"], record["item"])
        return self.failed_measurements.get(key)

    def credit_and_enforcement(self) -> None:
        c, rows = self.city, self.rows
        credit = [m.CreditRecord(subject=self.subject(r["subject"]), event=r["event"],
                                 delta=r["delta"], occurred_on=r["occurred_on"],
                                 valid_to=r["valid_to"], source=r["source"],
                                 source_ref=r["source_ref"], description=r["description"],
                                 published=r["published"],
                                 objection_status=r.get("objection_status", ""))
                  for r in c.credit]
        _bulk(m.CreditRecord, credit)
        draws = [m.Draw(draw_no=r["draw_no"], region_code=r["region_code"],
                        drawn_at=r["drawn_at"], method=r["method"], seed=r["seed"],
                        parameters=r["parameters"], published_at=r["published_at"])
                 for r in c.draws]
        self.map("draws", c.draws, _bulk(m.Draw, draws))
        inspections = [m.EnforcementInspection(
            inspection_no=r["inspection_no"], draw=rows["draws"][r["draw"]],
            region_code=r["region_code"], subject=self.subject(r["subject"]),
            site=rows["sites"][r["site"]], checklist=r["checklist"], findings=r["findings"],
            result=r["result"], inspected_on=r["inspected_on"], published_at=r["published_at"],
            status=r["status"], status_changed_at=r["published_at"] or _at(r["inspected_on"])
            or timezone.now()) for r in c.enforcement]
        self.map("enforcement", c.enforcement, _bulk(m.EnforcementInspection, inspections))
        _bulk(m.PenaltyCase, [m.PenaltyCase(
            case_no=r["case_no"], region_code=r["region_code"], subject=self.subject(r["subject"]),
            enforcement=rows["enforcement"][r["enforcement"]],
            violation_code=r["violation_code"], basis=r["basis"], degree=r["degree"],
            circumstances=r["circumstances"], range_min=r["range_min"], range_max=r["range_max"],
            decision=r["decision"], amount=r["amount"], filed_on=r["filed_on"],
            decided_on=r["decided_on"], published_on=r["published_on"], status=r["status"])
            for r in c.cases])
        self.trail += [(x, x.subject.subject_code) for x in credit + inspections]

    def backdate(self) -> None:
        """Registry rows were entered before the two years of inspections, not today."""
        entered = timezone.make_aware(dt.datetime.combine(
            self.city.today - dt.timedelta(days=760), dt.time(9)))
        for model, name in ((m.Subject, "subjects"), (m.KeyUnit, "key_units"),
                            (m.Site, "sites"), (m.LPSComponent, "components"),
                            (m.Agency, "agencies"), (m.Inspector, "inspectors"),
                            (m.Instrument, "instruments")):
            ids = [row.pk for row in self.rows[name].values()]
            for start in range(0, len(ids), 500):
                model.objects.filter(pk__in=ids[start:start + 500]).update(created_at=entered)

    def write_trail(self) -> None:
        """One chained ``create`` entry per record kept, and a summary of the rest."""
        now = timezone.now().astimezone(dt.UTC)
        head, _ = m.AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head.seq, head.hash
        entries = []
        items = [(obj, code, "create", audit.snapshot(obj)) for obj, code in self.trail]
        items.append((None, "", "demo.seed", {"seed": self.city.seed,
                                              "today": self.city.today.isoformat(),
                                              **self.city.counts()}))
        for obj, code, action, change in items:
            seq += 1
            entry = m.AuditEntry(
                seq=seq, at=now, actor_id=None, actor=audit.SYSTEM, action=action,
                object_type=obj._meta.label if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "", subject_code=code,
                change=json.loads(audit.canonical(audit.jsonable(change))), prev_hash=prev)
            entry.hash = prev = audit.entry_hash(prev, audit.payload_of(entry))
            entries.append(entry)
        m.AuditEntry.objects.bulk_create(entries, batch_size=BATCH)
        m.AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


def _insert(model: type[Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain multi-row INSERT for the largest tables (no model instances, no returned ids)."""
    fields = [model._meta.get_field(c) for c in columns]
    moments = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
    adapt, quote = connection.ops.adapt_datetimefield_value, connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            chunk = [list(row) for row in rows[start:start + 5000]]
            for row in chunk:
                for i in moments:
                    row[i] = adapt(row[i]) if row[i] is not None else None
            cursor.executemany(sql, chunk)


def _at(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


# --- users and partners ------------------------------------------------------------------------

def _users(store: _Store, var_dir: Path) -> list[bootstrap.Credentials]:
    """The city regulator, the key unit with the most open hazards, and the first agency."""
    open_states = [s for s in m.HazardStatus.values if s != m.HazardStatus.CLOSED]
    open_hazards = dict(m.Hazard.objects.filter(status__in=open_states).values("subject_id")
                        .annotate(n=Count("pk")).values_list("subject_id", "n"))
    busiest = max((u for u in store.rows["key_units"].values()
                   if u.subject.kind == m.SubjectKind.ORGANISATION),
                  key=lambda u: (open_hazards.get(u.subject_id, 0), -u.pk))
    agency = store.rows["agencies"]["AG01"]
    inspector = m.Inspector.objects.filter(agency=agency).order_by("pk").first()
    made = []
    for username, role, region in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        password = bootstrap.new_password()
        user = User.objects.create_user(username, "", password,
                                        role=Role.REGULATOR if role == Role.REGULATOR
                                        else Role.DATA_USER, region_code=region)
        label = str(role)
        if role == "key_unit":
            m.Membership.objects.create(user=user, key_unit=busiest)
            label = f"key unit: {busiest.subject.name}"
        elif role == "agency":
            m.Membership.objects.create(user=user, agency=agency, inspector=inspector)
            label = f"agency: {agency.subject.name}"
        made.append(bootstrap.Credentials(username, password, label, region))
    if made:
        bootstrap.append_demo_credentials(var_dir, made)
    return made


def _exchange(store: _Store) -> None:
    """Two partner platforms: the fire brigade pushes results, market regulation pulls credit."""
    from qixiang.supervision.exchange import service

    fire_user, _ = User.objects.get_or_create(username="partner-fire-hz",
                                              defaults={"role": Role.DATA_USER})
    market_user, _ = User.objects.get_or_create(username="partner-market-hz",
                                                defaults={"role": Role.DATA_USER})
    fire, _ = m.Partner.objects.get_or_create(
        name="杭州市消防救援支队", defaults={
            "kind": m.PartnerKind.FIRE, "region_code": simulate.CITY_CODE, "user": fire_user,
            "record_types": ["subjects", "key_units", "sites"], "may_push": True,
            "push_types": ["enforcement_results"]})
    market, _ = m.Partner.objects.get_or_create(
        name="杭州市市场监督管理局", defaults={
            "kind": m.PartnerKind.MARKET, "region_code": simulate.CITY_CODE,
            "user": market_user, "record_types": ["subjects", "credit_records"]})
    units = list(store.rows["key_units"].values())[:4]
    today = store.city.today
    records = [{"id": f"HZXF-{today.year}-{n + 1:04d}", "data": {
        "subject": u.subject.subject_code, "inspected_on": (today - dt.timedelta(
            days=30 + 9 * n)).isoformat(), "result": ("no_problem", "hazards", "no_problem")[n],
        "findings": ("消防检查同步核查防雷装置，未发现问题", "配电房SPD劣化未更换",
                     "未发现问题")[n]}} for n, u in enumerate(units[:3])]
    records.append({"id": f"HZXF-{today.year}-0004", "data": {
        "subject": units[3].subject.subject_code, "inspected_on": today.isoformat(),
        "result": "合格"}})  # their own vocabulary: rejected by the schema
    service.push(fire, "enforcement_results", records)
    service.pull(market, "credit_records", 0, 200)
    service.pull(fire, "sites", 0, 100)


def describe(done: Seeded) -> str:
    """What ``seed`` made, for the console."""
    from django.utils.translation import gettext as _

    c = done.counts
    lines = [_("Supervision demo city seeded in %(seconds).1f s: %(units)d key units, %(sites)d "
               "sites, %(agencies)d agencies, %(inspectors)d inspectors, %(tasks)d inspections, "
               "%(reports)d reports, %(hazards)d hazards; %(cases)d suspicious cases listed in "
               "%(manifest)s") % {
        "seconds": done.seconds, "units": c["key_units"], "sites": c["sites"],
        "agencies": c["agencies"], "inspectors": c["inspectors"], "tasks": c["tasks"],
        "reports": c["reports"], "hazards": c["hazards"], "cases": c["manifest"],
        "manifest": done.manifest}]
    lines += [f"  {u.line()}" for u in done.users]
    return "\n".join(lines)
