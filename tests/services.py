"""Real PostgreSQL and Mosquitto servers for the tests, started on free loopback ports.

Each is a context manager that starts a private server, yields how to reach it and stops it.
When the Debian package is not installed (``scripts/install-services.sh`` installs it), it raises
:class:`Unavailable` with a message saying what is missing; the fixtures turn that into a skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator


class Unavailable(RuntimeError):
    """The server cannot be started on this machine; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise Unavailable(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL cluster; yields ``postgresql://qixiang@127.0.0.1:PORT/qixiang``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise Unavailable("PostgreSQL is not installed (Debian package postgresql); "
                          "run scripts/install-services.sh as root")
    bindir = os.path.dirname(found[-1])
    workdir = tempfile.mkdtemp(prefix="qixiang-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the package's postgres user
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no 'postgres' user") from None
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(workdir, "data")
    port = free_port()
    log = os.path.join(workdir, "server.log")

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, cwd=workdir)

    try:
        run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "qixiang", "-E", "UTF8",
            "--no-sync")
        run(f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "start", "-o",
            f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off")
        run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "qixiang", "qixiang")
        yield f"postgresql://qixiang@127.0.0.1:{port}/qixiang"
    except subprocess.CalledProcessError as exc:
        raise Unavailable(f"PostgreSQL failed to start: {exc.stderr.decode(errors='replace')}") from exc
    finally:
        subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True, cwd=workdir)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def mosquitto_broker(extra_config: str = "") -> Iterator[int]:
    """A private Mosquitto broker on loopback; yields its port. ``extra_config``: more
    ``mosquitto.conf`` lines (``max_queued_messages 0`` ...)."""
    binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto"
                                            if os.path.exists("/usr/sbin/mosquitto") else None)
    if binary is None:
        raise Unavailable("Mosquitto is not installed (Debian package mosquitto); "
                          "run scripts/install-services.sh as root")
    workdir = tempfile.mkdtemp(prefix="qixiang-mqtt-")
    port = free_port()
    conf = os.path.join(workdir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                f"{extra_config}\n")
    proc = subprocess.Popen([binary, "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
