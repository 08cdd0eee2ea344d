"""All ``BORDERMARK_*`` environment variables, read in one place.

Why one module: every entry point (CLI, API, web, workers, tests) must agree on where the data lives and
which database to use; scattering ``os.environ`` reads makes that impossible to audit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"BORDERMARK_{name}")
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """A snapshot of the configuration; call :func:`get_settings` again after changing the environment."""

    data_dir: Path
    database_url: str
    secret_key: str | None
    host: str
    port: int
    log_level: str
    currency_rates_file: Path | None
    targeting_model: Path | None = None  # model directory the API scores declarations with
    spark_master: str = "local[*]"  # where `bordermark batch` runs: local cores, or spark://host:7077, yarn, k8s://...

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    data_dir = Path(_env("DATA_DIR") or user_data_dir("bordermark", appauthor=False))
    database_url = _env("DATABASE_URL") or f"sqlite:///{data_dir / 'bordermark.db'}"
    rates = _env("CURRENCY_RATES")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_env("SECRET_KEY"),
        host=_env("HOST", "127.0.0.1") or "127.0.0.1",
        port=int(_env("PORT", "8000") or "8000"),
        log_level=_env("LOG_LEVEL", "INFO") or "INFO",
        currency_rates_file=Path(rates) if rates else None,
        targeting_model=Path(_env("TARGETING_MODEL") or "") if _env("TARGETING_MODEL") else None,
        spark_master=_env("SPARK_MASTER", "local[*]") or "local[*]",
    )
