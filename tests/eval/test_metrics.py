"""Every metric on small cases whose answers were worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval.metrics import (
    aggregate,
    citation_precision,
    citation_recall,
    fact_recall,
    hit_at_k,
    is_relevant,
    mean,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    refusal_scores,
    section_ends_with,
    unsupported_rate,
    words_to_answer,
)

GOLD = [
    {"report": "triennial-2014-17", "section": "3 Neglect", "anchor": "present in about\nthree"},
    {"report": "hard-to-escape", "section": "Key findings", "anchor": "school exclusion"},
]

# --- relevance ----------------------------------------------------------------------------


def test_relevant_when_report_matches_and_text_contains_anchor_across_whitespace() -> None:
    text = "Neglect was present   in about three-quarters of reviews."
    assert is_relevant("triennial-2014-17", text, GOLD)


def test_not_relevant_when_anchor_is_in_another_reports_passage() -> None:
    text = "Neglect was present in about three-quarters of reviews."
    assert not is_relevant("hard-to-escape", text, GOLD)
    assert not is_relevant("panel-annual-2018-19", text, GOLD)


def test_anchor_match_is_case_sensitive() -> None:
    assert not is_relevant("hard-to-escape", "School Exclusion was a moment.", GOLD)
    assert is_relevant("hard-to-escape", "such as school exclusion, arrest", GOLD)


def test_no_gold_means_nothing_is_relevant() -> None:
    assert not is_relevant("triennial-2014-17", "anything", [])


def test_without_anchor_the_section_path_must_end_with_the_gold_section() -> None:
    gold = [{"report": "triennial-2014-17", "section": "Poverty blindness"}]
    path = "3 Neglect > Poverty blindness"
    assert is_relevant("triennial-2014-17", "text", gold, passage_section=path)
    assert is_relevant("triennial-2014-17", "text", gold, passage_section="poverty  BLINDNESS")
    assert not is_relevant("triennial-2014-17", "text", gold, passage_section="3 Neglect")
    assert not is_relevant("hard-to-escape", "text", gold, passage_section=path)
    assert not is_relevant("triennial-2014-17", "text", gold)  # no section known


def test_section_match_is_whole_parts_only() -> None:
    assert section_ends_with("A > B > C", "B > C")
    assert not section_ends_with("A > BC", "C")
    assert not section_ends_with("C", "B > C")
    assert not section_ends_with("A > B", "")


def test_real_report_gold_with_pages_needs_overlap_and_without_pages_the_report() -> None:
    gold = [{"report": "hard-to-escape", "section": "Critical moments", "pages": [29, 31]}]
    assert is_relevant("hard-to-escape", "t", gold, passage_pages=(31, 33))
    assert is_relevant("hard-to-escape", "t", gold, passage_pages=(29, None))  # one page
    assert not is_relevant("hard-to-escape", "t", gold, passage_pages=(28, None))
    assert not is_relevant("hard-to-escape", "t", gold, passage_pages=(32, 33))
    assert not is_relevant("hard-to-escape", "t", gold)  # pages unknown
    loose = [{"report": "panel-annual-2018-19", "section": "", "pages": None}]
    assert is_relevant("panel-annual-2018-19", "t", loose)


# --- ranking ------------------------------------------------------------------------------


def test_hit_at_k() -> None:
    assert hit_at_k([False, False, True], 3) == 1.0
    assert hit_at_k([False, False, True], 2) == 0.0
    assert hit_at_k([], 5) == 0.0
    assert hit_at_k([False, True], 10) == 1.0  # k larger than the list


def test_mrr_at_k() -> None:
    assert mrr_at_k([False, False, True, True]) == pytest.approx(1 / 3)
    assert mrr_at_k([True]) == 1.0
    assert mrr_at_k([False, False, True], k=2) == 0.0
    assert mrr_at_k([]) == 0.0
    assert mrr_at_k([False, True], k=50) == 0.5


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        hit_at_k([True], 0)


def test_ndcg_two_relevant_at_ranks_one_and_three() -> None:
    # DCG  = 1/log2(2) + 1/log2(4)  = 1 + 0.5           = 1.5
    # IDCG = 1/log2(2) + 1/log2(3)  = 1 + 0.63092975... = 1.63092975...
    # nDCG = 1.5 / 1.63092975...                        = 0.91972078...
    relevant = [True, False, True, False]
    assert ndcg_at_k(relevant, k=10, n_relevant=2) == pytest.approx(0.9197207891481876)
    assert ndcg_at_k(relevant) == pytest.approx(0.9197207891481876)  # default: 2 True


def test_ndcg_counts_gold_entries_not_found() -> None:
    # One relevant at rank 1 of three gold entries: 1 / (1 + 1/log2(3) + 1/log2(4)) = 1/2.1309...
    assert ndcg_at_k([True, False], k=10, n_relevant=3) == pytest.approx(
        1 / (1 + 1 / math.log2(3) + 0.5)
    )


def test_ndcg_ideal_is_capped_at_k() -> None:
    # Five gold entries, k=2, both slots relevant: DCG = IDCG = 1 + 1/log2(3).
    assert ndcg_at_k([True, True, False], k=2, n_relevant=5) == pytest.approx(1.0)


def test_ndcg_never_exceeds_one_when_two_passages_match_one_gold_entry() -> None:
    assert ndcg_at_k([True, True], k=10, n_relevant=1) == pytest.approx(1.0)


def test_ndcg_edge_cases() -> None:
    assert ndcg_at_k([]) == 0.0
    assert ndcg_at_k([False, False]) == 0.0
    assert ndcg_at_k([False, False], n_relevant=2) == 0.0
    assert ndcg_at_k([False, False, True], k=2) == 0.0  # relevant only beyond k
    # k larger than the list: single relevant at rank 2 -> (1/log2(3)) / 1
    assert ndcg_at_k([False, True], k=100) == pytest.approx(1 / math.log2(3))


# --- words to answer ----------------------------------------------------------------------


def test_fact_in_first_text_at_word_zero_costs_nothing() -> None:
    assert words_to_answer(["368 serious case reviews", "other"], ["368"]) == 0


def test_words_count_earlier_texts_fully_then_words_before_the_fact() -> None:
    texts = ["one two three", "four five\n six 404 children"]
    assert words_to_answer(texts, ["404"]) == 3 + 3


def test_earliest_fact_wins_and_a_word_cut_by_the_fact_is_not_counted() -> None:
    texts = ["neglect in about three-quarters (75%) of the 368 reviews"]
    # "(75%)" is the fifth word and the fact starts inside it: four whole words come before.
    assert words_to_answer(texts, ["368", "75%"]) == 4


def test_fact_split_across_texts_is_not_found() -> None:
    assert words_to_answer(["more than", "half of them"], ["more than half"]) is None


def test_words_to_answer_none_cases() -> None:
    assert words_to_answer([], ["368"]) is None
    assert words_to_answer(["368"], []) is None
    assert words_to_answer(["368"], [""]) is None  # an empty fact is no fact
    assert words_to_answer(["Three hundred"], ["three"]) is None  # case-sensitive


def test_fact_spanning_a_line_break_is_found() -> None:
    assert words_to_answer(["a b Marian\nBrandon led"], ["Marian Brandon"]) == 2


# --- facts and citations ------------------------------------------------------------------


def test_fact_recall() -> None:
    answer = "Led by Marian Brandon & Peter  Sidebotham."
    assert fact_recall(answer, ["Marian Brandon", "Peter Sidebotham"]) == 1.0
    assert fact_recall(answer, ["Marian Brandon", "UEA", "Warwick", "Peter"]) == 0.5
    assert fact_recall(answer, ["marian brandon"]) == 1.0  # a fact is a fact in any case
    assert fact_recall(answer, ["marian brandon"], case_sensitive=True) == 0.0
    assert fact_recall(answer, []) is None
    assert fact_recall("", ["368"]) == 0.0


def test_citation_precision_counts_each_citation_occurrence() -> None:
    # [1] supports its sentence, [2] does not, and [1] is cited again under a sentence it
    # does not support: three citations, one supporting.
    assert citation_precision([True, False, False]) == pytest.approx(1 / 3)
    assert citation_precision([True, True]) == 1.0  # the same passage cited twice, both fine


def test_citation_metrics_without_citations_or_sentences() -> None:
    assert citation_precision([]) is None
    assert citation_recall([]) is None
    assert unsupported_rate([]) is None


def test_citation_recall_and_unsupported_rate() -> None:
    supported = [True, True, True, False]
    assert citation_recall(supported) == 0.75
    assert unsupported_rate(supported) == 0.25
    assert unsupported_rate([True]) == 0.0


# --- refusal ------------------------------------------------------------------------------


def test_refusal_scores_on_a_small_confusion_matrix() -> None:
    # Six questions, refusal positive: TP=2 (refused, unanswerable), FN=1 (answered,
    # unanswerable), FP=1 (refused, answerable), TN=2 (answered, answerable).
    expected = [True, True, True, False, False, False]
    refused = [True, True, False, True, False, False]
    scores = refusal_scores(expected, refused)
    assert scores["precision"] == pytest.approx(2 / 3)  # 2 / (2 + 1)
    assert scores["recall"] == pytest.approx(2 / 3)  # 2 / (2 + 1)
    assert scores["f1"] == pytest.approx(2 / 3)  # 2pr / (p + r) with p = r
    assert scores["false_refusal_rate"] == pytest.approx(1 / 3)  # 1 of 3 answerable
    assert scores["false_answer_rate"] == pytest.approx(1 / 3)  # 1 of 3 unanswerable


def test_refusal_f1_with_unequal_precision_and_recall() -> None:
    # TP=1, FP=0, FN=1: precision 1, recall 1/2, F1 = 2 * 1 * 0.5 / 1.5 = 2/3.
    scores = refusal_scores([True, True, False], [True, False, False])
    assert (scores["precision"], scores["recall"]) == (1.0, 0.5)
    assert scores["f1"] == pytest.approx(2 / 3)


def test_nothing_refused_and_nothing_to_refuse_is_perfect() -> None:
    scores = refusal_scores([False, False], [False, False])
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    assert scores["false_refusal_rate"] == 0.0
    assert scores["false_answer_rate"] is None  # no unanswerable questions


def test_never_refusing_when_it_should_scores_zero() -> None:
    scores = refusal_scores([True, False], [False, False])
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.0, 0.0, 0.0)
    assert scores["false_answer_rate"] == 1.0


def test_refusing_everything_answerable() -> None:
    scores = refusal_scores([False, False], [True, True])
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.0, 1.0, 0.0)
    assert scores["false_refusal_rate"] == 1.0


def test_refusal_scores_empty_and_mismatched() -> None:
    scores = refusal_scores([], [])
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    assert scores["false_refusal_rate"] is None and scores["false_answer_rate"] is None
    with pytest.raises(ValueError, match="differ in length"):
        refusal_scores([True], [])


# --- summaries ----------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0, 10, 25, 50, 90, 95, 100])
def test_percentile_matches_numpy(p: float) -> None:
    values = [30.0, 10.0, 20.0, 80.0, 45.5]
    assert percentile(values, p) == pytest.approx(float(np.percentile(values, p)))


def test_percentile_by_hand_and_edge_cases() -> None:
    # Sorted [10, 20, 30, 40]: p95 sits at position 0.95 * 3 = 2.85 -> 30 + 0.85 * 10 = 38.5.
    assert percentile([40, 10, 30, 20], 95) == pytest.approx(38.5)
    assert percentile([10, None, 30], 50) == 20.0
    assert percentile([], 50) is None
    assert percentile([None], 50) is None
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_mean_skips_none() -> None:
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([None, None]) is None
    assert mean([]) is None
    assert mean([True, False, True, True]) == 0.75


def test_aggregate() -> None:
    rows = [
        {
            "hit@5": 1.0,
            "words_to_answer": 0,
            "citation_precision": 1.0,
            "latency_ms": 10.0,
            "refusal_correct": True,
            "refused": False,
            "answerable": True,
        },
        {
            "hit@5": 0.0,
            "words_to_answer": 40,
            "citation_precision": 0.5,
            "latency_ms": 20.0,
            "refusal_correct": False,
            "refused": True,
            "answerable": True,
        },
        {
            "hit@5": 1.0,
            "words_to_answer": 5,
            "citation_precision": None,
            "latency_ms": 40.0,
            "refusal_correct": True,
            "refused": True,
            "answerable": True,
        },
        {
            "hit@5": None,
            "words_to_answer": None,
            "latency_ms": 30.0,
            "refusal_correct": True,
            "refused": True,
            "answerable": False,
        },
    ]
    out = aggregate(rows)
    assert out["n"] == 4
    assert out["hit@5"] == pytest.approx(2 / 3)
    assert out["words_to_answer"] == pytest.approx(15.0)  # (0 + 40 + 5) / 3
    assert out["words_to_answer_median"] == 5.0
    assert out["citation_precision"] == 0.75  # the None skipped
    assert out["refusal_correct"] == 0.75
    assert out["latency_p50_ms"] == 25.0  # sorted 10, 20, 30, 40
    assert out["latency_p95_ms"] == pytest.approx(38.5)
    assert "latency_ms" not in out and "refused" not in out and "answerable" not in out
    # TP=1 (row 4), FP=2 (rows 2 and 3), FN=0, TN=1 (row 1).
    assert out["refusal_precision"] == pytest.approx(1 / 3)
    assert out["refusal_recall"] == 1.0
    assert out["refusal_f1"] == pytest.approx(0.5)  # 2 * (1/3) * 1 / (4/3)
    assert out["false_refusal_rate"] == pytest.approx(2 / 3)
    assert out["false_answer_rate"] == 0.0


def test_aggregate_tolerates_missing_keys_and_no_rows() -> None:
    out = aggregate([{"hit@5": 1.0, "note": "text"}, {"quality": None}])
    assert out == {"n": 2, "hit@5": 1.0, "quality": None}
    empty = aggregate([])
    assert empty == {"n": 0}
    assert aggregate([{"expected_refuse": True, "refused": True}])["refusal_f1"] == 1.0
