"""The RiskDetector: the Rasa component trained, persisted and loaded, its
config checked, and the one decision per message (safety/detector.py).
No server; the component trains on a few examples."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.risk_detector import RISK, RiskDetectorComponent
from safety import age, taxonomy
from safety.detector import ANSWER, CHECK_IN, ESCALATE, RiskDetector
from safety.language import LanguageGuesser
from safety.lexicon import Lexicon
from safety.model import Scored, Thresholds, _ordered, prepared
from tests.conftest import small_config


@pytest.fixture(scope="module")
def trained(tmp_path_factory, spacy_model, training_data):
    storage = LocalModelStorage(tmp_path_factory.mktemp("risk"))
    resource = Resource("risk_detector")
    context = ExecutionContext(GraphSchema({}), node_name="risk_detector")
    component = RiskDetectorComponent.create(small_config(), storage, resource, context)
    component.train(training_data, spacy_model)
    return component, storage, resource, context


def parsed(component, spacy_model, text, intent="is_it_normal"):
    message = Message({TEXT: text, INTENT: {"name": intent, "confidence": 0.9}})
    component.process([message], spacy_model)
    return message


def test_a_trained_detector_is_persisted_and_loaded_with_the_same_decisions(
    trained, spacy_model
):
    component, storage, resource, context = trained
    loaded = RiskDetectorComponent.load(small_config(), storage, resource, context)

    for text in ["i want to end my life", "is it normal to cry after sex", "hi"]:
        before = parsed(component, spacy_model, text).get(RISK)
        after = parsed(loaded, spacy_model, text).get(RISK)
        assert before == after


def test_fitting_in_parallel_processes_trains_the_same_model(
    tmp_path, trained, spacy_model, training_data
):
    alone = RiskDetectorComponent.create(
        small_config(jobs=1),
        LocalModelStorage(tmp_path),
        Resource("alone"),
        ExecutionContext(GraphSchema({}), node_name="alone"),
    )
    alone.train(training_data, spacy_model)

    in_parallel_model, alone_model = trained[0]._model, alone._model
    assert in_parallel_model and alone_model
    assert in_parallel_model.thresholds == alone_model.thresholds
    for text in ["i want to end my life", "is it normal to cry after sex", "hi"]:
        in_parallel = parsed(trained[0], spacy_model, text).get(RISK)
        assert in_parallel == parsed(alone, spacy_model, text).get(RISK)


def test_escalating_sets_the_safety_intent_and_keeps_the_question_asked(
    trained, spacy_model
):
    message = parsed(trained[0], spacy_model, "i want to end my life", "is_it_normal")

    assert message.get(RISK)["outcome"] == ESCALATE
    assert message.get(INTENT)["name"] == "express_suicidal_thoughts"
    assert message.get(RISK)["asked"] == "is_it_normal"


def test_a_calm_question_keeps_its_intent(trained, spacy_model):
    message = parsed(trained[0], spacy_model, "hi", "greet")

    assert message.get(RISK)["outcome"] == ANSWER
    assert message.get(INTENT)["name"] == "greet"


def test_an_empty_message_is_left_alone(trained, spacy_model):
    message = parsed(trained[0], spacy_model, "   ", "greet")

    assert message.get(RISK) is None


def test_an_untrained_detector_refuses_to_run(tmp_path, spacy_model):
    component = RiskDetectorComponent.create(
        small_config(),
        LocalModelStorage(tmp_path),
        Resource("untrained"),
        ExecutionContext(GraphSchema({}), node_name="untrained"),
    )

    with pytest.raises(Exception, match="never trained"):
        component.process([Message({TEXT: "i want to die"})], spacy_model)


@pytest.mark.parametrize(
    "bad",
    [
        {"text_c": 0},
        {"text_c": "10"},
        {"naive_bayes_alpha": 0},
        {"naive_bayes_alpha": None},
        {"folds": 1},
        {"signal_calm_rate": 0.9},
        {"crisis_level_rate": 0.3},
        {"escalate_calm_rate": 0.2, "check_in_calm_rate": 0.1},
        {"check_in_calm_rate": 0.3, "signal_calm_rate": 0.2},
        {"check_in_calm_rate": True},
        {"window_characters": 10},
        {"max_windows": -1},
        {"jobs": 0},
        {"jobs": 1.5},
        {"joined_per_risk_example": 2},
        {"joined_per_risk_example": -0.5},
    ],
)
def test_bad_config_is_refused(tmp_path, bad):
    with pytest.raises(InvalidConfigException):
        RiskDetectorComponent.create(
            small_config(**bad),
            LocalModelStorage(tmp_path),
            Resource("bad"),
            ExecutionContext(GraphSchema({}), node_name="bad"),
        )


# --- the decision, with the model's score set by the test ------------------


THRESHOLDS = Thresholds(escalate=0.9, check_in=0.6, signal=0.2, crisis_share=0.5)


@dataclass
class ScoreOf:
    """Stands in for the trained risk model: each test sets the score, and
    the part of it that falls on the crisis class (the rest is distress)."""

    risk: float
    crisis: bool | float = True
    thresholds: Thresholds = THRESHOLDS

    def score(self, text, evidence):
        crisis = self.risk * float(self.crisis)
        classes = {"none": 1 - self.risk, "suicide": crisis, "assault": 0.0,
                   "abuse": 0.0, "distress": self.risk - crisis}  # fmt: skip
        return Scored(self.risk, classes)


@pytest.fixture(scope="module")
def parts(spacy_model):
    tax = taxonomy.load()
    return tax, Lexicon.load(spacy_model.model), LanguageGuesser(tax.languages)


def decide(parts, risk, text="why do i cry after sex", intent="causes_overview", **kw):
    tax, lexicon, languages = parts
    model = ScoreOf(risk, **kw)
    detector = RiskDetector(tax, lexicon, model, age.load(), languages)  # type: ignore[arg-type]
    return detector.decide(text, intent)


@pytest.mark.parametrize(
    "risk, outcome", [(0.95, ESCALATE), (0.9, ESCALATE), (0.7, CHECK_IN), (0.1, ANSWER)]
)
def test_the_score_against_the_two_thresholds_decides(parts, risk, outcome):
    assert decide(parts, risk).outcome == outcome


def test_escalation_carries_the_level_of_the_kind(parts):
    assert decide(parts, 0.95).level == "crisis"
    assert decide(parts, 0.95, crisis=False).level == "distress"


@pytest.mark.parametrize(
    "crisis_part, chosen_share, level",
    [(0.4, 0.3, "crisis"), (0.4, 0.5, "distress"), (0.6, 0.5, "crisis")],
)
def test_the_level_is_crisis_when_the_crisis_classes_hold_the_chosen_share(
    parts, crisis_part, chosen_share, level
):
    thresholds = replace(THRESHOLDS, crisis_share=chosen_share)

    decision = decide(parts, 0.95, crisis=crisis_part, thresholds=thresholds)

    assert decision.level == level


def test_training_chooses_a_crisis_share_and_reports_what_it_gives(trained):
    model = trained[0]._model

    assert 0.0 <= model.thresholds.crisis_share <= 1.0
    assert "held_out_crisis_escalated_at_crisis_level" in model.report


@pytest.mark.parametrize(
    "intent, outcome",
    [
        # the classifier did not understand the question: not the plain menu
        ("nlu_fallback", CHECK_IN),
        # nor the "outside what I know" reply to a message about no topic
        ("out_of_scope", CHECK_IN),
        # a topic it placed gets its answer (with one gentle offer of support)
        ("causes_overview", ANSWER),
    ],
)
def test_a_weak_risk_signal_in_a_message_placed_in_no_topic_gets_the_check_in(
    parts, intent, outcome
):
    decision = decide(parts, 0.3, intent=intent)

    assert decision.signal and decision.outcome == outcome


def test_no_risk_signal_out_of_scope_gets_the_out_of_scope_reply(parts):
    assert decide(parts, 0.05, intent="out_of_scope").outcome == ANSWER


def test_a_phrase_is_a_signal_even_when_the_score_is_low(parts):
    decision = decide(parts, 0.05, text="i want to die", intent="nlu_fallback")

    assert decision.signal and decision.outcome == CHECK_IN


def test_child_protection_escalates_whatever_the_score(parts):
    decision = decide(parts, 0.0, text="i'm 12 and i had sex with my boyfriend")

    assert decision.outcome == ESCALATE
    assert "child" in decision.kinds and decision.level == "crisis"


def test_a_teen_with_nothing_wrong_gets_the_answer_and_the_youth_flag(parts):
    decision = decide(parts, 0.1, text="im 17 and i cried after sex, is that normal?")

    assert (decision.outcome, decision.youth) == (ANSWER, True)


def test_a_minor_reporting_assault_gets_child_protection(parts):
    tax, lexicon, languages = parts
    model = replace(ScoreOf(0.95), crisis=True)
    detector = RiskDetector(tax, lexicon, model, age.load(), languages)  # type: ignore[arg-type]

    decision = detector.decide("im 16 and he raped me", "nlu_fallback")

    assert {"assault", "child"} <= set(decision.kinds)


@pytest.mark.parametrize(
    "text, language",
    [
        ("lloro después del sexo y ya no quiero vivir", "es"),
        ("je pleure après l'amour et je veux mourir", "fr"),
        ("ich weine nach dem Sex und will nicht mehr leben", "de"),
        ("why do i cry after sex with my boyfriend", "en"),
        ("sí", None),
    ],
)
def test_the_language_is_told_when_it_can_be(parts, text, language):
    assert decide(parts, 0.1, text=text).language == language


def test_the_fast_path_gives_exactly_the_models_probabilities(trained):
    model = trained[0]._model
    models, settings = model.text_models, model.settings
    texts = ["i want to end my life", "is it hormones", "hi", "he hit me after sex"]
    prepared_texts = [prepared(settings, t) for t in texts]

    regression = _ordered(models.regression, settings, prepared_texts)
    bayes = _ordered(
        models.naive_bayes, settings, models.words.transform(prepared_texts)
    )

    assert np.allclose(model._fast.probabilities(texts), regression, atol=1e-12)
    assert np.allclose(model._fast.bayes_probabilities(texts), bayes, atol=1e-12)


@pytest.mark.parametrize(
    "text",
    ["no, im fine", "ok sure", "i'm fine tbh", "jajaja no", "nah forget it im fine"],
)
def test_a_short_english_or_unclear_reply_never_switches_the_language(parts, text):
    assert decide(parts, 0.1, text=text).language in ("en", None)
