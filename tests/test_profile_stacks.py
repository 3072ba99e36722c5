"""bench/stacks.py: py-spy's samples of the servers, put in the parts of a turn a
reader knows, and ms per turn for each. Stacks as py-spy's raw format prints
them, cut to the frames that decide."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import stacks

LOOP = "<module> (rasa:8);serve (sanic/server/runners.py:155)"
REQUEST = (
    f"{LOOP};connection_task (connection_task:15);http1 (sanic/http.py:146);"
    "handle_request (handle_request:83)"
)
TURN = (
    f"{REQUEST};receive (rasa/core/channels/rest.py:162);"
    "handle (channels/identity.py:122);handle_message (rasa/core/processor.py:157)"
)
NLU = (
    f"{TURN};log_message (rasa/core/processor.py:466);"
    "parse_message (rasa/core/processor.py:730);"
    "_parse_message_with_graph (rasa/core/processor.py:774);"
    "run (rasa/engine/runner/dask.py:101);get_sync (dask/local.py:595);"
    "execute_task (dask/local.py:224);__call__ (rasa/engine/graph.py:496)"
)
CVF = (
    f"{NLU};process (rasa/nlu/featurizers/sparse_featurizer/"
    "count_vectors_featurizer.py:666);"
    "transform (sklearn/feature_extraction/text.py:1387);"
    "_count_vocab (sklearn/feature_extraction/text.py:1209);"
    "_analyze (sklearn/feature_extraction/text.py:118)"
)
POLICIES = (
    f"{TURN};_run_prediction_loop (rasa/core/processor.py:870);"
    "_predict_next_with_tracker (rasa/core/processor.py:1120);"
    "run (rasa/engine/runner/dask.py:101);__call__ (rasa/engine/graph.py:496)"
)
ACTION = (
    f"{TURN};_run_prediction_loop (rasa/core/processor.py:884);"
    "_run_action (rasa/core/processor.py:982)"
)
ACTION_SERVER = (
    "<module> (rasa:8);run (rasa_sdk/endpoint.py:168);"
    "serve (sanic/server/runners.py:155);connection_task (connection_task:15);"
    "handle_request (handle_request:83)"
)


def stack(line: str) -> stacks.Stack:
    [parsed] = stacks.samples(f"{line} 1")
    return parsed


@pytest.mark.parametrize(
    ("line", "part"),
    [
        # the event loop waiting for work, under uvloop or asyncio
        (LOOP, stacks.IDLE),
        ("<module> (rasa:8);run_forever (asyncio/base_events.py:603);"
         "_run_once (asyncio/base_events.py:1871);select (selectors.py:469)",
         stacks.IDLE),
        # each pipeline component by the method its graph node runs
        (f"{NLU};process (components/message_length_guard.py:70)",
         "MessageLengthGuard"),
        (f"{NLU};process (rasa/nlu/utils/spacy_utils.py:309);"
         "_doc_for_text (rasa/nlu/utils/spacy_utils.py:168);"
         "__call__ (spacy/language.py:1014)", "SpacyNLP"),
        (f"{NLU};process (rasa/nlu/tokenizers/tokenizer.py:151);"
         "tokenize (rasa/nlu/tokenizers/spacy_tokenizer.py:55)", "SpacyTokenizer"),
        (f"{CVF};_word_ngrams (sklearn/feature_extraction/text.py:264)",
         stacks.CVF_WORDS),
        (f"{CVF};_char_wb_ngrams (sklearn/feature_extraction/text.py:300)",
         stacks.CVF_CHARS),
        # code both featurizers run cannot say which one ran it
        (CVF, stacks.CVF_EITHER),
        (f"{NLU};process (components/tfidf_intent_classifier.py:163);"
         "process (rasa/nlu/classifiers/logistic_regression_classifier.py:144);"
         "_determine_key_type (sklearn/utils/__init__.py:254)",
         "TfidfIntentClassifier"),
        (f"{NLU};process (rasa/nlu/extractors/regex_entity_extractor.py:143)",
         "RegexEntityExtractor"),
        (f"{NLU};process (rasa/nlu/classifiers/fallback_classifier.py:87)",
         "FallbackClassifier"),
        # the RiskDetector's own spaCy and matchers are the RiskDetector's time
        (f"{NLU};process (components/risk_detector.py:289);"
         "decide (safety/detector.py:53);find (safety/lexicon.py:154);"
         "__call__ (spacy/language.py:1026)", "RiskDetectorComponent"),
        (f"{NLU};process (components/risk_detector.py:289);"
         "score (safety/model.py:98);transform (sklearn/pipeline.py:523)",
         "RiskDetectorComponent"),
        # dask between the nodes, and a graph node not yet in its component
        (f"{NLU[: NLU.rindex(';')]};finish_task (dask/local.py:250)",
         stacks.NLU_OTHER),
        (f"{NLU};_load_component (rasa/engine/graph.py:400)", stacks.NLU_OTHER),
        (f"{TURN};parse_message (rasa/core/processor.py:735);"
         "_check_for_unseen_features (rasa/core/processor.py:680)", stacks.NLU_OTHER),
        (f"{POLICIES};predict_action_probabilities "
         "(rasa/core/policies/rule_policy.py:1113)", "RulePolicy"),
        (f"{POLICIES};predict_action_probabilities "
         "(rasa/core/policies/memoization.py:256)", "MemoizationPolicy"),
        (f"{POLICIES};combine_predictions_from_kwargs "
         "(rasa/core/policies/ensemble.py:102)", stacks.POLICIES_OTHER),
        # a domain response, and the ones an action server's reply asks for
        (f"{ACTION};run (rasa/core/actions/action.py:312);"
         "generate (nlg/safety.py:69)", stacks.NLG),
        (f"{ACTION};run (rasa/core/actions/action.py:792);"
         "_utter_responses (rasa/core/actions/action.py:720);"
         "generate (rasa/core/nlg/generator.py:50)", stacks.NLG),
        # the whole tracker out, the reply checked, and the connection's writes
        (f"{ACTION};run (rasa/core/actions/action.py:756);"
         "_action_call_format (rasa/core/actions/action.py:659);"
         "current_state (rasa/shared/core/trackers.py:238)", stacks.ACTION_CALLS),
        (f"{ACTION};run (rasa/core/actions/action.py:790);"
         "_validate_action_result (rasa/core/actions/action.py:704);"
         "validate (jsonschema/validators.py:1117)", stacks.ACTION_CALLS),
        (f"{LOOP};write_bytes (aiohttp/client_reqrep.py:627)", stacks.ACTION_CALLS),
        # the tracker store, by what the processor asked of it
        (f"{TURN};get_tracker (rasa/core/processor.py:391);"
         "get_or_create_tracker (rasa/core/tracker_store.py:150);"
         "retrieve (rasa/core/tracker_store.py:1200);"
         "deserialise_events (rasa/shared/core/events.py:116)", stacks.STORE_READS),
        (f"{TURN};save_tracker (rasa/core/processor.py:1095);"
         "save (rasa/core/tracker_store.py:1400);save (privacy/tracker_store.py:90);"
         "do_commit (sqlalchemy/engine/default.py:686)", stacks.STORE_WRITES),
        (f"{ACTION};copy (rasa/shared/core/trackers.py:622);"
         "travel_back_in_time (rasa/shared/core/trackers.py:635)",
         stacks.DIALOGUE_OTHER),
        (f"{REQUEST};send (sanic/response.py:142)", stacks.RASA_OTHER),
        # a thread that serves no turns: the privacy purge's
        ("_bootstrap (threading.py:973);run (threading.py:953);"
         "_purge_forever (privacy/schedule.py:41)", None),
    ],
)  # fmt: skip
def test_a_rasa_stack_counts_for_the_part_of_the_turn_it_is_in(
    line: str, part: str | None
) -> None:
    assert stacks.rasa_part(stack(line)) == part


@pytest.mark.parametrize(
    ("line", "part"),
    [
        ("<module> (rasa:8);run (rasa_sdk/endpoint.py:168);"
         "serve (sanic/server/runners.py:155)", stacks.IDLE),
        (f"{ACTION_SERVER};webhook (rasa_sdk/endpoint.py:102);"
         "json (sanic/request.py:313);load_json (sanic/request.py:319)",
         stacks.TRACKER_IN),
        (f"{ACTION_SERVER};webhook (rasa_sdk/endpoint.py:113);"
         "run (rasa_sdk/executor.py:395);from_dict (rasa_sdk/interfaces.py:60)",
         stacks.TRACKER_IN),
        (f"{ACTION_SERVER};webhook (rasa_sdk/endpoint.py:113);"
         "run (rasa_sdk/executor.py:398);run (actions/escalation.py:58);"
         "safe_load (yaml/__init__.py:125)", stacks.ACTIONS_CODE),
        (f"{ACTION_SERVER};webhook (rasa_sdk/endpoint.py:124);"
         "json (sanic/response.py:250)", stacks.ACTION_SERVER_OTHER),
        ("_bootstrap (threading.py:973);run (threading.py:953)", None),
    ],
)  # fmt: skip
def test_an_action_server_stack_counts_for_the_part_of_the_call_it_is_in(
    line: str, part: str | None
) -> None:
    assert stacks.action_server_part(stack(line)) == part


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("process (components/risk_detector.py:289)",
         stacks.Frame("process", "components/risk_detector.py")),
        ("<module> (rasa:8)", stacks.Frame("<module>", "rasa")),
        ("connection_task (connection_task:15)",
         stacks.Frame("connection_task", "connection_task")),
        ("<unknown>", stacks.Frame("<unknown>", "")),
    ],
)  # fmt: skip
def test_a_frame_is_read_without_its_line(text: str, frame: stacks.Frame) -> None:
    assert stacks.frame(text) == frame


def test_samples_are_counted_per_stack() -> None:
    raw = f"{LOOP} 7\n{REQUEST};send (sanic/response.py:142) 2\n{LOOP} 1\n"
    counted = stacks.samples(raw)
    assert counted[stack(LOOP)] == 8
    assert counted.total() == 10


def test_every_part_a_stack_can_be_in_is_a_row_of_the_table() -> None:
    parts = {stacks.rasa_part(stack(f"{NLU};process ({file}:1)"))
             for file in stacks.COMPONENTS}  # fmt: skip
    assert parts <= set(stacks.PARTS["rasa_server"])


def test_ms_per_turn_share_each_process_window_and_idle_is_no_turn_time() -> None:
    tallies = {
        "action_server": Counter({stacks.ACTIONS_CODE: 10, stacks.IDLE: 90}),
        "rasa_server": Counter(
            {"TfidfIntentClassifier": 50, stacks.STORE_WRITES: 25, stacks.IDLE: 25}
        ),
    }
    result = stacks.breakdown(tallies, seconds=10, turns=5)
    rows = {row["part"]: row for row in result["parts"]}
    # 10 s over 5 turns: each process has 2000 ms a turn, shared by its parts
    assert rows["TfidfIntentClassifier"]["ms_per_turn"] == 1000
    assert rows[stacks.STORE_WRITES]["ms_per_turn"] == 500
    assert rows[stacks.ACTIONS_CODE]["ms_per_turn"] == 200
    assert rows["SpacyNLP"]["ms_per_turn"] == 0
    assert result["turn_ms"] == 1700
    assert rows["TfidfIntentClassifier"]["share_pct"] == round(100 * 1000 / 1700, 1)
    assert result["idle_pct"] == {"rasa_server": 25, "action_server": 90}
    assert stacks.IDLE not in rows
    # in the order a turn meets them, whatever order the processes came in
    assert [row["part"] for row in result["parts"]] == [
        *stacks.PARTS["rasa_server"],
        *stacks.PARTS["action_server"],
    ]
