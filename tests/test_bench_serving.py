"""bench/serving.py: resident memory counts each process once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.serving import placed_topic, rss_mb, what_a_person_gets


def status(proc: Path, pid: int, parent: int, rss_kb: int | None) -> None:
    """A /proc/PID/status as Linux writes it (kernel threads have no VmRSS)."""
    (proc / str(pid)).mkdir()
    lines = [f"Name:\tprocess{pid}", f"Pid:\t{pid}", f"PPid:\t{parent}"]
    if rss_kb is not None:
        lines.append(f"VmRSS:\t  {rss_kb} kB")
    (proc / str(pid) / "status").write_text("\n".join(lines) + "\n")


def test_a_process_and_its_children_are_each_counted_once(tmp_path: Path) -> None:
    status(tmp_path, 100, parent=1, rss_kb=1024)  # the server
    status(tmp_path, 101, parent=100, rss_kb=2048)  # a forked worker
    status(tmp_path, 102, parent=100, rss_kb=None)
    status(tmp_path, 103, parent=1, rss_kb=8192)  # someone else's
    (tmp_path / "self").mkdir()  # not a process number

    assert rss_mb(100, proc=tmp_path) == 3.0
    assert rss_mb(101, proc=tmp_path) == 2.0


def test_a_process_gone_counts_nothing(tmp_path: Path) -> None:
    status(tmp_path, 103, parent=1, rss_kb=8192)

    assert rss_mb(100, proc=tmp_path) == 0.0


CHECK_IN_INTENT = "express_possible_risk"


def parsed(intent: str, outcome: str | None = None, asked: str | None = None) -> dict:
    """What /model/parse returns, with the RiskDetector's decision."""
    risk = {"outcome": outcome, "asked": asked} if outcome else None
    return {"intent": {"name": intent, "confidence": 0.9}, "risk": risk}


@pytest.mark.parametrize(
    "parse, gets, placed",
    [
        (parsed("how_long", "answer", "how_long"), "right_answer", "how_long"),
        (parsed("prevention", "answer", "prevention"), "wrong_answer", "prevention"),
        (parsed("nlu_fallback", "answer"), "fallback", "nlu_fallback"),
        # the check-in comes first; "No, I'm okay" leads to the kept topic
        (parsed(CHECK_IN_INTENT, "check_in", "how_long"), "check_in", "how_long"),
        (parsed(CHECK_IN_INTENT, "check_in"), "check_in", "nlu_fallback"),
        (parsed("express_distress", "escalate", "how_long"), "escalated", "how_long"),
    ],
)
def test_what_a_person_gets_first_and_the_topic_the_classifier_placed(
    parse: dict, gets: str, placed: str
) -> None:
    assert what_a_person_gets(parse, "how_long") == gets
    assert placed_topic(parse) == placed
