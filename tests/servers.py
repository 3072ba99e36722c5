"""Start the real action server and Rasa server on free loopback ports for tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import requests
import yaml

from channels import identity

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "pct-assistant.tar.gz"
BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
START_TIMEOUT_S = 180
# Sanic drops a connection that sends nothing for 5 s, even a new one; Rasa busy
# with many conversations can take longer to send, and the action would fail.
# scripts/run.sh sets the same.
ACTION_SERVER_ENV = {"SANIC_KEEP_ALIVE_TIMEOUT": "60"}
# Everything either server can log (plan's debug_logs): Sanic and the other
# libraries at DEBUG too, and access lines, which the action server writes only
# with a handler for them (tests/access_log.yml).
DEBUG_LOGS_ENV = {"LOG_LEVEL_LIBRARIES": "DEBUG", "SANIC_ACCESS_LOG": "true"}
DEBUG_ACTIONS = ["--debug", "--logging-config-file", "tests/access_log.yml"]


@dataclass(frozen=True)
class Assistant:
    url: str
    token: str
    pids: dict[str, int] = field(default_factory=dict)
    startup_s: dict[str, float] = field(default_factory=dict)

    def say(
        self, sender: str, message: object, country: str | None = None
    ) -> list[dict]:
        """What the assistant replies; `country` is the widget's hint."""
        body: dict[str, object] = {"sender": sender, "message": message}
        if country:
            body["metadata"] = {"customData": {"country": country}}
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook", json=body, timeout=60
        )
        reply.raise_for_status()
        return reply.json()

    def parse(self, text: str) -> dict:
        """What the NLU pipeline makes of a text (Rasa's HTTP API)."""
        reply = requests.post(
            f"{self.url}/model/parse",
            params={"token": self.token},
            json={"text": text},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()

    def tracker(self, sender: str, channel: str = "rest") -> dict:
        """The stored conversation of `sender` on `channel` (channels/identity.py)."""
        reply = requests.get(
            f"{self.url}/conversations/{identity.key(channel, sender)}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()


def identity_secret() -> str:
    """One IDENTITY_SECRET for the whole run: the servers the tests start
    pseudonymise senders with it, and the tests find their conversations with
    channels/identity.py."""
    return os.environ.setdefault("IDENTITY_SECRET", secrets.token_hex(32))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll_until(
    read: Callable[[], T], done: Callable[[T], bool], timeout_s: float = 30
) -> T:
    """`read()` once `done` holds for it; for what a server writes after it
    answers (logs, stores)."""
    deadline = time.monotonic() + timeout_s
    while not done(value := read()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still {value!r} after {timeout_s} s")
        time.sleep(0.1)
    return value


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> float:
    """Seconds from now until `url` answers."""
    started = time.monotonic()
    while time.monotonic() < started + START_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return time.monotonic() - started
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


@contextmanager
def process(
    args: list[str], log: Path, env: dict, cwd: Path = ROOT
) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def loopback_env() -> dict[str, str]:
    """The environment a Rasa server the tests start runs in: on loopback,
    quiet TensorFlow, no telemetry."""
    return {
        **os.environ,
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",  # no reports to a third party
    }


@dataclass(frozen=True)
class Plan:
    """How the tests start the action server and Rasa, with their ports."""

    action_port: int
    rasa_port: int
    token: str
    env: dict[str, str]
    actions_args: list[str]
    rasa_args: list[str]


def plan(
    workdir: Path,
    model: Path = MODEL,
    extra_env: dict[str, str] | None = None,
    endpoints: dict | None = None,
    actions_package: str = "actions",
    debug_logs: bool = False,
) -> Plan:
    """Free loopback ports, the project's endpoints with the action server on
    its test port and the conversations in a SQLite file in `workdir` (unless
    `endpoints` replaces `tracker_store`), and a token for the HTTP API.
    `actions_package` is what the action server serves; with `debug_logs` both
    servers log at DEBUG, libraries too, with access logs."""
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    action_port, rasa_port = free_port(), free_port()
    token = secrets.token_hex(16)
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    config["tracker_store"]["db"] = str(workdir / "conversations.db")
    config.update(endpoints or {})
    endpoints_file = workdir / "endpoints.yml"
    endpoints_file.write_text(yaml.safe_dump(config))
    env = {
        **loopback_env(),
        "IDENTITY_SECRET": identity_secret(),
        **(DEBUG_LOGS_ENV if debug_logs else {}),
        **(extra_env or {}),
    }
    return Plan(
        action_port,
        rasa_port,
        token,
        env,
        actions_args(action_port, actions_package)
        + (DEBUG_ACTIONS if debug_logs else []),
        rasa_args(model, endpoints_file, rasa_port, token)
        + (["--debug"] if debug_logs else []),
    )


def rasa_args(model: Path, endpoints: Path, port: int, token: str) -> list[str]:
    """`rasa run` on loopback with the project's channels and a token-protected API."""
    return [
        str(BIN / "rasa"), "run", "--model", str(model),
        "--endpoints", str(endpoints), "--credentials", "credentials.yml",
        "--interface", "127.0.0.1", "--port", str(port),
        "--enable-api", "--auth-token", token,
    ]  # fmt: skip


def actions_args(port: int, package: str = "actions") -> list[str]:
    return [
        str(BIN / "rasa"), "run", "actions", "--actions", package,
        "--port", str(port),
    ]  # fmt: skip


@contextmanager
def running_assistant(
    workdir: Path,
    model: Path = MODEL,
    with_actions: bool = True,
    extra_env: dict[str, str] | None = None,
    endpoints: dict | None = None,
    actions_package: str = "actions",
    debug_logs: bool = False,
) -> Iterator[Assistant]:
    """Action server + Rasa (REST, socket.io, token-protected API) on loopback.
    Without actions, Rasa's action endpoint points at a port nobody listens on.
    `extra_env` sets the variables channels/settings.py reads; `endpoints`
    replaces sections of endpoints.yml (conversations go to a SQLite file in
    `workdir` unless `tracker_store` is given); `actions_package` and
    `debug_logs` as for `plan`."""
    setup = plan(workdir, model, extra_env, endpoints, actions_package, debug_logs)
    url = f"http://127.0.0.1:{setup.rasa_port}"
    actions_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    with ExitStack() as stack:
        actions = (
            stack.enter_context(
                process(setup.actions_args, actions_log, setup.env | ACTION_SERVER_ENV)
            )
            if with_actions
            else None
        )
        rasa = stack.enter_context(process(setup.rasa_args, rasa_log, setup.env))
        if actions is None:
            wait_until_up(f"{url}/", rasa, rasa_log)
            yield Assistant(url, setup.token)
            return
        # Both start at once; each time is from launch until it answers.
        health = f"http://127.0.0.1:{setup.action_port}/health"
        startup_s = {"action_server": wait_until_up(health, actions, actions_log)}
        startup_s["rasa_server"] = startup_s["action_server"] + wait_until_up(
            f"{url}/", rasa, rasa_log
        )
        yield Assistant(
            url,
            setup.token,
            pids={"action_server": actions.pid, "rasa_server": rasa.pid},
            startup_s=startup_s,
        )


@dataclass
class Service:
    """One server process that can crash, be stopped and be started again with
    the same arguments, so on the same port; its log keeps every run."""

    args: list[str]
    health_url: str
    log: Path
    env: dict[str, str]
    popen: subprocess.Popen | None = None

    def start(self) -> float:
        """Seconds until it answers."""
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(
                self.args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=self.env
            )
        return wait_until_up(self.health_url, self.popen, self.log)

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer ends it: no clean shutdown."""
        if self.popen is not None:
            self.popen.kill()
            self.popen.wait()

    def stop(self) -> None:
        """SIGTERM, as a deploy or Ctrl-C ends it, then wait for it to exit."""
        if self.popen is None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> float:
        self.stop()
        return self.start()


@dataclass(frozen=True)
class Deployment:
    """The assistant with each of its servers in the caller's hands."""

    assistant: Assistant
    actions: Service
    rasa: Service


@contextmanager
def restartable_assistant(
    workdir: Path, model: Path = MODEL, endpoints: dict | None = None
) -> Iterator[Deployment]:
    """Action server + Rasa as running_assistant starts them, but each can be
    killed and started again on its port, with the same endpoints file and
    SQLite conversations in `workdir` (or as `endpoints` says), as a restart
    under `make run` would."""
    setup = plan(workdir, model, endpoints=endpoints)
    actions = Service(
        setup.actions_args,
        f"http://127.0.0.1:{setup.action_port}/health",
        workdir / "actions.log",
        setup.env | ACTION_SERVER_ENV,
    )
    rasa = Service(
        setup.rasa_args,
        f"http://127.0.0.1:{setup.rasa_port}/",
        workdir / "rasa.log",
        setup.env,
    )
    try:
        actions.start()
        rasa.start()
        yield Deployment(
            Assistant(f"http://127.0.0.1:{setup.rasa_port}", setup.token), actions, rasa
        )
    finally:
        rasa.stop()
        actions.stop()
