"""The index as llama-index components, on a real index of the conftest briefings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from llama_index.core.base.llms.types import CompletionResponse
from llama_index.core.llms import MockLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.schema import NodeWithScore

from assistant.integrations.llamaindex import SafeguardingRetriever
from assistant.search import search_passages
from assistant.settings import PROJECT_ROOT, Settings
from assistant.store import open_store
from ingest.pipeline import run_ingest
from tests.conftest import indexed_settings

pytestmark = pytest.mark.slow

PRESENT = "Neglect was present in about three-quarters of the serious case reviews analysed."
INVENTED = "Inspectors closed 912 children's homes in Leeds during 2031."
QUESTION = "How often was neglect present in the reviews?"


class ScriptedLLM(MockLLM):
    """llama-index's MockLLM with a fixed reply; `prompts` records what it was asked."""

    reply: str = ""
    prompts: list[str] = []

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply, self.prompts = reply, []

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.reply)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    return indexed_settings(tmp_path_factory.mktemp("llamaindex"), embedder)


@pytest.fixture(scope="module")
def retriever(settings: Settings, embedder) -> SafeguardingRetriever:
    return SafeguardingRetriever.from_settings(settings, embedder=embedder, k=3)


def ids(nodes: Sequence[NodeWithScore]) -> list[str]:
    return [n.node.node_id for n in nodes]


def test_retrieve_gives_nodes_in_the_projects_own_ranking(retriever, settings):
    nodes = retriever.retrieve(QUESTION)
    assert ids(nodes) == [p.passage.id for p in search_passages(settings, QUESTION, k=3)]
    top = nodes[0]
    assert PRESENT in top.node.get_content()
    meta = top.node.metadata
    assert meta["passage_id"] == top.node.node_id and meta["report_id"] == "triennial-2014-17"
    assert meta["report_title"] and meta["section"].startswith("3 Neglect")
    assert meta["page_start"] == 54 and meta["pages"]
    assert top.score is not None and top.score >= nodes[-1].score


def test_report_filter_is_applied(settings, embedder):
    only = SafeguardingRetriever.from_settings(
        settings, embedder=embedder, k=3, report_ids=["hard-to-escape"]
    )
    nodes = only.retrieve(QUESTION)
    assert nodes and {n.node.metadata["report_id"] for n in nodes} == {"hard-to-escape"}


def test_query_engine_keeps_supported_sentences_and_removes_the_rest(retriever):
    llm = ScriptedLLM(reply=f"{PRESENT} {INVENTED}")
    response = retriever.as_query_engine(llm=llm).query(QUESTION)
    assert llm.prompts and PRESENT in llm.prompts[0]  # the passages reached the LLM
    assert "passage_id" not in llm.prompts[0]  # provenance stays out of the prompt
    assert str(response) == PRESENT
    assert [r["sentence"] for r in response.metadata["removed"]] == [INVENTED]
    assert response.metadata["supported_by"][PRESENT] == ids(response.source_nodes)[0]


def test_query_engine_falls_back_when_nothing_is_supported(retriever):
    llm = ScriptedLLM(reply=INVENTED)
    response = retriever.as_query_engine(llm=llm).query(QUESTION)
    assert "three-quarters" in str(response) and INVENTED not in str(response)
    assert response.metadata["fallback"]


def test_query_engine_refuses_without_asking_the_llm(retriever):
    llm = ScriptedLLM(reply=INVENTED)
    response = retriever.as_query_engine(llm=llm).query("What is the best recipe for sourdough?")
    assert llm.prompts == []
    assert response.metadata["refused"] and "don't" in str(response).lower()


def test_plain_mock_llm_echo_keeps_only_passage_sentences(retriever):
    """MockLLM echoes its prompt: the instructions go, the quoted passage sentences stay."""
    response = retriever.as_query_engine(llm=MockLLM()).query(QUESTION)
    texts = " ".join(n.node.get_content() for n in response.source_nodes)
    kept = list(response.metadata["supported_by"])
    assert kept and all(sentence in texts for sentence in kept)
    removed = " ".join(r["sentence"] for r in response.metadata["removed"])
    assert "context information" in removed.lower() and "context information" not in str(response)


def readme_example() -> str:
    """The Python block of the README's llama-index section."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use the index from llama-index", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def briefings(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """An index of the shipped briefings, the corpus `make run` builds."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"), corpus_dir=PROJECT_ROOT / "corpus"
    )
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return settings


def test_the_readme_example_runs_as_written(briefings, monkeypatch, capsys):
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(briefings.data_dir))
    monkeypatch.setenv("SAFEGUARDING_CORPUS_DIR", str(briefings.corpus_dir))
    exec(compile(readme_example(), "README.md", "exec"), {})
    title, answer = capsys.readouterr().out.strip().split("\n", 1)
    titles = {p.report_title for p in open_store(briefings).passages}
    assert title in titles
    assert answer.strip() and "don't appear to cover" not in answer
