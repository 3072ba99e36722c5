"""`make report` after conversations through the real server: the figures match
what was sent, no sender appears, and the page renders in a browser (its
screenshot goes to results/screenshots/ for `make screenshots`)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from channels import identity
from tests.conftest import ROOT
from tests.servers import BIN, Assistant, running_assistant
from tests.web import chromium

pytestmark = pytest.mark.servers

SCREENSHOTS = ROOT / "results" / "screenshots"
SENDERS = [f"report-person-{n}" for n in range(6)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("insights")


@pytest.fixture(scope="module")
def conversations(workdir) -> Iterator[Assistant]:
    """Six people ask what PCT is and rate the answer (five 👍, one 👎); five
    also ask whether it is normal; one is in crisis."""
    with running_assistant(workdir) as assistant:
        for n, sender in enumerate(SENDERS):
            answer = assistant.say(sender, "what is pct")
            assert "/feedback_helpful" in payloads(answer)
            assistant.say(
                sender, "/feedback_not_helpful" if n == 5 else "/feedback_helpful"
            )
        for sender in SENDERS[:5]:
            assistant.say(sender, "is it normal to cry after sex?")
        assistant.say(SENDERS[0], "i want to kill myself")
        yield assistant


def payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for reply in replies for b in reply.get("buttons") or []]


@pytest.fixture(scope="module")
def report(conversations, workdir) -> Path:
    """What `make report` runs, on the test server's store."""
    out = workdir / "reports"
    subprocess.run(
        [str(BIN / "python"), "-m", "insights",
         "--endpoints", str(workdir / "endpoints.yml"), "--out", str(out)],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out


def test_the_figures_are_what_was_sent(report):
    figures = json.loads((report / "insights.json").read_text())
    (week,) = figures["weeks"]

    assert figures["conversations"] == {week: 6}
    assert figures["answers"]["what_is_pct"] == {week: 6}
    assert figures["answers"]["is_it_normal"] == {week: 5}
    # one conversation escalated: too few to show
    assert figures["escalations"] == {"crisis, unknown": {week: "<5"}}
    # five 👍 are shown; one 👎 is too few, and so is a share built on it
    assert figures["helpfulness"] == {
        "what_is_pct": {"helpful": 5, "not_helpful": "<5", "helpful_pct": None}
    }


def test_no_sender_and_no_message_appears(report):
    written = b"".join(p.read_bytes() for p in report.iterdir()).decode(
        "utf-8", "replace"
    )
    keys = [identity.key("rest", sender) for sender in SENDERS]
    assert not [s for s in [*SENDERS, *keys] if s in written]
    assert "kill myself" not in written and "what is pct" not in written


def test_the_report_renders_with_its_charts(report):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.goto((report / "insights.html").as_uri())
        widths = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => i.naturalWidth)"
        )
        page.screenshot(path=SCREENSHOTS / "insights-report.png", full_page=True)
        browser.close()
    assert len(widths) == 3 and all(w > 0 for w in widths)
