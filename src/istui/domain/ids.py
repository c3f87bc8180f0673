"""ULID-style record ids: 26 Crockford base-32 characters, time-sortable, made offline, unique across reps."""

from __future__ import annotations

import _thread  # (not threading: importing it costs a quick command 0.5 ms)
import os
import time
from typing import Any

from istui.domain.errors import BadInput, NotFound
from istui.i18n import _

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 26
_lock = _thread.allocate_lock()


_RANDOM_BITS = 80
_STEP = 1 << 76  # the largest step from one id to the next within a millisecond: they differ in the 11th to 14th character
_last = [0, 0]  # the millisecond and random part of the last id made now in this process


def new_id(at_ms: int | None = None, rand: int | None = None) -> str:
    """A new id for a record made at `at_ms` (milliseconds since the epoch; default now).

    Ids made now in one process are unique and sorted in the order they were made, even within one
    millisecond: the random part of the next id is drawn above the last one's (at random, so ids made in
    one millisecond still differ early enough to be typed as short prefixes); when it runs out, the next
    millisecond is used. `at_ms` and `rand` make ids reproducible for seeded demo data (the caller gives
    each record its own moment).
    """
    if at_ms is None and rand is None:
        with _lock:
            ms = max(int(time.time() * 1000), _last[0])
            rand = int.from_bytes(os.urandom(10), "big")
            if ms == _last[0]:  # above the last one by a random step (about 32 ids fit in one millisecond)
                if _last[1] >= (1 << _RANDOM_BITS) - _STEP:
                    ms += 1  # the millisecond is used up: the next one (the clock catches up)
                else:
                    rand = _last[1] + 1 + rand % _STEP
            _last[0], _last[1] = ms, rand
    else:
        ms = int(time.time() * 1000) if at_ms is None else at_ms
        if rand is None:
            rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << _RANDOM_BITS) | rand
    chars = []
    for _position in range(ID_LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


_DECODE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def normalize_prefix(text: str) -> str:
    """A typed id prefix as stored: upper case, with Crockford's look-alikes (O→0, I/L→1) folded."""
    return text.strip().upper().translate(_DECODE)


def looks_like_id_prefix(text: str) -> bool:
    prefix = normalize_prefix(text)
    return 0 < len(prefix) <= ID_LENGTH and all(c in ALPHABET for c in prefix)


def short_ids(ids: list[str], minimum: int = 8) -> dict[str, str]:
    """The shortest unique prefix of each id (at least `minimum` characters), like git's short hashes."""
    ordered = sorted(ids)
    result: dict[str, str] = {}
    for index, current in enumerate(ordered):
        need = minimum
        for neighbour_index in (index - 1, index + 1):
            if 0 <= neighbour_index < len(ordered):
                neighbour = ordered[neighbour_index]
                common = 0
                while common < ID_LENGTH and current[common] == neighbour[common]:
                    common += 1
                need = max(need, common + 1)
        result[current] = current[:need]
    return result


def source_id(at: str, source: str) -> str:
    """The id of a record imported from another tool: its time (ISO 8601), then 80 bits of the hash of its id there
    (`source`), so the same row imported in two clones, or twice, makes the same record."""
    import hashlib
    from datetime import datetime

    digest = hashlib.sha256(source.encode()).digest()
    return new_id(int(datetime.fromisoformat(at).timestamp() * 1000), int.from_bytes(digest[:10], "big"))


def resolve_prefix(prefix: str, records: dict[str, Any], what: str) -> str:
    """The one id of `records` that starts with `prefix` (typed in any case, with or without separators)."""
    from istui.domain.text import clip

    wanted = normalize_prefix(prefix)
    prefix = clip(prefix, ID_LENGTH + 4)  # (as quoted in a message)
    matches = sorted(key for key in records if key.startswith(wanted)) if wanted else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(_("{what}: no {what} id starts with '{prefix}' (see `istui {what} list`).").format(what=what, prefix=prefix))
    shown = ", ".join(list(short_ids(matches, len(wanted) + 1).values())[:3])
    raise BadInput(_("{what}: '{prefix}' matches {count} records ({shown}…); type more of the id.").format(
        what=what, prefix=prefix, count=len(matches), shown=shown))
