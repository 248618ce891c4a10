"""The exchange page: partners and exchanged records, each user seeing only their part."""

from __future__ import annotations

from django.test import Client

from qixiang.supervision import models as m


def listed(user, query: str = "") -> list[m.ExchangeRecord]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/supervision/exchange/{query}")
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_regulators_and_units_see_the_exchanges_of_their_own_subjects(world):
    records = {}
    for tag, province, region in (("zj", world.zj, "330106"), ("gd", world.gd, "440305")):
        partner = m.Partner.objects.create(name=f"{tag} fire", kind="fire", region_code=region)
        records[tag] = m.ExchangeRecord.objects.create(
            partner=partner, direction="in", record_type="subjects", exchange_id=f"{tag}-1",
            payload={}, payload_sha256="0" * 64, status="applied", subject=province.subject)
    assert listed(world.users["zj_city"]) == [records["zj"]]
    assert listed(world.zj.unit_user) == [records["zj"]]
    assert listed(world.gd.unit_user) == [records["gd"]]
    assert listed(world.users["admin"], "?direction=in&kind=subjects&status=applied")
    assert listed(world.users["admin"], "?status=rejected") == []


def test_the_page_refuses_users_without_a_supervision_role(world):
    client = Client()
    client.force_login(world.users["forecaster"])
    assert client.get("/supervision/exchange/").status_code == 403
