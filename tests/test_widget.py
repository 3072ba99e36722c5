"""The website widget in a real headless Chromium, as a person would use it.

The demo page is served by scripts/serve_web.py and talks to the real assistant
over socket.io. Screenshots go to results/screenshots/ (`make screenshots`
copies them to docs/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect, sync_playwright

from tests.web import ROOT, chromium, demo_page

SCREENSHOTS = ROOT / "results" / "screenshots"
EXIT_URL = "https://www.bbc.co.uk/weather"
REPLY_TIMEOUT_MS = 30_000
# Captured before any script of the page runs: what survived from earlier visits.
STORAGE_AT_LOAD = """
window.__storageAtLoad = {
  session: Object.keys(window.sessionStorage),
  local: Object.keys(window.localStorage),
  cookies: document.cookie,
};
"""


@pytest.fixture(scope="module")
def page_url(assistant, web_origin, tmp_path_factory) -> Iterator[str]:
    with demo_page(web_origin, assistant.url, tmp_path_factory.mktemp("web")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def outside_requests() -> list[str]:
    return []


@pytest.fixture
def context(browser, outside_requests) -> Iterator[BrowserContext]:
    """A British visitor; any request that would leave this machine is recorded
    and refused, and the Quick Exit site is a local stand-in."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")

    def outside(route: Route) -> None:
        if route.request.url.startswith(EXIT_URL):
            route.fulfill(body="<title>Weather</title>", content_type="text/html")
        else:
            outside_requests.append(route.request.url)
            route.abort()

    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), outside)
    context.add_init_script(STORAGE_AT_LOAD)
    yield context
    context.close()


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(context, page_url, console_errors) -> Page:
    page = context.new_page()
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    page.goto(page_url)
    return page


def open_chat(page: Page) -> None:
    page.click(".rw-launcher")
    expect(page.locator(".rw-response").first).to_contain_text(
        "automated assistant", timeout=REPLY_TIMEOUT_MS
    )


def ask(page: Page, text: str) -> None:
    page.fill(".rw-new-message", text)
    page.keyboard.press("Enter")


def first_sentence(domain, response: str) -> str:
    return domain["responses"][response][0]["text"].split(". ")[0]


def test_question_gets_curated_answer_and_a_button_leads_on(
    page, domain, outside_requests, console_errors
):
    open_chat(page)

    ask(page, "is it normal to cry after sex?")
    answer = page.locator(
        ".rw-response", has_text=first_sentence(domain, "utter_is_it_normal")
    )
    expect(answer).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".rw-response", has_text="Source:").last).to_be_visible()
    replies = page.locator(".rw-replies").last.locator(".rw-reply")
    titles = [
        b["title"] for b in domain["responses"]["utter_is_it_normal"][0]["buttons"]
    ]
    expect(replies).to_have_text(titles)

    replies.first.click()
    button_answer = domain["responses"]["utter_is_it_normal"][0]["buttons"][0][
        "payload"
    ]
    response = "utter_" + button_answer.removeprefix("/")
    expect(
        page.locator(".rw-response", has_text=first_sentence(domain, response))
    ).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    # nothing tried to leave the machine, and the policy blocked nothing needed
    assert outside_requests == []
    assert console_errors == []


def test_crisis_message_shows_local_tap_to_call_and_text_links(page, domain):
    open_chat(page)
    before = page.locator(".rw-response").count()

    ask(page, "i want to kill myself")

    # a British time zone and locale: the UK's services, as links a phone dials
    samaritans = page.locator('a.rw-reply[href="tel:116123"]')
    expect(samaritans).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(page.locator('a.rw-reply[href^="sms:85258"]')).to_be_visible()
    expect(page.locator(".rw-response", has_text="999").first).to_be_visible()
    help_now = domain["responses"]["utter_keep_talking"][0]["buttons"][0]["title"]
    expect(page.locator(".rw-reply", has_text=help_now)).to_be_visible(
        timeout=REPLY_TIMEOUT_MS
    )
    # the whole crisis turn: at most three bubbles
    assert page.locator(".rw-response").count() - before <= 3
    samaritans.evaluate("link => link.scrollIntoView({block: 'center'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget-crisis.png")


def test_an_american_browser_elsewhere_is_not_taken_to_be_in_the_us(
    browser, page_url, domain
):
    """The locale says the language, not where the person is: only the time
    zone is a hint, and the reply says it does not know the country."""
    context = browser.new_context(locale="en-US", timezone_id="Europe/Paris")
    page = context.new_page()
    page.goto(page_url)
    open_chat(page)

    ask(page, "i want to kill myself")

    unknown = domain["responses"]["utter_services_anywhere"][0]["text"].split("\n")[-1]
    expect(page.locator(".rw-response", has_text=unknown)).to_be_visible(
        timeout=REPLY_TIMEOUT_MS
    )
    assert page.locator('a.rw-reply[href="tel:988"]').count() == 0
    context.close()


def test_quick_exit_leaves_for_a_neutral_site_and_nothing_remains(
    page, page_url, domain
):
    open_chat(page)
    ask(page, "is it normal to cry after sex?")
    expect(
        page.locator(
            ".rw-response", has_text=first_sentence(domain, "utter_is_it_normal")
        )
    ).to_be_visible(timeout=REPLY_TIMEOUT_MS)

    page.click("#quick-exit")

    expect(page).to_have_url(EXIT_URL)
    page.go_back()  # the chat is not in the tab's history
    assert page.url != page_url
    page.goto(page_url)
    assert page.evaluate("window.__storageAtLoad") == {
        "session": [],
        "local": [],
        "cookies": "",
    }
    open_chat(page)
    expect(page.locator(".rw-client")).to_have_count(0)


def test_escape_twice_is_a_quick_exit(page):
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    expect(page).to_have_url(EXIT_URL)


def test_clear_conversation_starts_afresh(page, domain):
    open_chat(page)
    ask(page, "is it normal to cry after sex?")
    expect(
        page.locator(
            ".rw-response", has_text=first_sentence(domain, "utter_is_it_normal")
        )
    ).to_be_visible(timeout=REPLY_TIMEOUT_MS)

    page.click("#clear-chat")

    page.wait_for_load_state()
    assert page.evaluate("window.__storageAtLoad.session") == []
    open_chat(page)
    expect(page.locator(".rw-client")).to_have_count(0)


def test_conversation_survives_a_reload_but_only_in_session_storage(page, domain):
    open_chat(page)
    ask(page, "is it normal to cry after sex?")
    expect(page.locator(".rw-client")).to_have_count(1)

    page.reload()

    assert page.evaluate("window.__storageAtLoad.local") == []
    assert page.evaluate("window.__storageAtLoad.session") != []
    assert page.context.cookies() == []


def test_keyboard_only_chat_with_announced_answers(page, domain):
    page.keyboard.press("Tab")
    expect(page.locator("#quick-exit")).to_be_focused()  # first stop: the way out
    page.focus(".rw-launcher")
    page.keyboard.press("Enter")
    expect(page.locator(".rw-reply").first).to_be_visible(timeout=REPLY_TIMEOUT_MS)

    page.focus(".rw-reply >> nth=1")
    page.keyboard.press("Enter")

    payload = domain["responses"]["utter_greet"][0]["buttons"][1]["payload"]
    expected = first_sentence(domain, "utter_" + payload.removeprefix("/"))
    expect(page.locator("#chat-announcer")).to_contain_text(
        expected, timeout=REPLY_TIMEOUT_MS
    )
    expect(page.locator(".rw-new-message")).to_have_attribute(
        "aria-label", re.compile(".+")
    )


def test_page_allows_no_third_party_host(page, page_url):
    policy = page.request.get(page_url).headers["content-security-policy"]

    sources = re.findall(r"(?:https?|wss?)://[^\s;]+", policy)
    assert {urlsplit(s).hostname for s in sources} <= {"localhost", "127.0.0.1"}
    assert "default-src 'none'" in policy


def test_readable_on_a_phone_with_the_exit_in_reach(browser, page_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        locale="en-GB", timezone_id="Europe/London",
    )  # fmt: skip
    page = context.new_page()
    page.goto(page_url)
    open_chat(page)
    ask(page, "is it normal to cry after sex?")
    expect(page.locator(".rw-client")).to_have_count(1)

    exit_box = page.locator("#quick-exit").bounding_box()
    chat_box = page.locator(".rw-conversation-container").bounding_box()
    assert exit_box and chat_box
    assert exit_box["y"] + exit_box["height"] <= chat_box["y"]  # not covered
    assert chat_box["width"] <= 390
    page.wait_for_timeout(1000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget-phone.png")
    context.close()
