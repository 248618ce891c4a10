"""Enforcement inspections (双随机、一公开) and penalty cases, spec §4.4.

Inspection: drawn → assigned → on site | remote (码上检查) → findings → published. Assigning
needs two officers and, as proposed, not the officer who checked the same target last time.
A remote inspection is allowed only for a target known to be low risk: a green risk code for a
key unit, credit grade A or B for an agency (a proposal; unknown means on site).

Case: filed → investigating → discretion matched → notice → decided → executed → closed →
published. The system proposes a range; a decision outside it needs the officer's reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision.models import (
    CaseStatus,
    CreditGrade,
    EnforcementInspection,
    EnforcementStatus,
    RiskCode,
)
from qixiang.supervision.workflows.engine import (
    REGULATOR,
    SYSTEM,
    Machine,
    Step,
    Transition,
    set_field,
)

MIN_OFFICERS = 2
E, C = EnforcementStatus, CaseStatus
OFFICERS = frozenset({REGULATOR})


def _assign_guard(step: Step) -> list[str]:
    officers = list(step.data["officers"])
    if len({o.pk for o in officers}) < MIN_OFFICERS:
        return [_("at least %(n)d officers inspect") % {"n": MIN_OFFICERS}]
    last = (EnforcementInspection.objects.filter(subject_id=step.obj.subject_id)
            .exclude(pk=step.obj.pk).exclude(status__in=(E.DRAWN, E.ASSIGNED))
            .order_by("-inspected_on", "-created_at").first())
    if last is not None:
        before = set(last.officers.values_list("pk", flat=True))
        return [_("%(name)s inspected this target last time") % {"name": o}
                for o in officers if o.pk in before]
    return []


def _assign(step: Step) -> None:
    step.obj.officers.set(step.data["officers"])


def low_risk(inspection: EnforcementInspection) -> bool:
    subject = inspection.subject
    key_unit = getattr(subject, "key_unit", None)
    agency = getattr(subject, "agency", None)
    if key_unit is not None:
        return key_unit.risk_code == RiskCode.GREEN
    if agency is not None:
        return agency.credit_grade in (CreditGrade.A, CreditGrade.B)
    return False


def _remote_guard(step: Step) -> list[str]:
    if not low_risk(step.obj):
        return [_("only a target of low risk or good credit is inspected remotely")]
    return []


def _go(step: Step) -> None:
    set_field(step, "inspected_on", step.today)


INSPECTION = Machine("supervision.EnforcementInspection", "status", (
    Transition("assign", (E.DRAWN,), E.ASSIGNED, OFFICERS, gettext_lazy("assign officers"),
               required=("officers",), guard=_assign_guard, effect=_assign),
    Transition("go_on_site", (E.ASSIGNED,), E.ON_SITE, OFFICERS, gettext_lazy("inspect on site"),
               effect=_go),
    Transition("go_remote", (E.ASSIGNED,), E.REMOTE, OFFICERS, gettext_lazy("inspect remotely"),
               guard=_remote_guard, effect=_go),
    Transition("record_findings", (E.ON_SITE, E.REMOTE), E.FINDINGS, OFFICERS,
               gettext_lazy("record the findings"), required=("result",),
               fields=("findings", "result", "checklist")),
    Transition("publish", (E.FINDINGS,), E.PUBLISHED, OFFICERS | {SYSTEM},
               gettext_lazy("publish the result"), stamp="published_at"),
))


def _decide_guard(step: Step) -> list[str]:
    case, amount = step.obj, step.data.get("amount")
    outside = amount is not None and (
        (case.range_min is not None and amount < case.range_min)
        or (case.range_max is not None and amount > case.range_max))
    if outside and not step.data.get("decision_reason"):
        return [_("the fine leaves the proposed range; record the reason")]
    return []


def _today(name: str):
    return lambda step: set_field(step, name, step.today)


CASE = Machine("supervision.PenaltyCase", "status", (
    Transition("investigate", (C.FILED,), C.INVESTIGATING, OFFICERS, gettext_lazy("investigate")),
    Transition("match_discretion", (C.INVESTIGATING,), C.DISCRETION_MATCHED, OFFICERS,
               gettext_lazy("match the discretion benchmark"), required=("degree",),
               fields=("degree", "circumstances", "range_min", "range_max", "basis")),
    Transition("serve_notice", (C.DISCRETION_MATCHED,), C.NOTICE, OFFICERS,
               gettext_lazy("serve the notice")),
    Transition("decide", (C.NOTICE,), C.DECIDED, OFFICERS, gettext_lazy("decide"),
               required=("decision",), fields=("decision", "amount", "decision_reason"),
               guard=_decide_guard, effect=_today("decided_on")),
    Transition("execute", (C.DECIDED,), C.EXECUTED, OFFICERS, gettext_lazy("record execution"),
               effect=_today("executed_on")),
    Transition("close", (C.EXECUTED,), C.CLOSED, OFFICERS, gettext_lazy("close the case"),
               effect=_today("closed_on")),
    Transition("publish", (C.CLOSED,), C.PUBLISHED, OFFICERS, gettext_lazy("publish the decision"),
               effect=_today("published_on")),
))
