"""``qixiang provenance-key show | rotate | retire KID``: the keys that sign provenance records.

``rotate`` makes a new signing key; running servers pick it up on their next record, and records
signed before keep verifying with the old key (still published at /provenance/keys). ``retire``
deletes the private half of an old key; its public half stays published.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qixiang.dataservice import provenance_keys


class Command(BaseCommand):
    help = "Show, rotate or retire the Ed25519 keys that sign provenance records."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("show", help="list the keys (the first key is made if none exists)")
        actions.add_parser("rotate", help="sign new records with a new key")
        retire = actions.add_parser("retire", help="delete the private half of an old key")
        retire.add_argument("kid", help="key id, as shown")

    def handle(self, *args, action: str, **options) -> None:
        if action == "rotate":
            key = provenance_keys.rotate()
            self.stdout.write(f"new signing key {key.kid} in {provenance_keys.key_dir()}")
        elif action == "retire":
            try:
                provenance_keys.retire(options["kid"])
            except (ValueError, FileNotFoundError) as exc:
                raise CommandError(f"{options['kid']}: {exc}") from None
            self.stdout.write(f"{options['kid']} retired (public key still published)")
        for jwk in provenance_keys.jwks()["keys"]:
            self.stdout.write(f"{jwk['kid']}\t{jwk['status']}\t{jwk['x']}")
