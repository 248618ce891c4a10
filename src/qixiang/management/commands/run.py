"""``qixiang run``: the whole platform in one process, ready to use.

It lives in the package-level app rather than in one of the apps because it wires all of them:
it applies migrations, creates the first administrator (and the demo users and stations when the
demo network is on), starts the message bus, the ingest subscription, the watched folder, the
demo publisher and the supervision deadline sweep (a thread, hourly by default), and serves the
WSGI application (:mod:`qixiang.wsgi`, with the data service's fast path and journal loader)
with granian in the same process: the in-process bus only reaches subscribers of its own
process. Granian's threaded server runs its one worker as a thread here instead of a process
(:class:`InProcessGranian`); bench/dataservice.py measured granian's WSGI interface ~10x
uvicorn's ASGI on a cached answer (docs/api.md). Ctrl-C or SIGTERM stops the server, then the
publisher, the folder watcher and the bus, which delivers what it had already accepted.
"""

from __future__ import annotations

import logging
import signal
import socket
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


BLOCKING_THREADS = 4  # Python threads serving requests (pages wait on the database)


def _in_process_granian():
    """granian's threaded server (:class:`granian.server.mt.MTServer`) serving from this
    process: its worker is a thread. The class is made for free-threaded Python; with the GIL it
    serves as one worker process does (Rust I/O threads, Python on the blocking threads), which
    is what keeping the bus in this process needs."""
    from granian.server.common import AbstractServer
    from granian.server.mt import MTServer

    class InProcessGranian(MTServer):
        def _check_gil(self) -> None:
            """One worker with the GIL is a worker process's arrangement: nothing to refuse."""

        def serve(self, *args, **kwargs) -> None:
            AbstractServer.serve(self, *args, **kwargs)  # without the free-threading warning

    return InProcessGranian


def _check_free(host: str, port: int) -> None:
    """Refuse at once, in plain words, when the address is taken (granian would report it
    from its worker with a Rust backtrace)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(_("the web server could not start on %(host)s:%(port)d: "
                                 "%(error)s") % {"host": host, "port": port,
                                                 "error": exc.strerror}) from exc


class _Terminated(Exception):
    """SIGTERM arrived: leave through the same clean shutdown as Ctrl-C."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated


@dataclass
class Services:
    """The background parts of the process, stopped in reverse order of starting."""

    stoppers: list = field(default_factory=list)

    def add(self, name: str, stop) -> None:
        self.stoppers.append((name, stop))

    def stop(self) -> None:
        for name, stop in reversed(self.stoppers):
            try:
                stop()
            except Exception:
                log.exception("stopping %s failed", name)
        self.stoppers.clear()


class Command(BaseCommand):
    help = ("Run qixiang: apply migrations, create the first accounts, start the bus, the ingest, "
            "the watched folder and the demo network, and serve the web application.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--demo-interval", type=float, default=60.0, metavar="SECONDS",
            help="wall-clock seconds per simulated demo minute (default 60, real time; less runs "
                 "the demo ahead of the clock, for trying things out)")

    def handle(self, *args, host: str, port: int, demo_interval: float, **options) -> None:
        from granian.constants import Interfaces
        from granian.log import LogLevels

        from qixiang.ingest.channels.demo import demo_enabled

        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        services = Services()
        try:
            demo = demo_enabled()
            self.prepare(demo)
            self.start(services, demo, demo_interval)
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise wants it
            from qixiang.wsgi import application

            _check_free(host, port)
            server = _in_process_granian()(
                "qixiang.wsgi:application", address=host, port=port,
                interface=Interfaces.WSGI, workers=1, blocking_threads=BLOCKING_THREADS,
                log_level=LogLevels(settings.LOGGING["root"]["level"].lower()))
            self.stdout.write(self.style.SUCCESS(
                _("qixiang is running at http://%(host)s:%(port)d/ (Ctrl-C to stop)")
                % {"host": host if ":" not in host else f"[{host}]", "port": port}))
            self.stdout.flush()
            try:  # granian answers SIGINT and SIGTERM by returning from serve
                server.serve(target_loader=lambda _target: application)
            except (OSError, RuntimeError) as exc:  # granian reports a bind error as RuntimeError
                raise CommandError(_("the web server could not start on %(host)s:%(port)d: "
                                     "%(error)s") % {"host": host, "port": port,
                                                     "error": str(exc).splitlines()[0]}) from exc
            except SystemExit as exc:  # granian exits non-zero when its worker failed
                raise CommandError(_("the web server stopped with an error (exit status "
                                     "%(code)s); see the log above") % {"code": exc.code}) from exc
        except (KeyboardInterrupt, _Terminated):
            pass
        finally:
            services.stop()
            signal.signal(signal.SIGTERM, previous)
            self.stdout.write(_("qixiang stopped."))

    # --- set-up ----------------------------------------------------------------------------
    def prepare(self, demo: bool) -> None:
        """Migrations, the first administrator, and the demo users and stations."""
        from qixiang.accounts import bootstrap
        from qixiang.ingest.channels.demo import register_stations
        from qixiang.science.simulate.network import generate
        from qixiang.stations.models import Station

        call_command("migrate", interactive=False, verbosity=0)
        var_dir = Path(settings.VAR_DIR)
        admin = bootstrap.ensure_administrator(var_dir)
        if admin is not None:
            self.stdout.write(self.style.WARNING(
                _("Administrator created: %(line)s\nThe password is also in %(file)s; change it "
                  "after signing in.") % {"line": admin.line(),
                                          "file": var_dir / bootstrap.ADMIN_FILE}))
        if not demo:
            return
        bootstrap.ensure_demo_users(var_dir)
        self.seed_supervision(var_dir)
        demo_file = var_dir / bootstrap.DEMO_FILE
        self.stdout.write(self.style.WARNING(
            _("Demo mode (QIXIANG_DEMO): simulated stations and one account per role:")))
        self.stdout.write(demo_file.read_text(encoding="utf-8").rstrip())
        if not Station.objects.exists() or settings.QIXIANG_DEMO.strip().lower() == "on":
            added = register_stations(generate())
            if added:
                self.stdout.write(_("%(count)d demo stations registered.") % {"count": added})

    def seed_supervision(self, var_dir: Path) -> None:
        """The supervision demo city, when there is no supervision data yet."""
        from qixiang.supervision import demo as supervision_demo

        if not supervision_demo.has_data():
            done = supervision_demo.seed(var_dir=var_dir)
            self.stdout.write(supervision_demo.describe(done).splitlines()[0])

    def start(self, services: Services, demo: bool, demo_interval: float) -> None:
        """The bus, the ingest subscription, the watched folder and the demo publisher."""
        from qixiang.ingest.channels.service import start_channels

        try:
            channels = start_channels()
        except FileNotFoundError as exc:  # QIXIANG_WATCH_DIR is not a folder
            raise CommandError(str(exc)) from exc
        services.add("ingest channels", channels.stop)
        self.stdout.write(_("Bus %(bus)s: ingesting %(topic)s")
                          % {"bus": settings.QIXIANG_BUS, "topic": settings.QIXIANG_INGEST_TOPIC})
        for watcher in channels.watchers:
            self.stdout.write(_("Watching %(dir)s") % {"dir": watcher.root})

        from qixiang.supervision.sweep import PeriodicSweep

        sweeper = PeriodicSweep(settings.QIXIANG_SUPERVISION_SWEEP_SECONDS)
        sweeper.start()
        services.add("supervision sweep", sweeper.stop)

        from qixiang.quality.refresher import PeriodicRefresh

        refresher = PeriodicRefresh()
        refresher.start()
        services.add("quality summaries", refresher.stop)

        if demo:
            from qixiang.ingest.channels.demo import DemoPublisher, demo_dir

            publisher = DemoPublisher(channels.bus, interval=demo_interval, state_dir=demo_dir())
            publisher.start()
            services.add("demo publisher", publisher.stop)
            self.stdout.write(_("Demo network: %(count)d stations publishing every minute; "
                                "planted faults listed in %(file)s")
                              % {"count": publisher.simulator.network.size,
                                 "file": demo_dir() / "faults.jsonl"})
