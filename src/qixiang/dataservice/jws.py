"""Compact JWS signed with Ed25519 ("EdDSA", RFC 7515 and RFC 8037), with ``cryptography`` alone.

A provenance record is ``base64url(header) "." base64url(payload) "." base64url(signature)``,
the signature over the first two parts, as every JOSE library reads it. Signing one costs one
Ed25519 signature and two base64 encodings: no JOSE library is needed for that, and none sits on
the per-answer path. Keys are ``cryptography`` Ed25519 keys; published keys are OKP JWKs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"


class InvalidToken(ValueError):
    """Not a compact JWS, or one whose signature does not verify; the message says why."""


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64url_decode(text: str | bytes) -> bytes:
    raw = text.encode("ascii") if isinstance(text, str) else text
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken(f"bad base64url: {exc}") from None


def sign(payload: bytes, key: Ed25519PrivateKey, header: Mapping[str, str]) -> str:
    """The compact JWS of ``payload`` with ``header`` (its ``alg`` is set to EdDSA)."""
    head = b64url(orjson.dumps({"alg": ALGORITHM, **header}))
    signing_input = head + b"." + b64url(payload)
    return (signing_input + b"." + b64url(key.sign(signing_input))).decode("ascii")


def _parts(token: str) -> list[str]:
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise InvalidToken("not a compact JWS (three base64url parts joined by dots)")
    return parts


def header(token: str) -> dict:
    """The header of ``token``, unverified."""
    try:
        value = orjson.loads(b64url_decode(_parts(token)[0]))
    except orjson.JSONDecodeError as exc:
        raise InvalidToken(f"header is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidToken("header is not a JSON object")
    return value


def payload(token: str) -> bytes:
    """The payload of ``token``, unverified."""
    return b64url_decode(_parts(token)[1])


def verify(token: str, keys: Mapping[str, Ed25519PublicKey]) -> tuple[dict, bytes]:
    """``(header, payload)`` of ``token`` once its EdDSA signature verifies with the key its
    ``kid`` names in ``keys``; raises :class:`InvalidToken` otherwise."""
    head = header(token)
    if head.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {head.get('alg')!r} is not {ALGORITHM}")
    kid = head.get("kid", "")
    if kid not in keys:
        raise InvalidToken(f"signed with key {kid!r}, which is not among the published keys")
    encoded_head, encoded_payload, signature = _parts(token)
    try:
        keys[kid].verify(b64url_decode(signature),
                         f"{encoded_head}.{encoded_payload}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        raise InvalidToken(f"signature does not verify with key {kid}") from None
    return head, b64url_decode(encoded_payload)


def public_jwk(key: Ed25519PublicKey, kid: str) -> dict:
    """The OKP JWK (RFC 8037) of ``key``."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "alg": ALGORITHM, "use": "sig", "kid": kid,
            "x": b64url(raw).decode("ascii")}


def public_key(jwk: Mapping) -> Ed25519PublicKey:
    """The Ed25519 public key of an OKP JWK; raises :class:`InvalidToken` for anything else."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not jwk.get("x"):
        raise InvalidToken(f"key {jwk.get('kid', '?')!r} is not an Ed25519 OKP JWK")
    raw = b64url_decode(jwk["x"])
    if len(raw) != 32:
        raise InvalidToken(f"key {jwk.get('kid', '?')!r}: x is not 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)
