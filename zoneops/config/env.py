"""Typed readers for the environment variables that drive the settings."""

import os
from pathlib import Path

from platformdirs import user_data_dir

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_VALUES


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir() -> Path:
    """Where the SQLite database, uploads and the generated secret key live."""
    configured = os.environ.get("ZONEOPS_DATA_DIR")
    path = Path(configured) if configured else Path(user_data_dir("zoneops", appauthor=False))
    return path.expanduser().resolve()
