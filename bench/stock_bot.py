"""The stock bot: the project `rasa init --no-prompt` generates (the mood bot:
DIET, TED, ResponseSelector and UnexpecTED, in-memory tracker store), trained
and served from our virtualenv, for the side-by-side benchmark
(bench/side_by_side.py). It is generated into build/stock-bot, and trained
again only when Rasa's version or its project template changed."""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import rasa
import rasa.cli.scaffold

from tests.servers import (
    BIN,
    ROOT,
    Assistant,
    free_port,
    loopback_env,
    process,
    rasa_args,
    wait_until_up,
)

BUILD = ROOT / "build" / "stock-bot"
TEMPLATE = Path(rasa.cli.scaffold.scaffold_path())
FINGERPRINT = ".bench-fingerprint"
# Its credentials.yml has the REST channel; the widget's channel as ours has it.
SOCKETIO = """
# Added by bench/stock_bot.py: the widget's channel, as in our credentials.yml.
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  metadata_key: customData
"""


def fingerprint(template: Path = TEMPLATE, version: str = rasa.__version__) -> str:
    """What the stock model is trained from: Rasa's version and every file of
    the project template (config, domain, data)."""
    digest = hashlib.sha256(version.encode())
    for path in sorted(template.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(template)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def trained(build: Path) -> Path | None:
    """The model in `build`, if it was trained from today's Rasa and template."""
    stamp = build / FINGERPRINT
    models = sorted((build / "models").glob("*.tar.gz"))
    if models and stamp.exists() and stamp.read_text() == fingerprint():
        return models[-1]
    return None


def build(into: Path = BUILD) -> Path:
    """The stock project in `into`, trained (about a minute on 2 cores) unless
    the model there is still current; nothing is downloaded."""
    if (model := trained(into)) is not None:
        return model
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    done = subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(into)],
        cwd=into,
        env=loopback_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rasa init failed:\n{done.stdout[-3000:]}{done.stderr}")
    credentials = into / "credentials.yml"
    credentials.write_text(credentials.read_text() + SOCKETIO)
    (into / FINGERPRINT).write_text(fingerprint())
    model = trained(into)
    if model is None:
        raise RuntimeError(f"rasa init trained no model in {into}:\n{done.stdout}")
    return model


@contextmanager
def running(model: Path, workdir: Path, project: Path = BUILD) -> Iterator[Assistant]:
    """The stock bot's Rasa server on loopback, in its project folder (its
    endpoints and credentials), one worker, with a token-protected HTTP API."""
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    log = workdir / "stock-rasa.log"
    args = rasa_args(model, project / "endpoints.yml", port, token)
    with process(args, log, loopback_env(), cwd=project) as rasa_server:
        started = wait_until_up(f"{url}/", rasa_server, log)
        yield Assistant(
            url,
            token,
            pids={"rasa_server": rasa_server.pid},
            startup_s={"rasa_server": started},
        )
