"""The hazard loop (查-整-消) of spec §4.1 as a table.

::

    identified ─notify→ notified ─submit_plan→ plan_submitted ─start→ rectifying
      │                   ─submit_evidence→ evidence_submitted ─verify→ verified ─close→ closed
      └─escalate (major)→ escalated                                      └─reject→ rejected
    notified | plan_submitted | rectifying | rejected ─mark_overdue→ overdue ─escalate→ escalated
    rejected ─resume→ rectifying;  overdue | escalated ─submit_evidence→ evidence_submitted
    escalated ─notify→ notified (a major hazard escalated before any notice)

The notice (整改意见书 opinion from an agency, 整改指令 order from a regulator) sets the deadline;
a deadline that passes makes the hazard overdue (:func:`sweep_overdue`, run daily), and an
overdue one is escalated to an enforcement inspection or a case. A major hazard may be escalated
at once. Late evidence is still accepted from overdue and escalated hazards, so the loop can
close (an inference: the spec names no way out of those states). Deadlines and reminder days
are proposals, kept here as defaults.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import scoping
from qixiang.supervision.models import (
    Hazard,
    HazardStatus,
    NoticeKind,
    Rectification,
    Severity,
    VerificationResult,
)
from qixiang.supervision.workflows.engine import (
    AGENCY,
    KEY_UNIT,
    REGULATOR,
    SYSTEM,
    Machine,
    Step,
    Transition,
    set_field,
    transition,
)

S = HazardStatus
# Days to rectify after the notice, by severity [Prop]; a notice may give its own deadline.
DEADLINE_DAYS = {Severity.GENERAL: 30, Severity.MAJOR: 15}
# Reminders go out this many days before the deadline [Prop].
REMINDER_DAYS = (7, 3, 1)
# States in which the deadline runs.
DEADLINE_RUNS = (S.NOTIFIED, S.PLAN_SUBMITTED, S.RECTIFYING, S.REJECTED)


def default_deadline(hazard: Hazard, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=DEADLINE_DAYS[Severity(hazard.severity)])


def _notify_guard(step: Step) -> list[str]:
    problems = []
    kind = step.data.get("notice_kind")
    if kind not in NoticeKind.values:
        problems.append(_("notice kind must be an opinion or an order"))
    if kind == NoticeKind.ORDER and scoping.actor_kind(step.actor) == scoping.AGENCY:
        problems.append(_("an agency gives a rectification opinion; orders come from the bureau"))
    deadline = step.data.get("deadline")
    if deadline is not None and deadline <= step.today:
        problems.append(_("the deadline must be after today"))
    return problems


def _notify(step: Step) -> None:
    hazard = step.obj
    set_field(step, "notified_at", step.now)
    if step.data.get("deadline") is None:
        set_field(step, "deadline", default_deadline(hazard, step.today))


def _escalate_guard(step: Step) -> list[str]:
    """Before it is overdue, only a major hazard is escalated (and then at once)."""
    if step.source != S.OVERDUE and step.obj.severity != Severity.MAJOR:
        return [_("only a major hazard is escalated before it is overdue")]
    return []


def _escalate(step: Step) -> None:
    set_field(step, "escalated_at", step.now)
    set_field(step, "escalation_reason", step.data["reason"])


def _current_round(hazard: Hazard) -> Rectification | None:
    return hazard.rectifications.order_by("-round").first()


def _submit_plan(step: Step) -> None:
    hazard, data = step.obj, step.data
    current = _current_round(hazard)
    if current is None or current.result == VerificationResult.FAILED:
        current = Rectification(hazard=hazard, round=(current.round + 1) if current else 1)
    current.plan = data["plan"]
    current.owner = data.get("owner", current.owner)
    current.planned_finish = data.get("planned_finish", current.planned_finish)
    current.plan_submitted_at = step.now
    current.save()


def _submit_evidence(step: Step) -> None:
    hazard = step.obj
    current = _current_round(hazard)
    if current is None or current.result == VerificationResult.FAILED:
        current = Rectification(hazard=hazard, round=(current.round + 1) if current else 1)
    current.evidence = step.data["evidence"]
    current.evidence_submitted_at = step.now
    current.save()


def _verify(step: Step) -> None:
    current = _current_round(step.obj)
    current.verifier = step.actor if step.actor != SYSTEM else None
    current.verified_at = step.now
    current.result = step.data["result"]
    current.verification_note = step.data.get("note", "")
    if step.data.get("retest_report") is not None:
        current.retest_report = step.data["retest_report"]
    current.save()


def _verify_guard(step: Step) -> list[str]:
    if step.data.get("result") not in VerificationResult.values:
        return [_("the result must be passed or failed")]
    return []


def _close_guard(step: Step) -> list[str]:
    current = _current_round(step.obj)
    if current is None or current.result != VerificationResult.PASSED:
        return [_("the last verification did not pass")]
    return []


def _reject(step: Step) -> None:
    current = _current_round(step.obj)
    if current.result != VerificationResult.FAILED:
        current.result = VerificationResult.FAILED
        current.verification_note = step.data["reason"]
        current.save()


def _resume(step: Step) -> None:
    previous = _current_round(step.obj)
    Rectification.objects.create(
        hazard=step.obj, round=previous.round + 1, plan=previous.plan, owner=previous.owner,
        planned_finish=step.data.get("planned_finish", previous.planned_finish),
        plan_submitted_at=step.now)


def _overdue_guard(step: Step) -> list[str]:
    deadline, today = step.obj.deadline, step.data.get("as_of") or step.today
    if deadline is None or deadline >= today:
        return [_("the deadline has not passed")]
    return []


MACHINE = Machine("supervision.Hazard", "status", (
    Transition("notify", (S.IDENTIFIED, S.ESCALATED), S.NOTIFIED,
               frozenset({REGULATOR, AGENCY}), gettext_lazy("notify the unit"),
               required=("notice_kind",), fields=("notice_kind", "notice_no", "deadline"),
               guard=_notify_guard, effect=_notify),
    Transition("submit_plan", (S.NOTIFIED,), S.PLAN_SUBMITTED, frozenset({KEY_UNIT}),
               gettext_lazy("submit the rectification plan"), required=("plan",), effect=_submit_plan),
    Transition("start", (S.PLAN_SUBMITTED,), S.RECTIFYING, frozenset({KEY_UNIT}),
               gettext_lazy("start rectifying")),
    Transition("submit_evidence", (S.RECTIFYING, S.OVERDUE, S.ESCALATED),
               S.EVIDENCE_SUBMITTED, frozenset({KEY_UNIT}), gettext_lazy("submit evidence"),
               required=("evidence",), effect=_submit_evidence),
    Transition("verify", (S.EVIDENCE_SUBMITTED,), S.VERIFIED, frozenset({REGULATOR, AGENCY}),
               gettext_lazy("verify the rectification"), required=("result",), guard=_verify_guard,
               effect=_verify),
    Transition("close", (S.VERIFIED,), S.CLOSED, frozenset({REGULATOR}),
               gettext_lazy("close the hazard"), stamp="closed_at", guard=_close_guard),
    Transition("reject", (S.VERIFIED,), S.REJECTED, frozenset({REGULATOR}),
               gettext_lazy("reject the rectification"), required=("reason",), effect=_reject),
    Transition("resume", (S.REJECTED,), S.RECTIFYING, frozenset({KEY_UNIT}),
               gettext_lazy("resume rectifying"), effect=_resume),
    Transition("mark_overdue", DEADLINE_RUNS, S.OVERDUE, frozenset({SYSTEM, REGULATOR}),
               gettext_lazy("mark overdue"), guard=_overdue_guard),
    Transition("escalate", (S.IDENTIFIED, S.NOTIFIED, S.PLAN_SUBMITTED, S.RECTIFYING,
                            S.REJECTED, S.OVERDUE), S.ESCALATED,
               frozenset({SYSTEM, REGULATOR}), gettext_lazy("escalate"), required=("reason",),
               guard=_escalate_guard, effect=_escalate),
))


def due_for_reminder(queryset: QuerySet[Hazard], today: dt.date) -> QuerySet[Hazard]:
    """Hazards whose deadline is one of :data:`REMINDER_DAYS` days away."""
    days = [today + dt.timedelta(days=d) for d in REMINDER_DAYS]
    return queryset.filter(status__in=DEADLINE_RUNS, deadline__in=days)


def sweep_overdue(today: dt.date | None = None) -> int:
    """Mark every hazard whose deadline has passed as overdue; returns how many."""
    today = today or timezone.localdate()
    count = 0
    for hazard in Hazard.objects.filter(status__in=DEADLINE_RUNS, deadline__lt=today):
        transition(hazard, "mark_overdue", SYSTEM, as_of=today)
        count += 1
    return count
