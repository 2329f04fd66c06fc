"""Security headers, CORS (off unless configured) and the per-client rate limit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.rate_limit import TokenBuckets

ORIGIN = "https://intranet.example.org"


def test_every_response_carries_the_security_headers(settings):
    client = TestClient(create_app(settings))
    for response in (client.get("/health"), client.post("/api/search", json={"query": "x"})):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert client.post("/api/search", json={"query": "x"}).headers["cache-control"] == "no-store"


def test_html_pages_get_a_content_security_policy(settings):
    page = TestClient(create_app(settings)).get("/docs")
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "default-src 'self'" in csp


def test_cors_is_off_unless_origins_are_configured(settings):
    client = TestClient(create_app(settings))
    preflight = client.options(
        "/api/ask", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    plain = client.get("/health", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in plain.headers


def test_configured_origin_is_allowed_and_others_are_not(settings):
    app = create_app(settings.model_copy(update={"cors_origins": [ORIGIN]}))
    client = TestClient(app)
    ok = client.options(
        "/api/ask", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ORIGIN
    other = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_rate_limit_answers_429_with_retry_after(settings):
    limited = settings.model_copy(update={"rate_limit_per_minute": 30, "rate_limit_burst": 3})
    client = TestClient(create_app(limited))
    codes = [client.post("/api/search", json={"query": "neglect"}).status_code for _ in range(3)]
    assert 429 not in codes  # 503: no index, but let through
    refused = client.post("/api/search", json={"query": "neglect"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"  # one token every 2 s
    assert "retry after 2 s" in refused.json()["detail"]
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert client.get("/health").status_code == 200  # health is never limited
    other = TestClient(create_app(limited), client=("10.0.0.9", 5000))
    assert other.post("/api/search", json={"query": "neglect"}).status_code != 429


def test_rate_limit_is_off_on_loopback_and_on_elsewhere_by_default(settings):
    loopback = TestClient(create_app(settings))
    assert all(
        loopback.post("/api/search", json={"query": "x"}).status_code != 429 for _ in range(40)
    )
    public = TestClient(create_app(settings.model_copy(update={"host": "0.0.0.0"})))
    codes = [public.post("/api/search", json={"query": "x"}).status_code for _ in range(21)]
    assert 429 not in codes[:20] and codes[20] == 429


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, capacity=2, clock=lambda: now[0])
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") == 1.0
    now[0] = 0.5
    assert buckets.take("a") == 0.5
    now[0] = 1.0
    assert buckets.take("a") == 0
    assert buckets.take("b") == 0  # each client has its own bucket
