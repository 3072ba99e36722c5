"""Which of the assistant's languages a message is written in.

Lingua (lingua-language-detector) tells languages apart offline from its own
n-gram models, restricted to the languages of safety/taxonomy.yml. Its low
accuracy mode needs about 35 MB instead of 230 MB and is as good on
sentences; it cannot tell one or two words apart ("sí", "ok"), so for those
no language is claimed and the conversation's earlier language stands. The
lexicon's matches are stronger evidence than either: a Spanish crisis phrase
makes the message Spanish.

Answering an English speaker in German is worse than answering a German
speaker in English, so another language is claimed only when Lingua is very
sure: on this project's English training data it then calls 0.4% of messages
foreign ("no, im fine" is German to it at 0.6), and still finds three in four
of the foreign ones; the lexicon finds most of the rest that matter. On short
messages it is sure and wrong too ("nah forget it im fine" is German at 0.95),
so without the lexicon's word a message shorter than six words stays in the
conversation's language.
"""

from __future__ import annotations

from functools import cached_property

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from safety.lexicon import Evidence

MIN_WORDS = 3
MIN_WORDS_OTHERS = 6  # to claim a language other than English on Lingua's word
MIN_CONFIDENCE = {"en": 0.5}
MIN_CONFIDENCE_OTHERS = 0.9


class LanguageGuesser:
    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages

    @cached_property
    def _detector(self) -> LanguageDetector:
        codes = [getattr(IsoCode639_1, code.upper()) for code in self.languages]
        return (
            LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )

    def warm_up(self) -> None:
        """Build the detector now, not on the first message."""
        _ = self._detector

    def guess(self, text: str, evidence: Evidence) -> str | None:
        """The message's language, or None when it cannot be told."""
        found = [(n, lang) for lang, n in evidence.languages.items() if lang != "any"]
        if found:
            return max(found)[1]
        words = len(text.split())
        if words < MIN_WORDS:
            return None
        best = self._detector.compute_language_confidence_values(text)[0]
        language = best.language.iso_code_639_1.name.lower()
        if best.value < MIN_CONFIDENCE.get(language, MIN_CONFIDENCE_OTHERS):
            return None
        if language != "en" and words < MIN_WORDS_OTHERS:
            return None
        return language
