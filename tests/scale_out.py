"""The scale-out profile on this machine: PostgreSQL, the Redis lock store, the
action server and Rasa replicas behind the profile's own nginx files, as
compose.yaml assembles them (tests/test_scale_out.py, python -m bench --only
replicas)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import (
    MODEL,
    ROOT,
    Assistant,
    actions_args,
    free_port,
    identity_secret,
    process,
    rasa_args,
    wait_until_up,
)
from tests.services import (
    nginx,
    nginx_http_directives,
    nginx_main_directives,
    postgres,
    redis_server,
    replaced,
)

DEPLOY = ROOT / "deploy"


@dataclass(frozen=True)
class ScaleOut:
    replicas: tuple[Assistant, ...]
    url: str  # nginx: the page, REST and socket.io, as people reach them
    nginx_log: Path
    workdir: Path


def nginx_config(
    workdir: Path,
    port: int,
    replicas: list[str],
    url: str,
    limits: dict[str, str] | None = None,
) -> Path:
    """The profile's nginx files as compose.yaml assembles them, with loopback
    addresses in place of the containers' and files in `workdir`; `limits`
    replaces text of its rate limits (a benchmark's crowd comes from one
    address)."""
    nginx_dir, conf_d, edge_d = DEPLOY / "nginx", workdir / "conf.d", workdir / "edge.d"
    for directory in (conf_d, edge_d):
        directory.mkdir(parents=True)
    page = replaced(
        (nginx_dir / "templates" / "page.conf.template").read_text(),
        {
            "${PUBLIC_URL}": url,  # what the image's envsubst does at start-up
            "listen 8080;": f"listen 127.0.0.1:{port};",
            "root /usr/share/nginx/html;": f"root {ROOT / 'web'};",
            "include /etc/nginx/edge.d/": f"include {edge_d}/",
        },
    )
    (conf_d / "page.conf").write_text(page)
    locations = (nginx_dir / "edge" / "locations.conf").read_text()
    # the profile lists two replicas; fewer leave the other line out
    servers = {f"server rasa-{n}:5005;": "" for n in (1, 2)}
    servers |= {
        f"server rasa-{n}:5005;": f"server {r};" for n, r in enumerate(replicas, 1)
    }
    limits = limits or {}
    upstreams = (nginx_dir / "edge" / "upstreams.conf").read_text()
    if missing := [k for k in limits if k not in upstreams + locations]:
        raise AssertionError(f"{missing} are no longer in the deploy files")
    upstreams = replaced(
        upstreams, {**servers, **{k: v for k, v in limits.items() if k in upstreams}}
    )
    (conf_d / "edge-upstreams.conf").write_text(upstreams)
    (edge_d / "locations.conf").write_text(
        replaced(locations, {k: v for k, v in limits.items() if k in locations})
    )
    main = replaced(
        (nginx_dir / "nginx.conf").read_text(),
        {
            "error_log /dev/stderr warn;": (
                f"error_log stderr warn;\n{nginx_main_directives(workdir)}"
            ),
            "include /etc/nginx/conf.d/": (
                f"{nginx_http_directives(workdir)}include {conf_d}/"
            ),
        },
    )
    config = workdir / "nginx.conf"
    config.write_text(main)
    return config


@contextmanager
def running_scale_out(
    workdir: Path, replicas: int = 2, limits: dict[str, str] | None = None
) -> Iterator[ScaleOut]:
    """`replicas` Rasa servers (one or two) sharing PostgreSQL and the Redis
    lock store, one action server, and nginx in front."""
    if not MODEL.exists():
        raise FileNotFoundError(f"{MODEL} is missing: run `make train` first")
    action_port, nginx_port = free_port(), free_port()
    rasa_ports = [free_port() for _ in range(replicas)]
    url = f"http://127.0.0.1:{nginx_port}"
    token = secrets.token_hex(16)
    # the profile's own endpoints file, with the action server on loopback
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        replaced(
            (DEPLOY / "endpoints.yml").read_text(),
            {"http://actions:5055/webhook": f"http://127.0.0.1:{action_port}/webhook"},
        )
    )
    with ExitStack() as stack:
        database = stack.enter_context(postgres())
        locks = stack.enter_context(redis_server(workdir))
        env = {
            **os.environ,
            "SANIC_HOST": "127.0.0.1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",  # no reports to a third party
            "IDENTITY_SECRET": identity_secret(),
            "WEBCHAT_ORIGINS": url,
            # what deploy/endpoints.yml reads, as compose.yaml sets it
            "POSTGRES_HOST": database.host,
            "POSTGRES_PORT": str(database.port),
            "POSTGRES_DB": database.db,
            "POSTGRES_USER": database.user,
            "POSTGRES_PASSWORD": database.password,
            "REDIS_HOST": locks.host,
            "REDIS_PORT": str(locks.port),
            "REDIS_PASSWORD": locks.password,
        }
        actions_log = workdir / "actions.log"
        actions = stack.enter_context(
            process(actions_args(action_port), actions_log, env)
        )
        # the replicas start at once, as compose starts them
        started = []
        for n, port in enumerate(rasa_ports, 1):
            log = workdir / f"rasa-{n}.log"
            args = rasa_args(MODEL, endpoints, port, token)
            started.append((stack.enter_context(process(args, log, env)), port, log))
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, actions_log)
        for proc, port, log in started:
            wait_until_up(f"http://127.0.0.1:{port}/", proc, log)
        config = nginx_config(
            workdir / "nginx",
            nginx_port,
            [f"127.0.0.1:{p}" for p in rasa_ports],
            url,
            limits,
        )
        nginx_log = stack.enter_context(
            nginx(config, workdir / "nginx", ready_url=f"{url}/healthz")
        )
        served = tuple(Assistant(f"http://127.0.0.1:{p}", token) for p in rasa_ports)
        yield ScaleOut(served, url, nginx_log, workdir)
