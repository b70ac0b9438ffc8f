"""Every setting in one list (datasette-style): environment variables with the prefix
BUDGETKG_, or a .env file. Each has a default and a one-line reason. The README's
settings table is generated from this class (tests check that they agree)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BUDGETKG_", env_file=".env", extra="ignore")

    db: str = Field("budgetkg-data", description="Database directory (graph store, documents, search index).")
    store_backend: str = Field("oxigraph", description="`oxigraph` (embedded, on disk) or `sparql` (a remote SPARQL 1.1 store).")
    sparql_query_url: str | None = Field(None, description="Remote store query endpoint, when store_backend=sparql.")
    sparql_update_url: str | None = Field(None, description="Remote store update endpoint, when store_backend=sparql.")
    sparql_graph_store_url: str | None = Field(None, description="Remote store Graph Store Protocol endpoint (e.g. http://host:7878/store): new disclosure graphs are loaded with one PUT instead of an INSERT DATA.")
    sparql_default_graph: Literal["materialized", "server"] = Field("materialized", description="How the remote store's default graph becomes the union of the disclosure graphs: `materialized` (budgetkg writes every triple into the default graph too, in the same update; right for any server, and fast on Oxigraph server) or `server` (the server provides the union: TDB2 `unionDefaultGraph`, QLever, `oxigraph serve --union-default-graph`; saves the second copy).")
    embedding_model: str = Field("builtin", description="`builtin` trains a static model on the ingested corpus (offline); or a local path / hub name of a sentence-transformers model.")
    host: str = Field("127.0.0.1", description="Address `budgetkg serve` listens on.")
    port: int = Field(8000, description="Port `budgetkg serve` listens on.")
    write_token: str | None = Field(None, description="Token that unlocks SPARQL updates and uploads; unset means the service is read-only.")
    sparql_timeout_s: float = Field(10.0, description="Wall-clock limit of one SPARQL query, so one query cannot hold the service.")
    sparql_max_rows: int = Field(10000, description="Row cap of a SPARQL result, so a runaway query cannot exhaust memory.")
    sparql_max_bytes: int = Field(16_000_000, description="Byte cap of a SPARQL result (about, as JSON): a few rows of huge literals are cut like too many rows, and marked truncated.")
    sparql_max_chars: int = Field(100_000, description="Longest SPARQL request text accepted (400 above it).")
    sparql_max_depth: int = Field(64, description="Deepest nesting of brackets in a SPARQL request (400 above it), so no parser can be driven into a stack overflow.")
    sparql_workers: int = Field(0, description="Query worker processes `budgetkg serve` keeps (0: one more than the cores, at least 3). A timed-out query's worker is killed and replaced.")
    sparql_worker_memory_mb: int = Field(384, description="Memory one SPARQL query may add to its worker before the worker is killed (the query gets 400).")
    max_file_mb: float = Field(200, description="Largest file `budgetkg ingest` reads; bigger ones are refused with a clear error.")
    upload_max_mb: int = Field(50, description="Largest PDF the upload form accepts.")
    page_cache_entries: int = Field(256, description="Entity pages `budgetkg serve` keeps ready per store generation (least recently used go first; 0: none). Every write starts a new generation, so a kept page is never stale.")
    search_k: int = Field(10, description="Hits returned by a search when the caller does not say.")


def get_settings(**overrides) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def settings_table() -> str:
    """The README's settings list, generated from the class so the two cannot drift."""
    lines = ["| environment variable | default | what it is for |", "|---|---|---|"]
    for name, f in Settings.model_fields.items():
        default = "(unset)" if f.default is None else f"`{f.default}`"
        lines.append(f"| `BUDGETKG_{name.upper()}` | {default} | {f.description} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_table())
