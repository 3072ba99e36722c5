"""What `make run` (scripts/run.sh) exposes: Rasa's HTTP API only with a token
or JWT secret, CORS only for configured origins, every server on loopback, and
no model but the one it started with (tests/test_model_guard.py walks every
route)."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
import requests
import yaml

from tests.servers import ROOT, START_TIMEOUT_S, free_port, poll_until

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

READY = "Chat in your browser"
SETTINGS = (
    "RASA_AUTH_TOKEN",
    "RASA_JWT_SECRET",
    "RASA_CORS_ORIGINS",
    "IDENTITY_SECRET",
    "IDENTITY_SECRET_FILE",
)


@dataclass(frozen=True)
class Running:
    rasa: str
    ports: dict[str, int]
    workdir: Path


@contextmanager
def run_script(workdir: Path, **settings: str) -> Iterator[Running]:
    ports = {"rasa": free_port(), "web": free_port(), "actions": free_port()}
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{ports['actions']}/webhook"
    config["tracker_store"]["db"] = str(workdir / "conversations.db")
    (workdir / "endpoints.yml").write_text(yaml.safe_dump(config))
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env |= {
        "RASA_PORT": str(ports["rasa"]),
        "WEB_PORT": str(ports["web"]),
        "ACTION_PORT": str(ports["actions"]),
        "ENDPOINTS": str(workdir / "endpoints.yml"),
        # where the script keeps the secret it generates (var/secrets/ by default)
        "IDENTITY_SECRET_FILE": str(workdir / "secrets" / "identity_secret"),
        **settings,
    }
    log = workdir / "run.log"
    with log.open("w") as out:
        script = subprocess.Popen(
            [str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY not in log.read_text():
            if script.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"run.sh did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield Running(f"http://127.0.0.1:{ports['rasa']}", ports, workdir)
    finally:
        os.killpg(script.pid, signal.SIGTERM)
        script.wait(timeout=30)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port` (from /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def preflight(url: str, origin: str) -> str | None:
    reply = requests.options(
        f"{url}/webhooks/rest/webhook",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    return reply.headers.get("Access-Control-Allow-Origin")


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Iterator[Running]:
    with run_script(tmp_path_factory.mktemp("run-default")) as running:
        yield running


@pytest.fixture(scope="module")
def secured_run(tmp_path_factory) -> Iterator[Running]:
    with run_script(
        tmp_path_factory.mktemp("run-secured"),
        RASA_AUTH_TOKEN="a-token",
        RASA_JWT_SECRET="a-jwt-secret",
        RASA_CORS_ORIGINS="https://site.example,https://other.example",
    ) as running:
        yield running


@pytest.mark.parametrize("route", ["/status", "/conversations/someone/tracker"])
def test_the_api_is_off_without_a_token_or_jwt_secret(default_run, route):
    assert requests.get(default_run.rasa + route, timeout=30).status_code == 404


def test_chat_works_and_every_server_listens_on_loopback_only(default_run):
    reply = requests.post(
        f"{default_run.rasa}/webhooks/rest/webhook",
        json={"sender": "loopback", "message": "hello"},
        timeout=30,
    )

    assert reply.ok and reply.json()
    for server, port in default_run.ports.items():
        assert listening_addresses(port), server
        assert listening_addresses(port) <= LOOPBACK, server


def test_without_a_secret_one_is_made_for_this_user_only_and_senders_are_hidden(
    default_run,
):
    sender = "+447700900123"
    requests.post(
        f"{default_run.rasa}/webhooks/rest/webhook",
        json={"sender": sender, "message": "hello"},
        timeout=30,
    ).raise_for_status()

    secret = default_run.workdir / "secrets" / "identity_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_text().strip()) >= 32
    stored = poll_until(
        lambda: stored_senders(default_run.workdir / "conversations.db"), bool
    )
    assert all(s.startswith("rest:") and sender[1:] not in s for s in stored)


def stored_senders(db: Path) -> set[str]:
    with sqlite3.connect(db) as connection:
        return {row[0] for row in connection.execute("SELECT sender_id FROM events")}


def test_no_web_page_may_call_rasa_by_default(default_run):
    assert preflight(default_run.rasa, "https://site.example") is None


def token_for(secret: str, role: str = "admin") -> str:
    return jwt.encode({"user": {"username": "ops", "role": role}}, secret, "HS256")


@pytest.mark.parametrize(
    "params, headers, status",
    [
        ({}, {}, 401),
        ({"token": "wrong"}, {}, 401),
        ({"token": "a-token"}, {}, 200),
        ({}, {"Authorization": f"Bearer {token_for('a-jwt-secret')}"}, 200),
        ({}, {"Authorization": f"Bearer {token_for('not-the-secret')}"}, 401),
        ({}, {"Authorization": f"Bearer {token_for('a-jwt-secret', 'user')}"}, 403),
    ],
)
def test_with_a_token_or_jwt_secret_every_api_call_needs_one(
    secured_run, params, headers, status
):
    reply = requests.get(
        f"{secured_run.rasa}/status", params=params, headers=headers, timeout=30
    )

    assert reply.status_code == status


@pytest.mark.parametrize(
    "origin, allowed",
    [("https://site.example", True), ("https://other.example", True),
     ("https://evil.example", False)],
)  # fmt: skip
def test_only_the_configured_origins_may_call_rasa(secured_run, origin, allowed):
    assert (preflight(secured_run.rasa, origin) == origin) is allowed


@pytest.mark.parametrize(
    "body, status",
    [
        ({"model_file": "/etc/passwd"}, 403),
        ({"model_file": "models/../endpoints.yml"}, 403),
        ({"model_file": "x", "model_server": {"url": "https://models.example"}}, 403),
        ({"model_file": "models/pct-assistant.tar.gz"}, 204),
    ],
)
def test_only_the_model_it_started_with_loads(secured_run, body, status):
    reply = requests.put(
        f"{secured_run.rasa}/model",
        params={"token": "a-token"},
        json=body,
        timeout=120,
    )

    assert reply.status_code == status
