"""The UI in a real browser (Debian Chromium, headless): ask, refuse, follow a citation, copy,
rate, browse the reports, evaluate, and use it by keyboard alone."""

from __future__ import annotations

import httpx
import pytest

from assistant.feedback import feedback_store
from tests.ui.axe import BLOCKING, run_axe
from tests.ui.conftest import ARTIFACTS

pytestmark = pytest.mark.slow

ANSWER_DONE = "#sg-sources .sg-source, #sg-sources .sg-refused, #sg-sources .sg-column"


def ask(page, question: str, compare: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Type a question, send it, and wait until the sources panel shows the answer's sources."""
    if compare:
        if not page.locator("#sg-compare").is_visible():
            page.click("#sg-filters button")  # open the filters accordion
        page.check("#sg-compare input[type=checkbox]")
    page.fill("#sg-question textarea", question)
    page.click("#sg-send")
    page.wait_for_selector("#sg-sources .sg-column" if compare else ANSWER_DONE, timeout=60_000)


def last_answer(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator('#sg-chat [data-testid="bot"]').last.inner_text())


def test_ask_shows_an_answer_with_a_highlighted_source(page):
    ask(page, "What is poverty blindness?")
    answer = last_answer(page)
    assert "[1]" in answer and "References:" in answer
    source = page.locator("#sg-sources .sg-source").first
    assert "3 Neglect" in source.locator(".sg-where").inner_text()
    assert "p. 54" in source.locator(".sg-where").inner_text()
    marked = source.locator("mark").inner_text()
    assert marked and marked.split()[0] in source.locator("blockquote").inner_text()
    notice = page.locator("#sg-briefing-notice").inner_text()
    assert "not from the reports' own text" in notice
    assert page.get_by_text("does not replace, professional judgement").is_visible()


def test_off_topic_question_is_shown_as_not_covered(page):
    ask(page, "How much does a school dinner cost in Scotland?")
    assert "Not covered by the reports" in last_answer(page)
    panel = page.locator("#sg-sources .sg-refused")
    assert "related reading only" in panel.locator("h2").inner_text()
    assert panel.locator("mark").count() == 0  # related reading is not quoted as an answer
    assert panel.locator(".sg-source").count() >= 1


def test_following_a_citation_opens_its_passage_in_the_report_browser(page):
    ask(page, "What is poverty blindness?")
    quote = page.locator("#sg-sources .sg-source").first.locator("mark").inner_text()
    page.locator("#sg-sources button.sg-open").first.click()
    reader = page.locator("#sg-reader .sg-reader")
    reader.wait_for(timeout=30_000)
    assert page.locator("#sg-tab-reports-button").get_attribute("aria-selected") == "true"
    assert " ".join(quote.split()) in " ".join(reader.inner_text().split())
    assert "3 Neglect" in reader.locator("h2").inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'sg-reader-h'")


def test_copy_button_copies_the_answer_with_its_references(page, browser_context, served):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    ask(page, "What is poverty blindness?")
    page.locator('#sg-chat .bot-row button[aria-label="Copy message"]').last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied
    assert "References:" in copied and "3 Neglect, chapter starts on p. 54 of the report" in copied


def test_thumbs_down_is_stored_without_the_question(page, served):
    before = httpx.get(served.url + "/api/feedback/summary").json()
    ask(page, "What is poverty blindness?")
    page.locator('#sg-chat .bot-row button[aria-label="Dislike"]').last.click()
    page.wait_for_selector("#sg-ask-status .sg-thanks", timeout=30_000)
    after = httpx.get(served.url + "/api/feedback/summary").json()
    assert after["down"] == before["down"] + 1
    assert after["answered"]["down"] == before["answered"]["down"] + 1
    assert after["questions_stored"] is False
    assert after["recent_down"][0]["question"] is None
    assert after["recent_down"][0]["citations"] >= 1
    latest = feedback_store(served.settings).thumbs_down()[-1]  # what `feedback export` drafts from
    assert latest.question is None and latest.cited and "poverty" in latest.cited[0].quote.lower()


def test_compare_shows_one_column_per_indexed_report(page):
    ask(page, "What do the reports say about schools?", compare=True)
    columns = page.locator("#sg-sources .sg-column > h2")
    titles = [columns.nth(i).inner_text() for i in range(columns.count())]
    assert len(titles) == 2
    assert any("Complexity and challenge" in t for t in titles)
    assert any("hard to escape" in t for t in titles)


def test_report_filter_keeps_sources_to_the_chosen_report(page):
    page.click("#sg-filters button")
    page.click("#sg-report-filter input")
    page.keyboard.type("hard to escape")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    ask(page, "What happened when families were moved away from the area?")
    places = page.locator("#sg-sources .sg-where")
    texts = [places.nth(i).inner_text() for i in range(places.count())]
    assert texts and all("It was hard to escape" in t for t in texts)


def test_mode_switch_is_hidden_without_a_language_model(page):
    assert page.locator("#sg-mode").count() == 0 or not page.locator("#sg-mode").is_visible()


def test_reports_tab_heatmap_search_and_browse(page):
    page.click("#sg-tab-reports-button")
    cell = page.locator('#sg-heatmap button[data-theme="neglect"][data-report="triennial-2014-17"]')
    assert int(cell.inner_text()) >= 1
    cell.click()
    listing = page.locator("#sg-theme-passages")
    listing.locator("li").first.wait_for(timeout=30_000)
    assert "Neglect in Complexity and challenge" in listing.locator("h3").inner_text()
    assert listing.locator("li").count() == int(cell.inner_text())
    page.fill("#sg-search-query textarea", "moving the family away")
    page.click("#sg-search")
    results = page.locator("#sg-search-results li")
    results.first.wait_for(timeout=30_000)
    assert "Acknowledging and managing risk" in results.first.inner_text()
    results.first.locator("button").click()
    page.locator("#sg-reader .sg-reader").wait_for(timeout=30_000)
    assert "short-term safety" in page.locator("#sg-reader").inner_text()
    sections = page.locator("#sg-section-passages li")
    sections.first.wait_for(timeout=30_000)
    assert sections.count() >= 1


def test_evaluation_runs_with_progress_and_shows_metrics(page, served):
    page.click("#sg-tab-evaluate-button")
    page.fill("#sg-eval-limit input", "3")
    page.click("#sg-eval-run")
    page.wait_for_function(  # the progress bar's label while the evaluation index is prepared
        "document.body.innerText.includes('Preparing the evaluation index')", timeout=60_000
    )
    page.wait_for_selector("#sg-eval-metrics table", timeout=300_000)
    metrics = page.locator("#sg-eval-metrics").inner_text()
    assert "Overall metrics" in metrics and "hit@5" in metrics
    assert "dev (first 3)" in metrics
    assert page.locator("#sg-eval-plots img").count() >= 1
    assert page.locator("#sg-eval-plots img").first.get_attribute("alt")
    assert page.locator("#sg-eval-worst section").count() == 3
    links = page.locator("#sg-eval-download a[download]")
    names = {links.nth(i).get_attribute("download") for i in range(links.count())}
    assert names == {"report.html", "report.md", "results.json"}
    href = page.locator('#sg-eval-download a[download="report.html"]').get_attribute("href")
    report = httpx.get(href if href.startswith("http") else served.url + href)
    assert report.status_code == 200 and "Evaluation report: dev (first 3) set" in report.text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evaluate-results-desktop.png"), full_page=True)
    serious = [f for f in run_axe(page) if f.impact in BLOCKING]
    assert serious == []


def test_keyboard_alone_asks_and_opens_a_heatmap_cell(page):
    page.locator("body").press("Tab")  # from the top of the page, Tab reaches the question box
    for _ in range(30):
        if page.evaluate("document.activeElement.closest('#sg-question') !== null"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the question box")
    page.keyboard.type("What is poverty blindness?")
    page.keyboard.press("Enter")
    page.wait_for_selector(ANSWER_DONE, timeout=60_000)
    assert "[1]" in last_answer(page)
    page.locator("#sg-tab-reports-button").focus()
    page.keyboard.press("Enter")
    cell = page.locator('#sg-heatmap button[data-theme="neglect"][data-report="triennial-2014-17"]')
    cell.focus()
    page.keyboard.press("Enter")
    page.locator("#sg-theme-passages li").first.wait_for(timeout=30_000)


def test_no_request_leaves_the_machine(page, served):
    ask(page, "What is poverty blindness?")
    page.click("#sg-tab-reports-button")
    page.click("#sg-tab-evaluate-button")
    assert served.external_requests == []


def test_markup_in_a_question_is_shown_as_text_never_run(page):
    hostile = (
        'What is poverty blindness? <img src="x" onerror="window.__pwned=1">'
        '<script>window.__pwned=2</script><b onmouseover="window.__pwned=3">bold</b>'
    )
    ask(page, hostile)
    page.wait_for_timeout(500)  # let any injected handler fire
    assert page.evaluate("window.__pwned") is None
    handlers = "[onerror], [onmouseover], [onload], [onclick]"
    assert page.locator(f"#sg-chat {handlers}, #sg-sources {handlers}").count() == 0
    assert page.locator("#sg-chat script, #sg-sources script").count() == 0
    # the answer and its citations are the plain question's: markup changes nothing
    assert "[1]" in last_answer(page)
    assert "3 Neglect" in page.locator("#sg-sources .sg-source").first.inner_text()
