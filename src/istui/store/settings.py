"""Workspace settings (`istui.toml`, shared through git), local settings, and every path istui uses."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.model import DEFAULT_SOURCES
from istui.i18n import _
from istui.store import files

SCHEMA_VERSION = 1
SETTINGS_FILE = "istui.toml"
LOCAL_DIR = ".istui"
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Settings:
    """What a whole team shares: the workspace's calendar, currency and lead sources."""

    FIELDS = ("schema", "team", "timezone", "week_start", "fiscal_year_start_month", "currency", "sources",
              "holiday_country", "extra_holidays", "working_holidays", "demo")
    __slots__ = FIELDS

    def __init__(self, schema: int = SCHEMA_VERSION, team: str = "My team", timezone: str = "UTC",
                 week_start: str = "monday", fiscal_year_start_month: int = 4, currency: str = "JPY",
                 sources: list[str] | None = None, holiday_country: str | None = None,
                 extra_holidays: list[str] | None = None, working_holidays: list[str] | None = None,
                 demo: bool = False) -> None:
        self.schema = schema
        self.team = team
        self.timezone = timezone
        self.week_start = week_start
        self.fiscal_year_start_month = fiscal_year_start_month
        self.currency = currency
        self.sources = list(DEFAULT_SOURCES) if sources is None else list(sources)
        # public holidays: Japan's by default for a Japanese workspace; "" for none
        self.holiday_country = ("JP" if timezone == "Asia/Tokyo" else "") if holiday_country is None else holiday_country
        self.extra_holidays = list(extra_holidays or [])  # company days off, e.g. "2026-12-30"
        self.working_holidays = list(working_holidays or [])  # public holidays the team works
        self.demo = demo

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def week_start_index(self) -> int:
        return WEEKDAY_NAMES.index(self.week_start)

    def validate(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(_("timezone: '{value}' is not an IANA timezone such as Asia/Tokyo.").format(value=self.timezone)) from None
        if self.week_start not in WEEKDAY_NAMES:
            raise BadInput(_("{field}: '{value}' is not one of {options}.").format(field="week_start", value=self.week_start,
                                                                                     options=", ".join(WEEKDAY_NAMES)))
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise BadInput(_("fiscal_year_start_month must be a month number from 1 to 12."))
        if not self.sources:
            raise BadInput(_("sources must list at least one lead source."))
        for name in ("extra_holidays", "working_holidays"):
            for value in getattr(self, name):
                try:
                    date.fromisoformat(str(value))
                except ValueError:
                    raise BadInput(_("{field}: '{value}' is not a date like 2026-12-30.").format(field=name, value=value)) from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _toml_value(key)


def dump_toml(values: dict[str, Any], header: str = "") -> str:
    """TOML for flat settings plus one level of tables (e.g. `[keymap]`)."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"{_toml_key(key)} = {_toml_value(value)}" for key, value in values.items()
              if value is not None and not isinstance(value, dict)]
    for key, table in values.items():
        if isinstance(table, dict):
            lines += ["", f"[{_toml_key(key)}]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines) + "\n"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(_("{path}: {reason}; fix the file by hand or run `istui doctor`.").format(path=path, reason=exc)) from None


def load_settings(root: Path) -> Settings:
    """Read istui.toml; refuse a newer schema, fill defaults for an older one."""
    path = root / SETTINGS_FILE
    if not path.exists():
        raise WorkspaceError(_("{root} is not an istui workspace (no {file}); create one with `istui init {root}`.").format(
            root=root, file=SETTINGS_FILE))
    raw = read_toml(path)
    schema = raw.get("schema", 0)
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise WorkspaceError(_("{path} has schema {schema}, newer than this istui understands ({supported}); upgrade istui.")
                             .format(path=path, schema=schema, supported=SCHEMA_VERSION))
    settings = Settings(**{k: v for k, v in raw.items() if k in Settings.FIELDS})
    settings.schema = SCHEMA_VERSION
    try:
        settings.validate()
    except BadInput as exc:
        raise WorkspaceError(f"{path}: {exc}") from None
    return settings


def save_settings(root: Path, settings: Settings) -> None:
    settings.validate()
    header = "istui workspace settings, shared by the whole team through git."
    files.atomic_write(root / SETTINGS_FILE, dump_toml(settings.to_dict(), header))


# --- per-user and per-clone locations ------------------------------------------------------------

def config_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "istui"


def data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "istui"


def default_workspace() -> Path:
    return data_dir() / "workspace"


def default_demo_workspace() -> Path:
    return data_dir() / "demo"


def user_config() -> dict[str, Any]:
    return read_toml(config_dir() / "config.toml")


def set_current_workspace(root: Path) -> None:
    """Remember `root` as the workspace commands use when no --workspace is given."""
    save_user_setting("workspace", str(root))


def save_user_setting(key: str, value: Any) -> None:
    """Change one setting in the user's config.toml, keeping the others (and the [keymap] table)."""
    config = user_config()
    config[key] = value
    header = "istui user settings. [keymap] maps binding ids to keys, e.g. call-block = \"c\"."
    files.atomic_write(config_dir() / "config.toml", dump_toml(config, header))


def current_workspace() -> Path:
    configured = user_config().get("workspace")
    return Path(configured) if configured else default_workspace()


def local_settings(root: Path) -> dict[str, Any]:
    return read_toml(root / LOCAL_DIR / "local.toml")


def save_local_settings(root: Path, values: dict[str, Any]) -> None:
    files.atomic_write(root / LOCAL_DIR / "local.toml", dump_toml(values, "This clone's own settings (never committed)."))
