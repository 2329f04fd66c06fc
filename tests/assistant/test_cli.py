"""The `safeguarding` command, run in-process through click's runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import cli


@pytest.mark.slow
def test_ingest_then_search_json(settings, embedder):
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", "--source", "briefings", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Indexing the briefings corpus: 2 files" in result.output
    assert "Indexed 2 documents" in result.output
    result = runner.invoke(cli, ["search", "neglect and poverty", "--json", "--k", "3"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 3
    assert rows[0]["report_id"] == "triennial-2014-17"
    assert rows[0]["section"].startswith("3 Neglect")
    again = runner.invoke(cli, ["ingest", "--if-missing"])
    assert again.exit_code == 0 and "not rebuilding" in again.output


def test_unknown_source_exits_1_with_one_line(settings):
    result = CliRunner().invoke(cli, ["ingest", "--source", "nonsense", "--quiet"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: unknown --source 'nonsense'")
    assert "Traceback" not in result.output


def test_search_without_index_exits_1(settings):
    result = CliRunner().invoke(cli, ["search", "neglect"])
    assert result.exit_code == 1
    assert "safeguarding ingest" in result.output


def test_empty_query_is_refused(settings):
    result = CliRunner().invoke(cli, ["search", "  "])
    assert result.exit_code == 1
    assert "empty" in result.output
