"""What can be asked about a sentence, distractor shapes, request validation and quiz ids."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.quiz.builder import Balancer, cloze_spellings, gives_away
from assistant.quiz.distractors import synthetic_figures
from assistant.quiz.facts import clean_sentence, facts_in, synonyms, usable
from assistant.quiz.ids import BadQuizId, quiz_id, read_quiz_id
from assistant.quiz.models import QuizRequest


def test_attribution_is_removed_from_stems_but_the_fact_kept():
    quote = "As summarised by SCIE, neglectful parenting usually goes with domestic abuse."
    assert clean_sentence(quote) == "Neglectful parenting usually goes with domestic abuse."


@pytest.mark.parametrize(
    "text",
    [
        "The executive summary of the review starts on page 6 of the report.",
        "The base for the 44% is unclear: it may be only the cases about adolescents.",
        "These VKPP points illustrate the themes of the review in some detail.",
        "It was a qualitative study of cases drawn from local areas.",
        "Too short to ask.",
    ],
)
def test_sentences_about_the_sources_or_leaning_on_context_are_not_used(text):
    assert not usable(text)


def test_figures_exclude_years_days_and_pages_and_keep_counts_and_percentages():
    quote = "On 4 March 2020 the Panel said 244 of the 538 notifications, 45%, concerned deaths."
    values = {f.value: f.kind for f in facts_in(quote)}
    assert values["244"] == "count" and values["538"] == "count" and values["45%"] == "percent"
    assert "4" not in values and "2020" not in values


def test_a_percentage_restated_in_words_is_not_blanked():
    quote = "Neglect was present in about three-quarters (75%) of the serious case reviews."
    assert "75%" not in {f.value for f in facts_in(quote)}


def test_terms_come_with_their_group_and_skip_a_an_hints():
    facts = facts_in("Signs linked to neglect were missed by schools and by the police in time.")
    kinds = {f.value: f.kind for f in facts}
    # "schools and ..." is one item of a list: another agency could be true too.
    assert kinds == {"neglect": "term:maltreatment", "the police": "term:agency"}
    fact = next(f for f in facts if f.value == "neglect")
    assert fact.blanked().startswith("Signs linked to _____ were")
    assert fact.filled("poverty") == fact.text.replace("neglect", "poverty")
    assert not facts_in("Reece suffered an injury while living in a children's home alone.")


def test_synthetic_figures_keep_the_answers_format():
    assert all(f.endswith("%") and "." in f for f in synthetic_figures("41.8%"))
    assert all(f.isdigit() and int(f) % 10 == 0 for f in synthetic_figures("230"))
    assert "75%" not in synthetic_figures("75%")


def test_synonyms_are_accepted_for_cloze_and_never_distractors():
    assert synonyms("Teenagers") == {"adolescents"}
    assert cloze_spellings("teenagers") == ["teenagers", "adolescents"]
    assert cloze_spellings("54%") == ["54%", "54 per cent", "54 percent", "54"]


def test_giveaway_finds_the_answer_elsewhere_in_the_stem():
    assert gives_away("Triennial 2014-17: the _____ SCRs ran to 2017.", "2017")
    assert not gives_away("Triennial 2014-17: the _____ SCRs.", "368")


def test_balancer_spreads_positions_evenly():
    balance = Balancer()
    picks = [balance.position("mcq", 4, f"stem {i}") for i in range(40)]
    assert sorted(picks.count(p) for p in range(4)) == [10, 10, 10, 10]
    assert balance.position("tf", 2, "x", commit=False) == balance.position("tf", 2, "x")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"topic": "neglect", "n": 0}, "greater than or equal to 1"),
        ({"topic": "neglect", "n": 101}, "less than or equal to 100"),
        ({}, "give a topic, a theme or at least one report id"),
        ({"topic": "   "}, "the topic is empty"),
        ({"topic": "x" * 201}, "the limit is 200"),
        ({"topic": "neglect", "kinds": ["essay"]}, "'mcq', 'tf', 'cloze' or 'report'"),
        ({"topic": "neglect", "kinds": []}, "at least 1 item"),
    ],
)
def test_bad_requests_say_why(body, message):
    with pytest.raises(ValidationError, match=message):
        QuizRequest.model_validate(body)


def test_kinds_are_put_in_canonical_order_without_repeats():
    request = QuizRequest(topic="neglect", kinds=["tf", "mcq", "tf"])
    assert request.kinds == ["mcq", "tf"]


def test_quiz_id_carries_the_request_and_build():
    request = QuizRequest(topic="neglect & poverty", n=7, kinds=["cloze"], report_ids=["a"])
    value = quiz_id(request, "build-1")
    assert value == quiz_id(request, "build-1")  # deterministic: any replica computes the same
    assert read_quiz_id(value) == (request, "build-1")
    assert quiz_id(request, "build-2") != value


@pytest.mark.parametrize("value", ["", "q1-", "q1-!!!", "nope", "q1-" + "A" * 3000, "q1-eJwLAAA"])
def test_bad_quiz_ids_are_refused(value):
    with pytest.raises(BadQuizId):
        read_quiz_id(value)


@pytest.mark.parametrize(
    "sentence",
    [
        "Neglectful parenting usually goes with long-standing problems such as parental mental"
        " ill health and domestic abuse.",
        "Parental mental ill health featured in more than half of the neglect cases reviewed.",
        "The review found that infants and teenagers appear most at risk of serious harm.",
        "Stress at home can increase the likelihood of neglect, abuse and harm in the reviews.",
    ],
    ids=["example", "loose-quantity", "list-item", "list-head"],
)
def test_terms_in_lists_examples_or_loose_quantities_are_not_asked(sentence):
    """Another term of the group could be true there too, so no term item is made."""
    assert not [f for f in facts_in(sentence) if not f.is_figure]


def test_a_term_an_exclusive_finding_names_is_asked():
    facts = facts_in("Babies were most often harmed or killed at home by their fathers, it found.")
    assert {f.value: f.kind for f in facts} == {"Babies": "term:children", "fathers": "term:adults"}


def test_a_figure_given_as_a_bound_is_not_asked():
    """Below "more than 20", every smaller option would be true as well."""
    facts = facts_in("The team's analyses span more than 20 years of serious case reviews.")
    assert not [f for f in facts if f.is_figure]
    exact = facts_in("The team's analyses span 14 years of serious case reviews in England.")
    assert [f.value for f in exact if f.is_figure] == ["14"]
