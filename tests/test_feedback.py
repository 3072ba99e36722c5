"""Feedback on answers: "Was this helpful?" under some topic answers, the
rating kept in its own table (topic, rating, day, channel kind, assistant
version, conversation key), deleted with the conversation, folded into weekly
counts without a key when it expires; what was missing, only when the
operator keeps it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.events import FollowupAction
from sqlalchemy import select

import actions.feedback as feedback_actions
import privacy.feedback as feedback
from nlg.safety import SafetyNaturalLanguageGenerator
from privacy.tracker_store import PrivateSQLTrackerStore
from tests.conftest import ROOT, bot_sends, user_says

MONDAY = datetime(2026, 11, 30, 12, tzinfo=timezone.utc).timestamp()  # 2026-W49
DAY_S = 86400


@pytest.fixture(scope="module")
def real_domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def store(tmp_path, real_domain) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(real_domain, db=str(tmp_path / "conversations.db"))


@pytest.fixture
def keep_what_was_missing(monkeypatch):
    """Turn the operator's setting on for one test."""
    for module in (feedback, feedback_actions):
        monkeypatch.setattr(module, "keeps_what_was_missing", lambda: True)


def says(
    text: str, intent: str, at: float = MONDAY, risk: dict[str, Any] | None = None
) -> UserUttered:
    parse_data = {"text": text, "intent": {"name": intent, "confidence": 1.0},
                  "risk": risk or {"outcome": "answer"}}  # fmt: skip
    return UserUttered(
        text, parse_data["intent"], [], parse_data, at, "socketio",
        metadata={"model_id": "model-7"},
    )  # fmt: skip


def answer(topic: str, at: float = MONDAY, offer: bool = True) -> list:
    buttons = [{"title": "Hormones", "payload": "/cause_hormones"}]
    if offer:
        buttons += [
            {"title": "👍 Yes", "payload": "/feedback_helpful"},
            {"title": "👎 Not really", "payload": "/feedback_not_helpful"},
        ]
    return [
        ActionExecuted(f"utter_{topic}", timestamp=at),
        BotUttered("…", {"buttons": buttons}, {"utter_action": f"utter_{topic}"}, at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def bot(response: str, at: float = MONDAY) -> list:
    return [
        ActionExecuted(response, timestamp=at),
        BotUttered("…", {}, {"utter_action": response}, at),
        ActionExecuted("action_listen", timestamp=at),
    ]


async def converse(store, key: str, *turns: list) -> None:
    """Save the conversation turn by turn, as the server does."""
    events: list = []
    for turn in turns:
        events += turn
        await store.save(
            DialogueStateTracker.from_events(key, events, store.domain.slots)
        )


def rows(store) -> list[dict[str, Any]]:
    with store.session_scope() as session:
        found = session.execute(
            select(feedback.ratings).order_by(feedback.ratings.c.id)
        )
        return [dict(row._mapping) for row in found]


def weekly(store) -> list[dict[str, Any]]:
    with store.session_scope() as session:
        return [dict(r._mapping) for r in session.execute(select(feedback.weekly))]


async def test_a_tapped_rating_is_stored_once_with_only_what_the_issue_lists(store):
    await converse(
        store, "socketio:abc",
        [says("what is pct", "what_is_pct"), *answer("what_is_pct")],
        [says("/feedback_helpful", "feedback_helpful"), *bot("utter_feedback_thanks")],
        # a second tap answers the thanks, not the offer: no second row
        [says("/feedback_helpful", "feedback_helpful"), *bot("utter_feedback_thanks")],
    )  # fmt: skip

    [row] = rows(store)
    assert {k: v for k, v in row.items() if k != "id"} == {
        "conversation": "socketio:abc",
        "topic": "what_is_pct",
        "rating": "helpful",
        "day": "2026-11-30",
        "channel": "socketio",
        "assistant_version": "model-7",
        "what_was_missing": None,
    }


async def test_a_rating_nobody_was_asked_for_is_not_stored(store):
    await converse(
        store, "rest:typed",
        [says("what is pct", "what_is_pct"), *answer("what_is_pct", offer=False)],
        [says("/feedback_not_helpful", "feedback_not_helpful")],
    )  # fmt: skip

    assert rows(store) == []


async def test_deleting_the_conversation_deletes_its_ratings(store):
    rated = [says("/feedback_not_helpful", "feedback_not_helpful")]
    await converse(store, "rest:a", [says("q", "how_long"), *answer("how_long")], rated)
    await converse(store, "rest:b", [says("q", "how_long"), *answer("how_long")], rated)

    store.delete("rest:a")

    assert [row["conversation"] for row in rows(store)] == ["rest:b"]


async def test_expired_ratings_become_weekly_counts_without_a_key(store):
    for n in range(3):
        await converse(
            store, f"rest:old{n}",
            [says("q", "how_long"), *answer("how_long")],
            [says("/feedback_helpful", "feedback_helpful")],
        )  # fmt: skip
    recent = MONDAY + 40 * DAY_S
    await converse(
        store, "rest:new",
        [says("q", "how_long", recent), *answer("how_long", recent)],
        [says("/feedback_helpful", "feedback_helpful", recent)],
    )  # fmt: skip

    with store.session_scope() as session:
        feedback.expire(session, date(2026, 12, 20), [])
        session.commit()

    assert [row["conversation"] for row in rows(store)] == ["rest:new"]
    assert weekly(store) == [
        {"week": "2026-W49", "topic": "how_long", "rating": "helpful",
         "ratings": 3, "conversations": 3}
    ]  # fmt: skip


async def test_retention_purge_folds_and_deletes_the_ratings_of_old_conversations(
    store,
):
    await converse(
        store, "rest:old",
        [says("q", "how_long"), *answer("how_long")],
        [says("/feedback_helpful", "feedback_helpful")],
    )  # fmt: skip

    assert store.delete_older_than(30, now=MONDAY + 31 * DAY_S) == 1

    assert rows(store) == []
    assert [w["ratings"] for w in weekly(store)] == [1]


def unhelpful_then(reply: UserUttered) -> list[list]:
    return [
        [says("q", "medication"), *answer("medication")],
        [says("/feedback_not_helpful", "feedback_not_helpful"),
         *bot("utter_ask_what_was_missing")],
        [reply],
    ]  # fmt: skip


async def test_what_was_missing_is_kept_redacted_when_the_operator_turns_it_on(
    store, keep_what_was_missing
):
    reply = says("nothing on the mini pill, mail me at a@b.org", "nlu_fallback")

    await converse(store, "rest:m", *unhelpful_then(reply))

    [row] = rows(store)
    assert row["what_was_missing"] == "nothing on the mini pill, mail me at [email]"


async def test_what_was_missing_is_not_kept_when_the_setting_is_off(store):
    await converse(
        store, "rest:m", *unhelpful_then(says("the mini pill", "nlu_fallback"))
    )

    assert [row["what_was_missing"] for row in rows(store)] == [None]


@pytest.mark.parametrize(
    "intent, outcome",
    [("express_distress", "escalate"), ("express_possible_risk", "check_in")],
)
async def test_a_reply_that_shows_risk_is_never_kept_as_feedback(
    store, keep_what_was_missing, intent, outcome
):
    # the detector gives a risky message a safety-path intent
    reply = says("i dont want to be here", intent, risk={"outcome": outcome})

    await converse(store, "rest:r", *unhelpful_then(reply))

    assert [row["what_was_missing"] for row in rows(store)] == [None]


# --- when "Was this helpful?" is offered (nlg/feedback.py) -------------------


@pytest.fixture(scope="module")
def nlg(real_domain):
    return SafetyNaturalLanguageGenerator(None, real_domain)


def rating_payloads(response: dict[str, Any] | None) -> list[str]:
    payloads = [str(b.get("payload")) for b in (response or {}).get("buttons") or []]
    return [p for p in payloads if p.removeprefix("/") in feedback.RATINGS]


async def reply_after(nlg, real_domain, events: list, response: str) -> dict:
    tracker = DialogueStateTracker.from_events("t", events, slots=real_domain.slots)
    return await nlg.generate(response, tracker, "socketio")


async def test_the_first_answer_asks_and_keeps_its_related_topics(nlg, real_domain):
    response = await reply_after(
        nlg, real_domain, [says("is it normal", "is_it_normal")], "utter_is_it_normal"
    )

    answer_buttons = real_domain.responses["utter_is_it_normal"][0]["buttons"]
    assert response["text"].endswith("\n\nWas this answer helpful?")
    assert response["buttons"][: len(answer_buttons)] == answer_buttons
    assert rating_payloads(response) == ["/feedback_helpful", "/feedback_not_helpful"]


@pytest.mark.parametrize(
    "answers_since_offer, asks", [(0, False), (1, False), (2, True)]
)
async def test_it_asks_at_most_once_in_three_answers(
    nlg, real_domain, answers_since_offer, asks
):
    events = [says("q", "what_is_pct"), *answer("what_is_pct")]
    for _ in range(answers_since_offer):
        events += [says("q", "how_long"), *answer("how_long", offer=False)]
    events.append(says("is it normal", "is_it_normal"))

    response = await reply_after(nlg, real_domain, events, "utter_is_it_normal")

    assert bool(rating_payloads(response)) == asks


@pytest.mark.parametrize(
    "earlier",
    [
        [says("i feel awful", "express_distress")],
        [says("i might hurt myself", "express_possible_risk")],
        [says("/get_help", "get_help")],
        [SlotSet("distress_level", "distress")],
    ],
    ids=["escalation", "check-in", "get-help", "distress-level"],
)
async def test_it_never_asks_once_the_conversation_touched_the_safety_path(
    nlg, real_domain, earlier
):
    events = [*earlier, says("is it normal", "is_it_normal")]

    response = await reply_after(nlg, real_domain, events, "utter_is_it_normal")

    assert rating_payloads(response) == []


@pytest.mark.parametrize(
    "response_name", ["utter_greet", "utter_thanks", "utter_iamabot"]
)
async def test_only_topic_answers_ask(nlg, real_domain, response_name):
    response = await reply_after(nlg, real_domain, [says("hi", "greet")], response_name)

    assert rating_payloads(response) == []


# --- the replies to a rating (actions/feedback.py) ----------------------------


def user_rated_unhelpful(domain) -> list[dict[str, Any]]:
    return [
        user_says("what_is_pct", "what is it"),
        *bot_sends("utter_what_is_pct", domain),
        user_says("feedback_not_helpful", "/feedback_not_helpful"),
    ]


@pytest.mark.parametrize(
    "keep, expected",
    [(False, "utter_feedback_not_helpful"), (True, "utter_ask_what_was_missing")],
)
async def test_an_unhelpful_rating_asks_what_was_missing_only_when_kept(
    dispatcher, domain, tracker_from, monkeypatch, keep, expected
):
    monkeypatch.setattr(feedback_actions, "keeps_what_was_missing", lambda: keep)
    tracker = tracker_from(user_rated_unhelpful(domain))

    events = await feedback_actions.ActionAcknowledgeUnhelpfulAnswer().run(
        dispatcher, tracker, domain
    )

    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [expected]


@pytest.mark.parametrize(
    "asked, intent, responses, events",
    [
        (True, "nlu_fallback", ["utter_thanks_for_what_was_missing"], []),
        (False, "nlu_fallback", [], [FollowupAction("action_two_stage_fallback")]),
        (False, "out_of_scope", ["utter_out_of_scope"], []),
    ],
)
async def test_what_was_missing_is_thanked_only_where_it_was_asked(
    dispatcher, domain, tracker_from, asked, intent, responses, events
):
    reply = "utter_ask_what_was_missing" if asked else "utter_feedback_not_helpful"
    tracker = tracker_from(
        [
            *user_rated_unhelpful(domain),
            *bot_sends(reply, domain),
            user_says(intent, "it didn't cover the pill"),
        ]  # fmt: skip
    )

    result = await feedback_actions.ActionThankForWhatWasMissing().run(
        dispatcher, tracker, domain
    )

    assert result == events
    assert [m["response"] for m in dispatcher.messages] == responses
