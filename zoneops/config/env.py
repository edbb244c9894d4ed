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


def private_dir(path: Path) -> Path:
    """`path` as a folder; created (with any missing parents) readable by its owner only."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode passes through the umask
    return path


def private_file(path: Path, text: str = "") -> bool:
    """Create `path` readable by its owner only, with `text`, unless it exists; whether it was
    created. The mode is set as the file comes to be, never after it has been readable."""
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return True


def database_described(database: dict) -> str:
    """A database of the settings as a person reads it, without its password: "SQLite <file>"
    or "<vendor> <host>:<port>/<name>" (the demo's banner, a command's database error)."""
    if "sqlite" in database["ENGINE"]:
        return f"SQLite {database['NAME']}"
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{vendor} {host}{port}/{database.get('NAME', '')}"
