"""Apply the data quality rules: open what they find, close what they no longer find.

For each rule, in one transaction: every finding's fingerprint (rule, record, field) that has no
open issue gets one (unless a person dismissed that very issue: a dismissal stands), and every
open issue of the rule whose fingerprint the rule did not find again is resolved as fixed. So a
second run on unchanged data changes nothing, and correcting the data closes the issue at the
next run (``qixiang supervision quality``, run daily).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qixiang.supervision.models import DataQualityIssue, IssueStatus
from qixiang.supervision.quality import OPEN, fingerprint, get_rule, rules
from qixiang.supervision.quality.interface import Finding, Rule
from qixiang.supervision.quality.issues import _subject_of


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one rule did in one run."""

    rule: str
    found: int
    opened: int
    kept: int
    closed: int


def run(names: Iterable[str] | None = None) -> list[Outcome]:
    """Apply the named rules (all registered rules by default); one :class:`Outcome` each."""
    chosen = [get_rule(n) for n in names] if names else rules()
    return [apply(rule_) for rule_ in chosen]


def apply(rule_: Rule) -> Outcome:
    with transaction.atomic():
        found: dict[str, Finding] = {}
        for finding in rule_.find():
            found.setdefault(fingerprint(rule_.name, finding.record, finding.field), finding)
        open_issues = {i.fingerprint: i for i in DataQualityIssue.objects.filter(
            rule=rule_.name, status__in=OPEN)}
        dismissed = set(DataQualityIssue.objects.filter(
            rule=rule_.name, status=IssueStatus.DISMISSED,
            fingerprint__in=[p for p in found if p not in open_issues])
            .values_list("fingerprint", flat=True))
        today, now = timezone.localdate(), timezone.now()
        opened = 0
        for print_, finding in found.items():
            if print_ in open_issues or print_ in dismissed:
                continue
            _open(rule_, finding, print_, today + dt.timedelta(days=rule_.due_days))
            opened += 1
        closed = 0
        for print_, issue in open_issues.items():
            if print_ in found:
                continue
            issue.status, issue.resolved_at = IssueStatus.RESOLVED, now
            issue.resolution = _("No longer found by the rule: the data were corrected.")
            issue.save(update_fields=["status", "resolved_at", "resolution", "updated_at"])
            closed += 1
    kept = len(found) - opened - len(dismissed & found.keys())
    return Outcome(rule_.name, len(found), opened, kept, closed)


def _open(rule_: Rule, finding: Finding, print_: str, due: dt.date) -> DataQualityIssue:
    record = finding.record
    return DataQualityIssue.objects.create(
        rule=rule_.name, stage=rule_.stage, severity=rule_.severity, field=finding.field,
        message=finding.message, content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk), record_label=str(record)[:200],
        subject=finding.subject if finding.subject is not None else _subject_of(record),
        owner_subject=finding.owner_subject, owner_user=finding.owner_user, due=due,
        fingerprint=print_)
