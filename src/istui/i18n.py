"""The one catalog mechanism: gettext's model — the English text is the message id, `_()` looks up
the language in force — with the Japanese catalog in `locale/ja.po` (standard PO format, read here
at first use: no compile step, so a catalog edit is live).

The language comes from `--lang`, else the user config (`language = "ja"`), else `ISTUI_LANG`, else
the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `ja_JP.UTF-8` → ja), else English. `N_()` marks a
string for the catalog where it is defined (class attributes, tables) and `_()` translates it where
it is shown. Tests fail when a marked string has no Japanese entry (`missing()`).

One English word can need two Japanese ones (`title` of a lead is 役職, of a note タイトル; the headline
`Calls` is 架電数, a column `Calls` 架電): `pgettext(context, message)` looks the message up in a context
(gettext's `msgctxt`), `NP_(context, message)` marks one in a table. In English both give the message.
"""

from __future__ import annotations

import os
from pathlib import Path

LANGUAGES = ("en", "ja")
_CATALOG_DIR = Path(__file__).with_name("locale")  # locations.CATALOGS (not imported: i18n comes first)
_language = "en"
_catalogs: dict[str, dict[str, str]] = {}
_misses: set[str] = set()
CONTEXT_SEPARATOR = "\x04"  # gettext's: a message in a context is looked up as context + EOT + message


def detect(explicit: str | None = None, configured: str | None = None) -> str:
    """The language to use: the first of `--lang`, the config, ISTUI_LANG and the locale that names one."""
    for candidate in (explicit, configured, os.environ.get("ISTUI_LANG")):
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def set_language(code: str) -> None:
    global _language
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    _language = code


def language() -> str:
    return _language


def _(message: str) -> str:
    """`message` in the language in force (the English text itself when there is no entry)."""
    if _language == "en" or not message:
        return message
    catalog = _catalogs.get(_language)
    if catalog is None:
        catalog = _catalogs[_language] = load_po(_CATALOG_DIR / f"{_language}.po")
    translated = catalog.get(message)
    if translated is None:
        _misses.add(message)
        return message
    return translated


def N_(message: str) -> str:
    return message


def pgettext(context: str, message: str) -> str:
    """`message` as it reads in `context` (a `msgctxt` entry of the catalog), in the language in force."""
    if _language == "en" or not message:
        return message
    translated = _(f"{context}{CONTEXT_SEPARATOR}{message}")
    return message if translated.startswith(f"{context}{CONTEXT_SEPARATOR}") else translated


def NP_(context: str, message: str) -> str:
    """Marks `message` in `context` for the catalog where it is defined; `pgettext` translates it where shown."""
    return message


def missing() -> set[str]:
    """Messages asked for since start that had no entry in the catalog in force."""
    return set(_misses)


def load_po(path: Path) -> dict[str, str]:
    """msgid → msgstr of a PO file (empty msgstr means untranslated and is skipped); an entry with a
    `msgctxt` is keyed context + EOT + msgid, as gettext does."""
    entries: dict[str, str] = {}
    msgctxt: list[str] | None = None
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[f"{''.join(msgctxt)}{CONTEXT_SEPARATOR}{key}" if msgctxt is not None else key] = value

    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            flush()
            msgctxt, msgid, msgstr = [_unquote(line[8:], path, number)], None, None
            current = msgctxt
        elif line.startswith("msgid "):
            if msgstr is not None:  # a new entry without a context
                flush()
                msgctxt = None
            msgid, msgstr = [_unquote(line[6:], path, number)], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:], path, number)]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line, path, number))
        else:
            raise ValueError(f"{path} line {number}: expected msgctxt, msgid, msgstr or a quoted string")
    flush()
    return entries


def _unquote(text: str, path: Path, number: int) -> str:
    import ast  # only when a catalog is read (never on the English quick-logging path)

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(f"{path} line {number}: not a quoted string") from None
    if not isinstance(value, str):
        raise ValueError(f"{path} line {number}: not a quoted string")
    return value
