"""What a question asks for, and whether a sentence gives it (pure functions, no index)."""

from __future__ import annotations

import pytest

from assistant.answer_type import answer_type, gives


def test_count_questions_name_the_counted_thing():
    wanted = answer_type("and how many children did they cover?")
    assert wanted is not None and wanted.kind == "count"
    assert wanted.nouns == {"children", "case"}  # a case review counts children by case
    assert answer_type("how many of those kids were known?").nouns == {"children", "case"}
    assert answer_type("how many SCRs were there?").nouns == {"scrs"}
    elided = answer_type("for how many did the researchers have a final report?")
    assert elided is not None and elided.kind == "count" and not elided.nouns
    verb = answer_type("of those cases, how many involved a child dying?")
    assert verb is not None and not verb.nouns  # "involved" is no noun: the count is of cases
    assert answer_type("how many red flags were there?").nouns == {"red", "flag"}


def test_a_sentence_gives_a_share_of_what_its_acronym_stands_for():
    from assistant.knowledge import knowledge_at
    from assistant.settings import PROJECT_ROOT

    knowledge = knowledge_at(PROJECT_ROOT / "corpus" / "manifest.toml")
    wanted = answer_type("In what share of the serious case reviews was neglect present?")
    sentence = "Neglect was present in about three-quarters (75%) of the SCRs."
    assert not gives(wanted, "", sentence)
    assert gives(wanted, "", knowledge.spell_out(sentence))  # as the rerank stage reads it


def test_figures_the_question_states_are_not_its_answer():
    question = "what percentage of the 538 rapid reviews were about teenagers?"
    wanted = answer_type(question)
    assert wanted is not None and "538" in wanted.stated
    assert not gives(wanted, question, "The Panel read 538 rapid reviews in 17 months.")
    assert gives(wanted, question, "About 30% of the rapid reviews concerned teenagers.")


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("how many children did it cover?", "The 368 SCRs concerned 404 children.", True),
        ("how many children did it cover?", "Children were at the centre of 368 SCRs.", False),
        ("how many kids were known?", "289 of the 538 cases were known to services.", True),
        ("how many SCRs were there?", "In 2014-17 SCRs were written differently.", False),
        ("how many local areas?", "It studied 21 cases drawn from 17 local areas.", True),
        ("how many briefings were written?", "It produced six practice briefings.", True),
        ("who led the review?", "Panel member Dale Simon CBE led the review.", True),
        ("who led the review?", "The Department for Education published it.", False),
        ("when did the Panel first meet?", "The Panel first met in July 2018.", True),
        ("when did the Panel first meet?", "The Panel met to discuss the cases.", False),
        ("which universities were they at?", "Most were at the University of Warwick.", True),
        ("which universities were they at?", "They were academics of long standing.", False),
        ("How much does a school dinner cost?", "An extra £1 billion is going to care.", True),
        ("How much does a school dinner cost?", "There were 42 schools in the study.", False),
        ("what number analysis is it?", "It is the eighth national analysis.", True),
        ("how long was he in foster care?", "He spent about seven years in foster care.", True),
        ("how long was he in foster care?", "He was in foster care from 2010.", False),
        ("what is the statutory timescale?", "Reviews usually take 15 working days.", True),
        ("what is the statutory timescale?", "Teams start 500 investigations a day.", False),
        ("what is the maximum number of cases?", "No more than 18 cases each.", True),
        ("what is the maximum number of cases?", "High caseloads were common.", False),
    ],
)
def test_gives_an_answer_of_the_wanted_kind(question, sentence, expected):
    assert gives(answer_type(question), question, sentence) is expected


def test_open_questions_want_no_particular_kind_and_why_questions_want_a_reason():
    assert answer_type("what did the Panel say about neglect?") is None
    why = answer_type("why couldn't the Panel give an exact number of children who died?")
    assert why is not None and why.kind == "reason"  # a reason, not a count
    assert gives(why, "why?", "Figures were not collected because the system was new.")
    assert not gives(why, "why?", "The Panel read 538 rapid reviews.")
    assert not gives(None, "anything", "The 368 SCRs concerned 404 children.")


def test_signs_questions_want_a_list_of_signs():
    signs = answer_type("what are the warning signs of criminal exploitation?")
    assert signs is not None and signs.kind == "signs"
    assert gives(signs, "", "Signs include going missing, school exclusion and new phones.")
    assert not gives(signs, "", "Exploitation is the hardest risk children face.")


def test_a_share_may_follow_what_it_is_of_but_a_count_may_not():
    share = answer_type("and what share of those involved neglect?")
    assert share is not None and share.share
    assert gives(share, "", "Neglect was present in about three-quarters (75%) of the SCRs.")
    count = answer_type("how many children were involved across the serious case reviews?")
    assert count is not None and "case" not in count.nouns  # cases are where they are counted
    assert not gives(count, "", "Local Safeguarding Children Boards ran 2 surveys.")


def test_how_many_of_a_group_asks_for_a_part_of_it_not_its_size():
    part = answer_type("how many of the rapid reviews led to a full local review?")
    assert part is not None and part.share
    assert not gives(part, "", "The Panel read 538 rapid reviews in its first 17 months.")
    assert gives(part, "", "Of the 538 rapid reviews, 120 of them led to a full local review.")
    assert not answer_type("how many rapid reviews did the Panel read?").share


def test_durations_and_limits_want_a_length_of_time_or_a_count():
    assert answer_type("how long was he in foster care?").kind == "duration"
    assert answer_type("what is the statutory timescale for a conference?").kind == "duration"
    assert answer_type("how long is the triennial report, page-wise?") is None  # pages, not time
    ran = answer_type("how long did the research project run?")
    assert ran is not None
    assert gives(ran, "how long", "The project ran from April 2018 to March 2020.")
    assert gives(ran, "how long", "It took between 2014 and 2017 to finish.")
    assert not gives(ran, "how long", "It was published in March 2020 by the DfE.")
    limit = answer_type("what is the maximum caseload a social worker should carry?")
    assert limit is not None and limit.kind == "count" and limit.nouns == {"caseload"}
