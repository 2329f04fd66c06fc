"""The topic drops the words that name a report and keeps what the question is about."""

from assistant.knowledge import knowledge_at
from assistant.settings import PROJECT_ROOT
from assistant.topic import topic as topic_of

KNOWLEDGE = knowledge_at(PROJECT_ROOT / "corpus" / "manifest.toml")


def topic(question: str) -> str:
    """With the real manifest, whose `documents` name the reports as documents."""
    return topic_of(question, KNOWLEDGE)


def test_report_names_are_dropped() -> None:
    assert topic("what did the triennial find about teenagers who go missing?") == (
        "what did about teenagers who go missing"
    )
    assert "exploitation review" not in topic(
        "what does the criminal exploitation review say about school exclusion?"
    )
    assert "reports" not in topic("what do the three reports say about babies at risk?")


def test_topic_words_that_also_name_a_report_stay() -> None:
    assert "rapid review" in topic("what exactly is a rapid review?")
    assert "serious case reviews" in topic("what share of serious case reviews involved neglect?")


def test_a_question_about_the_report_itself_is_kept_whole() -> None:
    question = "who wrote the triennial analysis?"
    assert topic(question) == question


def test_without_a_manifest_only_generic_report_phrases_are_dropped() -> None:
    question = "what did the triennial find about teenagers who go missing?"
    assert topic_of(question) == question.rstrip("?")
    assert "reports" not in topic_of("what do the three reports say about babies at risk?")
