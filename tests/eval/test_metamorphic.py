"""Metamorphic variants: each rule on hand-written questions, and one real run on the dev set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.corpus import Manifest, load_manifest
from assistant.followup import Turn
from assistant.settings import PROJECT_ROOT, Settings
from eval.metamorphic import (
    LAY,
    RULES,
    lay_variant,
    name_variants,
    polite_variant,
    role_variant,
    run_metamorphic,
    typo_variant,
    variants,
)
from eval.questions import Question

MANIFEST_PATH = PROJECT_ROOT / "corpus" / "manifest.toml"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(MANIFEST_PATH)


def ask(text: str, must_contain: list[str] | None = None, **extra: object) -> Question:
    return Question(
        id=str(extra.pop("id", "t-001")),
        question=text,
        kind="factual",
        answerable=True,
        must_contain=must_contain or [],
        **extra,
    )


def words(text: str) -> list[str]:
    return text.split()


def test_the_triennial_gets_the_reports_other_forms(manifest: Manifest):
    report = manifest.report("triennial-2014-17")
    found = name_variants(ask("which chapter of the triennial is on neglect?"), manifest)
    assert 1 <= len(found) <= 3
    assert f"which chapter of the {report.short_title} is on neglect?" in found
    assert f"which chapter of the {report.title} is on neglect?" in found
    assert "which chapter of the complexity and challenge is on neglect?" in found


def test_acronym_and_meaning_swap_both_ways_from_the_real_glossary(manifest: Manifest):
    means = "Child Safeguarding Practice Review Panel"
    assert {"CSPRP", means} <= {g.term for g in manifest.glossary} | {
        g.means for g in manifest.glossary
    }
    assert name_variants(ask("when did the CSPRP first meet?"), manifest) == [
        f"when did the {means} first meet?"
    ]
    back = name_variants(ask(f"when did the {means} first meet?"), manifest)
    assert "when did the CSPRP first meet?" in back
    assert all(means not in v for v in back) and len(back) <= 3


def test_plural_acronyms_keep_their_plural_and_articles_follow(manifest: Manifest):
    assert name_variants(ask("how many SCRs were there?"), manifest) == [
        "how many serious case reviews were there?"
    ]
    assert name_variants(ask("what is a serious case review?"), manifest) == ["what is an SCR?"]


def test_a_name_inside_a_longer_word_or_another_report_is_left_alone(manifest: Manifest):
    assert name_variants(ask("what did the SCRIPT say?"), manifest) == []
    assert name_variants(ask("which earlier triennial came before?"), manifest) == []


def test_role_and_polite_are_deterministic_and_keep_the_question(manifest: Manifest):
    question = ask("How many SCRs were analysed?")
    role = role_variant(question)
    assert re.fullmatch(r"As an? [A-Za-z ]+, how many SCRs were analysed\?", role)
    assert role == role_variant(question.model_copy())
    polite = polite_variant(question)
    assert polite in {
        "Could you tell me how many SCRs were analysed?",
        "I'd like to know: how many SCRs were analysed?",
    }
    roles = {role_variant(ask("q?", id=f"dev-{i:03}")).split(",")[0] for i in range(40)}
    assert len(roles) >= 4  # the role rotates with the id
    assert role_variant(ask("SCRs: how many?")).endswith(", SCRs: how many?")  # acronym kept


def test_typos_are_deterministic_and_change_one_or_two_words_never_a_key_fact():
    question = ask(
        "roughly what proportion of the serious reviews featured neglect in 2014?",
        must_contain=["serious reviews", "neglect"],
    )
    first = typo_variant(question)
    assert first == typo_variant(question)
    changed = [
        (a, b) for a, b in zip(words(question.question), words(first), strict=True) if a != b
    ]
    assert 1 <= len(changed) <= 2
    for before, after in changed:
        assert before.strip("?") not in {"serious", "reviews", "neglect", "2014"}
        assert len(after) in (len(before), len(before) - 1)
        assert before[0] == after[0] and before[-1] == after[-1]  # inner letters only
    for i in range(30):  # over many seeds
        q = question.model_copy(update={"id": f"dev-{i:03}"})
        changed = [
            a for a, b in zip(words(q.question), words(typo_variant(q)), strict=True) if a != b
        ]
        assert 1 <= len(changed) <= 2
        assert not {"serious", "reviews", "neglect", "2014?"} & set(changed)


def test_typos_spare_names_and_numbers():
    question = ask("Did Sidebotham find 368 SCRs?")
    assert typo_variant(question) == question.question


def test_lay_synonyms_replace_whole_words_only_and_at_most_two():
    assert "children" in LAY
    assert lay_variant(ask("were the Children known?")) == "were the Kids known?"
    assert lay_variant(ask("what about childrenswear and parentsfirst?")) == (
        "what about childrenswear and parentsfirst?"
    )
    three = lay_variant(ask("did parents, children and teenagers all agree?"))
    assert three == "did mums and dads, kids and teenagers all agree?"


def test_variants_keep_history_never_equal_the_original_and_are_named(manifest: Manifest):
    history = [Turn(question="how many SCRs were in the triennial?", answer="368. [1]")]
    question = ask(
        "and how many children did they cover in the triennial?",
        must_contain=["404"],
        id="dev-002",
        history=history,
    )
    made = variants(question, manifest)
    assert {v.rule for v in made} == set(RULES)
    assert all(v.question.history == history for v in made)
    assert all(v.question.question != question.question for v in made)
    assert len({v.question.question for v in made}) == len(made)
    assert all(v.question.id.startswith("dev-002~" + v.rule) for v in made)
    assert sum(v.rule == "name" for v in made) <= 3
    assert all(v.question.must_contain == ["404"] for v in made)


def test_a_question_no_rule_applies_to_gets_only_the_wrappers(manifest: Manifest):
    made = variants(ask("what is it?", id="x-1"), manifest)
    assert {v.rule for v in made} == {"role", "polite"}


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_run_on_five_dev_questions_adds_up(tmp_path: Path, embedder):
    settings = Settings(data_dir=tmp_path, corpus_dir=PROJECT_ROOT / "corpus")
    result = run_metamorphic(settings, "dev", limit=5, announce=lambda _: None)
    assert {
        "set",
        "questions",
        "variants",
        "invariance",
        "variant_false_refusal",
        "by_rule",
        "failures",
    } <= set(result)
    assert (tmp_path / "eval" / "briefings" / "index").is_dir()  # built in the temporary dir
    records = result["records"]
    assert result["questions"] == 5
    assert result["variants"] == len(records) > 0
    assert sum(r["variants"] for r in result["by_rule"].values()) == result["variants"]
    counted = [r for r in records if r["counted"]]
    assert result["variants_of_refused_originals"] == len(records) - len(counted)
    if counted:
        invariance = sum(r["passed"] for r in counted) / len(counted)
        assert result["invariance"] == pytest.approx(invariance, abs=1e-3)
        assert 0 <= result["invariance"] <= 1
    refused = sum(r["refused"] for r in records) / len(records)
    assert result["variant_false_refusal"] == pytest.approx(refused, abs=1e-3)
    failing = {f["id"] for f in result["failures"]}
    assert failing == {r["id"] for r in counted if not r["passed"]}
    for failure in result["failures"]:
        assert failure["why"] == "refused" or re.match(
            r"other first passage|lost fact", failure["why"]
        )
    for rule, row in result["by_rule"].items():
        mine = [r for r in records if r["rule"] == rule and r["counted"]]
        if mine:
            assert row["invariance"] == pytest.approx(
                sum(r["passed"] for r in mine) / len(mine), abs=1e-3
            )
