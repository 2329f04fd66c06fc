"""The shipped evaluation data passes its own checker (anchors verbatim, sections real, mix)."""

from __future__ import annotations

from eval.sets.check_sets import check_all


def test_evaluation_data_files_are_valid():
    problems, summary = check_all()
    assert problems == [], problems[:5]
    assert any("dev.jsonl" in line for line in summary)


def blind_item(
    must_contain: tuple[str, ...] | list[str] = ("368",),
    anchor: str = "The triennial analysis covered 368 serious case reviews",
) -> dict:
    """A valid answerable blind-batch line."""
    return {
        "id": "blind-101",
        "question": "How many SCRs did the triennial cover?",
        "kind": "factual",
        "answerable": True,
        "style": "plain",
        "reports": ["triennial-2014-17"],
        "must_contain": list(must_contain),
        "gold": [{"report": "triennial-2014-17", "section": "Methods", "anchor": anchor}],
        "history": [],
    }


def test_a_blind_batch_is_checked_for_its_style_anchors_and_tokens(tmp_path):
    import json

    from eval.sets.check_sets import Problems, check_question_set, load_briefings

    good = blind_item()
    bad = {**good, "id": "blind-102", "question": "Another?", "style": "casual"}
    bad["gold"] = [{**good["gold"][0], "anchor": "The triennial analysis covered 999 cases"}]
    path = tmp_path / "batch-99.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in (good, bad)) + "\n", encoding="utf-8")
    problems = Problems()
    check_question_set(path, load_briefings(), problems, blind=True)
    assert all(":2" in item for item in problems.items), problems.items  # line 1 is valid
    assert any("style 'casual'" in item for item in problems.items)
    assert any("not a verbatim substring" in item for item in problems.items)


def test_a_blind_anchor_may_be_longer_and_a_token_matches_in_any_case(tmp_path):
    import json

    from eval.sets.check_sets import Problems, check_question_set, load_briefings

    item = blind_item(
        must_contain=["the triennial analysis covered 368"],  # "The ..." in the briefing
        anchor="The triennial analysis covered 368 serious case reviews (SCRs) about incidents",
    )  # the anchor has 11 words: over the project's own limit of 10
    path = tmp_path / "batch-99.jsonl"
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    blind, own = Problems(), Problems()
    check_question_set(path, load_briefings(), blind, blind=True)
    check_question_set(path, load_briefings(), own, blind=False)
    assert blind.items == []
    assert any("anchor has 11 words (want 4-10)" in p for p in own.items), own.items
