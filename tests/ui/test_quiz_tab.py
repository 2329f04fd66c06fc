"""The Quiz tab in a real browser: generate, reveal answers by keyboard, download the GIFT file
and read it back with the GIFT reader, and the message when a topic has nothing to ask about."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.assistant.gift_parser import parse_gift

pytestmark = pytest.mark.slow

QUIZ_DONE = "#sg-quiz-preview .sg-quiz-item, #sg-quiz-status .sg-status"
EXPORT_NAMES = {f"safeguarding-quiz.{ext}" for ext in ("gift", "txt", "xml", "csv", "json")}


def generate(page, topic: str, n: int = 10) -> None:  # type: ignore[no-untyped-def]
    """Open the Quiz tab, ask for `n` questions about `topic`, and wait for the outcome."""
    page.click("#sg-tab-quiz-button")
    page.fill("#sg-quiz-topic textarea", topic)
    page.fill("#sg-quiz-n input", str(n))
    page.click("#sg-quiz-generate")
    page.wait_for_selector(QUIZ_DONE, timeout=120_000)


def flat(text: str) -> str:
    return " ".join(text.split())


def preview_items(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Each previewed item: stem, options and answer, read after opening its summary."""
    items = page.locator("#sg-quiz-preview .sg-quiz-item")
    found = []
    for i in range(items.count()):
        item = items.nth(i)
        summary = item.locator("summary")
        summary.focus()
        page.keyboard.press("Enter")  # the reveal works from the keyboard
        answer = item.locator(".sg-answer-text")
        answer.wait_for(state="visible")
        options = item.locator(".sg-option")
        found.append(
            {
                "kind": item.get_attribute("data-kind"),
                "stem": flat(item.locator(".sg-stem").inner_text()),
                "options": [flat(options.nth(j).inner_text()) for j in range(options.count())],
                "answer": flat(answer.inner_text()),
                "source": flat(item.locator("blockquote").inner_text()),
            }
        )
    return found


def gift_answer(question: dict[str, object]) -> str:
    """The right answer as the preview shows it."""
    if question["type"] == "truefalse":
        return "True" if question["answer"] else "False"
    if question["type"] == "shortanswer":
        return str(question["accepted"][0])  # type: ignore[index]
    return str(question["options"][question["correct"][0]])  # type: ignore[index]


def test_generated_quiz_downloads_as_gift_matching_the_preview(page, tmp_path: Path):
    generate(page, "neglect")
    shown = preview_items(page)
    assert shown, "no question in the preview"
    assert page.locator("#sg-quiz-preview h2").inner_text().startswith(f"{len(shown)} question")
    links = page.locator("#sg-quiz-download a[download]")
    names = {links.nth(i).get_attribute("download") for i in range(links.count())}
    assert names == EXPORT_NAMES
    with page.expect_download() as info:
        page.click('#sg-quiz-download a[download="safeguarding-quiz.gift"]')
    download = info.value
    assert download.suggested_filename == "safeguarding-quiz.gift"
    path = tmp_path / "safeguarding-quiz.gift"
    download.save_as(path)
    parsed = parse_gift(path.read_text(encoding="utf-8"))
    assert len(parsed) == len(shown)
    for item, question in zip(shown, parsed, strict=True):
        assert flat(str(question["stem"])) == item["stem"]
        assert flat(gift_answer(question)) == item["answer"]
        assert item["source"] in flat(str(question["general_feedback"]))
        if item["kind"] in ("mcq", "report"):
            assert [flat(o) for o in question["options"]] == item["options"]  # type: ignore[attr-defined]


def test_topic_with_nothing_to_ask_gets_a_clear_message(page):
    generate(page, "quantum chromodynamics and gluons")
    status = page.locator("#sg-quiz-status .sg-status").inner_text()
    assert "the reports don't cover 'quantum chromodynamics and gluons'" in status
    assert "Traceback" not in page.locator("body").inner_text()
    assert page.locator("#sg-quiz-preview .sg-quiz-item").count() == 0
    assert not page.locator("#sg-quiz-download").is_visible()
