"""ID numbers: encrypted at rest, masked unless role and recorded purpose allow, every read logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from qixiang.supervision import models as m
from qixiang.supervision import privacy

ID = "11010519491231002X"


@pytest.fixture
def inspector(world) -> m.Inspector:
    person = world.zj.inspectors[0]
    privacy.set_id_number(person, ID)
    person.save()
    return person


def grant(user, purpose="identity_check", scope="inspector.id_no", days=1, revoked=False):
    return m.AccessGrant.objects.create(grantee=user, purpose=purpose, scope=scope,
                                        expires_at=timezone.now() + dt.timedelta(days=days),
                                        revoked=revoked)


def test_the_number_is_not_stored_in_clear_anywhere_in_the_row(inspector):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM supervision_inspector WHERE id = %s", [inspector.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert ID not in row and "19491231" not in row
    assert inspector.id_no_masked in row


def test_the_trail_never_holds_the_number_nor_its_ciphertext(inspector):
    changes = " ".join(str(e.change) for e in m.AuditEntry.objects.all())
    assert ID not in changes and inspector.id_no_encrypted not in changes


def test_a_regulator_with_a_grant_reads_it_and_the_read_is_logged(world, inspector):
    regulator = world.users["zj_county"]
    grant(regulator)
    assert privacy.reveal_id_number(inspector, regulator, "identity_check") == ID
    entry = m.AuditEntry.objects.filter(action="personal_data.read").get()
    assert (entry.actor, entry.object_id) == ("zj_county", str(inspector.pk))
    assert entry.change["purpose"] == "identity_check" and entry.at is not None


@pytest.mark.parametrize("case", ["no grant", "other purpose", "expired", "revoked",
                                  "other region", "key unit", "other agency"])
def test_without_role_region_and_a_live_grant_for_the_purpose_it_stays_masked(world, inspector,
                                                                              case):
    users = {"other region": "gd_province", "key unit": "zj_unit", "other agency": "gd_agency"}
    user = world.users[users.get(case, "zj_county")]
    if case != "no grant":
        grant(user, purpose="enforcement" if case == "other purpose" else "identity_check",
              days=-1 if case == "expired" else 1, revoked=case == "revoked")
    with pytest.raises(PermissionDenied):
        privacy.reveal_id_number(inspector, user, "identity_check")
    assert privacy.shown_id_number(inspector, user, "identity_check") == "110105********002X"
    assert m.AuditEntry.objects.filter(action="personal_data.refused").exists()


def test_the_agency_reads_its_own_inspectors_number_for_an_identity_check(world, inspector):
    grant(world.zj.agency_user)
    assert privacy.shown_id_number(inspector, world.zj.agency_user, "identity_check") == ID
    assert privacy.shown_id_number(inspector, world.zj.agency_user) == "110105********002X"


def test_the_same_person_is_found_in_two_agencies_by_the_lookup_hash(world, inspector):
    other = world.gd.inspectors[0]
    privacy.set_id_number(other, ID.lower())
    other.save()
    found = privacy.with_id_number(m.Inspector.objects.all(), ID)
    assert set(found) == {inspector, other}
