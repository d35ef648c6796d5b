"""Starts ``faka local`` once per test session, on free ports, and talks to it over HTTP only."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
FAKA = Path(sys.executable).with_name("faka")
READY_TIMEOUT_SECONDS = 60
ADMIN_TOKEN = "e2e-admin-token"
WEBHOOK_SECRET = "whsec_e2e_secret"
SIGNING_SECRET = "e2e-signing-secret"
# What CloudFront would add on AWS; requests carrying it have their CloudFront-Viewer-Country believed.
ORIGIN_VERIFY_SECRET = "e2e-origin-verify-secret"


@dataclass(frozen=True)
class LocalFaka:
    api_url: str
    emulator_url: str
    http: requests.Session

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.api_url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.api_url + path, timeout=30, **kwargs)

    def aws(self, service: str) -> Any:
        """A client of the emulator behind this faka local, as any AWS tool would make one."""
        return boto3.client(
            service,
            endpoint_url=self.emulator_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


def wait_until_healthy(process: subprocess.Popen[bytes], api_url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"faka local exited with {process.returncode}:\n{_tail(log)}")
        try:
            if requests.get(f"{api_url}/v1/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"faka local was not healthy within {READY_TIMEOUT_SECONDS} s:\n{_tail(log)}")


# The seeded demo shop holds a dozen keys per product; the whole e2e session buys more than that of its
# best seller, and a test must not find it sold out because of the tests that ran before it.
E2E_STOCK = 300


def _restock_the_demo_shop(http: requests.Session, api_url: str) -> None:
    keys = {"batch": "E2E", "keys": [f"E2E{n:05d}-{secrets.token_hex(5).upper()}" for n in range(E2E_STOCK)]}
    response = http.post(
        f"{api_url}/v1/admin/products/steam-20-us/keys",
        json=keys,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=60,
    )
    response.raise_for_status()


# A bound for a hung process only; `faka local` stops in about a second (printed by each stop).
STOP_BOUND_SECONDS = 20


def launch(log: Path, **variables: str) -> tuple[subprocess.Popen[bytes], str, str]:
    """``faka local`` on free ports, its output in ``log``; returns the process, the API's and the emulator's URLs."""
    api_port, emulator_port = _free_port(), _free_port()
    environment = {
        **os.environ,
        "FAKA_LOCAL_PORT": str(api_port),
        "FAKA_EMULATOR_PORT": str(emulator_port),
        "FAKA_ADMIN_TOKEN": ADMIN_TOKEN,
        "FAKA_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "FAKA_SIGNING_SECRET": SIGNING_SECRET,
        "FAKA_ORIGIN_VERIFY_SECRET": ORIGIN_VERIFY_SECRET,
        **variables,
    }
    # A file, not a pipe: nobody reads the log while tests run, and a full pipe would block the server.
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - the project's own console script
            [str(FAKA), "local"], cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    return process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{emulator_port}"


def stop(process: subprocess.Popen[bytes], log: Path, stop_signal: signal.Signals = signal.SIGINT) -> float:
    """Sends ``stop_signal`` (Ctrl-C by default) and waits for a clean exit; returns the seconds it took."""
    sent = time.monotonic()
    process.send_signal(stop_signal)
    try:
        process.wait(timeout=STOP_BOUND_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"faka local was still running {STOP_BOUND_SECONDS} s after {stop_signal.name}:\n{_tail(log)}")
    seconds = time.monotonic() - sent
    print(f"\nfaka local exited {seconds:.2f} s after {stop_signal.name}")
    if process.returncode != 0:
        pytest.fail(f"faka local stopped with {process.returncode}:\n{_tail(log)}")
    return seconds


@pytest.fixture(scope="session")
def local_faka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFaka]:
    log = tmp_path_factory.mktemp("faka-local") / "output.log"
    process, api_url, emulator_url = launch(
        log,
        # Seconds, not days, so the escalation tests see all three levels (whole seconds: moto's waits).
        FAKA_ESCALATION_SECONDS="3,6,9",
        FAKA_QUIET_HOURS="off",
        # A dropped webhook is looked up after 2 s, every 2 s, so reconciliation is seen within seconds.
        FAKA_RECONCILE_AFTER_SECONDS="2",
        FAKA_LOCAL_RECONCILE_INTERVAL="2",
        # A queued ticket's first answer is due after 3 s and it escalates after 6 s, swept every second.
        FAKA_TICKET_SLA_SECONDS="3,6",
        FAKA_LOCAL_TICKET_SLA_INTERVAL="1",
    )
    try:
        wait_until_healthy(process, api_url, log)
        with requests.Session() as http:
            _restock_the_demo_shop(http, api_url)
            yield LocalFaka(api_url, emulator_url, http)
    finally:
        stop(process, log)
