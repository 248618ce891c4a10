"""The in-process bus: MQTT wildcard matching, isolation of failing handlers, batches, backpressure."""

from __future__ import annotations

import threading

import pytest

from qixiang.bus import BusFull, get_bus, make_bus, obs_topic
from qixiang.bus.inprocess import InProcessBus
from qixiang.bus.interface import check_pattern, check_topic


class Collect:
    """A handler that remembers what it got and on which thread."""

    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.threads: set[str] = set()

    def __call__(self, topic: str, payload: bytes) -> None:
        self.got.append((topic, payload))
        self.threads.add(threading.current_thread().name)


def deliver(bus: InProcessBus, messages: list[tuple[str, bytes]]) -> None:
    bus.start()
    for topic, payload in messages:
        bus.publish(topic, payload)
    bus.stop()  # stop delivers what was accepted, so the handlers have run when it returns


@pytest.mark.parametrize(
    ("pattern", "topic", "expected"),
    [
        ("qixiang/obs/#", "qixiang/obs/demo/54511", True),
        ("qixiang/obs/#", "qixiang/obs", True),  # '#' also matches the parent level
        ("qixiang/obs/#", "qixiang/observations/x", False),
        ("qixiang/obs/+/54511", "qixiang/obs/demo/54511", True),
        ("qixiang/obs/+/54511", "qixiang/obs/demo/54511/extra", False),
        ("qixiang/obs/+/54511", "qixiang/obs/54511", False),
        ("qixiang/+/+/+", "qixiang/obs/demo/54511", True),
        ("+/+", "/finance", True),  # an empty level is a level
        ("#", "$SYS/broker/uptime", False),  # wildcards skip $-topics at the first level
        ("$SYS/#", "$SYS/broker/uptime", True),
        ("qixiang/obs/demo/54511", "qixiang/obs/demo/54511", True),
        ("qixiang/obs/demo/54511", "qixiang/obs/demo/54512", False),
    ],
)
def test_wildcards_follow_mqtt_rules(pattern, topic, expected):
    bus = InProcessBus()
    got = Collect()
    bus.subscribe(pattern, got)
    deliver(bus, [(topic, b"x")])
    assert got.got == ([(topic, b"x")] if expected else [])


def test_handler_under_two_matching_patterns_is_called_once():
    bus = InProcessBus()
    got = Collect()
    bus.subscribe("qixiang/obs/#", got)
    bus.subscribe("qixiang/obs/+/54511", got)
    deliver(bus, [("qixiang/obs/demo/54511", b"x")])
    assert got.got == [("qixiang/obs/demo/54511", b"x")]


def test_payload_bytes_arrive_unchanged_and_in_order():
    bus = InProcessBus()
    got = Collect()
    bus.subscribe("t/#", got)
    messages = [("t/a", bytes([i, 0, 255]) + "气象".encode()) for i in range(200)]
    deliver(bus, messages)
    assert got.got == messages


def test_failing_handler_is_isolated_and_worker_survives(caplog):
    bus = InProcessBus()
    got = Collect()

    def broken(topic: str, payload: bytes) -> None:
        raise RuntimeError("handler bug")

    bus.subscribe("t/#", broken)
    bus.subscribe("t/#", got)
    deliver(bus, [("t/1", b"a"), ("t/2", b"b")])
    assert got.got == [("t/1", b"a"), ("t/2", b"b")]  # the other handler saw every message
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.exc_info[1].args[0] for r in failures] == ["handler bug", "handler bug"]
    assert "t/1" in failures[0].getMessage()  # the log names the topic

    deliver(bus, [("t/3", b"c")])  # the bus still works afterwards
    assert got.got[-1] == ("t/3", b"c")


def test_handlers_run_on_the_bus_worker_thread():
    bus = InProcessBus()
    got = Collect()
    bus.subscribe("t", got)
    deliver(bus, [("t", b"x")])
    assert got.threads == {"bus-inprocess"}
    assert threading.current_thread().name not in got.threads


def test_batch_handler_is_flushed_after_each_run_with_its_messages():
    bus = InProcessBus(max_batch=3)

    class Batches:
        def __init__(self) -> None:
            self.pending: list[bytes] = []
            self.runs: list[list[bytes]] = []

        def __call__(self, topic: str, payload: bytes) -> None:
            self.pending.append(payload)

        def flush(self) -> None:
            self.runs.append(self.pending)
            self.pending = []

    batches = Batches()
    bus.subscribe("t", batches)
    for i in range(7):  # queued before start: delivered in runs of at most max_batch
        bus.publish("t", b"%d" % i)
    deliver(bus, [])
    assert [len(run) for run in batches.runs] == [3, 3, 1]
    assert [p for run in batches.runs for p in run] == [b"%d" % i for i in range(7)]


def test_full_queue_blocks_the_publisher_until_the_worker_makes_room():
    bus = InProcessBus(maxsize=2, max_batch=1)
    release = threading.Event()
    got = Collect()

    def slow(topic: str, payload: bytes) -> None:
        release.wait()
        got(topic, payload)

    bus.subscribe("t", slow)
    bus.start()
    bus.publish("t", b"1")  # taken by the worker, which waits in the handler
    published = threading.Event()

    def publisher() -> None:
        for i in range(2, 6):
            bus.publish("t", b"%d" % i)
        published.set()

    thread = threading.Thread(target=publisher)
    thread.start()
    assert not published.wait(0.2)  # blocked: the queue holds 2 and the worker is busy
    release.set()
    thread.join()
    bus.stop()
    assert [p for _, p in got.got] == [b"1", b"2", b"3", b"4", b"5"]


def test_publishing_from_a_handler_into_a_full_queue_raises_instead_of_deadlocking():
    bus = InProcessBus(maxsize=1, max_batch=1)
    errors: list[Exception] = []

    def echo(topic: str, payload: bytes) -> None:
        try:
            for _ in range(3):
                bus.publish("other", payload)
        except BusFull as exc:
            errors.append(exc)

    bus.subscribe("t", echo)
    deliver(bus, [("t", b"x")])
    assert errors and "queue full" in str(errors[0])


def test_bad_topics_patterns_and_payloads_are_refused():
    bus = InProcessBus()
    with pytest.raises(ValueError, match="wildcards"):
        bus.publish("qixiang/obs/#", b"x")
    with pytest.raises(TypeError, match="bytes"):
        bus.publish("t", "text")  # type: ignore[arg-type]
    for pattern in ("a/#/b", "a/b#", "a/+b", ""):
        with pytest.raises(ValueError):
            check_pattern(pattern)
    with pytest.raises(ValueError):
        check_topic("")


def test_get_bus_shares_one_bus_per_url_and_names_the_known_ones():
    assert get_bus("inprocess") is get_bus("inprocess")
    assert make_bus("inprocess") is not get_bus("inprocess")
    assert isinstance(make_bus("inprocess://?maxsize=5"), InProcessBus)
    with pytest.raises(ValueError, match="unknown bus"):
        get_bus("amqp://localhost")


def test_obs_topic_layout():
    assert obs_topic("demo", "54511") == "qixiang/obs/demo/54511"
    with pytest.raises(ValueError, match="station"):
        obs_topic("demo", "a/b")
