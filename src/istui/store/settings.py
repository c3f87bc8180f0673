"""Workspace settings (`istui.toml`, shared through git), this clone's and this user's settings; every TOML
write goes through tomlkit, so the user's comments and layout survive."""

from __future__ import annotations

import functools
from datetime import date, time
from pathlib import Path
from typing import Any, ClassVar

from istui import locations
from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.handoffs import DEFAULT_REJECT_REASONS, DEFAULT_REQUIRED, DEFAULT_SLA_HOURS, SHEET_FIELDS
from istui.domain.model import DEFAULT_SOURCES
from istui.domain.parsing import is_currency
from istui.domain.schedule import DEFAULT_RETRY_SCHEDULE, validate_schedule
from istui.domain.text import terminal_safe
from istui.i18n import _
from istui.store import files, plain_toml

SCHEMA_VERSION = 1
SETTINGS_FILE = locations.SETTINGS_FILE
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@functools.cache
def _zone_countries() -> dict[str, str]:
    """IANA zone → its country (ISO 3166 code), from the tz database's zone.tab (shipped by tzdata)."""
    try:
        import tzdata  # (its file read straight: importlib.resources costs every command 3 ms)

        text = (Path(tzdata.__file__).parent / "zoneinfo" / "zone.tab").read_text("utf-8")
    except (OSError, ImportError):
        return {}
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def check_phone_region(region: str) -> None:
    """BadInput, one sentence, for a region whose numbers phonenumbers does not know (`UK` for GB, `EU`)."""
    import phonenumbers

    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        raise BadInput(_("phone_region: '{value}' is no country whose phone numbers istui knows; use its ISO 3166 code, "
                         "e.g. GB for the United Kingdom, US, JP.").format(value=region))


def country_of_zone(timezone: str) -> str:
    """The country of a time zone (`America/New_York` → US), or "" for UTC and zones of no one country."""
    return _zone_countries().get(timezone, "")


class Settings:
    """What a whole team shares: the workspace's calendar, currency and lead sources."""

    FIELDS = ("schema", "team", "timezone", "week_start", "fiscal_year_start_month", "currency", "sources",
              "holiday_country", "extra_holidays", "working_holidays", "working_hours", "retry_schedule", "phone_region",
              "roster", "handoff_sla_hours", "reject_reasons", "handoff_required", "demo")
    __slots__ = FIELDS

    def __init__(self, schema: int = SCHEMA_VERSION, team: str = "My team", timezone: str = "UTC",
                 week_start: str = "monday", fiscal_year_start_month: int = 4, currency: str = "JPY",
                 sources: list[str] | None = None, holiday_country: str | None = None,
                 extra_holidays: list[str] | None = None, working_holidays: list[str] | None = None,
                 working_hours: str = "09:00-18:00", retry_schedule: dict[str, Any] | None = None,
                 phone_region: str | None = None, roster: dict[str, dict[str, str]] | None = None,
                 handoff_sla_hours: int = DEFAULT_SLA_HOURS, reject_reasons: list[str] | None = None,
                 handoff_required: list[str] | None = None, demo: bool = False) -> None:
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
        self.working_hours = working_hours  # "09:00-18:00": retries in working hours, pace within a day
        # what follows an outcome logged without a WHEN (domain.schedule); istui.toml may override entries
        self.retry_schedule = dict(DEFAULT_RETRY_SCHEDULE if retry_schedule is None else retry_schedule)
        # the country phone numbers without a +country code are read in: the timezone's country (JP without one)
        self.phone_region = country_of_zone(timezone) or "JP" if phone_region is None else phone_region
        # the team: name → {display, email, role} (`domain.roster`); None in a workspace that has none yet
        self.roster = None if roster is None else {name: dict(entry) for name, entry in roster.items()}
        # the handoff loop (domain.handoffs): working hours field sales has to accept or return a handoff, the
        # reasons a lead may be returned for, and the handoff sheet's fields that must be filled in
        self.handoff_sla_hours = handoff_sla_hours
        self.reject_reasons = list(DEFAULT_REJECT_REASONS if reject_reasons is None else reject_reasons)
        self.handoff_required = list(DEFAULT_REQUIRED if handoff_required is None else handoff_required)
        self.demo = demo

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def week_start_index(self) -> int:
        return WEEKDAY_NAMES.index(self.week_start)

    TYPES: ClassVar[dict[str, type]] = {"schema": int, "team": str, "timezone": str, "week_start": str,
                              "fiscal_year_start_month": int, "currency": str, "sources": list, "holiday_country": str,
                              "extra_holidays": list, "working_holidays": list, "working_hours": str, "retry_schedule": dict,
                              "phone_region": str, "roster": dict, "handoff_sla_hours": int,
                              "reject_reasons": list, "handoff_required": list, "demo": bool}

    @property
    def work_hours(self) -> tuple[time, time]:
        """The working day's start and end (from `working_hours`, e.g. "09:00-18:00")."""
        return parse_working_hours(self.working_hours)

    @property
    def schedule(self) -> dict[str, Any]:
        """The retry schedule with every entry (the defaults for those istui.toml leaves out)."""
        return validate_schedule(self.retry_schedule)

    def check_text(self) -> None:
        """BadInput when a text setting holds a control character or a line break, or the currency is not an
        ISO 4217 code. Checked on every write; a file read as it is (a teammate's commit, a hand edit) is
        reported by `istui doctor` and shown made safe (`terminal_safe`), never refused as a whole."""
        for name in ("team", "timezone", "week_start", "currency", "holiday_country", "working_hours", "phone_region",
                     "sources", "extra_holidays", "working_holidays"):
            value = getattr(self, name)
            for text in value if isinstance(value, list) else [value]:
                if terminal_safe(text) != text:
                    raise BadInput(_("{field}: the value holds a control character or a line break; type plain text on "
                                     "one line.").format(field=name))
        if not is_currency(self.currency):  # BTC or a made-up code is no ISO 4217 currency
            raise BadInput(_("currency: '{value}' is not an ISO 4217 currency code such as JPY or USD.").format(
                value=self.currency))

    def validate(self, loaded: bool = False) -> None:
        """BadInput naming the first unusable setting; `loaded` (istui.toml as read): the text checks are left to
        `istui doctor` (`check_text`)."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from istui.domain.roster import validate_roster

        for name, kind in self.TYPES.items():
            value = getattr(self, name)
            if value is None and name == "roster":
                continue  # no roster yet
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool) or (
                    kind is list and not all(isinstance(item, str) for item in value)):
                shown = {str: _("text"), int: _("a whole number"), list: _("a list of texts"), bool: _("true or false"),
                         dict: _("a table")}[kind]
                raise BadInput(_("{field}: {value} is not {kind}.").format(field=name, value=repr(value)[:40], kind=shown))
        if not loaded:
            self.check_text()
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(_("timezone: '{value}' is not an IANA timezone such as Asia/Tokyo.").format(value=self.timezone)) from None
        if self.week_start not in WEEKDAY_NAMES:
            raise BadInput(_("{field}: '{value}' is not one of {options}.").format(field="week_start", value=self.week_start,
                                                                                     options=", ".join(WEEKDAY_NAMES)))
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise BadInput(_("fiscal_year_start_month must be a month number from 1 to 12."))
        parse_working_hours(self.working_hours)
        validate_schedule(self.retry_schedule)
        if self.phone_region and not (len(self.phone_region) == 2 and self.phone_region.isascii()
                                      and self.phone_region.isalpha() and self.phone_region.isupper()):
            raise BadInput(_("phone_region: '{value}' is not a two-letter country code such as JP (or empty).").format(
                value=self.phone_region))
        if not loaded:
            check_phone_region(self.phone_region)
        validate_roster(self.roster)
        if not self.sources:
            raise BadInput(_("sources must list at least one lead source."))
        if not 1 <= self.handoff_sla_hours <= 2000:
            raise BadInput(_("handoff_sla_hours must be a whole number of working hours from 1 to 2000."))
        if not self.reject_reasons or not all(r.isascii() and r.replace("_", "").isalnum() for r in self.reject_reasons):
            raise BadInput(_("reject_reasons must list at least one reason code, in lowercase letters, digits and _ "
                             "(e.g. no_budget)."))
        unknown = [name for name in self.handoff_required if name not in SHEET_FIELDS]
        if unknown:
            raise BadInput(_("handoff_required: '{value}' is not a handoff sheet field; fields are {options}.").format(
                value=unknown[0], options=", ".join(SHEET_FIELDS)))
        for name in ("extra_holidays", "working_holidays"):
            for value in getattr(self, name):
                try:
                    date.fromisoformat(str(value))
                except ValueError:
                    raise BadInput(_("{field}: '{value}' is not a date like 2026-12-30.").format(field=name, value=value)) from None


def check_holiday_country(code: str) -> None:
    """BadInput when `code` is not a country the holidays package has a calendar for ("" is none). Not part of
    `Settings.validate`: loading the package costs ~40 ms, so it is checked where the setting is written and by
    `istui doctor`."""
    if not code:
        return
    import holidays

    if code not in holidays.list_supported_countries():
        raise BadInput(_("holiday_country: '{value}' is not a country the holidays package has a calendar for; use a "
                         "code such as JP or US, or leave it empty for none.").format(value=code))


def parse_working_hours(text: str) -> tuple[time, time]:
    """`"09:00-18:00"` → (09:00, 18:00); the start must come before the end."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
    except ValueError:
        start = end = None
    if start is None or end is None or start >= end:
        raise BadInput(_("working_hours: '{value}' is not a span of the day like 09:00-18:00.").format(value=text))
    return start, end


def _toml_document(path: Path, header: str) -> Any:
    """The TOML file at `path` as a tomlkit document (comments and layout kept), or a new one with
    `header` as its opening comment."""
    import tomlkit  # only when a setting is written (never on the quick-logging path)

    try:
        return tomlkit.parse(path.read_text("utf-8"))
    except FileNotFoundError:
        pass
    except (UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise WorkspaceError(_("{path}: {reason}; fix the file by hand or run `istui doctor`.").format(path=path, reason=exc)) from None
    document = tomlkit.document()
    for line in header.splitlines():
        document.add(tomlkit.comment(line))
    return document


def _update(container: Any, values: dict[str, Any]) -> None:
    """Set `values` in a tomlkit table (None removes a key); nested dicts become tables."""
    import tomlkit

    for key, value in values.items():
        if value is None:
            container.pop(key, None)
        elif isinstance(value, dict):
            if not isinstance(container.get(key), dict):
                container[key] = tomlkit.table()
            _update(container[key], value)
        else:
            container[key] = value


def write_toml(path: Path, values: dict[str, Any], header: str = "") -> None:
    """Write `values` into the TOML file at `path` with tomlkit: the file's other keys, comments and
    layout stay; the result always reads back with `tomllib` to the same values."""
    import tomlkit

    document = _toml_document(path, header)
    _update(document, values)
    files.atomic_write(path, tomlkit.dumps(document))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}
    try:
        return plain_toml.loads(raw.decode("utf-8"))
    except ValueError as exc:  # (tomllib's TOMLDecodeError, or bytes that are not UTF-8)
        raise WorkspaceError(_("{path}: {reason}; fix the file by hand or run `istui doctor`.").format(path=path, reason=exc)) from None


def load_settings(root: Path) -> Settings:
    """Read istui.toml; refuse a newer schema, fill defaults for an older one."""
    path = root / SETTINGS_FILE
    if not path.exists():
        raise WorkspaceError(_("{root} is not an istui workspace (no {file}); create one with `istui init {root}`.").format(
            root=root, file=SETTINGS_FILE))
    raw = read_toml(path)
    schema = raw.get("schema", 0)
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise WorkspaceError(_("{path}: schema is {value}, not a whole number; write schema = {supported}.").format(
            path=path, value=repr(schema)[:40], supported=SCHEMA_VERSION))
    if schema > SCHEMA_VERSION:
        raise WorkspaceError(_("{path} has schema {schema}, newer than this istui understands ({supported}); upgrade istui.")
                             .format(path=path, schema=schema, supported=SCHEMA_VERSION))
    try:
        settings = Settings()
        for name, value in raw.items():  # set, not passed to __init__: a wrong type must reach validate()
            if name in Settings.FIELDS:
                setattr(settings, name, value)
        defaults = Settings(timezone=str(settings.timezone))
        for name in ("holiday_country", "phone_region"):  # defaults that follow the timezone
            if name not in raw:
                setattr(settings, name, getattr(defaults, name))
        settings.schema = SCHEMA_VERSION
        settings.validate(loaded=True)
    except BadInput as exc:
        raise WorkspaceError(f"{path}: {exc}") from None
    return settings


def save_settings(root: Path, settings: Settings) -> None:
    settings.validate()
    write_toml(root / SETTINGS_FILE, settings.to_dict(), "istui workspace settings, shared by the whole team through git.")


# --- per-user and per-clone settings --------------------------------------------------------------

def user_config() -> dict[str, Any]:
    return read_toml(locations.config_file())


def set_current_workspace(root: Path) -> None:
    """Remember `root` as the workspace commands use when no --workspace is given."""
    save_user_setting("workspace", str(root))


def save_user_setting(key: str, value: Any) -> None:
    """Change one setting in the user's config.toml, keeping the others, the tables and the comments."""
    write_toml(locations.config_file(), {key: value},
               "istui user settings. [keymap] maps binding ids to keys, e.g. today-call-block = \"c\".")


def current_workspace() -> Path:
    configured = user_config().get("workspace")
    return Path(configured) if isinstance(configured, str) and configured else locations.default_workspace()


def local_settings(root: Path) -> dict[str, Any]:
    return read_toml(locations.Local(root).settings)


def save_local_settings(root: Path, values: dict[str, Any]) -> None:
    write_toml(locations.Local(root).settings, values, "This clone's own settings (never committed).")
