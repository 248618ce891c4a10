"""Subjects: organisations by credit code, persons by ID number (kept only encrypted here).

A pushed ID number goes through :func:`qixiang.supervision.identity.register_subject` (encrypted,
hashed, masked; a failed check character accepted into review with a data quality issue) and
is replaced by its keyed hash and mask before the payload is hashed and stored. Pulled
subjects carry the supervision code and, for persons, the mask only.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qixiang.science import identifiers
from qixiang.supervision import identity, privacy
from qixiang.supervision import models as m
from qixiang.supervision.exchange import refs
from qixiang.supervision.exchange.interface import ExchangeError, Kind


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field("", max_length=18, description="unified social credit code (organisations)")
    id_no: str = Field("", max_length=18, description="resident ID number (persons)")
    name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 division code")
    address: str = Field("", max_length=300)
    legal_representative: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)

    @model_validator(mode="after")
    def one_identifier(self) -> SubjectIn:
        if bool(self.uscc) == bool(self.id_no):
            raise ValueError("give exactly one of uscc (organisation) or id_no (person)")
        return self


def redact(data: dict) -> dict:
    if not isinstance(data, dict) or not data.get("id_no"):
        return data
    number = identifiers.normalise(str(data["id_no"]))
    kept = {k: v for k, v in data.items() if k != "id_no"}
    kept["id_no_hash"] = privacy.id_hash(number)
    kept["id_no_masked"] = identifiers.mask_resident_id(number) if len(number) == 18 else ""
    return kept


def apply(partner: m.Partner, exchange_id: str, data: dict, existing: m.Subject | None):
    refs.covered(partner, data["region_code"])
    try:
        found = identity.find_subject(uscc=data["uscc"], id_no=data["id_no"])
    except identity.IdentifierError as exc:
        raise ExchangeError(exc.field, str(exc)) from exc
    for current in {s for s in (found, existing) if s is not None}:
        refs.covered(partner, current.region_code)
    fields = {k: data[k] for k in ("address", "legal_representative", "phone")}
    try:
        return identity.register_subject(data["name"], data["region_code"], uscc=data["uscc"],
                                         id_no=data["id_no"], **fields)
    except identity.IdentifierError as exc:
        raise ExchangeError(exc.field, str(exc)) from exc


def serialise(s: m.Subject) -> dict:
    data = {"subject_code": s.subject_code, "kind": s.kind, "name": s.name,
            "region_code": s.region_code, "address": s.address}
    if s.kind == m.SubjectKind.ORGANISATION:
        data.update(uscc=s.uscc, uscc_check=s.uscc_check,
                    legal_representative=s.legal_representative, phone=s.phone)
    else:
        data.update(id_no_masked=s.id_no_masked, id_no_check=s.id_no_check)
    return data


KIND = Kind("subjects", m.Subject, exchange_id=lambda s: s.subject_code, serialise=serialise,
            region_of=lambda s: s.region_code, schema=SubjectIn, apply=apply, redact=redact)
