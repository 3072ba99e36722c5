"""The scale-out profile for real: two Rasa replicas with the profile's
endpoints (deploy/endpoints.yml: conversations in PostgreSQL, locks in Redis),
one action server, and the profile's nginx (deploy/nginx/) in front, all on
loopback. PostgreSQL, Redis and nginx are Debian's (tests/services.py)."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from actions.followups import next_unseen_topic
from safety.regions import region_name
from tests.conftest import asking_feedback
from tests.scale_out import ScaleOut, running_scale_out
from tests.servers import (
    ROOT,
    Assistant,
    free_port,
    poll_until,
)
from tests.web import demo_page

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

DEPLOY = ROOT / "deploy"
CONVERSATIONS = 40
REPLY_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def scale_out(tmp_path_factory) -> Iterator[ScaleOut]:
    with running_scale_out(tmp_path_factory.mktemp("scale-out")) as profile:
        yield profile


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def texts(replies: list[dict]) -> list[str | None]:
    return [reply.get("text") for reply in replies]


def answer(domain: dict[str, Any], response: str, **slots: str) -> str:
    text = str(domain["responses"][response][0]["text"])
    return text.format(**slots) if slots else text


def asked(domain: dict[str, Any]) -> str:
    return str(domain["responses"]["utter_ask_feedback"][0]["text"])


def user_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def bot_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "bot"]


# --- any replica, any turn ----------------------------------------------------


def test_a_conversation_keeps_its_context_when_its_turns_alternate_replicas(
    scale_out, domain
):
    first, second = scale_out.replicas
    sender = new_sender()

    topic = first.say(sender, "what should i do after crying after sex")
    follow_up = second.say(sender, "what else can i do?")
    and_then = first.say(sender, "anything else?")

    # "what else" is the next related topic not yet shown: replica 2 knew what
    # replica 1 had answered, and replica 1 then knew replica 2's answer too
    shown = ["utter_what_to_do", "utter_talk_to_partner"]
    third = next_unseen_topic(domain, shown[-1], set(shown))
    assert texts(topic) == [asking_feedback(domain, answer(domain, shown[0]))]
    assert texts(follow_up) == [answer(domain, shown[1])]
    assert third is not None
    assert texts(and_then) == [answer(domain, third)]


def test_a_crisis_on_one_replica_stays_known_to_the_other(scale_out, domain):
    first, second = scale_out.replicas
    sender = new_sender()

    first.say(sender, "i'm in the uk and i want to kill myself")

    assert second.tracker(sender)["slots"]["distress_level"] == "crisis"
    later = second.say(sender, "why do i cry after sex?")
    assert texts(later) == [answer(domain, "utter_causes_overview")]
    assert later[0]["buttons"][-1]["payload"] == "/get_help"  # help stays in view


# Eight turns whose answers depend on the turns before (follow-ups) and one that
# sets a slot; the region varies so that conversations cannot pass for each other.
def script(country: str) -> list[tuple[str, str]]:
    return [
        ("hey there", "utter_greet"),
        ("what is pct", "utter_what_is_pct"),
        ("ok, tell me more", "utter_is_it_normal"),
        (f"i'm in {country}", "utter_region_noted"),
        ("why do women cry after sex", "utter_gender_women"),
        ("and what about men?", "utter_gender_men"),
        ("/aftercare", "utter_aftercare"),
        ("thank you", "utter_thanks"),
    ]


# The topic answers of the script that ask "Was this helpful?": the first, then
# the first after two more (nlg/feedback.py).
ASKING_FEEDBACK = {"utter_what_is_pct", "utter_gender_men"}


REGIONS = {"the uk": "UK", "australia": "AU", "canada": "CA", "ireland": "IE"}


def test_many_conversations_in_parallel_lose_and_mix_up_nothing(scale_out, domain):
    """40 conversations at once, each turn to the other replica than the last."""
    countries = list(REGIONS)
    conversations = [
        (new_sender(), countries[n % len(countries)]) for n in range(CONVERSATIONS)
    ]

    def converse(index: int, sender: str, country: str) -> list[list[str | None]]:
        return [
            texts(scale_out.replicas[(index + turn) % 2].say(sender, message))
            for turn, (message, _) in enumerate(script(country))
        ]

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [
            pool.submit(converse, index, sender, country)
            for index, (sender, country) in enumerate(conversations)
        ]
        answered = [future.result() for future in futures]

    for (sender, country), replies in zip(conversations, answered, strict=True):
        region = REGIONS[country]
        expected = [
            [answer(domain, response, region_name=region_name(region))]
            for _, response in script(country)
        ]
        expected = [
            [asking_feedback(domain, text) if response in ASKING_FEEDBACK else text]
            for [text], (_, response) in zip(expected, script(country), strict=True)
        ]
        assert replies == expected, sender
        trackers = [replica.tracker(sender) for replica in scale_out.replicas]
        # both replicas read the same conversation from PostgreSQL ...
        assert trackers[0]["events"] == trackers[1]["events"]
        # ... with every message once, in the order sent, and every answer once
        assert user_texts(trackers[0]) == [m for m, _ in script(country)]
        assert bot_texts(trackers[0]) == [text for turn in expected for text in turn]
        assert trackers[0]["slots"]["region"] == region
        assert trackers[0]["slots"]["distress_level"] is None


def test_two_messages_at_once_to_two_replicas_are_both_kept_in_turn(scale_out, domain):
    """The Redis lock: replicas answering one person at the same moment take
    turns, so neither turn overwrites the other in the tracker store."""
    messages = {
        "what is pct": answer(domain, "utter_what_is_pct"),
        "is it normal to cry after sex?": answer(domain, "utter_is_it_normal"),
    }
    senders = [new_sender() for _ in range(30)]
    start = threading.Barrier(2 * len(senders))

    def send(replica: Assistant, sender: str, message: str) -> list[str | None]:
        start.wait()
        return texts(replica.say(sender, message))

    with ThreadPoolExecutor(max_workers=2 * len(senders)) as pool:
        futures = {
            (sender, message): pool.submit(send, replica, sender, message)
            for sender in senders
            for replica, message in zip(scale_out.replicas, messages, strict=True)
        }
        # whichever is answered first also asks for feedback
        firsts = {m: asking_feedback(domain, text) for m, text in messages.items()}
        for (_, message), future in futures.items():
            assert future.result() in ([messages[message]], [firsts[message]])

    for sender in senders:
        events = scale_out.replicas[0].tracker(sender)["events"]
        turns = [
            (e["event"], e["text"]) for e in events if e["event"] in {"user", "bot"}
        ]
        assert sorted(user_texts({"events": events})) == sorted(messages)
        # each message is followed by its own answer before the next one comes in
        assert turns in [
            [("user", m), ("bot", firsts[m]), ("user", n), ("bot", messages[n])]
            for m, n in (list(messages), list(reversed(messages)))
        ]


# --- through nginx ------------------------------------------------------------


def test_nginx_serves_the_page_as_the_demo_server_does(scale_out):
    with demo_page(
        f"http://127.0.0.1:{free_port()}", scale_out.url, scale_out.workdir
    ) as demo:
        expected = requests.get(demo, timeout=10)
    served = requests.get(f"{scale_out.url}/", timeout=10)

    assert served.status_code == 200
    # the page knows where the socket is: nginx itself
    assert f'content="{scale_out.url}"' in served.text
    assert served.text == expected.text
    for header in (
        "Content-Type",
        "Content-Security-Policy",
        "Cache-Control",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "Permissions-Policy",
    ):
        assert served.headers[header] == expected.headers[header], header
    assert "Set-Cookie" not in served.headers


def upstreams_of_rest_turns(log: Path) -> list[str]:
    return re.findall(
        r'"POST /webhooks/rest/webhook" 200 .* upstream=(\S+)', log.read_text()
    )


def test_rest_through_nginx_takes_turns_across_the_replicas(scale_out, domain):
    sender = new_sender()
    before = len(upstreams_of_rest_turns(scale_out.nginx_log))

    def say(message: str) -> list[str | None]:
        reply = requests.post(
            f"{scale_out.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        reply.raise_for_status()
        return texts(reply.json())

    assert say("what should i do after crying after sex") == [
        asking_feedback(domain, answer(domain, "utter_what_to_do"))
    ]
    assert say("what else can i do?") == [answer(domain, "utter_talk_to_partner")]
    say("hey there")
    say("thank you")

    # nginx writes its access line after it has sent the reply
    used = poll_until(
        lambda: upstreams_of_rest_turns(scale_out.nginx_log)[before:],
        lambda lines: len(lines) >= 4,
    )
    replicas = {a.url.removeprefix("http://") for a in scale_out.replicas}
    assert len(used) == 4
    assert set(used) == replicas
    assert all(a != b for a, b in itertools.pairwise(used))  # round robin


async def socketio_chat(
    url: str, transport: str, messages: list[str]
) -> list[list[dict]]:
    """The bubbles of each answer, up to the one that carries its quick
    replies, from a client that uses `transport` only: with long-polling, each
    message and each poll is a new request."""
    client = socketio.AsyncClient(reconnection=False)
    events: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", events.put_nowait)
    client.on("session_confirm", events.put_nowait)
    await client.connect(
        url, transports=[transport], socketio_path="/socket.io", headers={"Origin": url}
    )
    try:
        await client.emit("session_request", {})
        session = await asyncio.wait_for(events.get(), REPLY_TIMEOUT_S)
        answers = []
        for message in messages:
            await client.emit(
                "user_uttered", {"message": message, "session_id": session}
            )
            bubbles = [await asyncio.wait_for(events.get(), REPLY_TIMEOUT_S)]
            while "quick_replies" not in bubbles[-1]:
                bubbles.append(await asyncio.wait_for(events.get(), REPLY_TIMEOUT_S))
            answers.append(bubbles)
        return answers
    finally:
        await client.disconnect()
        await client.eio.wait()  # until its background tasks have ended


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_socketio_through_nginx_keeps_each_session_on_one_replica(
    scale_out, domain, transport
):
    answers = await socketio_chat(
        scale_out.url,
        transport,
        ["what should i do after crying after sex", "what else can i do?"],
    )

    assert [[bubble["text"] for bubble in a] for a in answers] == [
        # the first answer's last bubble asks for feedback (nlg/feedback.py)
        [answer(domain, "utter_what_to_do"), asked(domain)],
        [answer(domain, "utter_talk_to_partner")],
    ]


def test_nginx_logs_neither_messages_nor_query_strings(scale_out):
    secret_words = f"my private words {uuid.uuid4().hex}"
    before = len(upstreams_of_rest_turns(scale_out.nginx_log))
    requests.post(
        f"{scale_out.url}/webhooks/rest/webhook?sender_hint={secret_words}",
        json={"sender": new_sender(), "message": secret_words},
        timeout=60,
    ).raise_for_status()

    poll_until(
        lambda: len(upstreams_of_rest_turns(scale_out.nginx_log)),
        lambda turns: turns > before,
    )
    log = scale_out.nginx_log.read_text()
    assert "private" not in log
    assert "EIO=" not in log and "sid=" not in log  # socket.io's query strings


def test_oversized_request_is_refused_before_it_reaches_rasa(scale_out):
    reply = requests.post(
        f"{scale_out.url}/webhooks/rest/webhook",
        json={"sender": new_sender(), "message": "x" * 100_000},
        timeout=30,
    )

    assert reply.status_code == 413


def test_rasa_http_api_is_not_reachable_through_nginx(scale_out):
    sender = new_sender()
    scale_out.replicas[0].say(sender, "hey there")
    token = scale_out.replicas[0].token

    reply = requests.get(
        f"{scale_out.url}/conversations/{sender}/tracker",
        params={"token": token},
        timeout=10,
    )

    assert reply.status_code == 404


def test_a_burst_beyond_the_rate_limit_gets_429(scale_out):
    """Last in this file: it uses up this client's allowance for a moment."""
    with requests.Session() as session:
        statuses = [
            session.get(f"{scale_out.url}/webhooks/rest/", timeout=10).status_code
            for _ in range(60)
        ]

    assert set(statuses) == {200, 429}
    assert statuses[0] == 200
