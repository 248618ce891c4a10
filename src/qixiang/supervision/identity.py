"""Identifiers of subjects and inspectors, checked on the way in.

A code that cannot be a code (wrong length or characters) is refused with the reason. A code of
the right form whose check characters fail may still be real (spec §3.1 [S46]), so it is
accepted into review: the record carries the ``review`` flag and a data quality issue, owned by
the organisation, asks for it to be confirmed or corrected. Nothing fails silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.science import identifiers
from qixiang.supervision import keys, privacy, quality
from qixiang.supervision.models import IdentifierCheck, Stage, Subject, SubjectKind

# Problems of the science checks, by code, in the user's language.
PROBLEMS = {
    "length": gettext_lazy("wrong length"),
    "charset": gettext_lazy("characters outside the code's alphabet"),
    "division": gettext_lazy("positions 3-8 are not a division code"),
    "check": gettext_lazy("the check character does not match"),
    "org_check": gettext_lazy("the organisation code's check character does not match"),
    "old_format": gettext_lazy("a 15-digit first-generation number; give the 18-character one"),
    "address": gettext_lazy("the address code names no province"),
    "birth_date": gettext_lazy("the birth date is impossible"),
}


class IdentifierError(ValueError):
    """An identifier that cannot be one; ``field`` names the column at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def describe(check: identifiers.Check) -> str:
    return "; ".join(f"{PROBLEMS.get(p.code, p.code)} ({p.message})" for p in check.problems)


@dataclass(frozen=True, slots=True)
class Checked:
    text: str
    status: str  # IdentifierCheck
    problems: str


def check_uscc(text: str) -> Checked:
    result = identifiers.validate_uscc(text)
    if result.fatal:
        raise IdentifierError("uscc", describe(result))
    return Checked(result.text, IdentifierCheck.VALID if result.valid else IdentifierCheck.REVIEW,
                   describe(result))


def check_id_no(text: str, field: str = "id_no") -> Checked:
    result = identifiers.validate_resident_id(text)
    if result.fatal:
        raise IdentifierError(field, describe(result))
    return Checked(result.text, IdentifierCheck.VALID if result.valid else IdentifierCheck.REVIEW,
                   describe(result))


def flag_for_review(obj, field: str, checked: Checked) -> None:
    """The data quality issue that keeps a failed check visible until someone confirms it."""
    rule = "capture.uscc_check" if field == "uscc" else "capture.id_no_check"
    message = _("%(field)s failed its check: %(problems)s") % {"field": field,
                                                               "problems": checked.problems}
    quality.raise_issue(rule, Stage.CAPTURE, obj, field, message, severity="error")


def subject_identity(*, uscc: str = "", id_no: str = "") -> tuple[str, Checked]:
    """``(subject code, checked identifier)`` for an organisation or a person."""
    if uscc:
        checked = check_uscc(uscc)
        return identifiers.organisation_code(checked.text), checked
    if id_no:
        checked = check_id_no(id_no)
        return identifiers.person_code(keys.lookup_key(), checked.text), checked
    raise IdentifierError("uscc", _("a subject needs a unified social credit code or an ID "
                                    "number"))


def find_subject(*, uscc: str = "", id_no: str = "") -> Subject | None:
    code, _checked = subject_identity(uscc=uscc, id_no=id_no)
    return Subject.objects.filter(subject_code=code).first()


def register_subject(name: str, region_code: str, *, uscc: str = "", id_no: str = "",
                     **fields) -> tuple[Subject, bool]:
    """Create or update the subject with this identifier; returns ``(subject, created)``.

    Raises :class:`IdentifierError` for an identifier that cannot be one. A failed check
    character keeps the record in review with a data quality issue.
    """
    code, checked = subject_identity(uscc=uscc, id_no=id_no)
    subject = Subject.objects.filter(subject_code=code).first()
    created = subject is None
    if created:
        subject = Subject(subject_code=code)
    subject.name, subject.region_code = name, region_code
    for key, value in fields.items():
        setattr(subject, key, value)
    if uscc:
        subject.kind, subject.uscc = SubjectKind.ORGANISATION, checked.text
        if subject.uscc_check != IdentifierCheck.CONFIRMED:
            subject.uscc_check = checked.status
    else:
        subject.kind = SubjectKind.PERSON
        previous = subject.id_no_check
        privacy.set_id_number(subject, checked.text, checked.status)
        if previous == IdentifierCheck.CONFIRMED:
            subject.id_no_check = previous
    subject.full_clean(exclude=["subject_code", "id_no_check", "uscc_check"])
    subject.save()
    field = "uscc" if uscc else "id_no"
    if checked.status == IdentifierCheck.REVIEW and (
            getattr(subject, f"{field}_check") == IdentifierCheck.REVIEW):
        flag_for_review(subject, field, checked)
    return subject, created
