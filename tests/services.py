"""Throwaway PostgreSQL, Redis and nginx on free loopback ports, for the
scale-out test. Debian's packages (`make services`) provide the programs;
each server keeps its files in a temporary directory and stops at the end."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import redis
import requests

from tests.servers import free_port

READY_TIMEOUT_S = 60
INSTALL_HINT = (
    "run `make services` (Debian: apt-get install postgresql redis-server nginx)"
)


@dataclass(frozen=True)
class Postgres:
    port: int
    db: str
    user: str
    password: str
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class Redis:
    port: int
    password: str
    host: str = "127.0.0.1"


def program(name: str, *debian_dirs: str) -> str:
    """A server program from the PATH or where Debian puts it."""
    for directory in debian_dirs:
        # the newest version first (/usr/lib/postgresql/<major>/bin)
        for candidate in sorted(
            Path("/").glob(directory.lstrip("/")), key=_version, reverse=True
        ):
            if (candidate / name).is_file():
                return str(candidate / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing: {INSTALL_HINT}")
    return found


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in path.parent.name.split(".") if p.isdigit())


@contextmanager
def _server(args: list[str], log: Path, user: str | None = None) -> Iterator[None]:
    """Run a server until the block ends; SIGINT is a fast shutdown for all three."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, **_run_as(user)
        )
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _run_as(user: str | None) -> dict:
    """Popen arguments that drop root for `user`, with only that user's group."""
    if user is None:
        return {}
    account = pwd.getpwnam(user)
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _wait(ready: Callable[[], object], what: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        try:
            ready()
            return
        except Exception as error:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{what} did not start ({error}):\n{log.read_text()[-3000:]}"
                ) from error
            time.sleep(0.2)


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A fresh PostgreSQL cluster with password (SCRAM) logins, on loopback.
    PostgreSQL refuses to run as root, so as root it runs as `postgres`."""
    bin_dirs = ("/usr/lib/postgresql/*/bin",)
    initdb, server = program("initdb", *bin_dirs), program("postgres", *bin_dirs)
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        try:
            pwd.getpwnam(user)
        except KeyError:
            raise RuntimeError(
                f"PostgreSQL will not run as root, and there is no {user} user: "
                + INSTALL_HINT
            ) from None
    config = Postgres(port=free_port(), db="rasa", user="rasa",
                      password=secrets.token_urlsafe(16))  # fmt: skip
    # not under pytest's tmp_path: that is private to the user running pytest
    with tempfile.TemporaryDirectory(prefix="pct-postgres-") as tmp:
        work = Path(tmp)
        password_file = work / "password"
        password_file.write_text(config.password)
        if user:
            for path in (work, password_file):
                shutil.chown(path, user, pwd.getpwnam(user).pw_gid)
        log = work / "postgres.log"
        init = subprocess.run(
            [initdb, "--pgdata", str(work / "data"), "--username", config.user,
             "--auth", "scram-sha-256", "--pwfile", str(password_file),
             "--encoding", "UTF8", "--no-sync"],
            capture_output=True, text=True, **_run_as(user),
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}{init.stderr}")
        password_file.unlink()
        args = [
            server, "-D", str(work / "data"), "-p", str(config.port),
            "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={tmp}",
            # a throwaway cluster: durability only costs time here
            "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip
        with _server(args, log, user=user):

            def connect() -> psycopg2.extensions.connection:
                return psycopg2.connect(
                    host=config.host, port=config.port, dbname="postgres",
                    user=config.user, password=config.password,
                )  # fmt: skip

            _wait(lambda: connect().close(), "PostgreSQL", log)
            connection = connect()
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {config.db}")
            connection.close()
            yield config


@contextmanager
def redis_server(workdir: Path) -> Iterator[Redis]:
    """Redis with a password and no persistence: it only holds the locks."""
    config = Redis(port=free_port(), password=secrets.token_urlsafe(16))
    log = workdir / "redis.log"
    args = [
        program("redis-server"), "--port", str(config.port),
        "--bind", "127.0.0.1", "--requirepass", config.password,
        "--save", "", "--appendonly", "no", "--dir", str(workdir),
    ]  # fmt: skip
    with _server(args, log):
        client = redis.Redis(
            host=config.host, port=config.port, password=config.password
        )
        _wait(client.ping, "Redis", log)
        client.close()
        yield config


def replaced(text: str, replacements: dict[str, str]) -> str:
    """`text` with each key replaced; a key that is missing means the deploy
    file changed under the test, which must then follow it."""
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"{old!r} is no longer in the deploy file")
        text = text.replace(old, new)
    return text


def nginx_program() -> str:
    return program("nginx", "/usr/sbin")


def nginx_main_directives(workdir: Path) -> str:
    """For a deploy nginx.conf's main context: its files in `workdir`."""
    # as root, workers would otherwise run as nobody, who may not read the checkout
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"pid {workdir}/nginx.pid;\n{user}"


def nginx_http_directives(workdir: Path) -> str:
    """For its http context: temporary files in `workdir`, not /var/lib/nginx."""
    (workdir / "temp").mkdir(exist_ok=True)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    return "".join(f"{kind}_temp_path {workdir}/temp/{kind};\n" for kind in kinds)


@contextmanager
def nginx(config: Path, workdir: Path, ready_url: str) -> Iterator[Path]:
    """nginx with `config` (a whole nginx.conf), once `ready_url` answers;
    yields its log (the error and access logs both go to its output)."""
    log = workdir / "nginx.log"
    args = [nginx_program(), "-p", str(workdir), "-c", str(config), "-e", "stderr"]
    test = subprocess.run([*args, "-t"], capture_output=True, text=True)
    if test.returncode != 0:
        raise RuntimeError(f"nginx rejects {config}:\n{test.stderr}")
    with _server([*args, "-g", "daemon off;"], log):
        _wait(
            lambda: requests.get(ready_url, timeout=2).raise_for_status(), "nginx", log
        )
        yield log
