"""The Ask tab's report-metadata filters in a real browser: year range and type narrow the
sources shown, a backwards range is explained, and the controls pass axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.app import create_app
from assistant.embedder import Embedder
from tests.assistant.test_filters import filter_index
from tests.servers import serve_in_thread
from tests.ui.axe import BLOCKING, run_axe
from tests.ui.conftest import DESKTOP
from tests.ui.test_browser import ask
from ui.mount import mount_ui

pytestmark = pytest.mark.slow

QUESTION = "What did the reviews find about neglect?"
TITLES = {  # the four reports of tests/assistant/test_filters.py, by the words of their titles
    "leeds-scr": "Baby L",
    "kent-lcspr": "Child K",
    "national": "Neglect and exploitation",
    "annual": "Panel annual report",
}


@pytest.fixture(scope="module")
def filtered_url(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """The app with UI over four reports of different years, types and areas."""
    settings = filter_index(tmp_path_factory.mktemp("ui-filters"), embedder)
    with serve_in_thread(create_app(settings, ui=mount_ui)) as base:
        yield base


@pytest.fixture
def tab(browser_context, filtered_url: str):  # type: ignore[no-untyped-def]
    """A fresh page on that app with the filters open."""
    page = browser_context.new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(filtered_url + "/")
    page.wait_for_selector("#sg-question textarea", timeout=60_000)
    page.wait_for_selector("#sg-briefing-notice .sg-notice", timeout=60_000)
    page.click("#sg-filters button")
    page.wait_for_selector("#sg-year-from", state="visible", timeout=30_000)  # the panel is open
    yield page
    page.close()


def choose(page, control: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the option starting with `text` in a dropdown, as a person does by keyboard."""
    page.click(f"#{control} input")
    page.keyboard.press("ControlOrMeta+a")  # a single choice shows its value: type over it
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    # The choice shows (a single choice as the field's value, several as tokens) before asking.
    page.wait_for_function(
        """([sel, text]) => {
            const root = document.querySelector(sel);
            const tokens = [...root.querySelectorAll(".token")].map((t) => t.textContent);
            return root.querySelector("input").value.startsWith(text)
                || tokens.some((t) => t.includes(text));
        }""",
        arg=[f"#{control}", text],
        timeout=10_000,
    )


def sources_shown(page) -> set[str]:  # type: ignore[no-untyped-def]
    """The ids of the reports whose passages the sources panel shows."""
    places = page.locator("#sg-sources .sg-where")
    texts = [places.nth(i).inner_text() for i in range(places.count())]
    assert texts, "the sources panel shows no passage"
    return {rid for text in texts for rid, title in TITLES.items() if title in text}


def test_without_a_filter_sources_come_from_several_reports(tab):
    ask(tab, QUESTION)
    assert len(sources_shown(tab)) >= 2  # so that a filter has something to narrow


def test_choosing_a_type_keeps_sources_to_reports_of_that_type(tab):
    choose(tab, "sg-types-filter", "SCR")
    ask(tab, QUESTION)
    assert sources_shown(tab) == {"leeds-scr"}


def test_choosing_a_year_range_keeps_sources_to_those_years(tab):
    choose(tab, "sg-year-from", "2019")
    choose(tab, "sg-year-to", "2020")
    ask(tab, QUESTION)
    assert sources_shown(tab) <= {"kent-lcspr", "national"}


def test_a_backwards_year_range_is_explained_and_nothing_is_asked(tab):
    choose(tab, "sg-year-from", "2021")
    choose(tab, "sg-year-to", "2016")
    tab.fill("#sg-question textarea", QUESTION)
    tab.click("#sg-send")
    status = tab.locator("#sg-ask-status")
    status.get_by_text("year_from 2021 is after year_to 2016").wait_for(timeout=30_000)
    assert "Please check the filter" in status.inner_text()
    assert tab.locator('#sg-chat [data-testid="bot"]').count() == 0


def test_a_filter_no_report_matches_says_so(tab):
    choose(tab, "sg-types-filter", "annual report")
    choose(tab, "sg-year-to", "2020")
    ask(tab, QUESTION)
    panel = tab.locator("#sg-sources .sg-refused")
    assert "No report matches the filter" in panel.inner_text()
    assert panel.locator(".sg-source").count() == 0


def test_the_filter_controls_are_labelled_and_pass_axe(tab):
    for control in ("sg-year-from", "sg-year-to", "sg-types-filter", "sg-publishers-filter"):
        assert tab.locator(f"#{control}").is_visible()
    assert tab.get_by_label("Report type (leave empty for any)").count() == 1
    findings = [f for f in run_axe(tab) if f.impact in BLOCKING]
    assert findings == []
