"""Reading TOML. The files istui writes are plain: tables, `key = "text"`, whole numbers, true/false, one-line lists
of texts, comments. Such a file is read by a strict reader of just that, to the very values tomllib reads; any other
file (or anything this reader is unsure of: a repeated key, a CRLF, a date, an escape) is read by tomllib itself,
which also says what is wrong with a broken one. (tomllib's import and parse cost a quick `istui log call` ~2 ms.)
"""

from __future__ import annotations

from typing import Any

from istui.domain.patterns import lazy

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_DIGITS = frozenset("0123456789")
_CONTROL = lazy("[\x00-\x08\x0b-\x1f\x7f]")  # no TOML text holds one (a tab or a newline aside)
_BLANK = " \t"


def loads(text: str) -> dict[str, Any]:
    """The values of a TOML text; tomllib.TOMLDecodeError, and only that, for one that cannot be read (lists nested
    thousands deep, a number of thousands of digits: what tomllib lets through as other errors)."""
    plain = plain_values(text)
    if plain is not None:
        return plain
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise tomllib.TOMLDecodeError("a value is nested too deeply") from None
    except ValueError as exc:  # int() refusing thousands of digits, with a hint for programmers
        raise tomllib.TOMLDecodeError("a number has too many digits" if "digits" in str(exc) else str(exc)) from None


def plain_values(text: str) -> dict[str, Any] | None:
    """The values of a plain TOML text (see above), or None when it is not one."""
    if "\r" in text or _CONTROL.search(text):
        return None
    root: dict[str, Any] = {}
    table, headers = root, set()
    for line in text.split("\n"):
        line = line.strip(_BLANK)
        if not line or line[0] == "#":
            continue
        if line[0] == "[":
            end = line.find("]")
            path = tuple(part.strip(_BLANK) for part in line[1:end].split("."))
            if end < 0 or not _nothing_more(line[end + 1:]) or not all(map(_bare, path)) or path in headers:
                return None
            headers.add(path)
            table = root
            for part in path:
                table = table.setdefault(part, {})
                if type(table) is not dict:
                    return None
            continue
        key, equals, rest = line.partition("=")
        key = key.rstrip(_BLANK)
        if not equals or not _bare(key) or key in table:
            return None
        value, after = _value(rest.lstrip(_BLANK))
        if after is None or not _nothing_more(after):
            return None
        table[key] = value
    return root


def _bare(key: str) -> bool:
    return bool(key) and set(key) <= _BARE


def _nothing_more(rest: str) -> bool:
    """Whether what follows a value or a table's name is blank or a comment."""
    rest = rest.lstrip(_BLANK)
    return not rest or rest[0] == "#"


def _value(text: str) -> tuple[Any, str | None]:
    """The plain value `text` starts with and what follows it; (None, None) when it is not one."""
    if not text:
        return None, None
    if text[0] in "\"'":
        return _text(text)
    if text[0] == "[":  # a one-line list of texts
        values, at = [], 1
        while True:
            at = len(text) - len(text[at:].lstrip(_BLANK))
            if text[at:at + 1] == "]":
                return values, text[at + 1:]
            value, rest = _text(text[at:])
            if rest is None:
                return None, None
            values.append(value)
            rest = rest.lstrip(_BLANK)
            if rest[:1] == ",":
                rest = rest[1:]
            elif rest[:1] != "]":
                return None, None
            at = len(text) - len(rest)
    token = text.split("#", 1)[0].rstrip(_BLANK)
    if token in ("true", "false"):
        return token == "true", text[len(token):]
    digits = token[1:] if token[:1] == "-" else token
    if 0 < len(digits) < 1000 and set(digits) <= _DIGITS and (digits == "0" or digits[0] != "0"):
        return int(token), text[len(token):]
    return None, None


def _text(text: str) -> tuple[str | None, str | None]:
    """A one-line text without escapes ("…" or '…') that `text` starts with, and what follows it."""
    quote = text[:1]
    if quote not in ("\"", "'"):
        return None, None
    end = text.find(quote, 1)
    if end < 0 or (quote == "\"" and "\\" in text[1:end]):
        return None, None
    return text[1:end], text[end + 1:]
