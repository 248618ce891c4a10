"""Subjects enter with checked identifiers; a failed check goes to review, never silently."""

from __future__ import annotations

import pytest
from django.test import Client

from qixiang.supervision import identity, sitecodes
from qixiang.supervision import models as m

pytestmark = pytest.mark.django_db


def test_a_valid_credit_code_gives_the_organisation_its_supervision_code():
    subject, created = identity.register_subject("Depot", "330106", uscc="91110108551385082Q")
    assert created and subject.subject_code == "U91110108551385082Q"
    assert subject.uscc_check == m.IdentifierCheck.VALID and not subject.in_review
    assert not m.DataQualityIssue.objects.exists()
    again, created = identity.register_subject("Depot Ltd", "330106", uscc="91110108551385082q")
    assert not created and again.pk == subject.pk and again.name == "Depot Ltd"


def test_a_code_failing_its_check_is_accepted_into_review_with_a_quality_issue():
    subject, _ = identity.register_subject("Odd Co", "330106", uscc="91110108551385082R")
    assert subject.uscc_check == m.IdentifierCheck.REVIEW and subject.in_review
    issue = m.DataQualityIssue.objects.get()
    assert (issue.rule, issue.stage, issue.field) == ("capture.uscc_check", "capture", "uscc")
    assert issue.subject == subject and issue.owner_subject == subject
    assert "check character" in issue.message
    identity.register_subject("Odd Co", "330106", uscc="91110108551385082R")
    assert m.DataQualityIssue.objects.count() == 1  # one open issue however often it is seen


def test_a_code_that_cannot_be_one_is_refused_naming_the_field():
    with pytest.raises(identity.IdentifierError) as refused:
        identity.register_subject("Bad", "330106", uscc="9111010855138508")
    assert refused.value.field == "uscc" and "length" in str(refused.value)
    assert not m.Subject.objects.exists()


def test_a_person_is_known_by_a_keyed_hash_and_the_number_is_stored_encrypted():
    subject, _ = identity.register_subject("Zhang San", "110105", id_no="11010519491231002X")
    assert subject.kind == m.SubjectKind.PERSON and subject.subject_code.startswith("P")
    assert subject.id_no_masked == "110105********002X"
    assert "19491231" not in subject.id_no_encrypted and subject.id_no_encrypted
    assert "19491231" not in subject.subject_code
    assert identity.find_subject(id_no="11010519491231002x") == subject


def test_the_site_qr_code_opens_the_site_page_and_the_scan_is_kept(world):
    site = world.zj.site
    client = Client()
    client.force_login(world.zj.agency_user)
    png = client.get(f"/supervision/sites/{site.pk}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    token = sitecodes.token_for(site)
    scanned = client.get(f"/supervision/s/{token}")
    assert scanned.status_code == 302 and scanned["Location"] == f"/supervision/sites/{site.pk}/"
    assert m.AuditEntry.objects.filter(action="site.scan", object_id=str(site.pk)).exists()
    page = client.get(scanned["Location"])
    assert page.status_code == 200 and site.site_code in page.content.decode()


def test_a_forged_code_or_someone_elses_site_is_not_opened(world):
    client = Client()
    client.force_login(world.gd.unit_user)
    token = sitecodes.token_for(world.zj.site)
    assert client.get(f"/supervision/s/{token}").status_code == 404
    assert client.get(f"/supervision/s/{token[:-3]}xyz").status_code == 404
    assert client.get(f"/supervision/sites/{world.zj.site.pk}/qr.png").status_code == 404
    anonymous = Client().get(f"/supervision/s/{token}")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
