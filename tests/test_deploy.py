"""The scale-out profile's files check out without Docker or a cluster:
`docker compose config` (Docker Compose v2, installed by `make services`)
resolves compose.yaml, the Kubernetes manifests pass the API's schemas
(kubernetes-validate), and the pieces agree with each other. That the profile
really works is tests/test_scale_out.py's job."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import ROOT
from tests.services import (
    nginx_http_directives,
    nginx_main_directives,
    nginx_program,
    replaced,
)

# needs the deploy tools that `make services` installs: not in make test-fast
pytestmark = pytest.mark.servers

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
TOOLS = ROOT / ".venv" / "deploy-tools"
COMPOSE = TOOLS / "cli-plugins" / "docker-compose"
KUBERNETES_VERSION = "1.31.0"
SECRETS = {
    "POSTGRES_PASSWORD": "pg-from-env",
    "REDIS_PASSWORD": "redis-from-env",
    "IDENTITY_SECRET": "identity-from-env",
}
LOCAL_IMAGES = {"pct-assistant", "pct-web"}  # built from deploy/Dockerfile


def tool(path: Path) -> str:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make services`")
    return str(path)


def docker_compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`docker compose ...` with the Compose plugin of .venv/deploy-tools, run
    as the Docker CLI runs it where the CLI is installed, and directly if not.
    Only `env` and the basics reach it: no variable of this shell leaks in."""
    plugin = tool(COMPOSE)
    docker = shutil.which("docker")
    command = [docker, "compose", *args] if docker else [plugin, *args]
    basics = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**basics, "DOCKER_CONFIG": str(TOOLS), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """compose.yaml as `docker compose config` resolves it."""
    result = docker_compose("config", "--format", "json", env=SECRETS)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def rasa_replicas(compose: dict) -> list[str]:
    return [
        name
        for name, service in compose["services"].items()
        if service.get("command") == ["deploy/run-rasa.sh"]
    ]


def action_servers(compose: dict) -> list[str]:
    return [
        name
        for name, service in compose["services"].items()
        if (service.get("command") or [])[:3] == ["rasa", "run", "actions"]
    ]


def upstream_servers(config: Path, upstream: str) -> list[str]:
    block = re.search(rf"upstream {upstream} \{{(.*?)\}}", config.read_text(), re.S)
    assert block, f"no upstream {upstream} in {config}"
    return re.findall(r"^\s*server ([\w.-]+):\d+;", block.group(1), re.M)


def endpoint_variables() -> set[str]:
    """The ${VARIABLES} that deploy/endpoints.yml's values read."""
    config = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    values = [v for section in config.values() for v in section.values()]
    return {name for v in values for name in re.findall(r"\$\{(\w+)\}", str(v))}


# --- docker compose -----------------------------------------------------------


def test_docker_compose_config_accepts_the_profile(compose):
    assert len(rasa_replicas(compose)) >= 2
    assert len(action_servers(compose)) >= 2
    assert {"postgres", "redis", "nginx", "actions"} <= set(compose["services"])


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_compose_will_not_start_without_each_secret(secret):
    others = {name: value for name, value in SECRETS.items() if name != secret}

    result = docker_compose("config", "--quiet", env=others)

    assert result.returncode != 0
    assert f"required variable {secret} is missing" in result.stderr


def test_secrets_come_from_the_environment_only(compose):
    for name in rasa_replicas(compose):
        environment = compose["services"][name]["environment"]
        assert {k: environment[k] for k in SECRETS} == SECRETS
    text = (ROOT / "compose.yaml").read_text()
    assert not re.search(r"PASSWORD: (?!\$\{)", text)  # never a literal value


def test_only_nginx_is_published_and_on_loopback_by_default(compose):
    published = {
        name: service["ports"]
        for name, service in compose["services"].items()
        if service.get("ports")
    }

    assert list(published) == ["nginx"]
    assert [p["host_ip"] for p in published["nginx"]] == ["127.0.0.1"]


def test_action_servers_and_stores_are_on_the_internal_network_only(compose):
    internal = {
        name for name, network in compose["networks"].items() if network.get("internal")
    }
    for name in [*action_servers(compose), "actions", "postgres", "redis"]:
        assert set(compose["services"][name]["networks"]) <= internal, name
        assert not compose["services"][name].get("ports"), name


def test_every_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), name


def test_nginx_balances_exactly_the_replicas_that_compose_starts(compose):
    edge = DEPLOY / "nginx" / "edge" / "upstreams.conf"
    for upstream in ("rasa", "rasa_socketio"):
        assert upstream_servers(edge, upstream) == rasa_replicas(compose)
    actions = DEPLOY / "nginx" / "actions.conf"
    assert upstream_servers(actions, "action_servers") == action_servers(compose)


def test_replicas_get_every_variable_the_endpoints_need(compose):
    for name in rasa_replicas(compose):
        environment = compose["services"][name]["environment"]
        assert all(environment.get(v) for v in endpoint_variables()), name


def test_internal_action_proxy_config_is_valid_nginx(tmp_path):
    config = replaced(
        (DEPLOY / "nginx" / "actions.conf").read_text(),
        {
            "server actions-1:5055;": "server 127.0.0.1:1;",
            "server actions-2:5055;": "server 127.0.0.1:2;",
            "error_log /dev/stderr warn;": (
                f"error_log stderr warn;\n{nginx_main_directives(tmp_path)}"
            ),
            "    server_tokens off;": (
                f"    server_tokens off;\n{nginx_http_directives(tmp_path)}"
            ),
        },
    )
    (tmp_path / "nginx.conf").write_text(config)

    result = subprocess.run(
        [nginx_program(), "-t", "-p", str(tmp_path), "-c", "nginx.conf",
         "-e", "stderr"],
        capture_output=True, text=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr


# --- the endpoints and the images ---------------------------------------------


def test_scale_out_endpoints_differ_from_the_default_only_in_where_things_are():
    default = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    scaled = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())

    assert scaled["tracker_store"]["type"] == default["tracker_store"]["type"]
    assert scaled["tracker_store"]["dialect"] == "postgresql"
    assert scaled["lock_store"]["type"] == "scaling.lock_store.AtomicRedisLockStore"
    where = {"action_endpoint", "tracker_store", "lock_store"}
    assert {k: v for k, v in scaled.items() if k not in where} == {
        k: v for k, v in default.items() if k not in where
    }


def images() -> list[tuple[str, str]]:
    """(file, image) for every image the profile runs or builds from."""
    found = [
        ("deploy/Dockerfile", line.split()[1])
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if line.startswith("FROM ")
    ]
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    found += [("compose.yaml", s["image"]) for s in compose["services"].values()]
    found += [
        (path.name, container["image"])
        for path, manifest in k8s_manifests()
        for container in containers(manifest)
    ]
    return found


def test_every_image_is_pinned_to_a_version():
    for file, image in images():
        name, _, tag = image.partition(":")
        if name in LOCAL_IMAGES:
            continue  # tagged by kustomization.yaml or built locally
        # a release, e.g. 15.10-bookworm or 3.10.16-slim-bookworm; never "latest"
        assert re.fullmatch(r"\d+(\.\d+)+(-[a-z]+)*", tag), f"{file}: {image}"


def test_dockerfile_copies_only_what_exists():
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), line
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    # exactly the hash-checked runtime lock: no test or lint tools in the image
    assert "pip install --no-deps --require-hashes -r requirements.lock" in dockerfile
    instructions = [
        line for line in dockerfile.splitlines() if not line.startswith("#")
    ]
    assert not any("requirements-dev" in line for line in instructions)


# --- Kubernetes ---------------------------------------------------------------


def k8s_manifests() -> list[tuple[Path, dict]]:
    return [
        (path, document)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
    ]


def containers(manifest: dict) -> list[dict]:
    spec = manifest.get("spec", {})
    pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {})
    return list(pod.get("spec", {}).get("containers", []))


def kind(name: str, kind_: str) -> dict:
    [found] = [
        manifest
        for _, manifest in k8s_manifests()
        if (manifest["kind"], manifest["metadata"]["name"]) == (kind_, name)
    ]
    return found


def test_kubernetes_manifests_pass_the_api_schemas():
    files = sorted({str(path) for path, _ in k8s_manifests()})

    result = subprocess.run(
        [tool(TOOLS / "bin" / "kubernetes-validate"), "--strict", "--quiet",
         "--kubernetes-version", KUBERNETES_VERSION, *files],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_kustomization_applies_every_manifest_but_the_secret_template():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    manifests = {p.name for p in K8S.glob("*.yaml")}

    assert set(kustomization["resources"]) == manifests - {
        "kustomization.yaml",
        "secret.example.yaml",
    }


def test_secret_template_holds_no_real_value():
    secret = kind("pct-assistant-secrets", "Secret")

    assert set(secret["stringData"]) >= set(SECRETS)
    assert set(secret["stringData"].values()) <= {"<required>", ""}


def test_rasa_pods_get_every_variable_the_endpoints_need():
    config = kind("pct-assistant-config", "ConfigMap")["data"]
    secret = kind("pct-assistant-secrets", "Secret")["stringData"]
    [rasa] = containers(kind("rasa", "Deployment"))

    assert rasa["command"] == ["deploy/run-rasa.sh"]
    sources = {
        (ref.get("configMapRef") or ref.get("secretRef"))["name"]
        for ref in rasa["envFrom"]
    }
    assert sources == {"pct-assistant-config", "pct-assistant-secrets"}
    assert endpoint_variables() <= set(config) | set(secret)


def test_two_replicas_each_and_actions_reachable_inside_the_cluster_only():
    assert kind("rasa", "Deployment")["spec"]["replicas"] >= 2
    assert kind("actions", "Deployment")["spec"]["replicas"] >= 2
    assert kind("actions", "Service")["spec"]["type"] == "ClusterIP"
    backends = {
        path["backend"]["service"]["name"]
        for _, manifest in k8s_manifests()
        if manifest["kind"] == "Ingress"
        for rule in manifest["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert "actions" not in backends
    policy = kind("actions-from-rasa", "NetworkPolicy")["spec"]
    assert policy["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rasa"}}}
    ]


def test_socketio_is_sticky_and_rest_is_not():
    for _, manifest in k8s_manifests():
        if manifest["kind"] != "Ingress":
            continue
        paths = {
            p["path"]
            for rule in manifest["spec"]["rules"]
            for p in rule["http"]["paths"]
        }
        sticky = "nginx.ingress.kubernetes.io/upstream-hash-by" in manifest[
            "metadata"
        ].get("annotations", {})
        assert sticky == ("/socket.io/" in paths), manifest["metadata"]["name"]


def test_retention_runs_daily_against_the_same_store():
    cronjob = kind("retention", "CronJob")
    [job] = containers(cronjob)

    minute, hour, *rest = cronjob["spec"]["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]
    assert job["command"] == [
        "python", "-m", "privacy.retention", "--endpoints", "deploy/endpoints.yml"
    ]  # fmt: skip
    assert job["envFrom"] == containers(kind("rasa", "Deployment"))[0]["envFrom"]
