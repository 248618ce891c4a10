"""The EDR OpenAPI document describes every route, its EDR parameter names and answers."""

from __future__ import annotations

import orjson
import pytest

pytestmark = pytest.mark.django_db

BASE = "/collections/{collectionId}"


def test_openapi_lists_every_edr_route_with_its_parameters_and_answers(client):
    doc = orjson.loads(client.get("/edr/openapi.json").content)
    paths = {p.removeprefix("/edr") for p in doc["paths"]}
    assert paths >= {"/", "/conformance", "/collections", BASE, f"{BASE}/position",
                     f"{BASE}/radius", f"{BASE}/area", f"{BASE}/cube", f"{BASE}/locations",
                     f"{BASE}/locations/{{locationId}}", f"{BASE}/items",
                     f"{BASE}/items/{{itemId}}"}
    radius = doc["paths"][f"/edr{BASE}/radius"]["get"]
    names = {p["name"] for p in radius["parameters"]}
    assert names >= {"collectionId", "coords", "within", "within-units", "datetime",
                     "parameter-name", "f"}
    answers = radius["responses"]
    assert set(answers) >= {"200", "304", "400", "401", "404", "413", "429"}
    assert set(answers["200"]["content"]) == {
        "application/prs.coverage+json", "application/geo+json", "text/csv",
        "application/x-netcdf", "text/html"}


def test_landing_page_links_the_openapi_document_and_its_offline_docs(client):
    links = {link["rel"]: link["href"] for link in
             orjson.loads(client.get("/edr/").content)["links"]}
    assert links["service-desc"].endswith("/edr/openapi.json")
    assert client.get("/edr/docs").status_code == 200
