"""deploy/ without Docker: the compose file against the Compose specification's JSON schema, the
names it wires together, the nginx configuration parsed and checked offline, and the Dockerfile."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import crossplane
import jsonschema
import pytest
import yaml

from assistant.routers.health import router as health_router
from assistant.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
NGINX = DEPLOY / "nginx.conf"
Compose = dict[str, Any]
Directives = list[dict[str, Any]]
_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolated(text: str) -> str:
    """The file as Compose reads it with no variables set: `${NAME:-default}` -> default."""
    return _VARIABLE.sub(lambda m: m.group(2) or "", text)


def pinned(package: str) -> str:
    """The version pyproject.toml pins for a dependency."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        if name.strip().lower() == package:
            return version.strip()
    raise AssertionError(f"{package} is not pinned in pyproject.toml")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(interpolated(COMPOSE.read_text()))
    return loaded


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft201909Validator:
    return jsonschema.Draft201909Validator(json.loads((DEPLOY / "compose-spec.json").read_text()))


@pytest.fixture(scope="module")
def nginx() -> list[dict[str, Any]]:
    """The parsed http block's directives; strict: an unknown directive is an error."""
    payload = crossplane.parse(str(NGINX), check_ctx=True, check_args=True, strict=True)
    maps = _map_lines(crossplane.parse(str(NGINX))["config"][0]["parsed"])
    errors = [e for e in payload["errors"] if e["line"] not in maps]  # map entries are data
    assert not errors, errors
    parsed = payload["config"][0]["parsed"]
    http: list[dict[str, Any]] = next(d["block"] for d in parsed if d["directive"] == "http")
    return http


def _map_lines(directives: list[dict[str, Any]]) -> set[int]:
    lines: set[int] = set()
    for d in directives:
        if d["directive"] == "map":
            lines |= {entry["line"] for entry in d["block"]}
        lines |= _map_lines(d.get("block", []))
    return lines


def _blocks(directives: list[dict[str, Any]], name: str) -> dict[str, list[dict[str, Any]]]:
    return {" ".join(d["args"]): d["block"] for d in directives if d["directive"] == name}


def _args(block: list[dict[str, Any]], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def test_compose_file_matches_the_compose_specification(
    compose: Compose, schema: jsonschema.Draft201909Validator
) -> None:
    assert not [f"{e.json_path}: {e.message}" for e in schema.iter_errors(compose)]


def test_the_schema_check_catches_mistakes(
    compose: Compose, schema: jsonschema.Draft201909Validator
) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["api"]["deploy"]["replicas"] = "two"
    broken["services"]["proxy"]["port"] = ["8000:80"]
    messages = [e.message for e in schema.iter_errors(broken)]
    assert any("is not of type 'integer'" in m for m in messages)
    assert any("'port'" in m for m in messages)


def test_services_reference_only_defined_names(compose: Compose) -> None:
    services, volumes = compose["services"], set(compose["volumes"])
    assert set(services) == {"chroma", "api", "proxy", "ingest"}
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        assert set(service.get("depends_on", {})) <= set(services) - {name}
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in volumes or source.startswith("."), (name, mount)
    used = {m.split(":")[0] for s in services.values() for m in s.get("volumes", [])}
    assert volumes <= used


def test_chroma_image_is_the_pinned_chromadb_version(compose: Compose) -> None:
    assert compose["services"]["chroma"]["image"] == f"chromadb/chroma:{pinned('chromadb')}"


def test_api_replicas_serve_against_chroma_and_share_the_data_volume(compose: Compose) -> None:
    services = compose["services"]
    api, ingest = services["api"], services["ingest"]
    assert api["command"] == ["safeguarding", "serve"]
    assert api["deploy"]["replicas"] >= 2 and "ports" not in api  # reached through the proxy
    env = api["environment"]
    assert env["SAFEGUARDING_CHROMA_HOST"] in services and env["SAFEGUARDING_HOST"] == "0.0.0.0"
    assert ingest["command"][:2] == ["safeguarding", "ingest"]
    assert ingest["profiles"] == ["ingest"] and ingest["restart"] == "no"  # one-shot
    data = f"data:{env['SAFEGUARDING_DATA_DIR']}"
    assert data in api["volumes"] and data in ingest["volumes"]
    assert ingest["environment"]["SAFEGUARDING_DATA_DIR"] == env["SAFEGUARDING_DATA_DIR"]
    assert ingest["environment"]["SAFEGUARDING_CHROMA_HOST"] == env["SAFEGUARDING_CHROMA_HOST"]


def test_health_checks_use_the_apps_health_route(compose: Compose, nginx: Directives) -> None:
    paths = [getattr(r, "path", "") for r in health_router.routes]
    route = next(path for path in paths if path.endswith("health"))
    assert f"127.0.0.1:8000{route}" in " ".join(compose["services"]["api"]["healthcheck"]["test"])
    assert compose["services"]["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"
    server = next(iter(_blocks(nginx, "server").values()))
    assert ["http://api"] in _args(_blocks(server, "location")[f"= {route}"], "proxy_pass")


def test_nginx_balances_over_the_api_service(compose: Compose, nginx: Directives) -> None:
    upstreams = _blocks(nginx, "upstream")
    port = compose["services"]["api"]["environment"]["SAFEGUARDING_PORT"]
    for name, block in upstreams.items():
        hosts = [args[0] for args in _args(block, "server")]
        assert hosts == [f"api:{port}"], name  # the compose service, every replica of it
        assert any("max_fails=3" in args for args in _args(block, "server"))
    server = next(iter(_blocks(nginx, "server").values()))
    passes = {
        a[0] for loc in _blocks(server, "location").values() for a in _args(loc, "proxy_pass")
    }
    assert passes == {f"http://{name}" for name in upstreams}
    assert _args(server, "listen") == [[compose["services"]["proxy"]["ports"][0].split(":")[-1]]]
    assert f"./{NGINX.name}:/etc/nginx/nginx.conf:ro" in compose["services"]["proxy"]["volumes"]


def test_dockerfile_installs_cpu_torch_before_the_project() -> None:
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    version = next(line.split("=", 1)[1] for line in lines if line.startswith("ARG TORCH_VERSION="))
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert version == pinned("torch") and f"torch=={version}" in makefile
    runs = [line for line in lines if line.startswith("RUN pip install")]
    assert "/whl/cpu" in runs[0] and '"torch==${TORCH_VERSION}"' in runs[0]
    assert runs[1] == "RUN pip install ."
    assert lines.index(runs[0]) < lines.index(runs[1])
    assert lines[-1] == 'CMD ["safeguarding", "serve"]'
