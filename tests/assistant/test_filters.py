"""Filters by report metadata: validation, resolution to report ids, and a real index where the
dense and BM25 sides, search, ask, the API and the CLI keep to the reports a filter admits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.app import create_app
from assistant.cli import cli
from assistant.corpus import load_manifest
from assistant.embedder import Embedder
from assistant.filters import FilterError, ReportFilter, admitted, catalogue
from assistant.search import search_passages
from assistant.service import ask, compare
from assistant.settings import Settings, get_settings
from assistant.store import open_store
from tests.conftest import write_briefing
from tests.servers import serve_in_thread

REPORT = """
[[reports]]
id = "{id}"
title = "{title}"
short_title = "{title}"
publisher = "{publisher}"
published = "{published}"
landing_url = "https://example.org/{id}"
filename = "{id}.pdf"
licence = "Open Government Licence v3.0"
{extra}
"""
REPORTS = [
    # id, title, publisher, published, type, area
    ("leeds-scr", "Baby L", "Leeds Safeguarding Partnership", "2016-05-01", "SCR", "Leeds"),
    ("kent-lcspr", "Child K", "Kent Safeguarding Partnership", "2019-11-01", "LCSPR", "Kent"),
    ("national", "Neglect and exploitation", "Review Panel", "2020-03-04", "national review", ""),
    ("annual", "Panel annual report", "Review Panel", "2021-07-01", "annual report", ""),
]
BODIES = {
    "leeds-scr": "## 2 Neglect at home\n<!-- page: 10 -->\n\nThe serious case review found that"
    " neglect of the baby went unrecognised by health visitors for months. Home visits were"
    " cancelled and nobody followed up the missed appointments.\n",
    "kent-lcspr": "## 4 Neglect and school\n<!-- page: 22 -->\n\nThe local review found that"
    " school staff noticed neglect, such as hunger and poor hygiene, but their referrals were not"
    " acted upon by children's social care.\n",
    "national": "## 5 Neglect and exploitation\n<!-- page: 40 -->\n\nThe national review found"
    " that older children who were neglected at home were more likely to be criminally exploited"
    " by gangs.\n",
    "annual": "## 1 Themes of the year\n<!-- page: 8 -->\n\nThe annual report says neglect"
    " featured in many rapid reviews notified during the year, alongside domestic abuse and"
    " parental mental health.\n",
}
ALL = [r[0] for r in REPORTS]


def write_manifest(path: Path) -> Path:
    """A manifest of four reports of different years, types, publishers and areas."""
    entries = []
    for rid, title, publisher, published, kind, area in REPORTS:
        extra = f'type = "{kind}"' + (f'\narea = "{area}"' if area else "")
        entries.append(
            REPORT.format(
                id=rid, title=title, publisher=publisher, published=published, extra=extra
            )
        )
    path.write_text('[briefings]\npath = "briefings"\n' + "".join(entries), encoding="utf-8")
    return path


def filter_index(root: Path, embedder: Embedder) -> Settings:
    """The four reports' briefings (`based_on` each report id), ingested for real."""
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=root / "data", corpus_dir=root / "corpus")
    settings.briefings_dir.mkdir(parents=True)
    write_manifest(settings.manifest_path)
    for rid, title, *_ in REPORTS:
        write_briefing(settings.briefings_dir, rid, title, BODIES[rid])
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return settings


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "manifest.toml")


# -- ReportFilter: what a filter may be -----------------------------------------------------


def test_an_unknown_field_is_refused_by_name():
    with pytest.raises(ValidationError) as caught:
        ReportFilter.model_validate({"colour": "red"})
    [error] = caught.value.errors()
    assert error["loc"] == ("colour",) and error["type"] == "extra_forbidden"


def test_a_backwards_year_range_says_which_years():
    with pytest.raises(ValidationError) as caught:
        ReportFilter(year_from=2021, year_to=2019)
    assert caught.value.errors()[0]["msg"] == "year_from 2021 is after year_to 2019"
    assert ReportFilter(year_from=2019, year_to=2019).year_to == 2019  # one year is a range


@pytest.mark.parametrize("year", [1899, 2101])
def test_years_outside_1900_to_2100_are_refused(year):
    with pytest.raises(ValidationError):
        ReportFilter(year_from=year)


def test_unknown_values_are_refused_with_the_known_ones(manifest):
    with pytest.raises(FilterError) as caught:
        admitted(manifest, ReportFilter(types=["SCR", "thematic review"]))
    assert str(caught.value) == (
        "unknown type 'thematic review'; known types: annual report, LCSPR, national review, SCR"
    )
    with pytest.raises(FilterError, match="unknown area 'Atlantis'; known areas: Kent, Leeds"):
        admitted(manifest, ReportFilter(areas=["Atlantis"]))


def test_a_filter_says_what_it_asks_for_in_messages():
    chosen = ReportFilter(year_from=2016, year_to=2019, types=["SCR", "LCSPR"], areas=["Kent"])
    assert chosen.describe() == "published 2016-2019; type SCR or LCSPR; area Kent"
    assert ReportFilter(year_to=2019).describe() == "published up to 2019"


def test_values_match_in_any_case_and_spacing(manifest):
    chosen = ReportFilter(types=["scr", " National  Review "], publishers=["REVIEW PANEL"])
    assert admitted(manifest, chosen) == ["national"]


# -- the resolver: one function from a filter to the report ids both sides search ------------


@pytest.mark.parametrize(
    ("chosen", "ids"),
    [
        (ReportFilter(year_from=2019), ["kent-lcspr", "national", "annual"]),
        (ReportFilter(year_to=2019), ["leeds-scr", "kent-lcspr"]),
        (ReportFilter(year_from=2019, year_to=2020), ["kent-lcspr", "national"]),
        (ReportFilter(types=["SCR", "LCSPR"]), ["leeds-scr", "kent-lcspr"]),
        (ReportFilter(publishers=["Review Panel"]), ["national", "annual"]),
        (ReportFilter(areas=["Kent"]), ["kent-lcspr"]),  # no area: excluded by an area filter
        (ReportFilter(types=["annual report"], year_to=2020), []),
        (ReportFilter(), None),  # an empty filter restricts nothing
    ],
)
def test_a_filter_admits_the_reports_that_match_every_field(manifest, chosen, ids):
    assert admitted(manifest, chosen) == ids


def test_explicit_report_ids_narrow_the_filter(manifest):
    panel = ReportFilter(publishers=["Review Panel"])
    assert admitted(manifest, panel, ["annual", "leeds-scr"]) == ["annual"]
    assert admitted(manifest, panel, ["leeds-scr"]) == []
    assert admitted(manifest, None, ["leeds-scr"]) == ["leeds-scr"]
    # a source outside the manifest has no metadata, so any filter leaves it out
    assert admitted(manifest, ReportFilter(year_from=1900), ["common-themes", "annual"]) == [
        "annual"
    ]


def test_the_catalogue_is_kept_until_the_manifest_is_read_again(manifest):
    first = catalogue(manifest)
    assert catalogue(manifest) is first
    assert first.choices() == {
        "years": [2016, 2019, 2020, 2021],
        "types": ["annual report", "LCSPR", "national review", "SCR"],
        "publishers": [
            "Kent Safeguarding Partnership",
            "Leeds Safeguarding Partnership",
            "Review Panel",
        ],
        "areas": ["Kent", "Leeds"],
    }
    load_manifest.cache_clear()
    assert catalogue(manifest) is not first


# -- a real index: both retrieval sides, search, ask ----------------------------------------


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    return filter_index(tmp_path_factory.mktemp("filters"), embedder)


def reports_of(settings: Settings, passage_ids: list[str]) -> set[str]:
    store = open_store(settings)
    return {store.passages[store.rows[pid]].report_id for pid in passage_ids}


@pytest.mark.slow
@pytest.mark.parametrize(
    "chosen",
    [
        ReportFilter(types=["SCR", "LCSPR"]),
        ReportFilter(year_from=2020),
        ReportFilter(areas=["kent"]),
    ],
)
def test_dense_and_bm25_search_the_same_admitted_reports(indexed, embedder, chosen):
    store = open_store(indexed)
    vector = embedder.encode(["neglect"])[0]
    ids = admitted(indexed.manifest_path, chosen)
    assert ids
    dense = reports_of(indexed, [pid for pid, _ in store.dense(vector, 20, ids)])
    lexical = reports_of(indexed, [pid for pid, _ in store.lexical("neglect", 20, ids)])
    assert dense == lexical == set(ids)
    # unfiltered, both sides reach every report: the filter is what narrows them
    assert reports_of(indexed, [pid for pid, _ in store.dense(vector, 20)]) == set(ALL)
    assert reports_of(indexed, [pid for pid, _ in store.lexical("neglect", 20)]) == set(ALL)


@pytest.mark.slow
def test_no_admitted_report_means_no_passage_on_either_side(indexed, embedder):
    store = open_store(indexed)
    vector = embedder.encode(["neglect"])[0]
    assert store.dense(vector, 20, []) == [] and store.lexical("neglect", 20, []) == []
    assert store.lexical("neglect", 20, ["not-indexed"]) == []
    rows = store.report_rows
    assert sorted(rows) == sorted(ALL)
    assert all(store.passages[r].report_id == rid for rid, found in rows.items() for r in found)


@pytest.mark.slow
def test_search_and_ask_answer_only_from_admitted_reports(indexed):
    chosen = ReportFilter(year_from=2019, year_to=2020)
    hits = search_passages(indexed, "neglect", k=10, filters=chosen)
    assert {h.passage.report_id for h in hits} == {"kent-lcspr", "national"}
    both = search_passages(indexed, "neglect", k=10, report_ids=["national"], filters=chosen)
    assert {h.passage.report_id for h in both} == {"national"}
    answer = ask(indexed, "What did the reviews find about neglect?", filters=chosen)
    assert answer.context and reports_of(indexed, answer.context) <= {"kent-lcspr", "national"}
    cited = [c.report_id for c in (answer.citations or answer.related)]
    assert cited and set(cited) <= {"kent-lcspr", "national"}
    columns = compare(indexed, "What about neglect?", filters=ReportFilter(types=["SCR"]))
    assert [c.report_id for c in columns.answers] == ["leeds-scr"]


@pytest.mark.slow
def test_a_filter_admitting_no_report_is_an_empty_result_not_an_error(indexed):
    none = ReportFilter(types=["annual report"], year_to=2020)
    assert search_passages(indexed, "neglect", filters=none) == []
    answer = ask(indexed, "What did the reviews find about neglect?", filters=none)
    assert answer.refused and not answer.related and not answer.context
    assert answer.answer.startswith("No report matches the filter (published up to 2020; type")
    assert compare(indexed, "What about neglect?", filters=none).answers == []


# -- the API ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(indexed: Settings) -> TestClient:
    return TestClient(create_app(indexed))


@pytest.mark.slow
@pytest.mark.parametrize("route", ["/api/search", "/api/ask", "/api/ask/stream", "/api/compare"])
def test_api_422_names_an_unknown_field_and_a_bad_range(api, route):
    key = "query" if route == "/api/search" else "question"
    odd = api.post(route, json={key: "neglect", "filters": {"colour": "red"}})
    assert odd.status_code == 422
    [error] = odd.json()["detail"]
    assert error["loc"] == ["body", "filters", "colour"]
    assert error["msg"] == "Extra inputs are not permitted"
    backwards = api.post(
        route, json={key: "neglect", "filters": {"year_from": 2021, "year_to": 2019}}
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["msg"] == "year_from 2021 is after year_to 2019"
    unknown = api.post(route, json={key: "neglect", "filters": {"areas": ["Atlantis"]}})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "unknown area 'Atlantis'; known areas: Kent, Leeds"


@pytest.mark.slow
def test_api_search_and_ask_keep_to_the_filter(api):
    found = api.post(
        "/api/search", json={"query": "neglect", "k": 10, "filters": {"types": ["scr"]}}
    )
    assert found.status_code == 200
    assert {row["report_id"] for row in found.json()} == {"leeds-scr"}
    none = {"year_from": 2030}
    assert api.post("/api/search", json={"query": "neglect", "filters": none}).json() == []
    refused = api.post("/api/ask", json={"question": "What about neglect?", "filters": none})
    assert refused.status_code == 200
    assert refused.json()["refused"] is True
    assert "No report matches the filter" in refused.json()["answer"]


@pytest.mark.slow
def test_api_reports_lists_metadata_and_the_known_filter_values(api):
    body = api.get("/api/reports").json()
    kent = next(r for r in body["reports"] if r["id"] == "kent-lcspr")
    assert (kent["year"], kent["type"], kent["area"]) == (2019, "LCSPR", "Kent")
    assert kent["publisher"] == "Kent Safeguarding Partnership"
    assert body["filters"]["years"] == [2016, 2019, 2020, 2021]
    assert body["filters"]["areas"] == ["Kent", "Leeds"]
    schema = api.get("/openapi.json").json()["components"]["schemas"]
    assert set(schema["ReportFilter"]["properties"]) == {
        "year_from",
        "year_to",
        "types",
        "publishers",
        "areas",
    }


# -- the CLI, in this process and through --server -------------------------------------------


def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner whose settings (from the environment) are these."""
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SAFEGUARDING_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.delenv("SAFEGUARDING_SERVER_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner(env={"COLUMNS": "80"})
    get_settings.cache_clear()


@pytest.fixture
def cli_env(indexed: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    yield from runner(indexed, monkeypatch)


@pytest.fixture
def cli_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The four reports' manifest and no index: input errors come before anything loads."""
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")
    settings.corpus_dir.mkdir()
    write_manifest(settings.manifest_path)
    yield from runner(settings, monkeypatch)


@pytest.mark.slow
def test_cli_flags_filter_search_and_ask(cli_env, indexed):
    import json

    flags = ["--year-from", "2016", "--year-to", "2019", "--type", "SCR", "--type", "lcspr"]
    result = cli_env.invoke(cli, ["search", "neglect", "--k", "10", "--json", *flags])
    assert result.exit_code == 0, result.output
    assert {row["report_id"] for row in json.loads(result.output)} == {"leeds-scr", "kent-lcspr"}
    result = cli_env.invoke(cli, ["ask", "What about neglect?", "--area", "Kent", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert {c["report_id"] for c in answer["citations"] + answer["related"]} == {"kent-lcspr"}
    with serve_in_thread(create_app(indexed)) as base:
        remote = cli_env.invoke(
            cli, ["search", "neglect", "--k", "10", "--json", *flags, "--server", base]
        )
        refused = cli_env.invoke(cli, ["ask", "Why?", "--area", "Atlantis", "--server", base])
    assert remote.exit_code == 0, remote.output
    assert {row["report_id"] for row in json.loads(remote.output)} == {"leeds-scr", "kent-lcspr"}
    assert refused.exit_code == 1
    said = f"error: the server at {base} answered 422: unknown area 'Atlantis'"
    assert refused.output.splitlines() == [f"{said}; known areas: Kent, Leeds"]


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (
            ["--year-from", "2021", "--year-to", "2019"],
            "error: year_from 2021 is after year_to 2019",
        ),
        (["--year-to", "1800"], "error: --year-to: Input should be greater than or equal to 1900"),
        (["--area", "Atlantis"], "error: unknown area 'Atlantis'; known areas: Kent, Leeds"),
    ],
)
def test_cli_filter_errors_are_one_line_and_exit_1(cli_manifest, flags, says):
    for command in ("search", "ask"):
        result = cli_manifest.invoke(cli, [command, "neglect", *flags])
        assert result.exit_code == 1
        assert result.output.splitlines() == [says]


@pytest.mark.slow
def test_cli_says_when_no_report_matches(cli_env):
    result = cli_env.invoke(cli, ["search", "neglect", "--year-from", "2030"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "No report in the index matches the filter (published from 2030)."
    ]
    result = cli_env.invoke(cli, ["ask", "What about neglect?", "--year-from", "2030"])
    assert result.exit_code == 0
    assert result.output.startswith("No report matches the filter (published from 2030)")
    result = cli_env.invoke(cli, ["ask", "What about neglect?", "--compare", "--year-from", "2030"])
    assert (result.exit_code, result.output) == (0, "No report in the index matches the filter.\n")
