"""No message text, tracker or phone number in any log, at any level, even when
an action fails (privacy/logs.py): both servers at DEBUG, libraries too, with
access logs, and an action that raises with the person's message in its
exception (tests/failing_actions.py), so the action server answers 500 with the
whole tracker and Rasa logs that answer with its traceback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy.exc import OperationalError

from channels import identity
from privacy.logs import REMOVED, make_safe, safe_event
from tests.servers import Assistant, poll_until, running_assistant

NUMBER = "+447700900123"
ORIGIN = "http://localhost:8080"  # the demo page, allowed by default
LOGS = ("rasa.log", "actions.log")
# what shows the failure path and each kind of line really ran
RASA_FAILED = "Encountered an exception while running action 'action_set_region'"
ACTION_FAILED = "Exception occurred during execution of request"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[Assistant, Path]]:
    workdir = tmp_path_factory.mktemp("log-privacy")
    with running_assistant(
        workdir, actions_package="tests.failing_actions", debug_logs=True
    ) as assistant:
        yield assistant, workdir


async def chat_over_socketio(url: str, text: str) -> dict:
    """The first reply to `text`, sent as the widget sends it in a new session."""
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", replies.put_nowait)
    client.on("bot_uttered", replies.put_nowait)
    await client.connect(url, transports=["websocket"], headers={"Origin": ORIGIN})
    try:
        await client.emit("session_request", {})
        session_id = await asyncio.wait_for(replies.get(), 30)
        await client.emit("user_uttered", {"message": text, "session_id": session_id})
        return await asyncio.wait_for(replies.get(), 30)
    finally:
        await client.disconnect()


def letters() -> str:
    """Unique, and without the long digit runs the logs mask anyway."""
    return uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))


def read_logs(workdir: Path) -> dict[str, str]:
    return {name: (workdir / name).read_text() for name in LOGS}


@pytest.mark.servers
def test_no_log_holds_the_message_or_the_tracker_even_when_an_action_fails(served):
    assistant, workdir = served
    marker, sender = f"zebra{letters()}", f"logs-{letters()}"
    text = f"I live in the UK, {marker}, call me on {NUMBER}"

    assistant.say(sender, text)
    assistant.say(sender, f"/{marker} {NUMBER}")  # looks like a typed intent
    # the failing action, on this conversation, whatever the policies predicted
    requests.post(
        f"{assistant.url}/conversations/{identity.key('rest', sender)}/execute",
        params={"token": assistant.token},
        json={"name": "action_set_region"},
        timeout=60,
    ).raise_for_status()
    # the widget's channel too; a message the failing action does not answer
    greeting = f"hello, I'm {marker}, my number is {NUMBER}"
    reply = asyncio.run(chat_over_socketio(assistant.url, greeting))

    assert reply.get("text")
    logs = poll_until(
        lambda: read_logs(workdir),
        lambda logs: RASA_FAILED in logs["rasa.log"]
        and ACTION_FAILED in logs["actions.log"],
    )
    for name, log in logs.items():
        assert " DEBUG " in log, name
        assert "(sanic.access)" in log, name
        assert marker not in log, name
        assert NUMBER[1:] not in log, name
        assert assistant.token not in log, name  # access lines lose their query
        assert sender not in log, name  # only its pseudonym
    # the access line, without the token
    assert f"{identity.key('rest', sender)}/execute" in logs["rasa.log"]
    assert f'"parse_data_text": "{REMOVED}"' in logs["rasa.log"]


# The rules one at a time, on records as the servers make them.


def logged(msg: object, *args: object, exc: BaseException | None = None) -> str:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args, exc_info)
    make_safe(record)
    return logging.Formatter().format(record)


def raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_a_database_error_keeps_its_reason_but_not_its_parameters():
    error = raised(
        OperationalError(
            "INSERT INTO events (sender_id, data) VALUES (?, ?)",
            ("rest:alex", '{"text": "zebra +447700900123"}'),
            sqlite3.OperationalError("database is locked"),
        )
    )

    # as Rasa's fallback to memory interpolates it, and as a traceback shows it
    for line in (logged(f"Falling back. Error: {error}."), logged("x", exc=error)):
        assert "database is locked" in line
        assert "INSERT INTO events" in line
        assert "zebra" not in line and "447700900123" not in line


def test_an_exception_shows_its_type_and_an_os_error_its_message_too():
    refused = raised(ConnectionRefusedError(111, "Connect call failed"))

    line = logged("failed: %s", raised(KeyError("zebra")), exc=refused)

    assert "failed: KeyError: [removed]" in line
    assert "Traceback (most recent call last)" in line
    # OS errors name the system only
    assert "ConnectionRefusedError: [Errno 111] Connect call failed" in line


def test_arguments_show_objects_and_containers_by_their_type():
    line = logged("%s said %s, %r", "alex", {"text": "zebra"}, ["zebra"])

    assert line == "alex said <dict>, '<list>'"


def test_a_structlog_exception_event_keeps_only_safe_keys_and_a_safe_traceback():
    try:
        raise RuntimeError("zebra")
    except RuntimeError:
        event = safe_event(
            None,
            "exception",
            {"event": "rest.failure", "text": "zebra", "count": 2},
        )
        assert sys.exc_info()[0] is RuntimeError

    assert event["event"] == "rest.failure" and event["count"] == 2
    assert event["text"] == REMOVED
    assert event["exception"].endswith("RuntimeError: [removed]")
    assert event["exc_info"] is False  # so no later processor renders it again
