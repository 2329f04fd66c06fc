"""The quiz builder end to end on the real briefings index: the API, export by id, the CLI,
bad input, and the issue's rates over 100 items (support judge, options, stems, positions)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.app import create_app
from assistant.cli import cli
from assistant.quiz import service
from assistant.quiz.export import FORMATS
from assistant.settings import PROJECT_ROOT, Settings, get_settings
from eval.quiz_check import run as check_quizzes
from ingest.pipeline import run_ingest
from tests.assistant.gift_parser import parse_gift


@pytest.fixture(scope="module")
def briefings(tmp_path_factory, embedder) -> Settings:
    """The full briefings corpus, indexed once for this module."""
    data = tmp_path_factory.mktemp("quiz-data")
    settings = Settings(data_dir=data, corpus_dir=PROJECT_ROOT / "corpus")
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return settings


@pytest.fixture(scope="module")
def client(briefings) -> TestClient:
    return TestClient(create_app(briefings))


def forget_quizzes() -> None:
    """What a fresh replica knows: nothing made before."""
    service._quizzes.clear()
    service._builders.clear()


def test_quiz_routes_need_the_api_key_when_one_is_set(settings):
    guarded = settings.model_copy(update={"api_key": SecretStr("k")})
    app = TestClient(create_app(guarded))
    assert app.post("/api/quiz", json={"topic": "neglect"}).status_code == 401
    assert app.get("/api/quiz/q1-x/export").status_code == 401


def test_quiz_without_index_is_503(settings):
    response = TestClient(create_app(settings)).post("/api/quiz", json={"topic": "neglect"})
    assert response.status_code == 503
    assert "safeguarding ingest" in response.json()["detail"]


@pytest.mark.slow
def test_post_quiz_returns_cited_items_of_every_kind(client):
    response = client.post("/api/quiz", json={"topic": "neglect", "n": 10})
    assert response.status_code == 200, response.text
    quiz = response.json()
    assert len(quiz["items"]) == 10
    assert {i["kind"] for i in quiz["items"]} == {"mcq", "tf", "cloze", "report"}
    assert "briefings" in quiz["notice"]
    for item in quiz["items"]:
        passage = client.get(f"/api/passages/{item['citation']['passage_id']}").json()["passage"]
        assert item["citation"]["quote"] in passage["text"]
        assert item["citation"]["page_start"] == passage["page_start"]
        if item["kind"] == "cloze":
            assert "_____" in item["stem"] and item["accepted"][0] == item["answer"]
        else:
            assert item["options"][item["answer_index"]] == item["answer"]
        assert len(item["options"]) == {"mcq": 4, "tf": 2, "cloze": 0, "report": 3}[item["kind"]]
        assert item["difficulty_label"] in ("easy", "medium", "hard") and item["tags"]
    tf = [i for i in quiz["items"] if i["kind"] == "tf"]
    assert all(i["options"] == ["True", "False"] for i in tf)


@pytest.mark.slow
def test_kinds_and_reports_filter_the_items(client):
    body = {"topic": "exploitation", "n": 4, "kinds": ["mcq"], "report_ids": ["hard-to-escape"]}
    items = client.post("/api/quiz", json=body).json()["items"]
    assert items and {i["kind"] for i in items} == {"mcq"}
    assert {i["citation"]["report_id"] for i in items} == {"hard-to-escape"}


@pytest.mark.slow
def test_export_by_id_in_every_format_and_on_a_fresh_replica(client, briefings):
    quiz = client.post("/api/quiz", json={"topic": "babies", "n": 5}).json()
    exports = {}
    for fmt in FORMATS:
        response = client.get(f"/api/quiz/{quiz['id']}/export", params={"format": fmt})
        assert response.status_code == 200, response.text
        assert "attachment" in response.headers["content-disposition"]
        exports[fmt] = response.text
    gift = parse_gift(exports["gift"])
    assert [q["stem"] for q in gift] == [i["stem"] for i in quiz["items"]]
    root = ET.fromstring(exports["moodlexml"])
    assert len(root.findall("question")) == len(quiz["items"]) + 1  # plus the category
    forget_quizzes()
    replica = TestClient(create_app(briefings))
    again = replica.get(f"/api/quiz/{quiz['id']}/export", params={"format": "gift"})
    assert again.text == exports["gift"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"topic": "neglect", "n": 0}, "greater than or equal to 1"),
        ({"topic": "neglect", "n": 101}, "less than or equal to 100"),
        ({"topic": "neglect", "kinds": ["essay"]}, "'mcq', 'tf', 'cloze' or 'report'"),
        ({"n": 5}, "give a topic, a theme or at least one report id"),
        ({"topic": "neglect", "report_ids": ["nope"]}, "unknown report id 'nope'"),
        ({"topic": "quantum chromodynamics and gluons"}, "nothing to ask about this topic"),
    ],
)
def test_bad_quiz_requests_get_422_with_the_reason(client, body, reason):
    response = client.post("/api/quiz", json=body)
    assert response.status_code == 422
    assert reason in response.text


@pytest.mark.slow
def test_bad_export_requests(client):
    quiz = client.post("/api/quiz", json={"topic": "neglect", "n": 2}).json()
    unknown = client.get(f"/api/quiz/{quiz['id']}/export", params={"format": "docx"})
    assert unknown.status_code == 422
    assert "use one of: gift, aiken, moodlexml, csv, json" in unknown.json()["detail"]
    assert client.get("/api/quiz/not-a-quiz/export").status_code == 404


@pytest.mark.slow
def test_export_after_a_rebuild_is_410(settings, embedder):
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    app = TestClient(create_app(settings))
    quiz = app.post("/api/quiz", json={"topic": "poverty", "n": 2}).json()
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    response = app.get(f"/api/quiz/{quiz['id']}/export")
    assert response.status_code == 410
    assert "generate the quiz again" in response.json()["detail"]


@pytest.mark.slow
def test_cli_writes_a_gift_file_moodle_reads(briefings, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(briefings.data_dir))
    monkeypatch.setenv("SAFEGUARDING_CORPUS_DIR", str(briefings.corpus_dir))
    get_settings.cache_clear()
    out = tmp_path / "quiz.gift"
    runner = CliRunner()
    args = ["quiz", "--topic", "neglect", "--n", "10", "--format", "gift", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"Wrote 10 items to {out}" in result.output
    questions = parse_gift(out.read_text("utf-8"))
    assert len(questions) == 10
    assert all("Source: Briefing" in str(q["general_feedback"]) for q in questions)
    mcq = runner.invoke(cli, ["quiz", "--topic", "neglect", "--n", "3", "--kinds", "mcq"])
    assert mcq.exit_code == 0 and '"kind": "mcq"' in mcq.output
    get_settings.cache_clear()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--topic", "neglect", "--n", "0"],
            "error: n: Input should be greater than or equal to 1",
        ),
        (["--topic", "neglect", "--n", "101"], "error: n: Input should be less than or equal"),
        (["--topic", "neglect", "--format", "docx"], "error: unknown export format 'docx'"),
        (["--topic", "quantum chromodynamics"], "error: nothing to ask about this topic"),
        ([], "error: give a topic, a theme or at least one report id"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_1(briefings, monkeypatch, args, message):
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(briefings.data_dir))
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["quiz", *args])
    assert result.exit_code == 1
    assert result.output.strip().startswith(message)
    assert "Traceback" not in result.output
    get_settings.cache_clear()


@pytest.mark.slow
def test_rates_over_100_items_across_topics(briefings):
    rates, quizzes = check_quizzes(briefings, 100)
    assert rates.items == 100
    assert rates.answer_supported >= 0.95
    assert rates.two_options_supported == 0
    assert rates.quote_exact == 1.0
    assert rates.duplicate_stems == 0
    for kind, counts in rates.positions.items():
        total = sum(counts.values())
        size = {"mcq": 4, "tf": 2, "report": 3}[kind]
        assert total >= 10 and len(counts) == size
        assert max(counts.values()) - min(counts.values()) <= max(3, total // 4), (kind, counts)
