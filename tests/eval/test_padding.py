"""The padding measure: on-topic share of answer sentences from a labelled sheet."""

from __future__ import annotations

import pytest

from eval.padding import score

SHEET = [
    {"id": "a", "question": "q1", "earlier": [], "sentences": ["s1", "s2", "s3"]},
    {"id": "b", "question": "q2", "earlier": ["q1"], "sentences": ["s4"]},
]


def test_share_is_over_all_sentences_and_length_is_per_answer():
    labels = [{"id": "b", "on_topic": [True]}, {"id": "a", "on_topic": [True, False, False]}]
    assert score(SHEET, labels) == {
        "answers": 2,
        "sentences": 4,
        "on_topic_share": 0.5,
        "sentences_per_answer": 2.0,
    }


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([{"id": "a", "on_topic": [True, True, True]}], "no labels for b"),
        ([{"id": "a", "on_topic": [True]}, {"id": "b", "on_topic": [True]}], "2 labels for 4"),
    ],
)
def test_a_sheet_labelled_in_part_is_refused(labels, message):
    with pytest.raises(SystemExit, match=message):
        score(SHEET, labels)
