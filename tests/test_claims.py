"""Every sentence of every topic answer traces to the article or to a study in
the research notes (claims.yml), or is marked as advice, a signpost or a gap
in the sources: an answer cannot say more than its sources."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.topics import topic_titles
from tests.conftest import sentences, without_source

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = yaml.safe_load((ROOT / "claims.yml").read_text(encoding="utf-8"))["claims"]
SOURCES = {
    "article": ROOT / "sources" / "crying-after-sex.txt",
    "facts": ROOT / "sources" / "facts.md",
}
NOT_CLAIMS = {"advice", "signpost", "unknown"}


def collapsed(text: str) -> str:
    return " ".join(text.split())


def sentences_of(answer: dict) -> list[str]:
    return sentences(without_source(str(answer["text"])))


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return {
        name: collapsed(path.read_text(encoding="utf-8"))
        for name, path in SOURCES.items()
    }


@pytest.mark.parametrize("topic", sorted(topic_titles()))
def test_every_sentence_of_the_answer_is_in_the_table(topic, domain):
    [answer] = domain["responses"][f"utter_{topic}"]

    listed = [entry["sentence"] for entry in CLAIMS.get(f"utter_{topic}", [])]

    assert listed == sentences_of(answer)


@pytest.mark.parametrize(
    "name, entry",
    [(name, entry) for name, entries in CLAIMS.items() for entry in entries],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_claim_is_quoted_word_for_word_or_marked_as_no_claim(name, entry, sources):
    if entry.get("kind") is not None:
        assert entry["kind"] in NOT_CLAIMS
        assert "quote" not in entry
    else:
        assert entry.get("from") in SOURCES, f"{name}: a claim without a source"
        assert collapsed(entry["quote"]) in sources[entry["from"]]


def test_the_table_covers_only_topic_answers():
    assert set(CLAIMS) == {f"utter_{topic}" for topic in topic_titles()}
