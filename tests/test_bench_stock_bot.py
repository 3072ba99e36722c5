"""bench/stock_bot.py: the stock `rasa init` bot is trained once per Rasa
version and project template, and serves REST and socket.io."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bench import stock_bot


def test_the_fingerprint_follows_the_rasa_version_and_every_template_file(
    tmp_path: Path,
) -> None:
    template = tmp_path / "initial_project"
    shutil.copytree(stock_bot.TEMPLATE, template)
    before = stock_bot.fingerprint(template, "3.6.21")

    assert stock_bot.fingerprint(template, "3.6.21") == before
    assert stock_bot.fingerprint(template, "3.6.22") != before
    (template / "__pycache__").mkdir(exist_ok=True)
    (template / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert stock_bot.fingerprint(template, "3.6.21") == before
    with (template / "data" / "nlu.yml").open("a") as nlu:
        nlu.write("    - one more example\n")
    assert stock_bot.fingerprint(template, "3.6.21") != before


def fake_rasa_init(calls: list[list[str]]):
    """`rasa init --no-prompt` as far as the build sees it: the template's
    files and a model, without a minute of training."""

    def run(args: list[str], cwd: Path, **_: object) -> subprocess.CompletedProcess:
        calls.append(args)
        shutil.copytree(stock_bot.TEMPLATE, cwd, dirs_exist_ok=True)
        (cwd / "models").mkdir()
        (cwd / "models" / "20261205-000000-new.tar.gz").write_bytes(b"model")
        return subprocess.CompletedProcess(args, 0, "", "")

    return run


def test_a_current_model_is_reused_and_a_stale_one_retrained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(subprocess, "run", fake_rasa_init(calls))
    build = tmp_path / "stock-bot"

    model = stock_bot.build(build)
    assert model == build / "models" / "20261205-000000-new.tar.gz"
    assert calls[0][1:] == ["init", "--no-prompt", "--init-dir", str(build)]

    assert stock_bot.build(build) == model
    assert len(calls) == 1  # the rerun trained nothing

    (build / stock_bot.FINGERPRINT).write_text("an older rasa")
    assert stock_bot.build(build) == model
    assert len(calls) == 2


def test_the_stock_bot_serves_rest_and_socketio_as_ours_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subprocess, "run", fake_rasa_init([]))
    build = tmp_path / "stock-bot"
    stock_bot.build(build)

    channels = yaml.safe_load((build / "credentials.yml").read_text())
    ours = yaml.safe_load((stock_bot.ROOT / "credentials.yml").read_text())

    assert "rest" in channels
    assert channels["socketio"] == ours["channels.socketio.WebchatInput"]
