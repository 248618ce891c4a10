"""``qixiang apikey create USER [--name N]`` and ``list`` / ``revoke``: API keys from the shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qixiang.accounts.apikeys import create_api_key, revoke
from qixiang.accounts.models import ApiKey, User


class Command(BaseCommand):
    help = "Create, list or revoke API keys. The clear key is printed once, at creation."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a key for USER and print it once")
        create.add_argument("user", help="username")
        create.add_argument("--name", default="", help="what the key is for")
        listing = actions.add_parser("list", help="list keys (prefix only)")
        listing.add_argument("user", nargs="?", help="only this user's keys")
        revoking = actions.add_parser("revoke", help="revoke the keys starting with PREFIX")
        revoking.add_argument("prefix", help="the first characters of the key, as listed")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None

    def _create(self, user: str, name: str, **_) -> None:
        row, key = create_api_key(self._user(user), name)
        self.stderr.write(f"API key {row.prefix}… for {row.user} ({row.user.role}); "
                          "it is shown only now:")
        self.stdout.write(key)

    def _list(self, user: str | None = None, **_) -> None:
        keys = ApiKey.objects.select_related("user")
        if user:
            keys = keys.filter(user=self._user(user))
        for row in keys:
            used = row.last_used_at.isoformat() if row.last_used_at else "never"
            state = "revoked" if row.revoked else "active"
            self.stdout.write(f"{row.prefix}\t{row.user}\t{state}\t{row.created_at.isoformat()}"
                              f"\tlast used {used}\t{row.name}")

    def _revoke(self, prefix: str, **_) -> None:
        count = revoke(prefix)
        if not count:
            raise CommandError(f"no active key starts with {prefix!r}")
        self.stdout.write(f"{count} key(s) revoked")
