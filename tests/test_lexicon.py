"""The safety lexicon (safety/lexicon/): what it finds, in which language, and
when a match is harmless. No model, no server."""

from __future__ import annotations

import pytest
import spacy

from safety.lexicon import HINT, PHRASE, Lexicon
from safety.taxonomy import load
from safety.text import mark_negations, normalise


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.load(spacy.load("en_pct_lookup"))


@pytest.mark.parametrize(
    "text, kind, language",
    [
        ("i keep thinking i want to kill myself", "suicide", "en"),
        ("killing myself seems like the only way", "suicide", "en"),
        ("he raped me last night", "assault", "en"),
        ("i was raped", "assault", "en"),
        ("my husband beats me", "abuse", "en"),
        ("i cant stop crying for days", "distress", "en"),
        ("lloro después del sexo y ya no quiero vivir", "suicide", "es"),
        ("je veux mourir", "suicide", "fr"),
        ("ich will nicht mehr leben", "suicide", "de"),
        ("quero morrer", "suicide", "pt"),
        ("voglio morire", "suicide", "it"),
        # inflections a phrase list misses unless it names them
        ("ho paura di fare qualcosa, sono stanco di esistere", "suicide", "it"),
        ("ich habe angst, mir etwas anzutun", "suicide", "de"),
        ("tenho me machucado de propósito de novo", "self_harm", "pt"),
    ],
)
def test_phrases_are_found_in_every_language(lexicon, text, kind, language):
    evidence = lexicon.find(text)

    assert kind in evidence.kinds(PHRASE)
    assert evidence.languages.most_common(1)[0][0] == language


@pytest.mark.parametrize(
    "text",
    [
        "i'm not suicidal, just curious",
        "i would never hurt myself",
        "i'm not going to kill myself",
        "no quiero morir, solo quiero entender",
        "i'd kill myself laughing if he saw this",
    ],
)
def test_negated_and_figurative_uses_are_harmless(lexicon, text):
    evidence = lexicon.find(text)

    assert evidence.kinds(PHRASE) == set()
    assert evidence.harmless_only


@pytest.mark.parametrize(
    "text", ["i'm dying of embarrassment", "that killed me lol", "me muero de risa"]
)
def test_figures_of_speech_are_recognised(lexicon, text):
    evidence = lexicon.find(text)

    assert evidence.figurative
    assert evidence.kinds(PHRASE) == set()


@pytest.mark.parametrize(
    "text",
    [
        "im not ok, i want to die",  # the comma ends the negation's clause
        "i dont know why but i want to die",
        "nao aguento mais vou me matar",  # "nao" governs "aguento", not the phrase
    ],
)
def test_a_negation_in_another_clause_does_not_cancel(lexicon, text):
    assert "suicide" in lexicon.find(text).kinds(PHRASE)


@pytest.mark.parametrize(
    "text, kinds",
    [
        # no reason to live is risk because of its negation
        ("i cant think of one single reason to stay alive tbh", {"suicide"}),
        ("there's not a single reason to be alive", {"suicide"}),
        ("i can't find a reason to live anymore", {"suicide"}),
        ("i can't think of a reason to stay home tonight", set()),
        # a soft wish not to go on, told inside a question
        ("is it normal to cry after sex? i wonder what the point is", {"distress"}),
        ("lately i feel like giving up", {"distress"}),
        ("after sex i feel like i'm fading away", {"distress"}),
        ("i feel like im disappearing", {"distress"}),
        ("i don't feel like giving up, i just want to understand it", set()),
    ],
)
def test_a_phrase_is_found_where_its_words_mean_risk(lexicon, text, kinds):
    assert lexicon.find(text).kinds(PHRASE) == kinds


def test_a_negation_that_spacy_splits_is_still_one_negation(lexicon):
    # "wasnt" is the tokens "was" + "nt": only "nt" negates, never "was"
    assert "be" not in lexicon.negations["en"]
    assert "assault" in lexicon.find("i was sexually assaulted").kinds(PHRASE)


def test_medicine_names_are_not_even_hints(lexicon):
    evidence = lexicon.find("can i take ibuprofen or the pill after sex")

    assert evidence.kinds(PHRASE) == evidence.kinds(HINT) == set()


def test_a_symbol_can_carry_the_whole_message(lexicon):
    assert "method" in lexicon.find("💊💊💊").kinds(PHRASE)


def test_every_language_of_the_taxonomy_has_a_lexicon_with_every_kind(lexicon):
    by_language = {f.language: f for f in lexicon.files}
    taxonomy = load()

    assert set(by_language) == set(taxonomy.languages)
    for language in by_language.values():
        assert set(language.kinds) <= set(taxonomy.kinds)
        assert {"suicide", "assault", "abuse", "distress"} <= set(language.kinds)


def test_negations_mark_the_words_they_reach_up_to_the_clause_end():
    marked = mark_negations(
        normalise("I don\u2019t want to die or anything, I want to understand"),
        frozenset({"don't"}) | frozenset({"not"}),
        frozenset({"but"}),
    )

    assert marked == (
        "i don't neg_want neg_to neg_die neg_or anything , i want to understand"
    )
