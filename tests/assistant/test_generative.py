"""Generative mode against a fake OpenAI-compatible server, on a real index of the briefings."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assistant.answer import ExtractiveAnswerer
from assistant.answer_schema import Answer
from assistant.followup import Turn
from assistant.generative import GenerativeAnswerer, parse_reply
from assistant.llm import ChatClient, LLMError
from assistant.settings import Settings
from assistant.store import IndexStore, open_store
from tests.assistant.fake_llm import FakeLLM, Messages
from tests.conftest import indexed_settings

pytestmark = pytest.mark.slow

PRESENT = "Neglect was present in about three-quarters of the serious case reviews analysed"
STRESS = "Poverty makes family life more stressful and can increase the likelihood of neglect"
USED_TO = "Professionals can become used to poverty when they judge risk and need"
QUESTION = "How often was neglect a factor in the reviews, and how does poverty relate to it?"
FAITHFUL = f"{PRESENT} [{{neglect}}]. {STRESS} [{{neglect}}]. {USED_TO} [{{blind}}]."
MARKS = {"neglect": "three-quarters", "blind": "stop registering", "moving": "Moving a child"}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Settings, IndexStore]:
    """One real index of the two conftest briefings for the whole module."""
    settings = indexed_settings(tmp_path_factory.mktemp("generative"), embedder)
    return settings, open_store(settings)


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.fixture
def make(index, embedder, fake) -> Callable[..., GenerativeAnswerer]:
    """A GenerativeAnswerer talking to the fake, with a 1 s timeout and optional overrides."""
    settings, store = index

    def build(**overrides: Any) -> GenerativeAnswerer:
        update = {
            "llm_base_url": fake.base_url,
            "llm_model": "fake-model",
            "llm_timeout": 1.0,
            "llm_retries": 0,
        }
        return GenerativeAnswerer(store, embedder, settings.model_copy(update=update | overrides))

    return build


def numbered(template: str) -> Callable[[Messages], str]:
    """A reply script filling {neglect}, {blind}, {moving} with those passages' prompt numbers."""

    def reply(messages: Messages) -> str:
        prompt = messages[-1]["content"]
        numbers = {}
        for name, phrase in MARKS.items():
            at = prompt.index(phrase)
            numbers[name] = re.findall(r"^\[(\d+)\] ", prompt[:at], re.MULTILINE)[-1]
        return template.format(**numbers)

    return reply


def assert_valid(answer: Answer, store: IndexStore) -> None:
    """Quotes are exact substrings of their passages and markers match citations 1..n."""
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        passage = store.passage(citation.passage_id)
        assert passage is not None and citation.quote in passage.text
    used = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert used == {c.n for c in answer.citations}


def test_faithful_answer_is_kept_with_exact_quotes(make, fake, index, caplog):
    fake.reply = numbered(FAITHFUL)
    caplog.set_level(logging.DEBUG)
    answer = make(llm_api_key="sk-test").run(QUESTION)
    assert answer.mode == "generative" and not answer.refused
    assert answer.warnings == []
    assert answer.answer == f"{PRESENT} [1]. {STRESS} [2]. {USED_TO} [3]."
    assert [c.quote for c in answer.citations] == [f"{PRESENT}.", f"{STRESS}.", f"{USED_TO}."]
    assert answer.citations[2].section == "3 Neglect > Poverty blindness"
    assert_valid(answer, index[1])
    assert set(answer.timings_ms) == {"retrieve", "generate", "check"}
    assert answer.notice  # briefing passages are labelled as such
    assert fake.requests[0]["model"] == "fake-model" and fake.auth == ["Bearer sk-test"]
    assert "Question: " + QUESTION in fake.requests[0]["messages"][-1]["content"]
    assert QUESTION not in caplog.text


def test_paraphrase_and_shared_quote_get_one_citation(make, fake, index):
    fake.reply = numbered(
        "Neglect was present in about three-quarters of serious case reviews [{neglect}]. "
        "In about three-quarters of the serious case reviews analysed, neglect was present "
        "[{neglect}]."
    )
    answer = make().run(QUESTION)
    assert answer.mode == "generative"
    assert len(answer.citations) == 1 and answer.citations[0].quote == f"{PRESENT}."
    assert answer.answer.count("[1].") == 2
    assert_valid(answer, index[1])


UNSUPPORTED = (
    f"{PRESENT} [{{neglect}}]. Neglect was present in about 82% of the serious case reviews"
    " analysed [{neglect}]. Most neglected children were later adopted by relatives [{neglect}]."
)


def test_unsupported_sentences_are_removed(make, fake, index):
    fake.reply = numbered(UNSUPPORTED)
    answer = make().run(QUESTION)
    assert answer.mode == "generative"
    assert answer.answer == f"{PRESENT} [1]."
    assert len(answer.citations) == 1
    assert any("82" in w and "removed" in w for w in answer.warnings)
    assert any(w.startswith("sentence 3 removed") for w in answer.warnings)
    assert_valid(answer, index[1])


def test_unsupported_sentences_are_flagged_when_configured(make, fake, index):
    fake.reply = numbered(UNSUPPORTED)
    answer = make(llm_unsupported="flag").run(QUESTION)
    assert answer.mode == "generative"
    assert answer.answer.startswith(
        f"{PRESENT} [1]. [unsupported: Neglect was present in about 82%"
    )
    assert (
        "[unsupported: Most neglected children were later adopted by relatives.]" in answer.answer
    )
    assert sum("flagged" in w for w in answer.warnings) == 2
    assert len(answer.citations) == 1


def test_citation_numbers_that_do_not_exist_are_dropped(make, fake, index):
    fake.reply = numbered(f"{PRESENT} [{{neglect}}][9]. {STRESS} [7].")
    answer = make().run(QUESTION)
    assert answer.mode == "generative"
    assert answer.answer == f"{PRESENT} [1]."
    assert any(w.startswith("dropped citation [9]") for w in answer.warnings)
    assert any(w.startswith("dropped citation [7]") for w in answer.warnings)
    assert any("no valid citation" in w for w in answer.warnings)
    assert_valid(answer, index[1])


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ({"reply": ""}, "LLM reply empty"),
        ({"status": 500, "reply": "x"}, "LLM endpoint returned HTTP 500"),
        ({"delay": 3.0, "reply": "x"}, "LLM timeout after 1 s"),
        ({"body": b"not json"}, "LLM reply malformed"),
        ({"body": b'{"choices": []}'}, "LLM reply malformed: no choices[0].message"),
    ],
    ids=["empty", "http-500", "timeout", "not-json", "no-choices"],
)
def test_failures_fall_back_to_the_extractive_answer(make, fake, index, embedder, script, reason):
    for key, value in script.items():
        setattr(fake, key, value)
    answer = make().run(QUESTION)
    assert fake.requests, "the model was asked"
    assert answer.mode == "extractive"
    assert answer.warnings[0] == f"generative mode fell back to extractive: {reason}"
    assert answer.answer == ExtractiveAnswerer(index[1], embedder).run(QUESTION).answer
    assert not answer.refused and answer.citations


def test_a_busy_endpoint_is_retried_then_answers(make, fake):
    """A 503 is retried with backoff by the client; the retried reply is used."""
    fake.reply, fake.failures = numbered(FAITHFUL), 1
    answer = make(llm_retries=1).run(QUESTION)
    assert len(fake.requests) == 2 and fake.failures == 0
    assert answer.mode == "generative" and answer.warnings == []


def test_unreachable_endpoint_falls_back(make):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: nothing listens there
    answer = make(llm_base_url=f"http://127.0.0.1:{port}/v1").run(QUESTION)
    assert answer.mode == "extractive"
    assert answer.warnings[0].startswith("generative mode fell back to extractive: LLM connection")


def test_not_covered_gives_the_extractive_refusal_without_asking(make, fake):
    """The same answerability decision as extractive mode: the model is not asked."""
    fake.reply = "NOT_COVERED"
    answer = make().run("What is the best recipe for sourdough bread?")
    assert fake.requests == []
    assert answer.refused and answer.mode == "extractive" and not answer.citations
    assert "don't answer it" in answer.warnings[0]


def test_the_model_saying_not_covered_gives_the_extractive_answer(make, fake):
    fake.reply = "NOT_COVERED"
    answer = make().run("What is poverty blindness?")
    assert len(fake.requests) == 1
    assert "the model found the passages don't answer the question" in answer.warnings[0]


def test_question_about_another_period_is_refused_without_asking(make, fake):
    fake.reply = numbered(f"{PRESENT} [{{neglect}}].")
    answer = make().run("What share of the 2009-11 reviews involved neglect?")
    assert fake.requests == []
    assert answer.refused and "three-quarters" not in answer.answer
    assert "period or figure it names" in answer.warnings[0]


def test_stream_yields_tokens_then_the_checked_answer(make, fake):
    fake.reply = numbered(UNSUPPORTED)
    answerer = make()
    events = list(answerer.stream(QUESTION))
    tokens = [e["data"] for e in events[:-1]]
    assert len(tokens) > 5 and all(e["event"] == "token" for e in events[:-1])
    assert "".join(tokens) == numbered(UNSUPPORTED)(fake.requests[0]["messages"])
    assert fake.requests[0]["stream"] is True
    assert events[-1]["event"] == "answer"
    streamed = Answer.model_validate(events[-1]["data"])
    ran = answerer.run(QUESTION)
    assert streamed.mode == "generative" and streamed.answer == f"{PRESENT} [1]."
    skip = {"timings_ms"}
    assert streamed.model_dump(exclude=skip) == ran.model_dump(exclude=skip)


def test_stream_failure_and_not_covered_give_only_the_answer_event(make, fake):
    fake.status = 500
    events = list(make().stream(QUESTION))
    assert [e["event"] for e in events] == ["answer"]
    assert events[0]["data"]["mode"] == "extractive"
    assert "HTTP 500" in events[0]["data"]["warnings"][0]
    fake.status, fake.reply = 200, "NOT_COVERED"
    events = list(make().stream("What is the best recipe for sourdough bread?"))
    assert [e["event"] for e in events] == ["answer"] and events[0]["data"]["refused"]


HISTORY = [Turn(question="How often was neglect present in the reviews?", answer=f"{PRESENT} [1].")]
REWRITE = "How does poverty relate to neglect in the serious case reviews?"


def test_follow_up_is_condensed_by_the_model(make, fake):
    def reply(messages: Messages) -> str:
        if "standalone question" in messages[0]["content"]:
            return f"Standalone question: {REWRITE}\n"
        return numbered(f"{STRESS} [{{neglect}}].")(messages)

    fake.reply = reply
    answer = make().run("and poverty?", history=HISTORY)
    assert answer.mode == "generative" and answer.query == REWRITE
    condense, ask = (r["messages"] for r in fake.requests)
    assert (
        "and poverty?" in condense[-1]["content"] and HISTORY[0].question in condense[-1]["content"]
    )
    assert f"Question: {REWRITE}" in ask[-1]["content"]
    assert answer.answer == f"{STRESS} [1]."
    assert "condense" in answer.timings_ms


def test_follow_up_falls_back_to_deterministic_expansion(make, fake):
    def reply(messages: Messages) -> str:
        if "standalone question" in messages[0]["content"]:
            return "  "
        return numbered(f"{STRESS} [{{neglect}}].")(messages)

    fake.reply = reply
    answer = make().run("and poverty?", history=HISTORY)
    assert answer.query.startswith("and poverty") and "neglect" in answer.query  # own words first
    assert answer.warnings == ["follow-up expanded without the model: LLM reply empty"]
    assert answer.mode == "generative"


def test_parse_reply_handles_markers_lists_and_stray_brackets():
    reply = "- First claim here. [1]\n- Second claim [2, 3].\n\nThird claim [4][4].\n[5]"
    assert parse_reply(reply) == [
        ("First claim here.", [1]),
        ("Second claim.", [2, 3]),
        ("Third claim.", [4, 5]),
    ]


def test_settings_and_client_configuration(monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SAFEGUARDING_LLM_API_KEY", "sk-secret")
    assert not Settings().generative_enabled
    monkeypatch.setenv("SAFEGUARDING_LLM_MODEL", "m")
    settings = Settings()
    assert settings.generative_enabled and "sk-secret" not in repr(settings)
    assert settings.llm_timeout == 20.0 and settings.llm_unsupported == "remove"
    client = ChatClient.from_settings(settings)
    assert client.sdk.api_key == "sk-secret" and client.sdk.max_retries == settings.llm_retries
    with pytest.raises(ValueError, match="LLM_MODEL"):
        ChatClient.from_settings(Settings(llm_model=""))
    with pytest.raises(LLMError, match="connection failed"):
        ChatClient("http://127.0.0.1:9/v1", "m", timeout=1.0).complete([])
