"""All runtime settings in one place, read from the environment (prefix SAFEGUARDING_)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

# Offline guarantees: nothing may reach a model hub or phone home at run time.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}

# The UI's pages run only this server's scripts and reach only this server (no CDN: it must work
# offline); Gradio needs inline scripts and evaluates its own event-handler code ('unsafe-eval',
# without which the UI does not render). Nothing may frame them. The OpenAPI pages send their own,
# stricter policy (assistant.docs).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval';"
    " style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self';"
    " object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def apply_offline_env() -> None:
    """Set the offline environment variables unless the operator set them already."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


class Settings(BaseSettings):
    """Operator-facing configuration; every field maps to SAFEGUARDING_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="SAFEGUARDING_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where indexes are stored.")
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Manifest, briefings, raw/.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port.")
    chunk_min_words: int = Field(150, ge=20, le=2000, description="Smallest passage, in words.")
    chunk_max_words: int = Field(300, ge=40, le=4000, description="Largest passage, in words.")
    chunk_overlap_words: int = Field(30, ge=0, le=500, description="Overlap between passages.")
    embed_batch_size: int = Field(32, ge=1, le=1024, description="Passages per embedding batch.")
    embedder: Literal["fp32", "int8", "onnx", "onnx-int8"] = Field(
        "onnx",
        description="onnx: the packaged model run by ONNX Runtime (twice torch's speed, the same"
        " vectors); fp32: run by torch; int8: torch with the linear layers quantised; onnx-int8:"
        " ONNX Runtime with int8 weights (opt-in, for faster ingest; vectors within cosine 0.99 of"
        " fp32). An index built with int8 or onnx-int8 is queried only with that embedder.",
    )
    models_dir: Path | None = Field(
        None,
        description="Where the model's ONNX export is kept; unset = beside the installed"
        " packages (one export per environment), or data_dir/models where that can't be written.",
    )
    parse_workers: int = Field(
        0, ge=0, le=64, description="Documents ingest parses at once; 0 = one per CPU core."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_questions: bool = Field(False, description="Log question text (off: privacy).")
    api_key: SecretStr | None = Field(None, description="When set, every /api route needs it.")
    request_threads: int = Field(
        8, ge=1, le=1000, description="Requests worked on at once; the rest wait their turn."
    )
    keep_alive_seconds: int = Field(
        30,
        ge=1,
        le=3600,
        description="Idle keep-alive connections are closed after this; longer than HTTP "
        "clients' own 5 s expiry so a client never reuses a connection the server is closing.",
    )
    host: str = Field("127.0.0.1", description="Address the server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="API processes `serve` starts; more than 1 needs a Chroma server.",
    )
    server_url: str | None = Field(
        None, description="A running server `ask` and `search` call instead of loading the model."
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint for generative mode, e.g. .../v1."
    )
    llm_model: str = Field("", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="Bearer key for the LLM endpoint.")
    llm_timeout: float = Field(20.0, ge=1, le=300, description="LLM request timeout, seconds.")
    llm_retries: int = Field(
        2, ge=0, le=10, description="Retries, with backoff, after a 429, 5xx or dropped connection."
    )
    llm_unsupported: Literal["remove", "flag"] = Field(
        "remove", description="Generated sentences the passages don't support: remove or flag."
    )

    max_file_mb: float = Field(
        200, gt=0, le=10_000, description="Largest source file ingest accepts, in MB."
    )
    max_pages: int = Field(5000, ge=1, le=1_000_000, description="Most pages in one document.")
    parse_timeout: float = Field(
        300, gt=0, le=86_400, description="Seconds one document may take to parse."
    )
    rate_limit_per_minute: int | None = Field(
        None,
        ge=0,
        description="Requests per minute per client on /api (token bucket); 0 = off; unset ="
        " off when the server binds to loopback, 120 otherwise.",
    )
    rate_limit_burst: int = Field(20, ge=1, le=10_000, description="Bucket size (burst).")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser."
    )
    content_security_policy: str = Field(
        DEFAULT_CSP, description="Content-Security-Policy sent with the UI's HTML pages."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """A comma-separated list in the environment: `https://a.example,https://b.example`."""
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @model_validator(mode="after")
    def _check_chunking(self) -> Settings:
        if self.chunk_min_words >= self.chunk_max_words:
            raise ValueError("chunk_min_words must be smaller than chunk_max_words")
        if self.chunk_overlap_words >= self.chunk_min_words:
            raise ValueError("chunk_overlap_words must be smaller than chunk_min_words")
        return self

    @property
    def raw_dir(self) -> Path:
        return self.corpus_dir / "raw"

    @property
    def briefings_dir(self) -> Path:
        return self.corpus_dir / "briefings"

    @property
    def manifest_path(self) -> Path:
        return self.corpus_dir / "manifest.toml"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def rate_limit(self) -> int:
        """Requests per minute per client; 0 when rate limiting is off."""
        if self.rate_limit_per_minute is not None:
            return self.rate_limit_per_minute
        return 0 if self.host in LOOPBACK_HOSTS else 120

    @property
    def generative_enabled(self) -> bool:
        """True when an LLM endpoint and model are configured."""
        return bool(self.llm_base_url and self.llm_model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the env)."""
    return Settings()
