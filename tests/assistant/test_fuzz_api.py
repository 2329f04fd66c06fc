"""Schemathesis over every route of the app's own OpenAPI schema: no 5xx, responses as declared."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.app import create_app
from assistant.settings import Settings
from tests.indexes import briefing_index

EXAMPLES_PER_ROUTE = 30  # bounded so the run stays within a few minutes on 2 cores


# The schema is read from the app at import time (schemathesis makes one test per route from
# it); the index the app serves is built before the first of those tests runs.
ROOT = Path(tempfile.mkdtemp(prefix="fuzz-"))
CONFIG = Settings(data_dir=ROOT / "data", corpus_dir=ROOT / "corpus")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(CONFIG))


@pytest.fixture(scope="module", autouse=True)
def index(embedder) -> Iterator[None]:  # type: ignore[no-untyped-def]
    briefing_index(ROOT, embedder)
    yield
    shutil.rmtree(ROOT, ignore_errors=True)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_route_answers_within_its_schema(case):  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS)
