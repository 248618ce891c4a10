"""The first accounts of a fresh install: an administrator, and in demo mode one user per role.

Passwords are generated, never fixed in code. The administrator's is written to
``var/admin-password.txt`` and the demo users' to ``var/demo-users.txt`` (both readable by the
owner only), so ``qixiang run`` can print them and a newcomer can find them again.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from qixiang.accounts.models import Role, User

ADMIN_USERNAME = "admin"
ADMIN_FILE = "admin-password.txt"
DEMO_FILE = "demo-users.txt"

# username, role, region (GB/T 2260; empty = the whole country)
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("operator", Role.OPERATOR, ""),
    ("forecaster", Role.FORECASTER, ""),
    ("forecaster-gd", Role.FORECASTER, "440000"),
    ("datauser", Role.DATA_USER, ""),
    ("regulator", Role.REGULATOR, "110000"),
)
STAFF_ROLES = {Role.ADMINISTRATOR, Role.OPERATOR}  # may open the admin site


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str
    role: str
    region: str = ""

    def line(self) -> str:
        region = f" region={self.region}" if self.region else ""
        return f"{self.username} / {self.password}  (role={self.role}{region})"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def new_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_administrator(var_dir: Path) -> Credentials | None:
    """Create ``admin`` with a generated password when there is no user at all."""
    with transaction.atomic():
        if User.objects.exists():
            return None
        credentials = Credentials(ADMIN_USERNAME, new_password(), Role.ADMINISTRATOR)
        User.objects.create_superuser(ADMIN_USERNAME, "", credentials.password,
                                      role=Role.ADMINISTRATOR)
    _write_private(Path(var_dir) / ADMIN_FILE, credentials.line() + "\n")
    return credentials


def ensure_demo_users(var_dir: Path) -> list[Credentials]:
    """Create the missing demo users (one per role); returns the ones created now."""
    created = []
    for username, role, region in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        credentials = Credentials(username, new_password(), str(role), region)
        User.objects.create_user(username, "", credentials.password, role=role,
                                 region_code=region, is_staff=role in STAFF_ROLES)
        created.append(credentials)
    if created:
        append_demo_credentials(var_dir, created)
    return created


def append_demo_credentials(var_dir: Path, credentials: list[Credentials]) -> None:
    """Add lines to ``var/demo-users.txt`` (other apps' demo users are listed there too)."""
    path = Path(var_dir) / DEMO_FILE
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    _write_private(path, previous + "".join(c.line() + "\n" for c in credentials))
