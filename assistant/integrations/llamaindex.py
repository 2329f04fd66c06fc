"""The index as llama-index components: a `BaseRetriever` with the project's hybrid ranking, and a
query engine that answers with any llama-index LLM and keeps only the sentences a passage supports.

    from assistant.integrations.llamaindex import SafeguardingRetriever
    retriever = SafeguardingRetriever.from_settings(k=5)
    nodes = retriever.retrieve("Why are babies most at risk?")
    engine = retriever.as_query_engine(llm=my_llm)
    print(engine.query("Why are babies most at risk?"))
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import LLM
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.response_synthesizers import BaseSynthesizer, get_response_synthesizer
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.answer import ExtractiveAnswerer
from assistant.embedder import Embedder, get_embedder
from assistant.index_schema import Passage
from assistant.retrieval import ScoredPassage
from assistant.sentences import split_sentences
from assistant.settings import Settings
from assistant.store import IndexStore, open_store
from assistant.support import SupportJudge

# Provenance the LLM need not read: the prompt shows the report, section and pages only.
HIDDEN_FROM_LLM = ["passage_id", "report_id", "url", "page_start", "page_end", "source_kind"]


def to_node(hit: ScoredPassage) -> NodeWithScore:
    """A passage as a llama-index node carrying its citation metadata."""
    p: Passage = hit.passage
    metadata: dict[str, Any] = {
        "passage_id": p.id,
        "report_id": p.report_id,
        "report_title": p.report_title,
        "section": p.section,
        "pages": p.pages_label,
        "page_start": p.page_start,
        "page_end": p.page_end,
        "url": p.url,
        "source_kind": p.source_kind,
    }
    node = TextNode(
        id_=p.id,
        text=p.text,
        metadata=metadata,
        excluded_llm_metadata_keys=HIDDEN_FROM_LLM,
        excluded_embed_metadata_keys=list(metadata),
    )
    return NodeWithScore(node=node, score=hit.score)


class SafeguardingRetriever(BaseRetriever):
    """Passages from the live index, ranked as `safeguarding search` ranks them."""

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder | None = None,
        *,
        k: int = 5,
        report_ids: list[str] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager)
        self.answerer = ExtractiveAnswerer(store, embedder or get_embedder())
        self.k = k
        self.report_ids = report_ids or None

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, **kwargs: Any
    ) -> SafeguardingRetriever:
        """The retriever over the configured index (SAFEGUARDING_* settings or .env)."""
        return cls(open_store(settings or Settings()), **kwargs)

    def hits(self, question: str) -> list[ScoredPassage]:
        query = self.answerer.rewriter.run(question)
        return self.answerer.retriever.retrieve(query, self.k, self.report_ids)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [to_node(hit) for hit in self.hits(query_bundle.query_str)]

    def as_query_engine(self, llm: LLM | None = None, **kwargs: Any) -> SupportedQueryEngine:
        """A query engine answering with `llm` (llama-index's default LLM when None), keeping only
        the sentences the retrieved passages support; `kwargs` go to the response synthesizer."""
        synthesizer = get_response_synthesizer(llm=llm, **kwargs)
        return SupportedQueryEngine(self, synthesizer)


class SupportedQueryEngine(BaseQueryEngine):
    """Decides answerability as `ask` does, then answers with the LLM and checks each sentence.

    A question the reports don't answer gets the project's refusal without asking the LLM. Each
    sentence of the LLM's reply is kept only if the project's support judge finds a retrieved
    passage that backs it; `metadata["removed"]` lists the others with the judge's reason. When no
    sentence survives, the extractive answer is given instead (`metadata["fallback"]` says why).
    """

    def __init__(self, retriever: SafeguardingRetriever, synthesizer: BaseSynthesizer) -> None:
        super().__init__(callback_manager=retriever.callback_manager)
        self.retriever = retriever
        self.synthesizer = synthesizer
        self.judge = SupportJudge(retriever.answerer.embedder)

    def _get_prompt_modules(self) -> PromptMixinType:
        return {"synthesizer": self.synthesizer}

    def _query(self, query_bundle: QueryBundle) -> Response:
        answerer = self.retriever.answerer
        trace = answerer.trace(query_bundle.query_str, self.retriever.report_ids)
        decision = answerer.decide(trace)
        nodes = [to_node(hit) for hit in trace.hits[: self.retriever.k]]
        if not decision.answerable:
            refusal = answerer.composer.refuse(trace.query, trace.hits, decision.why or "")
            return Response(refusal.answer, nodes, {"refused": True, "why": decision.why})
        reply = self.synthesizer.synthesize(query_bundle, nodes)
        kept, removed = self.checked(str(reply), [hit.passage for hit in trace.hits])
        metadata: dict[str, Any] = {"refused": False, "removed": removed, "supported_by": kept}
        if kept:
            return Response(" ".join(kept), nodes, metadata)
        extractive = answerer.composer.compose(trace.query, trace.chosen, trace.hits)
        metadata["fallback"] = "no sentence of the LLM's reply was supported by the passages"
        return Response(extractive.answer, nodes, metadata)

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return self._query(query_bundle)  # the index is local and fast; the LLM call is the cost

    def checked(
        self, reply: str, passages: list[Passage]
    ) -> tuple[dict[str, str], list[dict[str, str]]]:
        """({kept sentence: supporting passage id}, [{sentence, reason} removed])."""
        claims = split_sentences(reply)
        if not claims:
            return {}, []
        vectors = self.judge.embedder.encode(claims)
        kept: dict[str, str] = {}
        removed: list[dict[str, str]] = []
        for claim, vector in zip(claims, vectors, strict=True):
            found, reason = self.support(claim, vector, passages)
            if found:
                kept[claim] = found
            else:
                removed.append({"sentence": claim, "reason": reason})
        return kept, removed

    def support(
        self, claim: str, vector: np.ndarray, passages: list[Passage]
    ) -> tuple[str | None, str]:
        """(the id of the first passage that backs `claim`, or None with the judge's reason)."""
        store = self.retriever.answerer.store
        reasons = []
        for passage in passages:
            quote, why = self.judge.evidence(claim, vector, passage, store.sentences(passage.id))
            if quote is not None:
                return passage.id, why
            reasons.append(why)
        return None, reasons[0] if reasons else "no passage retrieved"
