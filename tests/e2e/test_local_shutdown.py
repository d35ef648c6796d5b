"""``faka local`` ends on Ctrl-C or SIGTERM, with a day's state on its heap and while it is still starting.

Each test runs its own process (the session's one is stopped the same way by the ``local_faka`` fixture).
How long the exit took is printed, never asserted: ``stop`` fails only on a process still alive at its bound.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.conftest import READY_TIMEOUT_SECONDS, launch, stop, wait_until_healthy

pytestmark = pytest.mark.e2e

PAID_ORDERS = 20


def _pay_orders(api_url: str, count: int) -> None:
    """Paid orders, with the keys, mail, events and escalations that follow them: state on the emulator's heap."""
    with requests.Session() as http:
        for n in range(count):
            order: dict[str, str | int] = {
                "sku": "steam-20-us",
                "quantity": 1,
                "email": f"stop-{n}@example.com",
                "locale": "en",
            }
            created = http.post(f"{api_url}/v1/orders", json=order, timeout=30)
            assert created.status_code == 201, created.text
            paid = http.post(f"{api_url}/_local/pay/{created.json()['order_id']}", timeout=30)
            assert paid.status_code == 200, paid.text


def _accepts_connections(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_faka_local_exits_after_its_stop_signal(stop_signal: signal.Signals, tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    process, api_url, _ = launch(log)
    try:
        wait_until_healthy(process, api_url, log)
        _pay_orders(api_url, PAID_ORDERS)
    finally:
        stop(process, log, stop_signal)

    output = log.read_text(errors="replace")
    assert "faka local stopped" in output


def test_ctrl_c_while_faka_local_starts_stops_it_there(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    process, api_url, emulator_url = launch(log)
    try:
        # The emulator answers before the tables, queues and demo shops exist: start-up is under way.
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not _accepts_connections(emulator_url):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, f"the emulator did not start within {READY_TIMEOUT_SECONDS} s"
            time.sleep(0.05)
    finally:
        stop(process, log)

    output = log.read_text(errors="replace")
    assert "faka local stopped" in output
    assert "faka local is running" not in output, "start-up ran to its end before Ctrl-C was honoured"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{api_url}/v1/health", timeout=2)
